/**
 * model/vpc/derived: what AWS derives from a configuration rather than being told.
 *
 * Owns: the `local` routes every route table has, one per VPC block, which cannot be removed
 * ("Configure route tables", domain-vpc.md §3); and whether an instance's eth0 holds an Amazon
 * public IP now (§1, §2, "Amazon EC2 instance IP addressing"): while running, if the interface
 * was created to take one, the instance has a single interface, and no Elastic IP sits on any
 * of eth0's private IPs. The one rule used at launch, start and EIP disassociation.
 * Does not own: drawing the address (addressing.ts) or applying it (build.ts, lifecycle.ts).
 */
import type { NetworkInterface, Route, Vpc, VpcInstance } from './types.ts';

export const LOCAL_TARGET = { kind: 'local', id: 'local' } as const;

/** The local routes of a table in `vpc`, primary block first. */
export function localRoutes(vpc: Vpc): Route[] {
  return vpc.cidrs.map((cidr) => ({ destination: { kind: 'cidr', cidr }, target: LOCAL_TARGET, state: 'active', origin: 'static' }));
}

/** Whether a route is one of the table's local routes (target `local`). */
export function isLocalRoute(route: Route): boolean {
  return route.target.kind === 'local';
}

/**
 * Whether eth0 of `inst` should hold an Amazon public IP: running, created to take one, the
 * only interface (AWS: "you can't auto-assign a public IPv4 address if you specify more than one
 * network interface", and a released public IP is not replaced then), and no EIP on eth0.
 */
export function publicIpWanted(inst: VpcInstance, eth0: NetworkInterface): boolean {
  return inst.state === 'running' && eth0.deviceIndex === 0 && eth0.autoPublicIp && inst.interfaces.length === 1 && eth0.addresses.every((a) => a.elasticIp === null);
}
