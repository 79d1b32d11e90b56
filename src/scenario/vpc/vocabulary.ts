/**
 * scenario/vpc/vocabulary: the words of the `platform: vpc` format (scenario-format-vpc.md).
 *
 * Owns: the field names of every section, the timeline's action keys, outcomes per action,
 * the explanation codes an expectation may name, hop kinds, the object kinds of the one
 * namespace with their AWS id prefixes (an id-shaped name is of that kind), and which
 * addresses may be public (Elastic IPs, public IPs, internet hosts).
 * Does not own: checking any of it (the section modules).
 */
import { cidrContains, parseCidr, type Cidr, type Ip } from '../../net/ipv4.ts';
import { EXPLANATION_CODES } from '../schema.ts';
import type { HopKind, VpcActionKind, VpcOutcome } from './spec.ts';

export const TOP_FIELDS = [
  'version', 'name', 'description', 'platform', 'seed', 'settings', 'regions', 'vpcs', 'subnets',
  'internetGateways', 'natGateways', 'vpnGateways', 'prefixLists', 'peerings', 'transitGateways',
  'routeTables', 'networkAcls', 'groups', 'instances', 'external', 'timeline',
] as const;
export const VPC_FIELDS = ['region', 'cidr', 'dns', 'default', 'account', 'label'] as const;
export const DNS_FIELDS = ['support', 'hostnames'] as const;
export const SUBNET_FIELDS = ['vpc', 'zone', 'cidr', 'mapPublicIp', 'label'] as const;
export const IGW_FIELDS = ['vpc', 'label'] as const;
export const NAT_FIELDS = ['subnet', 'elasticIp', 'privateIp', 'label'] as const;
export const PREFIX_LIST_FIELDS = ['cidrs', 'label'] as const;
export const PEERING_FIELDS = ['requester', 'accepter', 'status', 'dnsResolution', 'label'] as const;
export const TGW_FIELDS = ['region', 'account', 'dnsSupport', 'sgReferencing', 'routeTables', 'attachments', 'label'] as const;
export const TGW_TABLE_FIELDS = ['routes', 'label'] as const;
export const TGW_ROUTE_FIELDS = ['destination', 'attachment', 'blackhole', 'label'] as const;
export const TGW_VPC_ATTACHMENT_FIELDS = ['vpc', 'subnets', 'routeTable', 'propagate', 'sgReferencing', 'label'] as const;
export const TGW_PEER_ATTACHMENT_FIELDS = ['peer', 'routeTable', 'label'] as const;
export const ROUTE_TABLE_FIELDS = ['vpc', 'main', 'subnets', 'routes', 'label'] as const;
export const ROUTE_FIELDS = ['destination', 'target', 'state', 'propagated', 'label'] as const;
export const NACL_FIELDS = ['vpc', 'default', 'subnets', 'ingress', 'egress', 'label'] as const;
export const NACL_ENTRY_FIELDS = ['number', 'action', 'protocol', 'ports', 'icmp', 'cidr', 'label'] as const;
export const GROUP_FIELDS = ['vpc', 'description', 'ingress', 'egress', 'label'] as const;
export const INGRESS_RULE_FIELDS = ['protocol', 'ports', 'icmp', 'from', 'description', 'label'] as const;
export const EGRESS_RULE_FIELDS = ['protocol', 'ports', 'icmp', 'to', 'description', 'label'] as const;
export const PEER_FIELDS = ['cidr', 'group', 'prefixList', 'stale'] as const;
export const ENI_FIELDS = ['subnet', 'groups', 'privateIp', 'secondaryIps', 'publicIp', 'elasticIp', 'sourceDestCheck'] as const;
export const INSTANCE_FIELDS = [...ENI_FIELDS, 'interfaces', 'services', 'state', 'ephemeralPorts', 'label'] as const;
export const INTERFACE_FIELDS = ['name', ...ENI_FIELDS, 'label'] as const;
export const EIP_FIELDS = ['ip', 'privateIp', 'label'] as const;
export const EXTERNAL_FIELDS = ['ip', 'services', 'via', 'ephemeralPorts', 'label'] as const;
export const ENTRY_FIELDS = ['at', 'id', 'expect', 'repeat'] as const;
export const EXPECT_FIELDS = ['outcome', 'path', 'redirected', 'source', 'code', 'nat', 'hops', 'replyHops', 'blockedBy'] as const;

export const ACTION_KEYS = [
  'connect', 'send', 'ping', 'transfer', 'close', 'authorize', 'revoke',
  'add-nacl-entry', 'replace-nacl-entry', 'remove-nacl-entry',
  'add-route', 'replace-route', 'remove-route',
  'associate-route-table', 'disassociate-route-table', 'set-main-route-table', 'associate-nacl',
  'modify-instance-groups', 'launch', 'stop', 'start', 'terminate', 'associate', 'disassociate',
] as const satisfies readonly VpcActionKind[];
export type ActionKey = (typeof ACTION_KEYS)[number];

