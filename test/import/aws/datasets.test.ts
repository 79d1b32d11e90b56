/**
 * Every data set in ../shared/data/aws imports: its warnings, reviewed, are pinned (file and key,
 * with how often), and what it contains is checked against counts read from the JSON with jq,
 * not with the importer. Skipped, saying so, when ../shared is not beside the project.
 *
 * The counts come from jq, run in ../shared/data/aws for each data set:
 *
 *   find <set> -name '*.json' | sort | xargs jq -s -f counts.jq
 *
 * where counts.jq (kept verbatim at the end of this file) unwraps `{status_code, data}`, keeps
 * the first record of each id, and counts what a describe-* reader can load: VPCs; subnets of
 * those VPCs; groups with a VpcId among them; their rules (one per IpRanges, UserIdGroupPairs
 * with a GroupId, and PrefixListIds item; no icmpv6, no ICMP "type -1 with a code"); running or
 * stopped instances in those subnets; route-table routes but `local` with an IPv4 destination;
 * NACL entries but `*` (32767) with an IPv4 CidrBlock; active peerings.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importAwsFolder, renderImported, type VpcScenarioDocument } from '../../../src/index.ts';
import { validateVpcScenario } from '../../../src/scenario/vpc/index.ts';
import { structuralProblems } from './structure.ts';

const repo = join(import.meta.dirname, '../../..');
// ../shared beside the clone (CI, /work/main); a git worktree one level deeper sees it at ../../shared.
const DATA = [process.env.SGSIM_AWS_DATA, join(repo, '../shared/data/aws'), join(repo, '../../shared/data/aws')].find((p) => p !== undefined && existsSync(p));

interface Counts {
  vpcs: number;
  subnets: number;
  groups: number;
  rules: number;
  instances: number;
  routes: number;
  naclEntries: number;
  peerings: number;
}

function countsOf(doc: VpcScenarioDocument): Counts {
  const groups = Object.values(doc.groups ?? {});
  return {
    vpcs: Object.keys(doc.vpcs).length,
    subnets: Object.keys(doc.subnets ?? {}).length,
    groups: groups.length,
    rules: groups.reduce((n, g) => n + g.ingress.length + g.egress.length, 0),
    instances: Object.keys(doc.instances ?? {}).length,
    routes: Object.values(doc.routeTables ?? {}).reduce((n, t) => n + t.routes.length, 0),
    naclEntries: Object.values(doc.networkAcls ?? {}).reduce((n, a) => n + a.ingress.length + a.egress.length, 0),
    peerings: Object.keys(doc.peerings ?? {}).length,
  };
}

const none: Counts = { vpcs: 0, subnets: 0, groups: 0, rules: 0, instances: 0, routes: 0, naclEntries: 0, peerings: 0 };

/** Each import root: the jq counts, and the warnings (file relative to the root: key ×count). */
const SETS: { dir: string; counts: Counts; warnings: string[]; note?: string }[] = [
  {
    dir: 'batfish-aws-tests/hybrid-cloud-aws',
    counts: { vpcs: 4, subnets: 10, groups: 11, rules: 41, instances: 4, routes: 9, naclEntries: 8, peerings: 0 },
    warnings: [
      'aws_configs/us-west-2/AvailabilityZones.json: AvailabilityZones',
      'aws_configs/us-west-2/CustomerGateways.json: CustomerGateways',
      'aws_configs/us-west-2/DhcpOptions.json: DhcpOptions',
      'aws_configs/us-west-2/ElasticsearchDomains.json: DomainStatusList',
      'aws_configs/us-west-2/NetworkInterfaces.json: other interface (interface) ×2', // two detached ENIs
      'aws_configs/us-west-2/RdsInstances.json: DBInstances',
      'aws_configs/us-west-2/SecurityGroups.json: stale group reference', // sg-cf3f86b3, described nowhere
      'aws_configs/us-west-2/SecurityGroups.json: IPv6 ×2',
      'aws_configs/us-west-2/Tags.json: Tags',
      'aws_configs/us-west-2/VpcEndpointServices.json: ServiceNames',
      'aws_configs/us-west-2/Vpcs.json: DNS attributes ×4',
      'aws_configs/us-west-2/VpnConnections.json: VpnConnections',
    ],
  },
  {
    dir: 'batfish-aws-tests/test-nat-gateway',
    counts: { vpcs: 1, subnets: 3, groups: 3, rules: 7, instances: 3, routes: 2, naclEntries: 5, peerings: 0 },
    warnings: ['aws_configs/Vpcs.json: DNS attributes'],
  },
  {
    dir: 'batfish-aws-tests/test-public-private-subnet',
    counts: { vpcs: 1, subnets: 2, groups: 3, rules: 6, instances: 2, routes: 2, naclEntries: 2, peerings: 0 },
    warnings: [
      'aws_configs/AvailabilityZones.json: AvailabilityZones',
      'aws_configs/CustomerGateways.json: CustomerGateways',
      'aws_configs/Vpcs.json: DNS attributes',
      'aws_configs/VpnConnections.json: VpnConnections',
    ],
  },
  {
    dir: 'batfish-aws-tests/test-public-subnet',
    counts: { vpcs: 1, subnets: 1, groups: 2, rules: 4, instances: 1, routes: 1, naclEntries: 2, peerings: 0 },
    warnings: ['aws_configs/AvailabilityZones.json: AvailabilityZones', 'aws_configs/Vpcs.json: DNS attributes'],
  },
  {
    dir: 'batfish-aws-tests/test-subnet',
    counts: { vpcs: 1, subnets: 1, groups: 3, rules: 6, instances: 2, routes: 0, naclEntries: 2, peerings: 0 },
    warnings: ['aws_configs/AvailabilityZones.json: AvailabilityZones', 'aws_configs/Vpcs.json: DNS attributes'],
  },
  {
    dir: 'batfish-aws-tests/test-transit-gateway-peering',
    counts: { vpcs: 3, subnets: 3, groups: 6, rules: 18, instances: 3, routes: 7, naclEntries: 6, peerings: 0 },
    warnings: [
      'aws_configs/accounts/732168539940/us-east-1/LoadBalancerTargetHealth.json: LoadBalancerTargetHealth',
      'aws_configs/accounts/732168539940/us-east-1/TargetGroups.json: TargetGroups',
      'aws_configs/accounts/732168539940/us-east-1/Vpcs.json: DNS attributes ×2',
      'aws_configs/accounts/804819755326/us-west-1/Vpcs.json: DNS attributes',
    ],
  },
  {
    dir: 'batfish-aws-tests/test-vpc-peering',
    counts: { vpcs: 3, subnets: 3, groups: 6, rules: 12, instances: 3, routes: 5, naclEntries: 6, peerings: 2 },
    warnings: ['aws_configs/AvailabilityZones.json: AvailabilityZones', 'aws_configs/Vpcs.json: DNS attributes ×3'],
  },
  {
    dir: 'batfish-aws-tests/test-vpc-peering-multi-account',
    counts: { vpcs: 2, subnets: 2, groups: 4, rules: 12, instances: 2, routes: 4, naclEntries: 0, peerings: 1 },
    // No InternetGateways file: each account's 0.0.0.0/0 route names an IGW nobody describes.
    warnings: [
      'aws_configs/accounts/123456789012/us-east-1/RouteTables.json: unknown target',
      'aws_configs/accounts/123456789012/us-east-1/VpcPeeringConnections.json: inactive peering',
      'aws_configs/accounts/123456789012/us-east-1/Vpcs.json: DNS attributes',
      'aws_configs/accounts/123456789013/us-east-1/Reservations.json: terminated instance',
      'aws_configs/accounts/123456789013/us-east-1/RouteTables.json: unknown target',
      'aws_configs/accounts/123456789013/us-east-1/VpcPeeringConnections.json: inactive peering',
      'aws_configs/accounts/123456789013/us-east-1/Vpcs.json: DNS attributes',
    ],
  },
  {
    dir: 'batfish-aws-tests/unit',
    // One object per file, no VPC described: jq counts 1 active peering, which cannot load (its
    // VpcInfo has no Region); 10 groups (13 records), all in undescribed VPCs.
    counts: none,
    warnings: [
      'InstanceTest.json: instance without its primary interface',
      'InstanceTest.json: pending instance',
      'NetworkAclIcmpTest.json: network ACL of an unknown VPC',
      'NetworkAclTest.json: duplicate id',
      'NetworkInterfaceTest.json: interface of an unknown subnet',
      'SecurityGroupTest.json: duplicate id ×2',
      'SecurityGroupTest.json: group of an unknown VPC ×10',
      'SecurityGroupTestDeser.json: duplicate id',
      'VpcPeeringConnectionsTest.json: peer VPC unknown',
    ],
  },
  {
    dir: 'pybatfish-hybrid-cloud',
    counts: { vpcs: 4, subnets: 8, groups: 8, rules: 17, instances: 4, routes: 10, naclEntries: 8, peerings: 0 },
    warnings: [
      'aws_configs/us-east-2/AvailabilityZones.json: AvailabilityZones',
      'aws_configs/us-east-2/CustomerGateways.json: CustomerGateways',
      'aws_configs/us-east-2/TransitGatewayAttachments.json: transit gateway vpn attachment',
      'aws_configs/us-east-2/TransitGatewayAttachments.json: transit gateway state', // a cross-region peering attachment, deleting
      'aws_configs/us-east-2/VpcEndpointServices.json: ServiceDetails',
      'aws_configs/us-east-2/VpcEndpointServices.json: ServiceNames',
      'aws_configs/us-east-2/Vpcs.json: DNS attributes ×2',
      'aws_configs/us-east-2/VpnConnections.json: VpnConnections',
      'aws_configs/us-west-2/AvailabilityZones.json: AvailabilityZones',
      'aws_configs/us-west-2/CustomerGateways.json: CustomerGateways',
      'aws_configs/us-west-2/TransitGatewayAttachments.json: transit gateway vpn attachment',
      'aws_configs/us-west-2/TransitGatewayAttachments.json: transit gateway state',
      'aws_configs/us-west-2/VpcEndpointServices.json: ServiceDetails',
      'aws_configs/us-west-2/VpcEndpointServices.json: ServiceNames',
      'aws_configs/us-west-2/Vpcs.json: DNS attributes ×2',
      'aws_configs/us-west-2/VpnConnections.json: VpnConnections',
    ],
  },
  // Cloud Custodian's recordings describe groups and ENIs of VPCs and subnets they never
  // describe, so nothing loads; every record is accounted for by a warning (jq: 2 instances and
  // 11 ENIs; 19, 42, 3 and 7 groups).
  {
    dir: 'cloud-custodian-placebo/test_interface_detach_primary_nic_2',
    counts: none,
    warnings: [
      'ec2.DescribeInstances_1.json: instance without its primary interface ×2',
      'ec2.DescribeNetworkInterfaces_1.json: interface of an unknown subnet ×2', // each instance's eth0 (its eth1 goes with it)
      'ec2.DescribeNetworkInterfaces_1.json: other interface (interface) ×2', // detached
      'ec2.DescribeNetworkInterfaces_1.json: other interface (vpc_endpoint) ×2', // (and 2 NAT, 2 TGW ENIs: silent)
    ],
  },
  { dir: 'cloud-custodian-placebo/test_only_ports_and_cidr_ingress', counts: none, warnings: ['ec2.DescribeSecurityGroups_1.json: group of an unknown VPC ×19'] },
  { dir: 'cloud-custodian-placebo/test_security_group_self_reference', counts: none, warnings: ['ec2.DescribeSecurityGroups_2.json: group of an unknown VPC ×42'] },
  {
    dir: 'cloud-custodian-placebo/test_security_group_unused',
    counts: none,
    warnings: [
      'ec2.DescribeNetworkInterfaces_1.json: other interface (interface) ×3',
      'ec2.DescribeSecurityGroups_1.json: group of an unknown VPC ×3', // _2 repeats them identically: silent
      'events.ListEventBuses_1.json: EventBuses',
      'lambda.ListFunctions_1.json: Functions',
    ],
  },
  {
    dir: 'cloud-custodian-placebo/test_security_group_used',
    counts: none,
    warnings: [
      'ec2.DescribeNetworkInterfaces_1.json: other interface (vpc_endpoint)',
      'ec2.DescribeNetworkInterfaces_1.json: other interface (branch)',
      'ec2.DescribeNetworkInterfaces_1.json: other interface (interface) ×2',
      'ec2.DescribeSecurityGroups_1.json: group of an unknown VPC ×7',
      'events.ListEventBuses_1.json: EventBuses',
      'lambda.ListFunctions_1.json: Functions',
    ],
  },
  {
    dir: 'cloudmapper-demo',
    counts: { vpcs: 1, subnets: 4, groups: 8, rules: 19, instances: 3, routes: 0, naclEntries: 0, peerings: 0 },
    warnings: [
      'us-east-1/ec2-describe-instances.json: impossible private IP ×3', // sanitised: 10.0.0.1, 10.0.2.1, 10.0.3.1 are VPC routers
      'us-east-1/ec2-describe-instances.json: duplicate id ×2', // eni-00000000 on all three instances
      'us-east-1/ec2-describe-network-interfaces.json: other interface (interface)', // an ECS task's ENI
      'us-east-1/ec2-describe-security-groups.json: host bits', // 2.2.2.2/28
      'us-east-1/ec2-describe-vpcs.json: DNS attributes',
    ],
  },
  {
    dir: 'aws-security-viz',
    counts: none,
    warnings: [
      'aws_expected.json: edges',
      'aws_expected.json: nodes',
      'dummy.json: EC2-Classic group ×2', // no VpcId
      'expected.json: edges',
      'expected.json: nodes',
      'navigator.json: categories',
      'navigator.json: data',
    ],
  },
];

