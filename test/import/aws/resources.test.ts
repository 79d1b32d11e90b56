/**
 * What each describe-* module writes: groups and their rules, NACLs, route tables, instances and
 * their ENIs, gateways, peerings and transit gateways.
 */
import { describe, expect, it } from 'vitest';
import { importAwsFolder, type ImportResult, type VpcScenarioDocument } from '../../../src/index.ts';
import { validateVpcScenario } from '../../../src/scenario/vpc/index.ts';
import { account, eni, folder, instance } from './fixtures.ts';

function imported(r: ImportResult): VpcScenarioDocument {
  if (!r.ok) throw new Error(`not imported: ${JSON.stringify(r.diagnostics)}`);
  const v = validateVpcScenario(JSON.parse(JSON.stringify(r.document)), 'imported.yaml');
  expect(v.ok ? [] : v.diagnostics.map((d) => `${d.path}: ${d.message}`)).toEqual([]); // every import is a valid scenario
  return r.document;
}
const keys = (r: ImportResult): string[] => r.warnings.map((w) => w.key);
const run = (extra: Record<string, unknown>): ImportResult => importAwsFolder(folder(account(extra)));

describe('security groups', () => {
  const perm = (p: Record<string, unknown>): Record<string, unknown> => ({ IpRanges: [{ CidrIp: '1.2.3.4/32' }], ...p });
  const group = (ingress: Record<string, unknown>[]): ImportResult =>
    run({ 'g.json': { SecurityGroups: [{ GroupId: 'sg-t', GroupName: 'test', VpcId: 'vpc-1', IpPermissions: ingress.map(perm), IpPermissionsEgress: [] }] } });

  it('writes one rule per source, the GroupName as label, and egress as given (none here)', () => {
    const r = group([{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '1.2.3.4/32', Description: 'admin' }, { CidrIp: '5.6.7.0/24' }], UserIdGroupPairs: [{ GroupId: 'sg-web', UserId: '1' }] }]);
    expect(imported(r).groups?.['sg-t']).toEqual({
      label: 'test',
      vpc: 'vpc-1',
      ingress: [
        { protocol: 'tcp', ports: 22, from: { cidr: '1.2.3.4/32' }, description: 'admin' },
        { protocol: 'tcp', ports: 22, from: { cidr: '5.6.7.0/24' } },
        { protocol: 'tcp', ports: 22, from: { group: 'sg-web' } },
      ],
      egress: [],
    });
  });

  it("reads ports as Batfish's IpPermissions does: FromPort -1 is 0, ToPort -1 is 65535; -1 is every protocol", () => {
    const r = group([
      { IpProtocol: 'tcp', FromPort: -1, ToPort: 50 },
      { IpProtocol: 'udp', FromPort: 30, ToPort: -1 },
      { IpProtocol: '-1' },
      { IpProtocol: '6', FromPort: 80, ToPort: 80 },
      { IpProtocol: '50', FromPort: 1, ToPort: 2 },
    ]);
    expect(imported(r).groups?.['sg-t'].ingress.map((x) => [x.protocol, x.ports])).toEqual([
      ['tcp', '0-50'],
      ['udp', '30-65535'],
      ['all', undefined],
      ['tcp', 80],
      [50, undefined], // ports of other protocols are ignored, as AWS documents
    ]);
  });

  it('reads ICMP type and code (-1: any); a code under type -1 matches nothing and is warned', () => {
    const r = group([
      { IpProtocol: 'icmp', FromPort: 8, ToPort: -1 },
      { IpProtocol: 'icmp', FromPort: 3, ToPort: 4 },
      { IpProtocol: 'icmp', FromPort: -1, ToPort: -1 },
      { IpProtocol: 'icmp', FromPort: -1, ToPort: 9 },
    ]);
    expect(imported(r).groups?.['sg-t'].ingress.map((x) => x.icmp ?? null)).toEqual([{ type: 8 }, { type: 3, code: 4 }, null]);
    expect(keys(r)).toContain('ICMP code without type');
  });

  it('warns of IPv6 ranges and ICMPv6 rules and writes their IPv4 part only', () => {
    const r = group([
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
      { IpProtocol: 'icmpv6', IpRanges: [], Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
    ]);
    expect(imported(r).groups?.['sg-t'].ingress).toHaveLength(1);
    expect(keys(r).filter((k) => k === 'IPv6')).toHaveLength(1); // once per file
    expect(r.warnings.find((w) => w.key === 'IPv6')?.count).toBe(2);
  });

  it('marks a reference to a group no file describes, or one in an unpeered VPC, stale (with a warning)', () => {
    const other = { VpcId: 'vpc-2', CidrBlockAssociationSet: [{ CidrBlock: '10.9.0.0/16' }] };
    const r = run({
      'v2.json': { Vpcs: [other] },
      'g.json': {
        SecurityGroups: [
          { GroupId: 'sg-far', VpcId: 'vpc-2', IpPermissions: [], IpPermissionsEgress: [] },
          { GroupId: 'sg-t', VpcId: 'vpc-1', IpPermissions: [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: 'sg-gone' }, { GroupId: 'sg-far' }, { GroupId: 'sg-web' }] }], IpPermissionsEgress: [] },
        ],
      },
    });
    expect(imported(r).groups?.['sg-t'].ingress.map((x) => x.from)).toEqual([{ group: 'sg-gone', stale: true }, { group: 'sg-far', stale: true }, { group: 'sg-web' }]);
    expect(r.warnings.find((w) => w.key === 'stale group reference')?.count).toBe(2);
  });

  it('references a group across an active same-region peering without marking it stale', () => {
    const r = run({
      'v2.json': { Vpcs: [{ VpcId: 'vpc-2', CidrBlockAssociationSet: [{ CidrBlock: '10.9.0.0/16' }] }] },
      's2.json': { Subnets: [{ SubnetId: 'subnet-z', VpcId: 'vpc-2', CidrBlock: '10.9.1.0/24', AvailabilityZone: 'eu-west-1a' }] },
      'p.json': { VpcPeeringConnections: [{ VpcPeeringConnectionId: 'pcx-1', Status: { Code: 'active' }, RequesterVpcInfo: { VpcId: 'vpc-1' }, AccepterVpcInfo: { VpcId: 'vpc-2' } }] },
      'g.json': { SecurityGroups: [{ GroupId: 'sg-far', VpcId: 'vpc-2', IpPermissions: [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: 'sg-web' }] }], IpPermissionsEgress: [] }] },
    });
    expect(imported(r).groups?.['sg-far'].ingress[0].from).toEqual({ group: 'sg-web' });
  });

  it('writes a prefix-list source when the list is described, else warns and leaves the rule out', () => {
    const rule = { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [], PrefixListIds: [{ PrefixListId: 'pl-1' }] };
    const without = group([rule]);
    expect(imported(without).groups?.['sg-t'].ingress).toEqual([]);
    expect(keys(without)).toContain('unknown prefix list');
    const withList = run({
      'pl.json': { PrefixLists: [{ PrefixListId: 'pl-1', PrefixListName: 'com.amazonaws.eu-west-1.s3', Cidrs: ['52.218.0.0/17', '3.5.64.0/21'] }] },
      'g.json': { SecurityGroups: [{ GroupId: 'sg-t', VpcId: 'vpc-1', IpPermissions: [rule], IpPermissionsEgress: [] }] },
    });
    expect(imported(withList).prefixLists).toEqual({ 'pl-1': { label: 'com.amazonaws.eu-west-1.s3', cidrs: ['52.218.0.0/17', '3.5.64.0/21'] } });
    expect(imported(withList).groups?.['sg-t'].ingress[0].from).toEqual({ prefixList: 'pl-1' });
  });
});

