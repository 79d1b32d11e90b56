/**
 * model/vpc/types: the vocabulary of `platform: vpc` as immutable data (domain-vpc.md §1-§7).
 *
 * Owns: the shapes of VPCs, subnets, network interfaces and their addresses, instances, security
 * groups with ingress and egress rules, route tables and routes, network ACLs and their entries,
 * internet, NAT and VPN gateways, peering connections, transit gateways (attachments, route
 * tables, propagation), managed prefix lists and external hosts; the protocol vocabulary VPC
 * rules add (any IP protocol number); and the identities used by changes (sameVpcRule,
 * sameDestination).
 * Does not own: a world of these (model/vpc/world.ts), how it changes (model/vpc/changes.ts,
 * lifecycle.ts), route selection (model/vpc/routes.ts), rule evaluation (policy/nacl.ts,
 * policy/egress.ts), or how files spell any of it (scenario/vpc/).
 *
 * Every object is named by its id (a person's short name or an AWS id; one namespace, groups
 * apart: scenario-format-vpc.md "Names"). References between objects are by id.
 */
import type { Cidr, Ip } from '../../net/ipv4.ts';
import type { IcmpMatch, PortRange, RuleProtocol } from '../../net/protocol.ts';
import type { Service } from '../types.ts';

// ---------------------------------------------------------------------------------------------
// Protocols (VPC rules and NACL entries may name any IP protocol: domain-vpc.md §6)

/**
 * A rule's protocol: the three named ones, `all` (AWS `-1`), or another IANA protocol number
 * (0-255 except 1, 6, 17, which are always written by name: see normalizeProtocol). Ports and
 * ICMP fields are ignored on `all` and on numbered protocols, as AWS documents.
 */
export type VpcProtocol = RuleProtocol | number;

/** The one spelling of a protocol: -1 → all, 1/6/17 → icmp/tcp/udp, names kept. */
export function normalizeProtocol(p: VpcProtocol | string): VpcProtocol {
  if (typeof p === 'number') return p === -1 ? 'all' : p === 1 ? 'icmp' : p === 6 ? 'tcp' : p === 17 ? 'udp' : p;
  if (p === '-1') return 'all';
  if (/^\d+$/.test(p)) return normalizeProtocol(Number(p));
  return p as VpcProtocol;
}

// ---------------------------------------------------------------------------------------------
// VPCs, subnets, interfaces, instances (§1, §2)

export interface Vpc {
  readonly id: string;
  readonly region: string;
  /** The owning account, when the scenario says (cross-account references: §5). */
  readonly account?: string;
  /** IPv4 blocks, primary first ("CidrBlockAssociationSet"). Blocks of two VPCs may overlap. */
  readonly cidrs: readonly Cidr[];
  /** "DNS attributes for your VPC": enableDnsSupport (default on). */
  readonly dnsSupport: boolean;
  /** enableDnsHostnames (default off; on in a default VPC). */
  readonly dnsHostnames: boolean;
  readonly isDefault: boolean;
  /** The main route table: the one every subnet without an explicit association uses (§3). */
  readonly mainRouteTable: string;
  /** The default network ACL: the one every subnet without an association uses (§6). */
  readonly defaultNetworkAcl: string;
}

export interface Subnet {
  readonly id: string;
  readonly vpc: string;
  readonly zone: string;
  /** /16 to /28, inside one of the VPC's blocks ("Subnet CIDR blocks"). */
  readonly cidr: Cidr;
  /** Instances launched here get a public IP on eth0 (§1). */
  readonly mapPublicIpOnLaunch: boolean;
  /** The explicitly associated route table, or null: the VPC's main one (§3). */
  readonly routeTable: string | null;
  /** The associated network ACL, or null: the VPC's default one (§6). */
  readonly networkAcl: string | null;
}

/** One private IPv4 of an interface, and the public address mapped to it, if any (§1). */
export interface EniAddress {
  readonly privateIp: Ip;
  readonly primary: boolean;
  /** An Amazon-assigned public IP: only ever on eth0's primary private IP. */
  readonly publicIp: Ip | null;
  /** The Elastic IP associated with this private IP (one per private IP). */
  readonly elasticIp: Ip | null;
}

export interface NetworkInterface {
  readonly id: string;
  readonly subnet: string;
  /** The instance it is attached to, or null (a detached ENI). */
  readonly instance: string | null;
  /** 0 for the primary interface (eth0), which never moves. */
  readonly deviceIndex: number;
  /** Primary address first, then secondaries in the order given. */
  readonly addresses: readonly EniAddress[];
  /** Group keys, in the order given: 1 to 16 (order names a rule, never changes a verdict). */
  readonly groups: readonly string[];
  /** On by default; NAT instances and appliances turn it off (§3). */
  readonly sourceDestCheck: boolean;
  /** Whether this interface takes an Amazon public IP when its instance runs (the setting it
   * was created with: "Elastic network interfaces"). */
  readonly autoPublicIp: boolean;
}

export type VpcInstanceState = 'running' | 'stopped' | 'terminated';

