/**
 * testing/plan: the address plan and vocabulary of generated worlds (see testing/index.ts).
 *
 * Owns: where generated addresses come from, all distinct by construction:
 *   private    10.<region>.<salt>.<10+n>      n = instance number (launches included)
 *   public     54.<10+region>.<salt>.<10+n>
 *   EIP pool   203.0.<113+region>.1..4        (one pool per region: an EIP belongs to one region)
 *   external   EXTERNAL_IPS
 *   unheld     UNHELD_IPS (addresses no host ever holds, for NO_ROUTE_TO_DESTINATION)
 * Traffic ports avoid the Linux ephemeral range 32768-60999 that source ports come from, so a
 * destination port never equals some earlier flow's source port (see KNOWN_BUG_GUARDS).
 */
import { NS_PER_S, type Ip } from '../index.ts';

export function ip(a: number, b: number, c: number, d: number): Ip {
  return ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
}

export const REGION_NAMES = ['us-east-1', 'eu-west-1', 'ap-southeast-2'] as const;
export const EXTERNAL_IPS: readonly Ip[] = [ip(1, 2, 3, 4), ip(198, 51, 100, 7), ip(192, 0, 2, 10), ip(8, 8, 8, 8)];
export const UNHELD_IPS: readonly Ip[] = [ip(192, 0, 2, 250), ip(10, 200, 0, 1), ip(54, 200, 0, 1)];
export const EIPS_PER_REGION = 4;

export function eipPool(region: number): Ip[] {
  return Array.from({ length: EIPS_PER_REGION }, (_, i) => ip(203, 0, 113 + region, 1 + i));
}

export function isPlanEip(a: Ip): boolean {
  return a >>> 24 === 203 && ((a >>> 16) & 255) === 0 && ((a >>> 8) & 255) >= 113 && ((a >>> 8) & 255) < 113 + REGION_NAMES.length && (a & 255) >= 1 && (a & 255) <= EIPS_PER_REGION;
}

/** Destination ports of generated traffic: rule edges and their neighbours. */
export const TRAFFIC_PORTS = [
  0, 1, 2, 21, 22, 23, 53, 79, 80, 81, 442, 443, 444, 3305, 3306, 3307, 8079, 8080, 8081, 32766, 32767, 61000, 65533, 65534, 65535,
] as const;
/** Port range endpoints of generated rules and services. */
export const RULE_PORT_POINTS = [0, 1, 22, 80, 443, 3306, 8080, 32767, 65534, 65535] as const;
/** Source ports come from here (Linux's ip_local_port_range); traffic never targets it. */
export const EPHEMERAL = { from: 32768, to: 60999 } as const;

export const sec = (s: number): number => s * NS_PER_S;