export const TRAFFIC_ACTIONS: readonly ActionKey[] = ['connect', 'send', 'ping', 'transfer'];
export const OUTCOMES: Readonly<Partial<Record<ActionKey, readonly VpcOutcome[]>>> = {
  connect: ['connected', 'refused', 'timeout', 'exited'],
  send: ['delivered', 'dropped', 'exited'],
  ping: ['replied', 'timeout', 'exited'],
  transfer: ['delivered', 'dropped', 'reset'],
};
/** Outcomes of a flow that nothing stopped: an expectation of one names no blocker. */
export const ADMITTED_OUTCOMES: readonly VpcOutcome[] = ['connected', 'refused', 'delivered', 'replied', 'exited'];

export const ADMITTED_CODES = ['ALLOWED_BY_RULE', 'TRACKED_CONNECTION', 'NOT_FILTERED', 'CONNECTION_REFUSED'] as const;
/** Every explanation code of `platform: vpc`: classic's and the VPC format's. */
export const VPC_CODES: readonly string[] = [
  ...new Set([
    ...EXPLANATION_CODES,
    ...ADMITTED_CODES,
    'ENI_SG_RULES_MISMATCH', 'SG_HAS_NO_RULES', 'SG_REFERENCES_NOT_PRESERVED', 'SG_REFERENCING_SUPPORT',
    'SUBNET_ACL_RESTRICTION', 'NO_ROUTE_TO_DESTINATION', 'BAD_STATE_ROUTE', 'ENI_SOURCE_DEST_CHECK_RESTRICTION',
    'IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS', 'IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS',
    'IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS', 'NGW_REQUIRES_SOURCE_IN_VPC', 'PROTOCOL_RESTRICTION',
    'PCX_REQUIRES_ADDRESS_IN_VPC_CIDR', 'TGW_ROUTE_AZ_RESTRICTION', 'TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION',
    'TGW_RTB_CANNOT_ROUTE', 'TGW_RTB_BAD_STATE_ROUTE', 'NO_POSSIBLE_DESTINATION',
    'SIM_NAT_NO_MAPPING', 'SIM_NAT_PORTS_EXHAUSTED', 'SIM_NAT_IDLE_TIMEOUT', 'SIM_ROUTING_LOOP', 'BAD_STATE',
    'SIM_UNTRACKED_RULE_REVOKED', 'SIM_NAME_NOT_RESOLVED',
  ]),
];

export const HOP_KINDS: readonly HopKind[] = [
  'sg-egress', 'route-table', 'nacl-out', 'igw', 'nat', 'pcx', 'tgw', 'vgw', 'eni', 'nacl-in', 'sg-ingress', 'host',
];

/** The kinds of object in the one namespace (groups apart). */
export type ObjectKind =
  | 'vpc' | 'subnet' | 'internet gateway' | 'NAT gateway' | 'VPN gateway' | 'prefix list' | 'peering'
  | 'transit gateway' | 'transit gateway route table' | 'transit gateway attachment' | 'route table'
  | 'network ACL' | 'instance' | 'network interface' | 'external host';

/** AWS id prefixes by kind, longest first (so `tgw-rtb-` is not read as `tgw-`). */
const ID_PREFIXES: readonly [string, ObjectKind][] = [
  ['tgw-attach-', 'transit gateway attachment'],
  ['tgw-rtb-', 'transit gateway route table'],
  ['subnet-', 'subnet'],
  ['vpc-', 'vpc'],
  ['igw-', 'internet gateway'],
  ['nat-', 'NAT gateway'],
  ['vgw-', 'VPN gateway'],
  ['pcx-', 'peering'],
  ['tgw-', 'transit gateway'],
  ['rtb-', 'route table'],
  ['acl-', 'network ACL'],
  ['eni-', 'network interface'],
  ['pl-', 'prefix list'],
  ['i-', 'instance'],
];

/** The kind an AWS-id-shaped name (`igw-0a1b2c3d`, 8 or 17 hex digits) denotes, if it is one. */
export function idKind(name: string): ObjectKind | undefined {
  for (const [prefix, kind] of ID_PREFIXES) {
    if (name.startsWith(prefix) && /^[0-9a-f]{8}(?:[0-9a-f]{9})?$/.test(name.slice(prefix.length))) return kind;
  }
  return undefined;
}

const blocks = (list: string[]): Cidr[] => list.map((t) => parseCidr(t) as Cidr);
/** RFC 1918. */
export const RFC1918: readonly Cidr[] = blocks(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']);
/** Never a public address of a host: this network, shared (RFC 6598), loopback, link-local, multicast and reserved. */
const NOT_PUBLIC: readonly Cidr[] = blocks([
  '0.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/4', '240.0.0.0/4',
]);

export function isRfc1918(ip: Ip): boolean {
  return RFC1918.some((b) => cidrContains(b, ip));
}

/** Why `ip` cannot be a public address (an Elastic IP, public IP or internet host), if it cannot. */
export function notPublic(ip: Ip): string | undefined {
  if (isRfc1918(ip)) return 'is a private (RFC 1918) address';
  if (NOT_PUBLIC.some((b) => cidrContains(b, ip))) return 'is a special-purpose address (this network, shared, loopback, link-local, multicast or reserved)';
  return undefined;
}