export interface VpcInstance {
  readonly id: string;
  readonly zone: string;
  readonly state: VpcInstanceState;
  /** Interface ids by device index (eth0 first). Empty once terminated. */
  readonly interfaces: readonly string[];
  readonly services: readonly Service[];
  /** The client's ephemeral port range (domain-vpc.md §6; default: the world's settings). */
  readonly ephemeralPorts?: PortRange;
}

// ---------------------------------------------------------------------------------------------
// Security groups in a VPC (§5)

export type Direction = 'ingress' | 'egress';

/**
 * The other end a rule names: the source of an ingress rule, the destination of an egress rule.
 * A group reference matches the private IPs of the ENIs carrying the group while group identity
 * is preserved; `stale` marks a reference to a group or peering that is gone (it matches
 * nothing). A prefix list matches its CIDRs.
 */
export type RulePeer =
  | { readonly kind: 'cidr'; readonly cidr: Cidr }
  | { readonly kind: 'group'; readonly group: string; readonly stale?: boolean }
  | { readonly kind: 'prefixList'; readonly prefixList: string };

export interface VpcRule {
  readonly protocol: VpcProtocol;
  /** tcp/udp destination ports (absent: all). */
  readonly ports?: PortRange;
  /** icmp type and code (absent: all). */
  readonly icmp?: IcmpMatch;
  readonly peer: RulePeer;
  readonly description?: string;
}

export interface VpcSecurityGroup {
  /** Unique key: the group's name, or `default/<vpc>` for a VPC's default group. */
  readonly key: string;
  readonly name: string;
  /** A group serves only its VPC (§5). */
  readonly vpc: string;
  readonly description?: string;
  readonly ingress: readonly VpcRule[];
  readonly egress: readonly VpcRule[];
}

// ---------------------------------------------------------------------------------------------
// Route tables (§3)

export type RouteDestination =
  | { readonly kind: 'cidr'; readonly cidr: Cidr }
  | { readonly kind: 'prefixList'; readonly prefixList: string };

export type RouteTargetKind = 'local' | 'igw' | 'nat' | 'pcx' | 'tgw' | 'vgw' | 'eni' | 'instance';

/** Where a route sends a packet: the kind, and the target's id (`local` for the local route). */
export interface RouteTarget {
  readonly kind: RouteTargetKind;
  readonly id: string;
}

export interface Route {
  readonly destination: RouteDestination;
  readonly target: RouteTarget;
  /** `blackhole`: the target is gone (or the file says so); such a route drops (§3). */
  readonly state: 'active' | 'blackhole';
  /** Propagated routes come from a VGW ("EnableVgwRoutePropagation"); they lose ties (§3). */
  readonly origin: 'static' | 'propagated';
}

export interface RouteTable {
  readonly id: string;
  readonly vpc: string;
  /** Routes, a `local` one per VPC block first (the world adds them). */
  readonly routes: readonly Route[];
}

// ---------------------------------------------------------------------------------------------
// Network ACLs (§6)

export type NaclAction = 'allow' | 'deny';

export interface NaclEntry {
  /** 1..32766; lower numbers are evaluated first (§6). */
  readonly number: number;
  readonly action: NaclAction;
  readonly protocol: VpcProtocol;
  /** tcp/udp destination ports (absent: all). */
  readonly ports?: PortRange;
  /** icmp type/code (absent: all). */
  readonly icmp?: IcmpMatch;
  /** Ingress: matched against the source; egress: against the destination. */
  readonly cidr: Cidr;
}

export interface NetworkAcl {
  readonly id: string;
  readonly vpc: string;
  /** The VPC's default NACL (allow all at 100) or a custom one (no entries: denies all). */
  readonly isDefault: boolean;
  /** Entries in no particular order: evaluation goes by number (§6, Decision). */
  readonly ingress: readonly NaclEntry[];
  readonly egress: readonly NaclEntry[];
}

/** The final `*` entry: it denies, cannot be changed, and is never stored. */
export const NACL_DEFAULT_RULE_NUMBER = 32767;
export const NACL_MAX_RULE_NUMBER = 32766;

// ---------------------------------------------------------------------------------------------
// Gateways, peering, transit gateways, prefix lists (§4, §7)

export interface InternetGateway {
  readonly id: string;
  /** The attached VPC, or null (detached: routes to it are blackholes). */
  readonly vpc: string | null;
}

export interface NatGateway {
  readonly id: string;
  readonly subnet: string;
  readonly privateIp: Ip;
  readonly elasticIp: Ip;
  readonly state: 'available' | 'deleted';
}

export interface VpnGateway {
  readonly id: string;
  readonly vpc: string | null;
}

export type PeeringStatus = 'active' | 'pending' | 'deleted';

export interface Peering {
  readonly id: string;
  readonly requester: string;
  readonly accepter: string;
  readonly status: PeeringStatus;
  /** The peering's VPCs whose hosts resolve the other VPC's public names to private IPs (§8). */
  readonly dnsResolution: readonly string[];
}

export type TgwRouteOrigin = 'static' | 'prefixList' | 'propagated';

