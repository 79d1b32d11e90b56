/**
 * fabric/path/vpc/host: what the receiving host does with a request, or a reply reaching its
 * client (domain.md §6).
 *
 * Owns: TCP — a listening port answers a SYN-ACK (`connected`), else an RST (`refused`: an
 * answer of an admitting host); UDP — delivered, no answer; ICMP — an echo request is always
 * answered. A reply reaching the client is taken.
 */
import type { Service } from '../../../model/types.ts';
import { pass, type VpcPacket, type VpcVerdict } from './hop.ts';

export function listensOn(services: readonly Service[], protocol: number, port: number): boolean {
  const name = protocol === 6 ? 'tcp' : protocol === 17 ? 'udp' : null;
  return name !== null && services.some((s) => s.protocol === name && port >= s.ports.from && port <= s.ports.to);
}

export function hostRequest(name: string, services: readonly Service[], packet: VpcPacket): VpcVerdict {
  if (packet.protocol === 6) {
    return listensOn(services, 6, packet.dport)
      ? { kind: 'deliver', answer: 'syn-ack', detail: `${name} listens on tcp/${packet.dport}` }
      : { kind: 'refuse', answer: 'rst', detail: `${name} does not listen on tcp/${packet.dport}: it answers with a reset` };
  }
  if (packet.protocol === 1) return { kind: 'deliver', answer: 'echo-reply', detail: `${name} answers the echo request` };
  return { kind: 'deliver', answer: 'none', detail: `${name} takes the datagram` };
}

export function hostReply(name: string): VpcVerdict {
  return pass(`${name} takes the answer`);
}
