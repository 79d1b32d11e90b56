/**
 * Bad input never crashes the importer: random describe-* responses — the keys it reads, holding
 * random JSON or plausible AWS values, at random depths — either import (and then the document
 * is structurally whole) or are diagnostics naming a file; nothing throws.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { importAwsFolder } from '../../../src/index.ts';
import { structuralProblems } from './structure.ts';

const TOP = ['Vpcs', 'Subnets', 'RouteTables', 'NetworkAcls', 'SecurityGroups', 'Reservations', 'NetworkInterfaces', 'InternetGateways', 'NatGateways', 'VpnGateways', 'PrefixLists', 'VpcPeeringConnections', 'TransitGateways', 'TransitGatewayAttachments', 'TransitGatewayVpcAttachments', 'TransitGatewayRouteTables', 'TransitGatewayPropagations', 'TransitGatewayStaticRoutes', 'Addresses', 'EnableDnsSupport', 'VpcId', 'Other'];
const FIELDS = [
  'VpcId', 'SubnetId', 'GroupId', 'InstanceId', 'NetworkInterfaceId', 'RouteTableId', 'NetworkAclId', 'InternetGatewayId', 'NatGatewayId', 'VpnGatewayId', 'PrefixListId',
  'VpcPeeringConnectionId', 'TransitGatewayId', 'TransitGatewayAttachmentId', 'TransitGatewayRouteTableId', 'CidrBlock', 'DestinationCidrBlock', 'CidrIp', 'AvailabilityZone',
  'State', 'Status', 'Code', 'Name', 'Instances', 'NetworkInterfaces', 'PrivateIpAddresses', 'PrivateIpAddress', 'Primary', 'Association', 'PublicIp', 'IpOwnerId', 'Attachment',
  'DeviceIndex', 'Groups', 'Associations', 'Main', 'Routes', 'GatewayId', 'Entries', 'RuleNumber', 'Egress', 'RuleAction', 'Protocol', 'PortRange', 'From', 'To', 'IpPermissions',
  'IpPermissionsEgress', 'IpProtocol', 'FromPort', 'ToPort', 'IpRanges', 'UserIdGroupPairs', 'PrefixListIds', 'Attachments', 'VpcAttachments', 'NatGatewayAddresses', 'Cidrs',
  'RequesterVpcInfo', 'AccepterVpcInfo', 'CidrBlockSet', 'Region', 'ResourceType', 'ResourceId', 'SubnetIds', 'TransitGatewayRouteTablePropagations', 'TransitGatewayAttachments',
  'CidrBlockAssociationSet', 'IsDefault', 'Value', 'Tags', 'Key', 'Options', 'SourceDestCheck', 'InterfaceType',
];
const plausible = fc.oneof(
  fc.constantFrom('vpc-1', 'vpc-2', 'subnet-1', 'sg-1', 'i-1', 'eni-1', 'igw-1', 'nat-1', 'pcx-1', 'tgw-1', 'tgw-attach-1', 'tgw-rtb-1', 'pl-1', 'local', 'vpce-1'),
  fc.constantFrom('10.0.0.0/16', '10.0.1.0/24', '10.0.1.7', '0.0.0.0/0', '10.0.1.5/24', '256.1.1.1', 'us-east-1a', 'eu-west-1b', 'x'),
  fc.constantFrom('available', 'running', 'stopped', 'pending', 'active', 'deleted', 'blackhole', 'attached', 'associated', 'allow', 'deny', 'amazon', 'vpc', 'peering', 'vpn', 'enable', 'disable'),
  fc.constantFrom('-1', '6', '17', '1', 'tcp', 'icmp', 'icmpv6', '300'),
  fc.integer({ min: -2, max: 70000 }),
  fc.boolean(),
  fc.constant(null),
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, plausible, tie('object'), tie('array'), fc.jsonValue({ maxDepth: 1 })),
  object: fc.dictionary(fc.constantFrom(...FIELDS), tie('value'), { maxKeys: 8 }),
  array: fc.array(tie('value'), { maxLength: 3 }),
}));
const file = fc.dictionary(fc.constantFrom(...TOP), fc.oneof(fc.array(value, { maxLength: 3 }), value), { minKeys: 1, maxKeys: 3 });
const wrapped = fc.oneof(file, file.map((data) => ({ status_code: 200, data })));

// Records of the right shapes over small pools of ids, so references between them often resolve.
const pick = <T>(...xs: T[]) => fc.constantFrom(...xs);
const vpcId = pick('vpc-1', 'vpc-2', 'vpc-3');
const subnetId = pick('subnet-1', 'subnet-2', 'subnet-3');
const groupId = pick('sg-1', 'sg-2', 'sg-3');
const cidrs = pick('10.0.0.0/16', '10.1.0.0/16', '10.0.1.0/24', '10.0.2.0/24', '10.1.1.0/24', '0.0.0.0/0', '10.0.1.128/25', '10.0.1.5/24');
const ip = pick('10.0.1.10', '10.0.1.11', '10.0.2.10', '10.1.1.10', '10.0.1.0', '10.0.1.255', '54.1.2.3', '52.9.9.9');
const state = pick('available', 'running', 'stopped', 'pending', 'terminated', 'active', 'deleted', 'blackhole', 'attached', 'associated', 'disassociated');
const tagsArb = fc.array(fc.record({ Key: pick('Name', 'env'), Value: fc.string({ maxLength: 4 }) }), { maxLength: 2 });
const opt = <T extends Record<string, fc.Arbitrary<unknown>>>(rec: T, required: (keyof T)[]) => fc.record(rec, { requiredKeys: required as never });
const perm = opt(
  {
    IpProtocol: pick('-1', 'tcp', 'udp', 'icmp', '6', '50', 'icmpv6'),
    FromPort: fc.integer({ min: -1, max: 70 }),
    ToPort: fc.integer({ min: -1, max: 70 }),
    IpRanges: fc.array(opt({ CidrIp: cidrs, Description: fc.string({ maxLength: 3 }) }, ['CidrIp']), { maxLength: 2 }),
    UserIdGroupPairs: fc.array(opt({ GroupId: groupId, UserId: pick('1', '2') }, []), { maxLength: 2 }),
    PrefixListIds: fc.array(fc.record({ PrefixListId: pick('pl-1', 'pl-2') }), { maxLength: 1 }),
    Ipv6Ranges: fc.array(fc.record({ CidrIpv6: pick('::/0') }), { maxLength: 1 }),
  },
  ['IpProtocol'],
);
const eniArb = opt(
  {
    NetworkInterfaceId: pick('eni-1', 'eni-2', 'eni-3'),
    SubnetId: subnetId,
    InterfaceType: pick('interface', 'nat_gateway', 'vpc_endpoint'),
    SourceDestCheck: fc.boolean(),
    Groups: fc.array(fc.record({ GroupId: groupId }), { maxLength: 2 }),
    Attachment: fc.option(opt({ InstanceId: pick('i-1', 'i-2'), DeviceIndex: fc.integer({ min: 0, max: 2 }) }, []), { nil: null }),
    PrivateIpAddresses: fc.array(opt({ PrivateIpAddress: ip, Primary: fc.boolean(), Association: opt({ PublicIp: ip, IpOwnerId: pick('amazon', '111122223333') }, []) }, ['PrivateIpAddress']), { maxLength: 3 }),
    Ipv6Addresses: fc.array(fc.constant({ Ipv6Address: '::1' }), { maxLength: 1 }),
  },
  ['NetworkInterfaceId'],
);
const account = fc.record({
  Vpcs: fc.array(opt({ VpcId: vpcId, CidrBlockAssociationSet: fc.array(fc.record({ CidrBlock: cidrs }), { maxLength: 2 }), CidrBlock: cidrs, IsDefault: fc.boolean(), Tags: tagsArb }, ['VpcId']), { maxLength: 3 }),
  Subnets: fc.array(opt({ SubnetId: subnetId, VpcId: vpcId, CidrBlock: cidrs, AvailabilityZone: pick('us-east-1a', 'eu-west-1b', 'x'), MapPublicIpOnLaunch: fc.boolean(), State: state }, ['SubnetId', 'VpcId', 'CidrBlock', 'AvailabilityZone']), { maxLength: 3 }),
  SecurityGroups: fc.array(opt({ GroupId: groupId, VpcId: vpcId, GroupName: pick('default', 'web'), IpPermissions: fc.array(perm, { maxLength: 3 }), IpPermissionsEgress: fc.array(perm, { maxLength: 2 }) }, ['GroupId']), { maxLength: 3 }),
  NetworkInterfaces: fc.array(eniArb, { maxLength: 3 }),
  Reservations: fc.array(fc.record({ Instances: fc.array(opt({ InstanceId: pick('i-1', 'i-2', 'i-3'), State: fc.record({ Name: state }), SubnetId: subnetId, PrivateIpAddress: ip, NetworkInterfaces: fc.array(eniArb, { maxLength: 2 }) }, ['InstanceId', 'State']), { maxLength: 3 }) }), { maxLength: 2 }),
  RouteTables: fc.array(
    opt(
      {
        RouteTableId: pick('rtb-1', 'rtb-2'),
        VpcId: vpcId,
        Associations: fc.array(opt({ Main: fc.boolean(), SubnetId: subnetId, GatewayId: pick('igw-1') }, []), { maxLength: 2 }),
        Routes: fc.array(
          opt(
            {
              DestinationCidrBlock: cidrs,
              DestinationPrefixListId: pick('pl-1'),
              GatewayId: pick('local', 'igw-1', 'vgw-1', 'vpce-1'),
              NatGatewayId: pick('nat-1'),
              VpcPeeringConnectionId: pick('pcx-1'),
              TransitGatewayId: pick('tgw-1'),
              NetworkInterfaceId: pick('eni-1', 'eni-2'),
              InstanceId: pick('i-1'),
              State: pick('active', 'blackhole'),
              Origin: pick('CreateRoute', 'EnableVgwRoutePropagation'),
            },
            [],
          ),
          { maxLength: 3 },
        ),
      },
      ['RouteTableId', 'VpcId'],
    ),
    { maxLength: 2 },
  ),
  NetworkAcls: fc.array(
    opt(
      {
        NetworkAclId: pick('acl-1', 'acl-2'),
        VpcId: vpcId,
        IsDefault: fc.boolean(),
        Associations: fc.array(fc.record({ SubnetId: subnetId }), { maxLength: 2 }),
        Entries: fc.array(
          opt(
            {
              RuleNumber: fc.integer({ min: 1, max: 32767 }),
              Egress: fc.boolean(),
              RuleAction: pick('allow', 'deny'),
              Protocol: pick('-1', '6', '17', '1', '58', '47'),
              CidrBlock: cidrs,
              PortRange: opt({ From: fc.integer({ min: -1, max: 70 }), To: fc.integer({ min: -1, max: 70 }) }, []),
              IcmpTypeCode: opt({ Type: fc.integer({ min: -1, max: 9 }), Code: fc.integer({ min: -1, max: 9 }) }, []),
            },
            ['RuleNumber', 'Egress', 'RuleAction', 'Protocol'],
          ),
          { maxLength: 4 },
        ),
      },
      ['NetworkAclId', 'VpcId'],
    ),
    { maxLength: 2 },
  ),
  InternetGateways: fc.array(fc.record({ InternetGatewayId: pick('igw-1', 'igw-2'), Attachments: fc.array(opt({ VpcId: vpcId, State: state }, ['VpcId']), { maxLength: 1 }) }), { maxLength: 2 }),
  NatGateways: fc.array(opt({ NatGatewayId: pick('nat-1'), SubnetId: subnetId, State: state, NatGatewayAddresses: fc.array(opt({ PublicIp: ip, PrivateIp: ip }, []), { maxLength: 2 }) }, ['NatGatewayId', 'SubnetId']), { maxLength: 1 }),
  PrefixLists: fc.array(opt({ PrefixListId: pick('pl-1', 'pl-2'), PrefixListName: pick('s3'), Cidrs: fc.array(cidrs, { maxLength: 2 }) }, ['PrefixListId']), { maxLength: 2 }),
  VpcPeeringConnections: fc.array(
    fc.record({
      VpcPeeringConnectionId: pick('pcx-1', 'pcx-2'),
      Status: fc.record({ Code: state }),
      RequesterVpcInfo: opt({ VpcId: vpcId, Region: pick('us-east-1', 'eu-west-1'), CidrBlockSet: fc.array(fc.record({ CidrBlock: cidrs }), { maxLength: 1 }) }, ['VpcId']),
      AccepterVpcInfo: opt({ VpcId: pick('vpc-1', 'vpc-9'), Region: pick('us-east-1'), CidrBlockSet: fc.array(fc.record({ CidrBlock: cidrs }), { maxLength: 1 }) }, ['VpcId']),
    }),
    { maxLength: 2 },
  ),
  TransitGateways: fc.array(opt({ TransitGatewayId: pick('tgw-1', 'tgw-2'), State: state, Options: opt({ SecurityGroupReferencingSupport: pick('enable', 'disable') }, []) }, ['TransitGatewayId']), { maxLength: 2 }),
  TransitGatewayAttachments: fc.array(
    opt({ TransitGatewayAttachmentId: pick('tgw-attach-1', 'tgw-attach-2'), TransitGatewayId: pick('tgw-1', 'tgw-2'), ResourceType: pick('vpc', 'peering', 'vpn'), ResourceId: pick('vpc-1', 'tgw-1', 'tgw-2'), State: state, Association: fc.record({ TransitGatewayRouteTableId: pick('tgw-rtb-1') }) }, ['TransitGatewayAttachmentId', 'TransitGatewayId', 'ResourceType']),
    { maxLength: 3 },
  ),
  TransitGatewayVpcAttachments: fc.array(fc.record({ TransitGatewayAttachmentId: pick('tgw-attach-1', 'tgw-attach-3'), TransitGatewayId: pick('tgw-1'), VpcId: vpcId, SubnetIds: fc.array(subnetId, { maxLength: 2 }) }), { maxLength: 2 }),
  TransitGatewayRouteTables: fc.array(fc.record({ TransitGatewayRouteTableId: pick('tgw-rtb-1', 'tgw-rtb-2'), TransitGatewayId: pick('tgw-1', 'tgw-2') }), { maxLength: 2 }),
  TransitGatewayStaticRoutes: fc.array(
    fc.record({
      TransitGatewayRouteTableId: pick('tgw-rtb-1'),
      Routes: fc.array(opt({ DestinationCidrBlock: cidrs, State: pick('active', 'blackhole'), Type: pick('static', 'propagated'), TransitGatewayAttachments: fc.array(fc.record({ TransitGatewayAttachmentId: pick('tgw-attach-1', 'tgw-attach-2') }), { maxLength: 2 }) }, ['State']), { maxLength: 2 }),
    }),
    { maxLength: 1 },
  ),
});
/** Each key of a random account in a file of its own (some wrapped), in a random folder layout. */
const layout = fc.tuple(account, fc.array(fc.constantFrom('', 'us-east-1/', 'accounts/123456789012/eu-west-1/', 'data/'), { minLength: 20, maxLength: 20 }), fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }));

