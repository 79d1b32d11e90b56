/**
 * scenario/vpc/spec: a `platform: vpc` scenario after validation (scenario-format-vpc.md),
 * the one form its YAML, JSON and builder documents compile to.
 *
 * Owns: the normalized, fully defaulted shape a VPC run (or a static question) starts from:
 * durations in integer nanoseconds, addresses and blocks as uint32 / Cidr, every name resolved
 * (implicit `<vpc>-main` tables, `<vpc>-default` NACLs and default groups made explicit and
 * flagged `implicit`), NACL entries sorted by number, each subnet's effective route table and
 * NACL, group keys (`default/<vpc>` for a VPC's default group), and the timeline sorted by time.
 * Does not own: validation (scenario/vpc/validate.ts and its sections), the VPC domain model
 * (model/vpc), or how any of it behaves.
 */
import type { Cidr, Ip } from '../../net/ipv4.ts';
import type { IcmpMatch, PortRange } from '../../net/protocol.ts';
import type { Service } from '../../model/types.ts';
import type { LatencySettings, Nanos, PathKind } from '../spec.ts';

export interface VpcSettings {
  readonly latency: LatencySettings;
  readonly tcp: { readonly synRetries: number; readonly initialRto: Nanos };
  readonly conntrack: {
    readonly tcpEstablished: Nanos;
    readonly tcpHandshake: Nanos;
    readonly udp: Nanos;
    readonly udpStream: Nanos;
    readonly icmp: Nanos;
  };
  readonly propagationDelay: Nanos;
  readonly pingTimeout: Nanos;
  /** The hosts' default ephemeral source ports (32768-60999, Linux's). */
  readonly ephemeralPorts: PortRange;
  readonly natIdleTimeout: Nanos;
  readonly natPortsPerDestination: number;
  readonly limits: { readonly rulesPerGroup: number; readonly naclEntries: number; readonly groupsPerInterface: number };
}

/** The key of a VPC's default group. Other groups' keys are their names. */
export function vpcDefaultGroupKey(vpc: string): string {
  return `default/${vpc}`;
}

export interface VpcSpec {
  readonly name: string;
  readonly region: string;
  readonly account?: string;
  /** The first is the primary block. */
  readonly cidrs: readonly Cidr[];
  readonly dns: { readonly support: boolean; readonly hostnames: boolean };
  /** A default VPC (`default: true`). */
  readonly isDefault: boolean;
  readonly label?: string;
}

export interface SubnetSpec {
  readonly name: string;
  readonly vpc: string;
  readonly zone: string;
  readonly cidr: Cidr;
  readonly mapPublicIp: boolean;
  /** The table the subnet uses at the start: its explicit association, else its VPC's main. */
  readonly routeTable: string;
  /** The NACL it uses at the start: its association, else its VPC's default. */
  readonly networkAcl: string;
  readonly label?: string;
}

export interface InternetGatewaySpec { readonly name: string; readonly vpc: string; readonly label?: string }
export interface VpnGatewaySpec { readonly name: string; readonly vpc: string; readonly label?: string }
export interface NatGatewaySpec {
  readonly name: string;
  readonly subnet: string;
  readonly vpc: string;
  readonly elasticIp: Ip;
  /** Absent: assigned in the subnet at run time. */
  readonly privateIp?: Ip;
  readonly label?: string;
}
export interface PrefixListSpec { readonly name: string; readonly cidrs: readonly Cidr[]; readonly label?: string }

export type PeeringStatus = 'active' | 'pending' | 'deleted';
export interface PeeringSpec {
  readonly name: string;
  readonly requester: string;
  readonly accepter: string;
  readonly status: PeeringStatus;
  /** The peering's VPCs whose hosts resolve the other VPC's public DNS names to private IPs. */
  readonly dnsResolution: readonly string[];
  readonly crossRegion: boolean;
  readonly label?: string;
}

export type Destination = { readonly kind: 'cidr'; readonly cidr: Cidr } | { readonly kind: 'prefixList'; readonly prefixList: string };

export interface TgwRouteSpec {
  readonly destination: Destination;
  /** Absent for a blackhole. */
  readonly attachment?: string;
  readonly blackhole: boolean;
}
export interface TgwRouteTableSpec { readonly name: string; readonly routes: readonly TgwRouteSpec[]; readonly label?: string }
export type TgwAttachmentSpec =
  | {
      readonly kind: 'vpc';
      readonly name: string;
      readonly vpc: string;
      /** One per zone. */
      readonly subnets: readonly string[];
      readonly routeTable?: string;
      readonly propagate: readonly string[];
      /** The attachment's own group-referencing option (AWS's default: on). */
      readonly sgReferencing: boolean;
      readonly label?: string;
    }
  | { readonly kind: 'peering'; readonly name: string; readonly peer: string; readonly routeTable?: string; readonly label?: string };