describe('network ACLs', () => {
  const entry = (n: number, egress: boolean, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    RuleNumber: n,
    Egress: egress,
    RuleAction: 'allow',
    Protocol: '-1',
    CidrBlock: '0.0.0.0/0',
    ...extra,
  });

  it('sorts entries by number, leaves out the * entry, maps protocols and reads ports and ICMP', () => {
    const r = run({
      'n.json': {
        NetworkAcls: [
          {
            NetworkAclId: 'acl-1',
            VpcId: 'vpc-1',
            IsDefault: false,
            Associations: [{ SubnetId: 'subnet-b' }],
            Entries: [
              entry(32767, false, { RuleAction: 'deny' }),
              entry(200, false, { Protocol: '6', PortRange: { From: 1024, To: 65535 }, CidrBlock: '10.0.1.0/24' }),
              entry(100, false, { Protocol: '6', PortRange: { From: 5432, To: 5432 }, CidrBlock: '10.0.1.0/24', RuleAction: 'deny' }),
              entry(110, false, { Protocol: '1', IcmpTypeCode: { Type: 8, Code: -1 } }),
              entry(120, false, { Protocol: '17', PortRange: { From: 53, To: 53 } }),
              entry(130, false, { Protocol: '47' }),
              entry(100, true),
              entry(32767, true, { RuleAction: 'deny' }),
            ],
          },
        ],
      },
    });
    expect(imported(r).networkAcls?.['acl-1']).toEqual({
      vpc: 'vpc-1',
      subnets: ['subnet-b'],
      ingress: [
        { number: 100, action: 'deny', protocol: 'tcp', ports: 5432, cidr: '10.0.1.0/24' },
        { number: 110, action: 'allow', protocol: 'icmp', icmp: { type: 8 }, cidr: '0.0.0.0/0' },
        { number: 120, action: 'allow', protocol: 'udp', ports: 53, cidr: '0.0.0.0/0' },
        { number: 130, action: 'allow', protocol: 47, cidr: '0.0.0.0/0' },
        { number: 200, action: 'allow', protocol: 'tcp', ports: '1024-65535', cidr: '10.0.1.0/24' },
      ],
      egress: [{ number: 100, action: 'allow', protocol: 'all', cidr: '0.0.0.0/0' }],
    });
  });

  it('keeps the first of a repeated number with a warning, warns of IPv6 entries, marks the default', () => {
    const r = run({
      'n.json': {
        NetworkAcls: [
          {
            NetworkAclId: 'acl-d',
            VpcId: 'vpc-1',
            IsDefault: true,
            Entries: [entry(100, false, { RuleAction: 'deny' }), entry(100, false), { RuleNumber: 101, Egress: false, RuleAction: 'allow', Protocol: '-1', Ipv6CidrBlock: '::/0' }],
          },
        ],
      },
    });
    const acl = imported(r).networkAcls?.['acl-d'];
    expect(acl).toMatchObject({ default: true, ingress: [{ number: 100, action: 'deny' }], egress: [] });
    expect(keys(r)).toEqual(expect.arrayContaining(['duplicate NACL number', 'IPv6']));
  });
});

