/**
 * import/aws/document: the `platform: vpc` scenario document an import writes
 * (scenario-format-vpc.md), as plain data, and the draft it is assembled in.
 *
 * Owns: the shapes of the sections the importer writes, the draft (one map per section, filled
 * by the describe-* modules in the dispatcher's order) and turning the draft into the document
 * with every map's keys sorted, so the same input gives the same bytes.
 * Does not own: validating the document (scenario/vpc does), reading AWS's JSON (the modules).
 */
import { byText } from './common.ts';

export type Ports = number | string;

export interface VpcDoc {
  label?: string;
  region: string;
  account?: string;
  cidr: string | string[];
  default?: true;
  dns: { support: boolean; hostnames: boolean };
}

export interface SubnetDoc {
  label?: string;
  vpc: string;
  zone: string;
  cidr: string;
  mapPublicIp?: true;
}

export interface GatewayDoc {
  label?: string;
  vpc: string;
}

export interface NatGatewayDoc {
  label?: string;
  subnet: string;
  elasticIp: string;
  privateIp?: string;
}

export interface PeeringDoc {
  label?: string;
  requester: string;
  accepter: string;
  dnsResolution?: string[];
}

export interface RouteDoc {
  destination: string;
  target: string;
  state?: 'blackhole';
  propagated?: true;
}

export interface RouteTableDoc {
  label?: string;
  vpc: string;
  main?: true;
  subnets?: string[];
  routes: RouteDoc[];
}

export interface IcmpDoc {
  type: number;
  code?: number;
}

export interface NaclEntryDoc {
  number: number;
  action: 'allow' | 'deny';
  protocol: 'all' | 'tcp' | 'udp' | 'icmp' | number;
  ports?: Ports;
  icmp?: IcmpDoc;
  cidr: string;
}

export interface NetworkAclDoc {
  label?: string;
  vpc: string;
  default?: true;
  subnets?: string[];
  ingress: NaclEntryDoc[];
  egress: NaclEntryDoc[];
}

export type PeerDoc = { cidr: string } | { group: string; stale?: true } | { prefixList: string };

export interface RuleDoc {
  protocol: 'all' | 'tcp' | 'udp' | 'icmp' | number;
  ports?: Ports;
  icmp?: IcmpDoc;
  from?: PeerDoc;
  to?: PeerDoc;
  description?: string;
}

/** Its CIDRs, or with a label `{ cidrs, label }`. */
export type PrefixListDoc = string[] | { label: string; cidrs: string[] };

export interface GroupDoc {
  label?: string;
  vpc: string;
  description?: string;
  ingress: RuleDoc[];
  egress: RuleDoc[];
}

/** What an instance's one ENI, or each of its ENIs, says. */
export interface InterfaceFields {
  subnet: string;
  groups: string[];
  privateIp?: string;
  secondaryIps?: string[];
  publicIp?: string;
  elasticIp?: string | { ip: string; privateIp: string };
  sourceDestCheck?: false;
}

export interface InterfaceDoc extends InterfaceFields {
  name: string;
}

export interface InstanceDoc extends Partial<InterfaceFields> {
  label?: string;
  state?: 'stopped';
  interfaces?: InterfaceDoc[];
}

export interface TgwRouteDoc {
  destination: string;
  attachment?: string;
  blackhole?: true;
}

export type TgwAttachmentDoc =
  | { label?: string; vpc: string; subnets: string[]; routeTable?: string; propagate?: string[]; sgReferencing?: false }
  | { label?: string; peer: string; routeTable?: string };

export interface TransitGatewayDoc {
  label?: string;
  region: string;
  dnsSupport: boolean;
  sgReferencing: boolean;
  routeTables: Record<string, { label?: string; routes: TgwRouteDoc[] }>;
  attachments: Record<string, TgwAttachmentDoc>;
}

/** The document, as a YAML file would parse to. */
export interface VpcScenarioDocument {
  version: 1;
  platform: 'vpc';
  name: string;
  description: string;
  vpcs: Record<string, VpcDoc>;
  subnets?: Record<string, SubnetDoc>;
  internetGateways?: Record<string, GatewayDoc>;
  natGateways?: Record<string, NatGatewayDoc>;
  vpnGateways?: Record<string, GatewayDoc>;
  prefixLists?: Record<string, PrefixListDoc>;
  peerings?: Record<string, PeeringDoc>;
  transitGateways?: Record<string, TransitGatewayDoc>;
  routeTables?: Record<string, RouteTableDoc>;
  networkAcls?: Record<string, NetworkAclDoc>;
  groups?: Record<string, GroupDoc>;
  instances?: Record<string, InstanceDoc>;
}

/** The sections as the modules fill them (insertion order does not matter: `finish` sorts). */
export class Draft {
  readonly vpcs = new Map<string, VpcDoc>();
  readonly subnets = new Map<string, SubnetDoc>();
  readonly internetGateways = new Map<string, GatewayDoc>();
  readonly natGateways = new Map<string, NatGatewayDoc>();
  readonly vpnGateways = new Map<string, GatewayDoc>();
  readonly prefixLists = new Map<string, PrefixListDoc>();
  readonly peerings = new Map<string, PeeringDoc>();
  readonly transitGateways = new Map<string, TransitGatewayDoc>();
  readonly routeTables = new Map<string, RouteTableDoc>();
  readonly networkAcls = new Map<string, NetworkAclDoc>();
  readonly groups = new Map<string, GroupDoc>();
  readonly instances = new Map<string, InstanceDoc>();
  /** ENI id → the name a route target writes for it (the instance, or the ENI's own name). */
  readonly interfaceNames = new Map<string, string>();

  finish(name: string, description: string): VpcScenarioDocument {
    const doc: VpcScenarioDocument = { version: 1, platform: 'vpc', name, description, vpcs: sorted(this.vpcs) };
    const sections = [
      ['subnets', this.subnets],
      ['internetGateways', this.internetGateways],
      ['natGateways', this.natGateways],
      ['vpnGateways', this.vpnGateways],
      ['prefixLists', this.prefixLists],
      ['peerings', this.peerings],
      ['transitGateways', this.transitGateways],
      ['routeTables', this.routeTables],
      ['networkAcls', this.networkAcls],
      ['groups', this.groups],
      ['instances', this.instances],
    ] as const;
    for (const [key, map] of sections) if (map.size > 0) (doc as unknown as Record<string, unknown>)[key] = sorted(map as Map<string, unknown>);
    return doc;
  }
}

/** A map as an object whose keys are in sorted order. */
export function sorted<T>(map: ReadonlyMap<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of [...map.keys()].sort(byText)) out[key] = map.get(key) as T;
  return out;
}
