/**
 * fabric/path/host: what the receiving host does with a packet that reached it (domain.md §6).
 *
 * TCP: a client socket takes a segment for its connection (an answer to a SYN only for its
 * own SYN); otherwise the host answers as a server: SYN-ACK from a listening port, RST from a
 * closed one (so a client reports **refused**), ACK to data, FIN-ACK to FIN
 * (transport/tcp.ts tcpServerReply). UDP: delivered whether or not a service listens; a
 * listening service answers once (its answer is consumed, never answered). ICMP: an echo
 * request is answered with an echo reply; a reply goes to the ping waiting for it.
 * The last hop of a plan: it never drops.
 */
import { ICMP, ICMP_ECHO_REQUEST, ICMP_ECHO_REPLY, TCP, UDP } from '../../net/protocol.ts';
import { tcpServerReply } from '../../transport/tcp.ts';
import type { Hop, HostAction, PathPacket, PathWorld, Verdict } from './hop.ts';

/** Marks a UDP datagram that is a service's echo (UDP itself has no such bit; sgsim's services
 * answer each datagram once, and answers are never answered). */
export const UDP_ECHO = 1;

const CLIENT: HostAction = Object.freeze({ kind: 'client' });
const ECHO_CONSUMED: HostAction = Object.freeze({ kind: 'echo-consumed' });
const ECHO_REQUEST: HostAction = Object.freeze({ kind: 'echo-request' });
const ECHO_REPLY: HostAction = Object.freeze({ kind: 'echo-reply' });
const NONE: HostAction = Object.freeze({ kind: 'none' });
/** Server actions by reply flags (< 32) * 2 + listening: made once, so deciding allocates nothing. */
const SERVER: HostAction[] = [];
for (let reply = 0; reply < 32; reply++) for (const listening of [false, true]) SERVER.push(Object.freeze({ kind: 'server', reply, listening }));
const DATAGRAM: readonly HostAction[] = [Object.freeze({ kind: 'datagram', echo: false }), Object.freeze({ kind: 'datagram', echo: true })];

/**
 * What host `to` does with a packet that reached it (`clientTakes`: PathWorld.clientTakes's
 * answer for it; `listens`: whether it listens on the packet's protocol and port). The
 * fabric's delivery asks this for every packet, in both its fast and reference paths.
 */
export function hostAction(protocol: number, flags: number, dport: number, clientTakes: boolean, listens: boolean): HostAction {
  if (protocol === TCP) {
    if (clientTakes) return CLIENT;
    const reply = tcpServerReply(flags, listens);
    return SERVER[reply * 2 + (listens ? 1 : 0)];
  }
  if (protocol === UDP) return flags & UDP_ECHO ? ECHO_CONSUMED : DATAGRAM[listens ? 1 : 0];
  const type = dport >> 16;
  if (protocol === ICMP && type === ICMP_ECHO_REQUEST) return ECHO_REQUEST;
  if (protocol === ICMP && type === ICMP_ECHO_REPLY) return ECHO_REPLY;
  return NONE;
}

export const host: Hop = {
  name: 'host',
  side: 'arrive',
  filter: false,
  decide(p: PathPacket, w: PathWorld): Verdict {
    const tcp = p.protocol === TCP;
    const listens = (tcp || p.protocol === UDP) && w.listens(p.receiver, p.protocol, p.dport);
    return { kind: 'deliver', action: hostAction(p.protocol, p.flags, p.dport, tcp && w.clientTakes(p.receiver, p), listens) };
  },
};