describe('route tables', () => {
  const gateways = {
    'igw.json': { InternetGateways: [{ InternetGatewayId: 'igw-1', Attachments: [{ VpcId: 'vpc-1', State: 'available' }] }, { InternetGatewayId: 'igw-loose', Attachments: [] }] },
    'nat.json': {
      NatGateways: [
        { NatGatewayId: 'nat-1', SubnetId: 'subnet-a', State: 'available', NatGatewayAddresses: [{ PublicIp: '203.0.113.9', PrivateIp: '10.0.1.9' }] },
        { NatGatewayId: 'nat-old', SubnetId: 'subnet-a', State: 'deleted', NatGatewayAddresses: [] },
      ],
    },
    'vgw.json': { VpnGateways: [{ VpnGatewayId: 'vgw-1', State: 'available', VpcAttachments: [{ VpcId: 'vpc-1', State: 'attached' }] }] },
  };

  it('writes main, subnets and routes but local; blackholes; propagated VGW routes; unknown targets as blackholes, warned', () => {
    const r = run({
      ...gateways,
      'rt.json': {
        RouteTables: [
          {
            RouteTableId: 'rtb-1',
            VpcId: 'vpc-1',
            Associations: [{ Main: true }, { Main: false, SubnetId: 'subnet-b' }, { Main: false, GatewayId: 'igw-1' }],
            Routes: [
              { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active', Origin: 'CreateRouteTable' },
              { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-1', State: 'active' },
              { DestinationCidrBlock: '192.168.0.0/16', GatewayId: 'vgw-1', State: 'active', Origin: 'EnableVgwRoutePropagation' },
              { DestinationCidrBlock: '172.16.0.0/12', NatGatewayId: 'nat-old', State: 'blackhole' },
              { DestinationCidrBlock: '100.64.0.0/10', VpcPeeringConnectionId: 'pcx-none', State: 'active' },
              { DestinationPrefixListId: 'pl-s3', GatewayId: 'vpce-1', State: 'active' },
              { DestinationIpv6CidrBlock: '::/0', EgressOnlyInternetGatewayId: 'eigw-1', State: 'active' },
            ],
          },
        ],
      },
    });
    const doc = imported(r);
    expect(doc.routeTables?.['rtb-1']).toEqual({
      vpc: 'vpc-1',
      main: true,
      subnets: ['subnet-b'],
      routes: [
        { destination: '0.0.0.0/0', target: 'nat-1' },
        { destination: '192.168.0.0/16', target: 'vgw-1', propagated: true },
        { destination: '172.16.0.0/12', target: 'nat-old', state: 'blackhole' },
        { destination: '100.64.0.0/10', target: 'pcx-none', state: 'blackhole' },
      ],
    });
    expect(keys(r)).toEqual(expect.arrayContaining(['edge route table', 'unknown target', 'unknown prefix list', 'IPv6', 'detached gateway', 'gateway state']));
    expect(doc.internetGateways).toEqual({ 'igw-1': { vpc: 'vpc-1' } });
    expect(doc.natGateways).toEqual({ 'nat-1': { subnet: 'subnet-a', elasticIp: '203.0.113.9', privateIp: '10.0.1.9' } });
    expect(doc.vpnGateways).toEqual({ 'vgw-1': { vpc: 'vpc-1' } });
  });

  it('names an instance or ENI target by the name the instance is written under', () => {
    const r = run({
      'i.json': { Reservations: [{ Instances: [instance('i-nat', 'running', eni('eni-n', 'subnet-a', '10.0.1.10', { SourceDestCheck: false }))] }] },
      'rt.json': {
        RouteTables: [{ RouteTableId: 'rtb-2', VpcId: 'vpc-1', Associations: [], Routes: [{ DestinationCidrBlock: '0.0.0.0/0', InstanceId: 'i-nat', NetworkInterfaceId: 'eni-n', State: 'active' }] }],
      },
    });
    const doc = imported(r);
    expect(doc.routeTables?.['rtb-2'].routes).toEqual([{ destination: '0.0.0.0/0', target: 'i-nat' }]);
    expect(doc.instances?.['i-nat'].sourceDestCheck).toBe(false);
  });
});

describe('instances and network interfaces', () => {
  it('loads running and stopped instances (stopped as state: stopped), warns of and skips the others', () => {
    const r = run({
      'i.json': {
        Reservations: [
          {
            Instances: [
              instance('i-run', 'running', eni('eni-1', 'subnet-a', '10.0.1.5'), [{ Key: 'Name', Value: 'web' }]),
              instance('i-stop', 'stopped', eni('eni-2', 'subnet-b', '10.0.2.5')),
              instance('i-pend', 'pending', eni('eni-3', 'subnet-b', '10.0.2.6')),
              instance('i-dead', 'terminated', eni('eni-4', 'subnet-b', '10.0.2.7')),
            ],
          },
        ],
      },
    });
    const doc = imported(r);
    expect(Object.keys(doc.instances ?? {})).toEqual(['i-run', 'i-stop']);
    expect(doc.instances?.['i-run']).toEqual({ label: 'web', subnet: 'subnet-a', groups: ['sg-web'], privateIp: '10.0.1.5', publicIp: 'none' });
    expect(doc.instances?.['i-stop']).toMatchObject({ state: 'stopped', subnet: 'subnet-b' });
    expect(keys(r)).toEqual(expect.arrayContaining(['pending instance', 'terminated instance']));
  });

  it("reads IpOwnerId amazon as a public IP and another owner as an Elastic IP (on a secondary address: with it)", () => {
    const assoc = (ip: string, owner: string): Record<string, unknown> => ({ Association: { PublicIp: ip, IpOwnerId: owner } });
    const r = run({
      'i.json': {
        Reservations: [
          {
            Instances: [
              instance('i-pub', 'running', eni('eni-1', 'subnet-a', '10.0.1.5', { PrivateIpAddresses: [{ PrivateIpAddress: '10.0.1.5', Primary: true, ...assoc('54.1.2.3', 'amazon') }] })),
              instance('i-eip', 'running', eni('eni-2', 'subnet-a', '10.0.1.6', { PrivateIpAddresses: [{ PrivateIpAddress: '10.0.1.6', Primary: true, ...assoc('52.9.9.9', '111122223333') }] })),
              instance(
                'i-sec',
                'running',
                eni('eni-3', 'subnet-a', '10.0.1.7', {
                  PrivateIpAddresses: [
                    { PrivateIpAddress: '10.0.1.7', Primary: true },
                    { PrivateIpAddress: '10.0.1.8', Primary: false, ...assoc('52.8.8.8', '111122223333') },
                  ],
                }),
              ),
            ],
          },
        ],
      },
    });
    const i = imported(r).instances ?? {};
    expect(i['i-pub']).toMatchObject({ publicIp: '54.1.2.3' });
    expect(i['i-eip']).toMatchObject({ elasticIp: '52.9.9.9' });
    expect(i['i-eip']).not.toHaveProperty('publicIp');
    expect(i['i-sec']).toMatchObject({ secondaryIps: ['10.0.1.8'], elasticIp: { ip: '52.8.8.8', privateIp: '10.0.1.8' }, publicIp: 'none' });
  });

  it('takes ENIs from the NetworkInterfaces file first (it wins), writes several as interfaces in device order, and warns of ENIs no instance holds', () => {
    const embedded = eni('eni-0', 'subnet-a', '10.0.1.5');
    const r = run({
      'i.json': { Reservations: [{ Instances: [instance('i-1', 'running', embedded)] }] },
      'e.json': {
        NetworkInterfaces: [
          eni('eni-1', 'subnet-a', '10.0.1.50', { Attachment: { InstanceId: 'i-1', DeviceIndex: 1 } }),
          eni('eni-0', 'subnet-a', '10.0.1.99', { Attachment: { InstanceId: 'i-1', DeviceIndex: 0 } }),
          eni('eni-lb', 'subnet-a', '10.0.1.77', { Attachment: null, InterfaceType: 'interface' }),
          eni('eni-nat', 'subnet-a', '10.0.1.9', { Attachment: { DeviceIndex: 1 }, InterfaceType: 'nat_gateway' }),
        ],
      },
    });
    const doc = imported(r);
    expect(doc.instances?.['i-1']).toEqual({
      interfaces: [
        { name: 'eni-0', subnet: 'subnet-a', groups: ['sg-web'], privateIp: '10.0.1.99', publicIp: 'none' },
        { name: 'eni-1', subnet: 'subnet-a', groups: ['sg-web'], privateIp: '10.0.1.50' },
      ],
    });
    const others = r.warnings.filter((w) => w.key.startsWith('other interface'));
    expect(others.map((w) => [w.key, w.count])).toEqual([['other interface (interface)', 1]]); // the NAT gateway's ENI is its gateway's
  });

  it("keeps every instance of a sanitised account that reuses one ENI id, warning that the id is the first's", () => {
    const r = run({
      'i.json': { Reservations: [{ Instances: [instance('i-1', 'running', eni('eni-0', 'subnet-a', '10.0.1.5')), instance('i-2', 'running', eni('eni-0', 'subnet-b', '10.0.2.5'))] }] },
    });
    const doc = imported(r);
    expect(Object.keys(doc.instances ?? {})).toEqual(['i-1', 'i-2']);
    expect(doc.instances?.['i-2'].privateIp).toBe('10.0.2.5');
    expect(keys(r)).toContain('duplicate id');
  });

  it('leaves out a private IP no ENI can hold (reserved, outside the subnet, held twice), warned; sgsim assigns a primary one', () => {
    const r = run({
      'i.json': {
        Reservations: [
          {
            Instances: [
              instance('i-1', 'running', eni('eni-1', 'subnet-a', '10.0.1.1')),
              instance('i-2', 'running', eni('eni-2', 'subnet-a', '10.0.1.20', { PrivateIpAddresses: [{ PrivateIpAddress: '10.0.1.20', Primary: true }, { PrivateIpAddress: '10.0.9.9' }, { PrivateIpAddress: '10.0.1.255' }] })),
              instance('i-3', 'running', eni('eni-3', 'subnet-a', '10.0.1.20')),
            ],
          },
        ],
      },
    });
    const i = imported(r).instances ?? {};
    expect(i['i-1']).not.toHaveProperty('privateIp');
    expect(i['i-2']).toMatchObject({ privateIp: '10.0.1.20' });
    expect(i['i-2']).not.toHaveProperty('secondaryIps');
    expect(i['i-3']).not.toHaveProperty('privateIp');
    expect(r.warnings.find((w) => w.key === 'impossible private IP')?.count).toBe(4);
  });

  it('leaves out an instance whose subnet no file describes, and a group no file describes from an ENI', () => {
    const r = run({
      'i.json': {
        Reservations: [
          { Instances: [instance('i-lost', 'running', eni('eni-1', 'subnet-zz', '10.0.9.5')), instance('i-ok', 'running', eni('eni-2', 'subnet-a', '10.0.1.5', { Groups: [{ GroupId: 'sg-web' }, { GroupId: 'sg-gone' }] }))] },
        ],
      },
    });
    const doc = imported(r);
    expect(Object.keys(doc.instances ?? {})).toEqual(['i-ok']);
    expect(doc.instances?.['i-ok'].groups).toEqual(['sg-web']);
    expect(keys(r)).toEqual(expect.arrayContaining(['interface of an unknown subnet', 'instance without its primary interface', 'unknown group']));
  });

  it('leaves out an ENI none of whose groups is loaded (no file of groups: not the default group either), with its instance if it is eth0', () => {
    const r = run({ 'i.json': { Reservations: [{ Instances: [instance('i-1', 'running', eni('eni-1', 'subnet-a', '10.0.1.5', { Groups: [{ GroupId: 'sg-gone' }] }))] }] } });
    expect(imported(r)).not.toHaveProperty('instances');
    expect(keys(r)).toEqual(expect.arrayContaining(['unknown group', 'interface without groups', 'instance without its primary interface']));
  });
});

describe('peerings', () => {
  const info = (vpc: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ VpcId: vpc, ...extra });

  it('loads active peerings only, stubs a peer VPC no file describes from its blocks, and reads DNS resolution per side', () => {
    const r = run({
      'p.json': {
        VpcPeeringConnections: [
          {
            VpcPeeringConnectionId: 'pcx-1',
            Status: { Code: 'active' },
            RequesterVpcInfo: info('vpc-1', { PeeringOptions: { AllowDnsResolutionFromRemoteVpc: true } }),
            AccepterVpcInfo: info('vpc-peer', { OwnerId: '999988887777', Region: 'eu-west-1', CidrBlockSet: [{ CidrBlock: '172.31.0.0/16' }] }),
          },
          { VpcPeeringConnectionId: 'pcx-2', Status: { Code: 'deleted' }, RequesterVpcInfo: info('vpc-1'), AccepterVpcInfo: info('vpc-x') },
        ],
      },
    });
    const doc = imported(r);
    expect(doc.peerings).toEqual({ 'pcx-1': { requester: 'vpc-1', accepter: 'vpc-peer', dnsResolution: ['vpc-peer'] } });
    expect(doc.vpcs['vpc-peer']).toMatchObject({ region: 'eu-west-1', account: '999988887777', cidr: '172.31.0.0/16' });
    expect(doc.subnets).not.toHaveProperty('vpc-peer');
    expect(keys(r)).toContain('inactive peering');
  });

  it("merges one peering listed in both sides' files without a warning", () => {
    const a = { VpcPeeringConnectionId: 'pcx-1', Status: { Code: 'active' }, RequesterVpcInfo: info('vpc-1'), AccepterVpcInfo: info('vpc-2', { CidrBlockSet: [{ CidrBlock: '10.9.0.0/16' }] }) };
    const b = { ...a, AccepterVpcInfo: info('vpc-2', { PeeringOptions: { AllowDnsResolutionFromRemoteVpc: true }, CidrBlockSet: [{ CidrBlock: '10.9.0.0/16' }] }) };
    const r = run({ 'a/p.json': { VpcPeeringConnections: [a] }, 'b/p.json': { VpcPeeringConnections: [b] } });
    expect(keys(r)).not.toContain('duplicate id');
    expect(imported(r).peerings?.['pcx-1'].dnsResolution).toEqual(['vpc-1']);
  });
});

describe('transit gateways', () => {
  it('writes available gateways with their tables, static and blackhole routes, VPC and peering attachments and propagations', () => {
    const r = run({
      'aws_configs/eu-west-1/tgw.json': { TransitGateways: [{ TransitGatewayId: 'tgw-1', State: 'available', Options: { DnsSupport: 'enable', SecurityGroupReferencingSupport: 'enable' } }, { TransitGatewayId: 'tgw-2', State: 'available', Options: {} }] },
      'aws_configs/eu-west-1/att.json': {
        TransitGatewayAttachments: [
          { TransitGatewayAttachmentId: 'tgw-attach-v', TransitGatewayId: 'tgw-1', ResourceType: 'vpc', ResourceId: 'vpc-1', State: 'available', Association: { TransitGatewayRouteTableId: 'tgw-rtb-1', State: 'associated' } },
          { TransitGatewayAttachmentId: 'tgw-attach-p', TransitGatewayId: 'tgw-1', ResourceType: 'peering', ResourceId: 'tgw-2', State: 'available', Association: { TransitGatewayRouteTableId: 'tgw-rtb-1', State: 'associated' } },
          { TransitGatewayAttachmentId: 'tgw-attach-n', TransitGatewayId: 'tgw-1', ResourceType: 'vpn', ResourceId: 'vpn-1', State: 'available' },
        ],
      },
      'aws_configs/eu-west-1/vatt.json': { TransitGatewayVpcAttachments: [{ TransitGatewayAttachmentId: 'tgw-attach-v', TransitGatewayId: 'tgw-1', VpcId: 'vpc-1', SubnetIds: ['subnet-b', 'subnet-a'], State: 'available' }] },
      'aws_configs/eu-west-1/rtb.json': { TransitGatewayRouteTables: [{ TransitGatewayRouteTableId: 'tgw-rtb-1', TransitGatewayId: 'tgw-1', State: 'available' }] },
      'aws_configs/eu-west-1/prop.json': { TransitGatewayPropagations: [{ TransitGatewayRouteTableId: 'tgw-rtb-1', TransitGatewayRouteTablePropagations: [{ TransitGatewayAttachmentId: 'tgw-attach-v', State: 'enabled' }] }] },
      'aws_configs/eu-west-1/static.json': {
        TransitGatewayStaticRoutes: [
          {
            TransitGatewayRouteTableId: 'tgw-rtb-1',
            Routes: [
              { DestinationCidrBlock: '192.168.0.0/16', State: 'active', Type: 'static', TransitGatewayAttachments: [{ TransitGatewayAttachmentId: 'tgw-attach-p' }] },
              { DestinationCidrBlock: '10.99.0.0/16', State: 'blackhole', Type: 'static' },
            ],
          },
        ],
      },
    });
    const doc = imported(r);
    expect(doc.transitGateways?.['tgw-1']).toEqual({
      region: 'eu-west-1',
      dnsSupport: true,
      sgReferencing: true,
      routeTables: { 'tgw-rtb-1': { routes: [{ destination: '192.168.0.0/16', attachment: 'tgw-attach-p' }, { destination: '10.99.0.0/16', blackhole: true }] } },
      attachments: {
        'tgw-attach-p': { peer: 'tgw-2', routeTable: 'tgw-rtb-1' },
        'tgw-attach-v': { vpc: 'vpc-1', subnets: ['subnet-a', 'subnet-b'], routeTable: 'tgw-rtb-1', propagate: ['tgw-rtb-1'] },
      },
    });
    expect(doc.transitGateways?.['tgw-2']).toMatchObject({ dnsSupport: true, sgReferencing: false, attachments: {} });
    expect(doc.transitGateways?.['tgw-1']).not.toHaveProperty('account');
    expect(keys(r)).toContain('transit gateway vpn attachment');
  });
});

describe('transit gateway peering', () => {
  it("names each side of a peering attachment (one AWS id under both gateways) after its gateway, and routes by that name", () => {
    const side = (tgw: string, peer: string, table: string): Record<string, unknown> => ({
      TransitGatewayAttachmentId: 'tgw-attach-p',
      TransitGatewayId: tgw,
      ResourceType: 'peering',
      ResourceId: peer,
      State: 'available',
      Association: { TransitGatewayRouteTableId: table, State: 'associated' },
    });
    const r = run({
      'aws_configs/eu-west-1/t.json': { TransitGateways: [{ TransitGatewayId: 'tgw-a' }] },
      'aws_configs/eu-west-1/a.json': { TransitGatewayAttachments: [side('tgw-a', 'tgw-b', 'tgw-rtb-a')] },
      'aws_configs/eu-west-1/r.json': { TransitGatewayRouteTables: [{ TransitGatewayRouteTableId: 'tgw-rtb-a', TransitGatewayId: 'tgw-a' }] },
      'aws_configs/eu-west-1/s.json': {
        TransitGatewayStaticRoutes: [{ TransitGatewayRouteTableId: 'tgw-rtb-a', Routes: [{ DestinationCidrBlock: '10.8.0.0/16', State: 'active', Type: 'static', TransitGatewayAttachments: [{ TransitGatewayAttachmentId: 'tgw-attach-p' }] }] }],
      },
      'aws_configs/us-east-1/t.json': { TransitGateways: [{ TransitGatewayId: 'tgw-b' }] },
      'aws_configs/us-east-1/a.json': { TransitGatewayAttachments: [side('tgw-b', 'tgw-a', 'tgw-rtb-b')] },
      'aws_configs/us-east-1/r.json': { TransitGatewayRouteTables: [{ TransitGatewayRouteTableId: 'tgw-rtb-b', TransitGatewayId: 'tgw-b' }] },
    });
    const t = imported(r).transitGateways ?? {};
    expect(t['tgw-a']).toMatchObject({ region: 'eu-west-1', attachments: { 'tgw-attach-p-tgw-a': { peer: 'tgw-b', routeTable: 'tgw-rtb-a' } } });
    expect(t['tgw-a'].routeTables['tgw-rtb-a'].routes).toEqual([{ destination: '10.8.0.0/16', attachment: 'tgw-attach-p-tgw-a' }]);
    expect(t['tgw-b']).toMatchObject({ region: 'us-east-1', attachments: { 'tgw-attach-p-tgw-b': { peer: 'tgw-a', routeTable: 'tgw-rtb-b' } } });
  });
});

describe('subnets', () => {
  it('writes zone, block and mapPublicIp; leaves out a subnet of an undescribed VPC with a warning', () => {
    const r = run({ 's2.json': { Subnets: [{ SubnetId: 'subnet-x', VpcId: 'vpc-none', CidrBlock: '10.5.0.0/24', AvailabilityZone: 'eu-west-1c' }] } });
    const doc = imported(r);
    expect(doc.subnets?.['subnet-a']).toEqual({ vpc: 'vpc-1', zone: 'eu-west-1a', cidr: '10.0.1.0/24', mapPublicIp: true });
    expect(doc.subnets?.['subnet-b']).toEqual({ vpc: 'vpc-1', zone: 'eu-west-1b', cidr: '10.0.2.0/24' });
    expect(doc.subnets).not.toHaveProperty('subnet-x');
    expect(keys(r)).toContain('subnet of an unknown VPC');
    expect(doc.groups?.['sg-web']).toEqual({ label: 'web', vpc: 'vpc-1', ingress: [{ protocol: 'tcp', ports: 443, from: { cidr: '0.0.0.0/0' }, description: 'https' }], egress: [{ protocol: 'all', to: { cidr: '0.0.0.0/0' } }] });
  });
});
