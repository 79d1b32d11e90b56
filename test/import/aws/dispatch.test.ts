/**
 * The importer's reading of a folder: dispatch by top-level key, wrappers, layouts, regions,
 * warnings once per key, and invalid input as diagnostics naming the file and JSON path.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importAwsFolder, renderImported, type ImportResult, type VpcScenarioDocument } from '../../../src/index.ts';
import { validateVpcScenario } from '../../../src/scenario/vpc/index.ts';
import { account, folder, SUBNETS, VPC, WEB_GROUP } from './fixtures.ts';

function imported(r: ImportResult): VpcScenarioDocument {
  if (!r.ok) throw new Error(`not imported: ${JSON.stringify(r.diagnostics)}`);
  const v = validateVpcScenario(JSON.parse(JSON.stringify(r.document)), 'imported.yaml');
  expect(v.ok ? [] : v.diagnostics.map((d) => `${d.path}: ${d.message}`)).toEqual([]); // every import is a valid scenario
  return r.document;
}

const keys = (r: ImportResult): string[] => r.warnings.map((w) => w.key);

describe('reading a folder', () => {
  it('dispatches each file by its top-level key, whatever it is called, in subfolders too', () => {
    const dir = folder({ 'a/one.json': { Vpcs: [VPC] }, 'b/c/zz.json': { Subnets: SUBNETS }, 'groups.JSON': { SecurityGroups: [WEB_GROUP] }, 'notes.txt': 'not json' });
    const doc = imported(importAwsFolder(dir));
    expect(Object.keys(doc.vpcs)).toEqual(['vpc-1']);
    expect(Object.keys(doc.subnets ?? {})).toEqual(['subnet-a', 'subnet-b']);
    expect(Object.keys(doc.groups ?? {})).toEqual(['sg-web']);
  });

  it('unwraps a boto/placebo {status_code, data} recording and names paths inside it from data.', () => {
    const dir = folder({
      'ec2.DescribeVpcs_1.json': { status_code: 200, data: { Vpcs: [VPC], ResponseMetadata: { RequestId: 'x' } } },
      'ec2.DescribeSubnets_1.json': { status_code: 200, data: { Subnets: [{ ...SUBNETS[0], Ipv6CidrBlockAssociationSet: [{ Ipv6CidrBlock: '2600::/64' }] }] } },
    });
    const r = importAwsFolder(dir);
    expect(Object.keys(imported(r).subnets ?? {})).toEqual(['subnet-a']);
    const ipv6 = r.warnings.find((w) => w.key === 'IPv6');
    expect(ipv6?.path).toBe('data.Subnets[0].Ipv6CidrBlockAssociationSet');
    expect(keys(r)).not.toContain('ResponseMetadata');
  });

  it("takes account and region from Batfish's aws_configs/accounts/<id>/<region>/ folders", () => {
    const dir = folder({
      'aws_configs/accounts/123456789012/ap-southeast-2/Vpcs.json': { Vpcs: [{ ...VPC, OwnerId: undefined }] },
      'aws_configs/accounts/123456789012/ap-southeast-2/Subnets.json': { Subnets: [] },
    });
    const doc = imported(importAwsFolder(dir));
    expect(doc.vpcs['vpc-1']).toMatchObject({ region: 'ap-southeast-2', account: '123456789012' });
  });

  it("else gives a VPC its subnets' region and the OwnerId's account; else --region; else us-east-1 with a warning", () => {
    const fromZones = imported(importAwsFolder(folder(account())));
    expect(fromZones.vpcs['vpc-1']).toMatchObject({ region: 'eu-west-1', account: '111122223333' });
    const bare = folder({ 'Vpcs.json': { Vpcs: [VPC] } });
    expect(imported(importAwsFolder(bare, { region: 'sa-east-1' })).vpcs['vpc-1'].region).toBe('sa-east-1');
    const guessed = importAwsFolder(bare);
    expect(imported(guessed).vpcs['vpc-1'].region).toBe('us-east-1');
    expect(keys(guessed)).toContain('region unknown');
  });

  it('names the document after the folder and writes no timeline', () => {
    const dir = folder(account());
    const doc = imported(importAwsFolder(dir));
    expect(doc.name).toBe(dir.split('/').pop());
    expect(doc).not.toHaveProperty('timeline');
    expect(doc).toMatchObject({ version: 1, platform: 'vpc' });
  });
});

describe('warnings', () => {
  it('warns of an unmodelled top-level key once per file, with the file and the key as path', () => {
    const dir = folder(account({ 'endpoints.json': { VpcEndpoints: [{ VpcEndpointId: 'vpce-1' }, { VpcEndpointId: 'vpce-2' }] }, 'lb.json': { LoadBalancers: [{}], Listeners: [{}] } }));
    const r = importAwsFolder(dir);
    const unmodelled = r.warnings.filter((w) => ['VpcEndpoints', 'LoadBalancers', 'Listeners'].includes(w.key));
    expect(unmodelled.map((w) => [w.file, w.path, w.count])).toEqual([
      [join(dir, 'endpoints.json'), 'VpcEndpoints', 1],
      [join(dir, 'lb.json'), 'Listeners', 1],
      [join(dir, 'lb.json'), 'LoadBalancers', 1],
    ]);
  });

  it('does not warn of an empty unmodelled key (nothing is lost), but does of a pagination token', () => {
    const r = importAwsFolder(folder(account({ 'e.json': { VpcEndpoints: [], DhcpOptions: {} }, 'p.json': { Subnets: [], NextToken: 'abc' } })));
    expect(keys(r)).not.toContain('VpcEndpoints');
    expect(keys(r)).not.toContain('DhcpOptions');
    expect(keys(r)).toContain('NextToken');
  });

  it('says each kind of problem once per file, counting the rest', () => {
    const groups = [1, 2, 3].map((k) => ({ ...WEB_GROUP, GroupId: `sg-${k}`, VpcId: 'vpc-gone' }));
    const r = importAwsFolder(folder(account({ 'more.json': { SecurityGroups: groups } })));
    const gone = r.warnings.filter((w) => w.key === 'group of an unknown VPC');
    expect(gone).toHaveLength(1);
    expect(gone[0]).toMatchObject({ path: 'SecurityGroups[0].VpcId', count: 3 });
  });

  it('keeps the first of two different records with one id and warns; an identical repeat is silent', () => {
    const same = importAwsFolder(folder(account({ 'again.json': { SecurityGroups: [WEB_GROUP] } })));
    expect(keys(same)).not.toContain('duplicate id');
    const other = importAwsFolder(folder(account({ 'zz.json': { SecurityGroups: [{ ...WEB_GROUP, GroupName: 'other', IpPermissions: [] }] } })));
    expect(keys(other)).toContain('duplicate id');
    expect(imported(other).groups?.['sg-web'].ingress).toHaveLength(1);
  });

  it('warns when the DNS attributes are unknown and reads them from describe-vpc-attribute files', () => {
    const bare = importAwsFolder(folder(account()));
    expect(keys(bare)).toContain('DNS attributes');
    expect(imported(bare).vpcs['vpc-1'].dns).toEqual({ support: true, hostnames: false });
    const told = importAwsFolder(
      folder(account({ 'dns1.json': { VpcId: 'vpc-1', EnableDnsSupport: { Value: false } }, 'dns2.json': { VpcId: 'vpc-1', EnableDnsHostnames: { Value: true } } })),
    );
    expect(keys(told)).not.toContain('DNS attributes');
    expect(keys(told)).not.toContain('VpcId');
    expect(imported(told).vpcs['vpc-1'].dns).toEqual({ support: false, hostnames: true });
  });
});

describe('invalid input', () => {
  it('is a diagnostic naming the file and line/column for a JSON syntax error; nothing is imported', () => {
    const dir = folder(account({ 'broken.json': '{\n  "Vpcs": [\n    { "VpcId": "vpc-2", }\n  ]\n}' }));
    const r = importAwsFolder(dir);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostics).toEqual([{ file: join(dir, 'broken.json'), path: 'line 3, column 25', message: 'invalid JSON: property name expected' }]);
  });

  it('is a diagnostic naming the file and JSON path for a wrongly typed known key', () => {
    const dir = folder({ 'w/s.json': { status_code: 200, data: { Subnets: [SUBNETS[0], { ...SUBNETS[1], CidrBlock: 'banana' }] } }, 'v.json': { Vpcs: { VpcId: 'vpc-1' } } });
    const r = importAwsFolder(dir);
    if (r.ok) throw new Error('imported');
    expect(r.diagnostics.map((d) => [d.file, d.path])).toEqual([
      [join(dir, 'v.json'), 'Vpcs'],
      [join(dir, 'w/s.json'), 'data.Subnets[1].CidrBlock'],
    ]);
    expect(r.diagnostics[1].message).toMatch(/CIDR/);
  });

  it('is a diagnostic for an unreadable path, and for a folder without .json files', () => {
    const r = importAwsFolder('/nonexistent/sgsim-import');
    if (r.ok) throw new Error('imported');
    expect(r.diagnostics[0]).toMatchObject({ file: '/nonexistent/sgsim-import', message: 'cannot read the folder: ENOENT' });
    const empty = folder({ 'README.md': 'nothing' });
    const e = importAwsFolder(empty);
    if (e.ok) throw new Error('imported');
    expect(e.diagnostics[0].message).toMatch(/no \.json files/);
  });

  it('warns of (and skips) valid JSON that is no describe-* response', () => {
    const r = importAwsFolder(folder(account({ 'list.json': [1, 2, 3] })));
    expect(r.ok).toBe(true);
    expect(keys(r)).toContain('(not an object)');
  });
});

describe('determinism', () => {
  it('writes the same bytes for the same records whatever the order of files and records', () => {
    const a = folder(account());
    const b = folder({ 'z.json': { SecurityGroups: [WEB_GROUP] }, 'y.json': { Subnets: [...SUBNETS].reverse() }, 'x.json': { Vpcs: [VPC] } });
    const ya = renderImported(imported(importAwsFolder(a)), 'yaml').replace(/^name: .*$/m, '').replace(/^description: .*$/m, '');
    const yb = renderImported(imported(importAwsFolder(b)), 'yaml').replace(/^name: .*$/m, '').replace(/^description: .*$/m, '');
    expect(yb).toBe(ya);
  });
});