export interface TransitGatewaySpec {
  readonly name: string;
  readonly region: string;
  readonly account?: string;
  readonly dnsSupport: boolean;
  readonly sgReferencing: boolean;
  readonly routeTables: readonly TgwRouteTableSpec[];
  readonly attachments: readonly TgwAttachmentSpec[];
  readonly label?: string;
}

export type RouteTargetKind = 'igw' | 'nat' | 'pcx' | 'tgw' | 'vgw' | 'instance' | 'eni';
export interface RouteSpec {
  readonly destination: Destination;
  /** Absent only for a blackhole written without one. `unknown`: a blackhole's gone target of no known kind. */
  readonly target?: { readonly kind: RouteTargetKind | 'unknown'; readonly name: string };
  readonly state: 'active' | 'blackhole';
  readonly propagated: boolean;
}
export interface RouteTableSpec {
  readonly name: string;
  readonly vpc: string;
  readonly main: boolean;
  /** `<vpc>-main`, made because the VPC declares no main table. */
  readonly implicit: boolean;
  /** Explicitly associated subnets. */
  readonly subnets: readonly string[];
  /** Static and propagated routes as written; the `local` routes are implicit. */
  readonly routes: readonly RouteSpec[];
  readonly label?: string;
}

export type NaclProtocol = 'all' | 'tcp' | 'udp' | 'icmp' | number;
export interface NaclEntrySpec {
  readonly number: number;
  readonly action: 'allow' | 'deny';
  /** Names for all/6/17/1; another protocol number as its number. */
  readonly protocol: NaclProtocol;
  readonly ports?: PortRange;
  readonly icmp?: IcmpMatch;
  readonly cidr: Cidr;
}
export interface NetworkAclSpec {
  readonly name: string;
  readonly vpc: string;
  readonly isDefault: boolean;
  /** `<vpc>-default`, made because the VPC declares no default NACL (entry 100 allows all). */
  readonly implicit: boolean;
  readonly subnets: readonly string[];
  /** Sorted by number; the `*` deny (32767) is implicit. */
  readonly ingress: readonly NaclEntrySpec[];
  readonly egress: readonly NaclEntrySpec[];
  readonly label?: string;
}

export type RulePeer =
  | { readonly kind: 'cidr'; readonly cidr: Cidr }
  /** `group`: a group key; `stale`: an imported reference to a gone group (matches nothing). */
  | { readonly kind: 'group'; readonly group: string; readonly stale: boolean }
  | { readonly kind: 'prefixList'; readonly prefixList: string };
export type Direction = 'ingress' | 'egress';
export interface VpcRule {
  readonly protocol: NaclProtocol;
  readonly ports?: PortRange;
  readonly icmp?: IcmpMatch;
  /** `from` of an ingress rule, `to` of an egress rule. */
  readonly peer: RulePeer;
  readonly description?: string;
}
export interface VpcGroupSpec {
  readonly key: string;
  readonly name: string;
  readonly vpc: string;
  readonly implicit: boolean;
  readonly description?: string;
  readonly ingress: readonly VpcRule[];
  readonly egress: readonly VpcRule[];
  readonly label?: string;
}

export interface ElasticIpBinding {
  readonly ip: Ip;
  /** Absent: the ENI's primary private IP (itself perhaps assigned at run time). */
  readonly privateIp?: Ip;
}
export interface InterfaceSpec {
  readonly name: string;
  readonly instance: string;
  readonly device: number;
  readonly subnet: string;
  readonly vpc: string;
  readonly zone: string;
  /** Absent: assigned in the subnet at run time. */
  readonly privateIp?: Ip;
  readonly secondaryIps: readonly Ip[];
  /** `assign`: a public IP from Amazon's pool (auto on a mapPublicIp subnet); the model releases it while an EIP is on eth0. */
  readonly publicIp: 'none' | 'assign' | Ip;
  readonly elasticIps: readonly ElasticIpBinding[];
  readonly groups: readonly string[];
  readonly sourceDestCheck: boolean;
  readonly label?: string;
}
export interface VpcInstanceSpec {
  readonly name: string;
  readonly zone: string;
  /** Device order; eth0 first. */
  readonly interfaces: readonly InterfaceSpec[];
  readonly services: readonly Service[];
  readonly state: 'running' | 'stopped';
  readonly ephemeralPorts?: PortRange;
  readonly label?: string;
}
export interface VpcExternalSpec {
  readonly name: string;
  readonly ip: Ip;
  readonly services: readonly Service[];
  /** The VPN gateway it sits behind; absent: on the internet. */
  readonly via?: string;
  readonly ephemeralPorts?: PortRange;
  readonly label?: string;
}

export type VpcAddressSpec =
  | { readonly kind: 'private' | 'public' | 'eip' | 'dns'; readonly instance: string; readonly interface: string }
  | { readonly kind: 'nat'; readonly nat: string; readonly address: 'private' | 'public' }
  | { readonly kind: 'external'; readonly host: string }
  | { readonly kind: 'ip'; readonly ip: Ip };

