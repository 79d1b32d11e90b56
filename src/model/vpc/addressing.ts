/**
 * model/vpc/addressing: which addresses of a subnet can be held, and how new ones are drawn.
 *
 * Owns: the five addresses AWS never assigns in a subnet — the network address, +1 (the VPC
 * router), +2 (Amazon DNS), +3 (reserved) and the last ("Subnet CIDR blocks", domain-vpc.md §1);
 * subnet sizes (/16 to /28); drawing a private IP in a subnet (the lowest address past the
 * subnet's cursor that is neither reserved, declared anywhere in the scenario, nor held: a
 * cursor that only moves forward, so a released private IP is never handed out again within a
 * run); and drawing an Amazon public IP (classic's keyed pool, model/addresses.ts, so a new
 * public IP never equals a released one: Decision, §2).
 * Does not own: who holds what (model/vpc/world.ts).
 */
import { cidrContains, type Cidr, type Ip } from '../../net/ipv4.ts';
import { drawAddress, PUBLIC_POOL_BASE, type AddressPools } from '../addresses.ts';

export const SUBNET_MIN_PREFIX = 16;
export const SUBNET_MAX_PREFIX = 28;

/** The first address of a subnet any ENI may hold: network + 4. */
export const FIRST_ASSIGNABLE_OFFSET = 4;

/** The number of addresses in a block. */
export function blockSize(cidr: Cidr): number {
  return 2 ** (32 - cidr.prefix);
}

/** The last address of a block. */
export function lastAddress(cidr: Cidr): Ip {
  return (cidr.base + blockSize(cidr) - 1) >>> 0;
}

/** Whether `ip` is one of the subnet's five reserved addresses (§1). */
export function isReservedInSubnet(subnet: Cidr, ip: Ip): boolean {
  if (!cidrContains(subnet, ip)) return false;
  const offset = (ip - subnet.base) >>> 0;
  return offset < FIRST_ASSIGNABLE_OFFSET || ip === lastAddress(subnet);
}

/** What an ENI's address in `subnet` may not be, as a sentence; null when it may be held. */
export function assignableProblem(subnet: Cidr, ip: Ip): string | null {
  if (!cidrContains(subnet, ip)) return 'is outside the subnet';
  if (isReservedInSubnet(subnet, ip)) return 'is reserved by AWS in every subnet (network, +1 router, +2 DNS, +3, last)';
  return null;
}

/** Whether block `inner` lies inside block `outer`. */
export function cidrInside(inner: Cidr, outer: Cidr): boolean {
  return inner.prefix >= outer.prefix && cidrContains(outer, inner.base);
}

/** Whether two blocks share an address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.prefix <= b.prefix ? cidrContains(a, b.base) : cidrContains(b, a.base);
}

/**
 * The next private IP of a subnet past `cursor` (an offset from the network address), skipping
 * addresses `taken` says are declared or held. Returns the address and the new cursor, or null
 * when the subnet is full.
 */
export function drawSubnetAddress(subnet: Cidr, cursor: number, taken: (ip: Ip) => boolean): { ip: Ip; cursor: number } | null {
  const last = blockSize(subnet) - 1;
  for (let off = Math.max(cursor, FIRST_ASSIGNABLE_OFFSET); off < last; off++) {
    const ip = (subnet.base + off) >>> 0;
    if (!taken(ip)) return { ip, cursor: off + 1 };
  }
  return null;
}

/** A new Amazon public IP from the world's pool, never one handed out before. */
export function drawPublicIp(pools: AddressPools, reserved: ReadonlySet<Ip>): { ip: Ip; pools: AddressPools } {
  const d = drawAddress(PUBLIC_POOL_BASE, pools.nextPublic, pools.key ^ 0x5bd1e995, reserved);
  return { ip: d.ip, pools: { ...pools, nextPublic: d.next } };
}