describe.skipIf(DATA === undefined)('importing the shared AWS data sets', () => {
  const root = DATA as string;

  it('covers every data set (a new folder in the shared data needs its pins here)', () => {
    const sets = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    for (const set of sets) expect(SETS.some((s) => s.dir === set || s.dir.startsWith(`${set}/`)), set).toBe(true);
  });

  for (const set of SETS) {
    describe(set.dir, () => {
      const dir = join(root, set.dir);
      const result = importAwsFolder(dir);

      it('imports, with exactly the reviewed warnings', () => {
        expect(result.ok).toBe(true);
        const seen = result.warnings.map((w) => `${relative(dir, w.file)}: ${w.key}${w.count > 1 ? ` ×${w.count}` : ''}`);
        expect(seen.sort()).toEqual([...set.warnings].sort());
      });

      it('holds what the JSON holds (counts read with jq)', () => {
        if (!result.ok) throw new Error('not imported');
        expect(countsOf(result.document)).toEqual(set.counts);
      });

      it('is structurally whole: every reference resolves, names are unique', () => {
        if (!result.ok) throw new Error('not imported');
        expect(structuralProblems(result.document)).toEqual([]);
      });

      it('is a valid platform: vpc scenario (scenario/vpc validates it)', () => {
        if (!result.ok) throw new Error('not imported');
        const v = validateVpcScenario(JSON.parse(renderImported(result.document, 'json')), `${set.dir}.yaml`);
        expect(v.ok ? [] : v.diagnostics.map((d) => `${d.path}: ${d.message}`)).toEqual([]);
      });

      it('gives the same bytes twice, YAML and JSON', () => {
        if (!result.ok) throw new Error('not imported');
        const again = importAwsFolder(dir);
        if (!again.ok) throw new Error('not imported');
        expect(renderImported(again.document, 'yaml')).toBe(renderImported(result.document, 'yaml'));
        expect(renderImported(again.document, 'json')).toBe(renderImported(result.document, 'json'));
      });
    });
  }

  it('imports each whole data-set folder too (several snapshots at once: duplicates warn, nothing fails)', () => {
    for (const set of ['batfish-aws-tests', 'cloud-custodian-placebo', 'cloudmapper-demo', 'pybatfish-hybrid-cloud', 'aws-security-viz']) {
      const r = importAwsFolder(join(root, set));
      expect(r.ok, set).toBe(true);
      if (r.ok) expect(structuralProblems(r.document), set).toEqual([]);
      if (r.ok) expect(validateVpcScenario(JSON.parse(renderImported(r.document, 'json')), `${set}.yaml`).ok, set).toBe(true);
    }
  });
});