describe('random describe-* input', () => {
  it('random accounts of the right shapes import to structurally whole documents, never throwing', () => {
    let imported = 0;
    fc.assert(
      fc.property(layout, ([acct, folders, wraps]) => {
        const dir = mkdtempSync(join(tmpdir(), 'sgsim-import-fuzz-'));
        try {
          Object.entries(acct).forEach(([key, list], k) => {
            const body = { [key]: list };
            mkdirSync(join(dir, folders[k]), { recursive: true });
            writeFileSync(join(dir, folders[k], `${key}.json`), JSON.stringify(wraps[k] ? { status_code: 200, data: body } : body));
          });
          const r = importAwsFolder(dir);
          if (r.ok) {
            imported++;
            expect(structuralProblems(r.document)).toEqual([]);
          } else expect(r.diagnostics.every((d) => d.file.startsWith(dir) && d.message.length > 0)).toBe(true);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: Number(process.env.SGSIM_PROPS_RUNS ?? '') || 200 },
    );
    expect(imported).toBeGreaterThan(0); // the generator does reach the writers
  });

  it('imports or is diagnosed, never throws', () => {
    fc.assert(
      fc.property(fc.array(wrapped, { minLength: 1, maxLength: 4 }), (files) => {
        const dir = mkdtempSync(join(tmpdir(), 'sgsim-import-fuzz-'));
        try {
          files.forEach((f, k) => writeFileSync(join(dir, `f${k}.json`), JSON.stringify(f)));
          const r = importAwsFolder(dir);
          if (r.ok) expect(structuralProblems(r.document)).toEqual([]);
          else expect(r.diagnostics.every((d) => d.file.startsWith(dir) && d.message.length > 0)).toBe(true);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: Number(process.env.SGSIM_PROPS_RUNS ?? '') || 300 },
    );
  });
});
