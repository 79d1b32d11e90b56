/**
 * fabric/path/vpc/hop: what a VPC hop is, what it answers, and the packet it judges
 * (domain-vpc.md §9-§11; scenario-format-vpc.md "Run report": a hop's fields).
 *
 * Classic's `Hop`/`PathPacket`/`PathWorld` (../hop.ts) speak of numbered hosts, one address map
 * and one conntrack table; a VPC packet is judged on other facts (the VPC and subnet it is in,
 * NAT mappings, group identity along the path), so the VPC hops have their own small types here:
 * a `VpcPacket` (addresses and ports as they stand on the wire), a `VpcVerdict` (the same five
 * answers as classic: pass, rewrite, admit, drop, and the host's deliver/refuse) and a `VpcHop`
 * step as reports give it (`kind`, `name`, `verdict`, code, rule, entry, route, subnet, detail).
 * Each hop file (sg-egress.ts … host.ts) is a pure function of the packet and the VpcWorld that
 * answers with a verdict; plan.ts puts them in §10's order and records the trail.
 * Does not own: the order (plan.ts), or any rule of the domain (model/vpc/, policy/).
 */
import { cidrContains, formatCidr, formatIp, type Cidr, type Ip } from '../../../net/ipv4.ts';
import type { IdentityPath } from '../../../model/vpc/peering.ts';

/** The report's hop kinds (scenario-format-vpc.md). */
export type VpcHopKind = 'sg-egress' | 'route-table' | 'nacl-out' | 'igw' | 'nat' | 'pcx' | 'tgw' | 'vgw' | 'eni' | 'nacl-in' | 'sg-ingress' | 'host';

/** A packet as it stands on the wire. ICMP: `sport` is the echo id, `key` its type << 8 | code. */
export interface VpcPacket {
  readonly protocol: number;
  readonly source: Ip;
  readonly destination: Ip;
  readonly sport: number;
  readonly dport: number;
  /** What rules and NACL entries match: the tcp/udp destination port, or icmp type << 8 | code. */
  readonly key: number;
}

/** An address or port translation a hop made (`snat`: the source; `dnat`: the destination). */
export interface Rewrite {
  readonly hop: string;
  readonly kind: 'snat' | 'dnat';
  readonly from: string;
  readonly to: string;
}

/** A hop's answer. `final`: nothing further can be judged (no route, no destination). */
export type VpcVerdict =
  | { readonly kind: 'pass'; readonly detail: string }
  | { readonly kind: 'rewrite'; readonly packet: VpcPacket; readonly rewrites: readonly Rewrite[]; readonly notes: readonly string[]; readonly detail: string }
  | { readonly kind: 'admit'; readonly by: Admission; readonly detail: string }
  | { readonly kind: 'tracked'; readonly detail: string }
  | { readonly kind: 'drop'; readonly code: string; readonly detail: string; readonly final: boolean; readonly by?: Admission }
  | { readonly kind: 'deliver'; readonly detail: string; readonly answer: HostAnswer }
  | { readonly kind: 'refuse'; readonly detail: string; readonly answer: HostAnswer };

/** What admitted (or, on a drop, decided) a packet: a group rule, a NACL entry, a route. */
export interface Admission {
  readonly group?: string;
  readonly rule?: string;
  readonly entry?: number;
  readonly route?: { readonly destination: string; readonly target: string };
}

/** What the destination host answers (domain.md §6): a SYN-ACK, an RST, an echo reply, nothing. */
export type HostAnswer = 'syn-ack' | 'rst' | 'echo-reply' | 'none';

/** One hop on a packet's way, as reports give it. */
export interface VpcHop {
  readonly kind: VpcHopKind;
  /** The ENI on SG, eni and host hops; the table, ACL or gateway otherwise. */
  readonly name: string;
  /** The report's verdict word: allow, tracked, deny, refuse. */
  readonly verdict: 'allow' | 'tracked' | 'deny' | 'refuse';
  readonly answer: VpcVerdict;
  readonly code?: string;
  readonly subnet?: string;
  /** Evaluated as if an earlier blocker had let the packet pass. */
  readonly hypothetical: boolean;
}

export function verdictWord(v: VpcVerdict): VpcHop['verdict'] {
  switch (v.kind) {
    case 'tracked':
      return 'tracked';
    case 'drop':
      return 'deny';
    case 'refuse':
      return 'refuse';
    default:
      return 'allow';
  }
}

export function pass(detail: string): VpcVerdict {
  return { kind: 'pass', detail };
}

export function drop(code: string, detail: string, final = false, by?: Admission): VpcVerdict {
  return by === undefined ? { kind: 'drop', code, detail, final } : { kind: 'drop', code, detail, final, by };
}

export function admit(by: Admission, detail: string): VpcVerdict {
  return { kind: 'admit', by, detail };
}

/** Where a packet's group identity stands (model/vpc/peering.ts's IdentityPath). */
export type { IdentityPath };

const RFC1918: readonly Cidr[] = [
  { base: 0x0a000000, prefix: 8 },
  { base: 0xac100000, prefix: 12 },
  { base: 0xc0a80000, prefix: 16 },
];

/** Whether an address is private (RFC 1918): never carried past an IGW (§4, §12 invariant 7). */
export function isRfc1918(ip: Ip): boolean {
  return RFC1918.some((b) => cidrContains(b, ip));
}

export function endpoint(ip: Ip, port: number): string {
  return `${formatIp(ip)}:${port}`;
}

export { formatCidr, formatIp };

/**
 * A hop as the run report writes it (scenario-format-vpc.md "Run report"): `{ kind, name,
 * verdict, code?, group?, rule?, entry?, route?, subnet?, notes?, detail, hypothetical? }`.
 * `rule` is the rule in words (policy/egress.ts describeVpcRule), not yet the format's object.
 */
export function reportHop(h: VpcHop): Record<string, unknown> {
  const v = h.answer;
  const by = v.kind === 'admit' || v.kind === 'drop' ? v.by : undefined;
  return {
    kind: h.kind,
    name: h.name,
    verdict: h.verdict,
    ...(h.code !== undefined ? { code: h.code } : {}),
    ...(by?.group !== undefined ? { group: by.group } : {}),
    ...(by?.rule !== undefined ? { rule: by.rule } : {}),
    ...(by?.entry !== undefined ? { entry: by.entry } : {}),
    ...(by?.route !== undefined ? { route: by.route } : {}),
    ...(h.subnet !== undefined ? { subnet: h.subnet } : {}),
    ...(v.kind === 'rewrite' && v.notes.length > 0 ? { notes: v.notes } : {}),
    detail: v.detail,
    ...(h.hypothetical ? { hypothetical: true } : {}),
  };
}