export type VpcOutcome = 'connected' | 'refused' | 'timeout' | 'delivered' | 'dropped' | 'replied' | 'exited' | 'reset';
export type HopKind =
  | 'sg-egress' | 'route-table' | 'nacl-out' | 'igw' | 'nat' | 'pcx' | 'tgw' | 'vgw' | 'eni' | 'nacl-in' | 'sg-ingress' | 'host';
/** A hop item of an expectation: `name` or `kind:name`. */
export interface HopRef { readonly kind?: HopKind; readonly name: string }

export interface VpcExpectation {
  readonly outcome?: VpcOutcome;
  readonly path?: PathKind;
  readonly source?: VpcAddressSpec;
  readonly code?: string;
  readonly nat?: boolean;
  readonly hops?: readonly HopRef[];
  readonly replyHops?: readonly HopRef[];
  /** `primary`: one item was written (the primary blocker); `all`: a list (every blocker). */
  readonly blockedBy?: { readonly mode: 'primary' | 'all'; readonly hops: readonly HopRef[] };
}

export type VpcAction =
  | { readonly kind: 'connect'; readonly from: string; readonly to: VpcAddressSpec; readonly port: number }
  | { readonly kind: 'send'; readonly from: string; readonly to: VpcAddressSpec; readonly port: number; readonly count: number }
  | { readonly kind: 'ping'; readonly from: string; readonly to: VpcAddressSpec }
  | { readonly kind: 'transfer' | 'close'; readonly connection: string }
  | { readonly kind: 'authorize' | 'revoke'; readonly group: string; readonly direction: Direction; readonly rule: VpcRule }
  | { readonly kind: 'add-nacl-entry' | 'replace-nacl-entry'; readonly acl: string; readonly direction: Direction; readonly entry: NaclEntrySpec }
  | { readonly kind: 'remove-nacl-entry'; readonly acl: string; readonly direction: Direction; readonly number: number }
  | { readonly kind: 'add-route' | 'replace-route'; readonly routeTable: string; readonly route: RouteSpec }
  | { readonly kind: 'remove-route'; readonly routeTable: string; readonly destination: Destination }
  | { readonly kind: 'associate-route-table'; readonly subnet: string; readonly routeTable: string }
  | { readonly kind: 'disassociate-route-table'; readonly subnet: string }
  | { readonly kind: 'set-main-route-table'; readonly vpc: string; readonly routeTable: string }
  | { readonly kind: 'associate-nacl'; readonly subnet: string; readonly acl: string }
  /** `interface`: the ENI whose groups are replaced (an instance's lone ENI bears its name). */
  | { readonly kind: 'modify-instance-groups'; readonly interface: string; readonly groups: readonly string[] }
  | { readonly kind: 'launch'; readonly instance: VpcInstanceSpec }
  | { readonly kind: 'stop' | 'start' | 'terminate'; readonly instance: string }
  | { readonly kind: 'associate'; readonly elasticIp: Ip; readonly interface: string; readonly privateIp?: Ip }
  | { readonly kind: 'disassociate'; readonly elasticIp: Ip };

export type VpcActionKind = VpcAction['kind'];

export interface VpcTimelineEntry {
  readonly at: Nanos;
  readonly id?: string;
  /** Position in the file's timeline (0-based). */
  readonly index: number;
  readonly action: VpcAction;
  readonly expect?: VpcExpectation;
  readonly repeat?: { readonly every: Nanos; readonly count: number };
}

export interface VpcScenarioSpec {
  readonly version: 1;
  readonly platform: 'vpc';
  readonly name: string;
  readonly description?: string;
  readonly seed: string;
  readonly settings: VpcSettings;
  readonly vpcs: readonly VpcSpec[];
  readonly subnets: readonly SubnetSpec[];
  readonly internetGateways: readonly InternetGatewaySpec[];
  readonly natGateways: readonly NatGatewaySpec[];
  readonly vpnGateways: readonly VpnGatewaySpec[];
  readonly prefixLists: readonly PrefixListSpec[];
  readonly peerings: readonly PeeringSpec[];
  readonly transitGateways: readonly TransitGatewaySpec[];
  /** Declared tables, then each implicit `<vpc>-main`. */
  readonly routeTables: readonly RouteTableSpec[];
  /** Declared NACLs, then each implicit `<vpc>-default`. */
  readonly networkAcls: readonly NetworkAclSpec[];
  /** Declared groups, then each VPC's implicit default group. */
  readonly groups: readonly VpcGroupSpec[];
  readonly instances: readonly VpcInstanceSpec[];
  readonly external: readonly VpcExternalSpec[];
  /** Sorted by `at`, file order kept for equal times. */
  readonly timeline: readonly VpcTimelineEntry[];
}