export interface TgwRoute {
  readonly destination: RouteDestination;
  /** The attachment the route sends to, or null for a blackhole route. */
  readonly attachment: string | null;
  readonly origin: TgwRouteOrigin;
}

export interface TgwRouteTable {
  readonly id: string;
  /** Static and blackhole routes; propagated ones are derived (model/vpc/tgw.ts). */
  readonly routes: readonly TgwRoute[];
}

export type TgwAttachment =
  | {
      readonly id: string;
      readonly kind: 'vpc';
      readonly vpc: string;
      /** One subnet per AZ: sources in other AZs cannot use the TGW (§7). */
      readonly subnets: readonly string[];
      /** The TGW route table that routes what this attachment sends in, or null. */
      readonly routeTable: string | null;
      /** TGW route tables this attachment propagates its VPC's blocks into. */
      readonly propagate: readonly string[];
      readonly dnsSupport: boolean;
      readonly sgReferencing: boolean;
    }
  | {
      readonly id: string;
      readonly kind: 'peering';
      /** The peer transit gateway. Peering attachments carry static routes only (§7). */
      readonly peer: string;
      readonly routeTable: string | null;
    };

export interface TransitGateway {
  readonly id: string;
  readonly region: string;
  readonly dnsSupport: boolean;
  readonly sgReferencing: boolean;
  readonly routeTables: Readonly<Record<string, TgwRouteTable>>;
  readonly attachments: Readonly<Record<string, TgwAttachment>>;
}

export interface PrefixList {
  readonly id: string;
  readonly cidrs: readonly Cidr[];
}

/** A host outside AWS (or behind a VGW, `via`), with one address. */
export interface VpcExternalHost {
  readonly name: string;
  readonly ip: Ip;
  readonly services: readonly Service[];
  readonly via?: string;
  readonly ephemeralPorts?: PortRange;
}

export interface VpcElasticIp {
  readonly ip: Ip;
  readonly region: string;
  /** The (ENI, private IP) holding it, or null (allocated, unassociated). A NAT gateway's EIP is
   * held by the NAT gateway and never listed here. */
  readonly eni: string | null;
  readonly privateIp: Ip | null;
}

// ---------------------------------------------------------------------------------------------
// Identities used by changes

/** Two rules are the same permission when protocol, ports/icmp and peer agree (descriptions do not count). */
export function sameVpcRule(a: VpcRule, b: VpcRule): boolean {
  if (normalizeProtocol(a.protocol) !== normalizeProtocol(b.protocol)) return false;
  if ((a.ports?.from ?? -2) !== (b.ports?.from ?? -2) || (a.ports?.to ?? -2) !== (b.ports?.to ?? -2)) return false;
  if ((a.icmp?.type ?? -2) !== (b.icmp?.type ?? -2) || (a.icmp?.code ?? -2) !== (b.icmp?.code ?? -2)) return false;
  return samePeer(a.peer, b.peer);
}

function samePeer(a: RulePeer, b: RulePeer): boolean {
  switch (a.kind) {
    case 'cidr':
      return b.kind === 'cidr' && sameCidr(a.cidr, b.cidr);
    case 'group':
      return b.kind === 'group' && a.group === b.group;
    case 'prefixList':
      return b.kind === 'prefixList' && a.prefixList === b.prefixList;
  }
}

export function sameCidr(a: Cidr, b: Cidr): boolean {
  return a.base === b.base && a.prefix === b.prefix;
}

/** Two route destinations are the same when they name the same CIDR or the same prefix list. */
export function sameDestination(a: RouteDestination, b: RouteDestination): boolean {
  return a.kind === 'cidr' ? b.kind === 'cidr' && sameCidr(a.cidr, b.cidr) : b.kind === 'prefixList' && a.prefixList === b.prefixList;
}

export const VPC_DEFAULT_GROUP = 'default';

/** The key of the group a person names `name` in `vpc` (each VPC has its own `default`). */
export function vpcGroupKey(name: string, vpc: string): string {
  return name === VPC_DEFAULT_GROUP ? `${VPC_DEFAULT_GROUP}/${vpc}` : name;
}

/** All traffic to 0.0.0.0/0: a new group's one egress rule (§5, "Security group rules"). */
export const ALLOW_ALL_EGRESS: VpcRule = { protocol: 'all', peer: { kind: 'cidr', cidr: { base: 0, prefix: 0 } } };

/** A VPC's default group: all traffic in from its own members, all out (§5, "Default security
 * groups for your VPCs"). */
export function defaultVpcGroup(vpc: string): VpcSecurityGroup {
  const key = vpcGroupKey(VPC_DEFAULT_GROUP, vpc);
  return {
    key,
    name: VPC_DEFAULT_GROUP,
    vpc,
    description: 'default VPC security group',
    ingress: [{ protocol: 'all', peer: { kind: 'group', group: key } }],
    egress: [ALLOW_ALL_EGRESS],
  };
}

/** The default NACL's entry 100 (allow all), in each direction (§6). */
export const DEFAULT_NACL_ENTRY: NaclEntry = { number: 100, action: 'allow', protocol: 'all', cidr: { base: 0, prefix: 0 } };