describe.runIf(DATA === undefined)('importing the shared AWS data sets', () => {
  it.skip('skipped: ../shared/data/aws is not beside the project (set SGSIM_AWS_DATA to its path)', () => {});
});

/*
counts.jq, as run for the counts above:

def body: if type == "object" and has("status_code") and has("data") then .data else . end;
def firsts(f): [ .[] | body | objects | f ] | reduce .[] as $x ({ids: {}, out: []}; if .ids[$x.id] then . else .ids[$x.id] = true | .out += [$x.v] end) | .out;
(firsts(.Vpcs[]? | {id: .VpcId, v: .})) as $vpcs
| ($vpcs | map({(.VpcId): true}) | add // {}) as $vpcset
| (firsts(.Subnets[]? | {id: .SubnetId, v: .}) | map(select($vpcset[.VpcId]))) as $subnets
| ($subnets | map({(.SubnetId): true}) | add // {}) as $subnetset
| (firsts(.SecurityGroups[]? | {id: .GroupId, v: .}) | map(select(.VpcId != null and $vpcset[.VpcId]))) as $groups
| (firsts(.Reservations[]?.Instances[] | {id: .InstanceId, v: .}) | map(select((.State.Name == "running" or .State.Name == "stopped") and $subnetset[.SubnetId]))) as $instances
| (firsts(.RouteTables[]? | {id: .RouteTableId, v: .}) | map(select($vpcset[.VpcId]))) as $tables
| (firsts(.NetworkAcls[]? | {id: .NetworkAclId, v: .}) | map(select($vpcset[.VpcId]))) as $acls
| (firsts(.VpcPeeringConnections[]? | {id: .VpcPeeringConnectionId, v: .}) | map(select(.Status.Code == "active"))) as $peerings
| { vpcs: ($vpcs | length), subnets: ($subnets | length), groups: ($groups | length),
    rules: ([$groups[] | (.IpPermissions + .IpPermissionsEgress)[] | select(.IpProtocol != "icmpv6" and .IpProtocol != "58")
             | select((.IpProtocol == "icmp" and (.FromPort // -1) < 0 and (.ToPort // -1) >= 0) | not)
             | ((.IpRanges // []) | length) + ([(.UserIdGroupPairs // [])[] | select(.GroupId != null)] | length) + ((.PrefixListIds // []) | length)] | add // 0),
    instances: ($instances | length),
    routes: ([$tables[] | .Routes[]? | select(.GatewayId != "local" and .DestinationCidrBlock != null)] | length),
    naclEntries: ([$acls[] | .Entries[]? | select(.RuleNumber != 32767 and .CidrBlock != null)] | length),
    peerings: ($peerings | length) }
*/
