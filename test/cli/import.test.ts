/**
 * `sgsim import aws` as a user meets it: YAML on stdout or a file, --format json, warnings on
 * stderr with exit 0, invalid input exit 2 with the file and JSON path and nothing written.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../../src/cli/main.ts';
import { account, folder } from '../import/aws/fixtures.ts';

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), color: false, cwd: '/' });
  return { code, out, err };
}

describe('sgsim import aws', () => {
  it('prints the scenario as YAML and its warnings on stderr, exit 0', async () => {
    const dir = folder(account({ 'e.json': { VpcEndpoints: [{ VpcEndpointId: 'vpce-1' }] } }));
    const r = await cli('import', 'aws', dir);
    expect(r.code).toBe(0);
    const doc = parse(r.out);
    expect(doc).toMatchObject({ version: 1, platform: 'vpc', vpcs: { 'vpc-1': { label: 'app', region: 'eu-west-1' } } });
    expect(r.err).toContain(`warning: ${join(dir, 'e.json')}: VpcEndpoints: VpcEndpoints is not modelled by sgsim: ignored\n`);
  });

  it('writes -o a file (JSON for .json or --format json) and says what it wrote', async () => {
    const dir = folder(account());
    const out = join(folder({}), 'world.json');
    const r = await cli('import', 'aws', dir, '-o', out);
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    expect(JSON.parse(readFileSync(out, 'utf8')).platform).toBe('vpc');
    expect(r.err).toMatch(/wrote .*world\.json from 3 files: 1 VPCs, 2 subnets, 1 groups, 0 instances/);
    const j = await cli('import', 'aws', dir, '--format', 'json');
    expect(JSON.parse(j.out)).toEqual(JSON.parse(readFileSync(out, 'utf8')));
  });

  it('gives the same bytes twice', async () => {
    const dir = folder(account());
    expect((await cli('import', 'aws', dir)).out).toBe((await cli('import', 'aws', dir)).out);
  });

  it('exits 2 on invalid JSON naming the file and position, and writes nothing', async () => {
    const dir = folder(account({ 'bad.json': '{"Vpcs": [}' }));
    const out = join(folder({}), 'world.yaml');
    const r = await cli('import', 'aws', dir, '-o', out);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`error ${join(dir, 'bad.json')}: line 1, column 11: invalid JSON`);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(out)).toBe(false);
  });

  it('exits 2 on a wrongly typed known key, naming its JSON path', async () => {
    const dir = folder({ 'n.json': { NetworkAcls: [{ NetworkAclId: 'acl-1', VpcId: 'vpc-1', Entries: [{ RuleNumber: 'one', Egress: false, RuleAction: 'allow', Protocol: '-1', CidrBlock: '0.0.0.0/0' }] }] } });
    const r = await cli('import', 'aws', dir);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(`${join(dir, 'n.json')}: NetworkAcls[0].Entries[0].RuleNumber:`);
  });

  it('exits 2 for a folder that does not exist and for a bad --format or --region', async () => {
    expect((await cli('import', 'aws', '/nonexistent/describe')).code).toBe(2);
    const dir = folder(account());
    expect((await cli('import', 'aws', dir, '--format', 'xml')).code).toBe(2);
    expect((await cli('import', 'aws', dir, '--region', 'moon-1')).code).toBe(2);
  });
});
