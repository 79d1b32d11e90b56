/**
 * model/types: the world's vocabulary as immutable data.
 *
 * Owns: the shapes of regions, zones, security groups and rules, instances, external hosts and
 * Elastic IPs (domain.md §1-§4), the rule identity used by authorize/revoke, and the ways a
 * scenario names one of a host's addresses (AddressSpec, which the fabric resolves).
 * Does not own: how a world changes (model/world.ts), how rules are evaluated (policy/), or
 * how scenario files spell any of this (scenario/).
 */
import type { Cidr, Ip } from '../net/ipv4.ts';
import type { IcmpMatch, PortRange, RuleProtocol } from '../net/protocol.ts';

export type RuleSource =
  | { readonly kind: 'cidr'; readonly cidr: Cidr }
  /** `group` is a group key (see groupKey). */
  | { readonly kind: 'group'; readonly group: string };

/**
 * One ingress permission. `ports` is present for tcp/udp, `icmp` for icmp; `all` has neither
 * (AWS: IpProtocol -1 covers every protocol and port).
 */
export interface Rule {
  readonly protocol: RuleProtocol;
  readonly ports?: PortRange;
  readonly icmp?: IcmpMatch;
  readonly source: RuleSource;
  readonly description?: string;
}

export interface SecurityGroup {
  /** Unique key: the group's name, or `default/<region>` for a region's default group. */
  readonly key: string;
  /** The name a person wrote (`default` for every region's default group). */
  readonly name: string;
  readonly region: string;
  readonly description?: string;
  readonly ingress: readonly Rule[];
}

export interface Service {
  readonly protocol: 'tcp' | 'udp';
  readonly ports: PortRange;
}

export type InstanceState = 'running' | 'stopped' | 'terminated';

export interface Instance {
  readonly name: string;
  readonly region: string;
  readonly zone: string;
  /** Group keys, in the order given (order never changes a verdict, only which rule is named). */
  readonly groups: readonly string[];
  readonly state: InstanceState;
  /** Null unless running. */
  readonly privateIp: Ip | null;
  /** The dynamic public IP; null while an Elastic IP is associated, and unless running. */
  readonly publicIp: Ip | null;
  readonly elasticIp: Ip | null;
  readonly services: readonly Service[];
}

export interface ExternalHost {
  readonly name: string;
  readonly ip: Ip;
  readonly services: readonly Service[];
}

export interface ElasticIp {
  readonly ip: Ip;
  readonly region: string;
  /** The instance that holds it, if any. */
  readonly instance: string | null;
}

export interface Region {
  readonly name: string;
  readonly zones: readonly string[];
}

/** What a launch (or the initial world) says of an instance. */
export interface InstanceSpec {
  readonly name: string;
  readonly region: string;
  readonly zone: string;
  readonly groups: readonly string[];
  readonly privateIp?: Ip;
  readonly publicIp?: Ip;
  readonly elasticIp?: Ip;
  readonly services: readonly Service[];
  readonly state: 'running' | 'stopped';
}

export const DEFAULT_GROUP = 'default';

/** The key of the group a person names `name` in `region`. */
export function groupKey(name: string, region: string): string {
  return name === DEFAULT_GROUP ? `${DEFAULT_GROUP}/${region}` : name;
}

/** The name a person wrote for a group key. */
export function groupDisplayName(key: string): string {
  return key.startsWith(`${DEFAULT_GROUP}/`) ? DEFAULT_GROUP : key;
}

/** The region's default group: it admits everything from its own members (domain.md §2). */
export function defaultGroup(region: string): SecurityGroup {
  const key = groupKey(DEFAULT_GROUP, region);
  return {
    key,
    name: DEFAULT_GROUP,
    region,
    description: 'default group',
    ingress: [{ protocol: 'all', source: { kind: 'group', group: key } }],
  };
}

/** Two rules are the same permission when protocol, ports/icmp and source agree (descriptions do not count). */
export function sameRule(a: Rule, b: Rule): boolean {
  if (a.protocol !== b.protocol) return false;
  if ((a.ports?.from ?? -2) !== (b.ports?.from ?? -2) || (a.ports?.to ?? -2) !== (b.ports?.to ?? -2)) return false;
  if ((a.icmp?.type ?? -2) !== (b.icmp?.type ?? -2) || (a.icmp?.code ?? -2) !== (b.icmp?.code ?? -2)) return false;
  if (a.source.kind !== b.source.kind) return false;
  return a.source.kind === 'cidr'
    ? b.source.kind === 'cidr' && a.source.cidr.base === b.source.cidr.base && a.source.cidr.prefix === b.source.cidr.prefix
    : b.source.kind === 'group' && a.source.group === b.source.group;
}

/**
 * An address as a scenario names it (docs/scenario-format.md, "Addresses"): one of an
 * instance's addresses by kind, an external host, or a literal. fabric/resolve.ts says what it
 * stands for at a moment, as seen from a sender.
 */
export type AddressSpec =
  | { readonly kind: 'private' | 'public' | 'eip' | 'dns'; readonly instance: string }
  | { readonly kind: 'external'; readonly host: string }
  | { readonly kind: 'ip'; readonly ip: Ip };
