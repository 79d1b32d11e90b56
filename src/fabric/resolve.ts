/**
 * fabric/resolve: what address a name stands for, as seen from a sender.
 *
 * Owns: turning a scenario's address (`web1.private`, `web1.public`, `web1.eip`, `web1.dns`,
 * an external host, a literal) into the IPv4 address the sender would put in its packet, at
 * that moment. Public DNS names are split-horizon (AWS "Instance IP addressing"): the private
 * address for senders in the instance's region, the public address / EIP for everyone else.
 * Does not own: routing that address (fabric/fabric.ts).
 */
import type { Ip } from '../net/ipv4.ts';
import { formatIp } from '../net/ipv4.ts';
import { getInstance, type World } from '../model/world.ts';
import type { AddressSpec } from '../model/types.ts';

export type Resolution = { ip: Ip } | { error: string };

export function describeAddress(spec: AddressSpec): string {
  switch (spec.kind) {
    case 'ip':
      return formatIp(spec.ip);
    case 'external':
      return spec.host;
    default:
      return `${spec.instance}.${spec.kind}`;
  }
}

/** The public DNS name EC2-Classic gives an instance with this public address. */
export function publicDnsName(publicIp: Ip, region: string): string {
  const dashed = formatIp(publicIp).replaceAll('.', '-');
  return region === 'us-east-1' ? `ec2-${dashed}.compute-1.amazonaws.com` : `ec2-${dashed}.${region}.compute.amazonaws.com`;
}

export function resolveAddress(world: World, spec: AddressSpec, sender: string): Resolution {
  if (spec.kind === 'ip') return { ip: spec.ip };
  if (spec.kind === 'external') {
    const e = world.external[spec.host];
    return e ? { ip: e.ip } : { error: `unknown host ${spec.host}` };
  }
  const inst = getInstance(world, spec.instance);
  if (!inst) return { error: `unknown instance ${spec.instance}` };
  if (inst.state !== 'running') return { error: `${inst.name} is ${inst.state}: it holds no address` };
  const publicAddress = inst.elasticIp ?? inst.publicIp;
  switch (spec.kind) {
    case 'private':
      return { ip: inst.privateIp! };
    case 'public':
      return publicAddress !== null ? { ip: publicAddress } : { error: `${inst.name} holds no public address` };
    case 'eip':
      return inst.elasticIp !== null ? { ip: inst.elasticIp } : { error: `${inst.name} holds no Elastic IP` };
    case 'dns': {
      const from = getInstance(world, sender);
      if (from && from.region === inst.region) return { ip: inst.privateIp! };
      return publicAddress !== null ? { ip: publicAddress } : { error: `${inst.name} has no public DNS name` };
    }
  }
}
