/**
 * test/cli/questions: `sgsim trace`, `reach` and `exposure` as a user runs them: the answer,
 * its JSON, the exit codes (0/1 for admitted or not and for --fail-on, 2 for bad input,
 * including a VPC world reach and exposure cannot answer yet), and `--at`.
 */
import { mkdtempSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';

const root = join(import.meta.dirname, '..', '..');
const S2 = 'scenarios/02-different-groups-public-ips.yaml';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), color: false, cwd: root });
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'sgsim-questions-'));
const EXPOSED = join(dir, 'exposed.yaml');
writeFileSync(
  EXPOSED,
  `version: 1
name: exposed
regions: { us-east-1: {} }
groups:
  open: { region: us-east-1, ingress: [ { protocol: tcp, ports: 22, from: { cidr: 0.0.0.0/0 } }, { protocol: tcp, ports: 443, from: { cidr: 0.0.0.0/0 } }, { protocol: tcp, ports: 22, from: { cidr: 1.2.3.0/24 } } ] }
  nobody: { region: us-east-1, ingress: [ { protocol: tcp, ports: 3306, from: { cidr: 0.0.0.0/0 } } ] }
  inside: { region: us-east-1, ingress: [ { protocol: tcp, ports: 5432, from: { cidr: 10.0.0.0/8 } }, { protocol: tcp, ports: 80, from: { group: ghosts } } ] }
  ghosts: { region: us-east-1, ingress: [] }
instances:
  bastion: { region: us-east-1, groups: [open], services: [tcp/22] }
  db: { region: us-east-1, groups: [inside], services: [tcp/5432] }
  parked: { region: us-east-1, groups: [open], state: stopped }
timeline: []
`,
);

describe('sgsim trace', () => {
  it('shows a blocked flow hop by hop with its verified fix, exit 1', async () => {
    const r = await cli('trace', S2, '--from', 'web1', '--to', 'web2.private', '--port', '80', '--json');
    expect(r.code).toBe(1);
    const a = JSON.parse(r.out);
    expect(a).toMatchObject({ version: 1, question: 'trace', outcome: 'timeout', path: 'private', decidedBy: { direction: 'forward', hop: 'groups' }, blockedBy: ['ENI_SG_RULES_MISMATCH'] });
    expect(a.forward.map((h: { hop: string }) => h.hop)).toEqual(['sender', 'route', 'nat', 'conntrack', 'groups', 'host']);
    expect(a.forward.at(-1).hypothetical).toBe(true);
    expect(a.fix[0]).toMatchObject({ action: 'authorize', group: 'B', rule: { protocol: 'tcp', ports: '80', from: { group: 'A' } }, verified: true, outcome: 'connected' });
    expect(a.fix[1].rule.from.cidr).toMatch(/\/32$/);
  });

  it('gives the public path through NAT both ways, and --at the world after the changes', async () => {
    const pub = JSON.parse((await cli('trace', S2, '--from', 'web1', '--to', 'web2.public', '--port', '80', '--json')).out);
    expect(pub).toMatchObject({ outcome: 'connected', path: 'public', nat: true, source: '54.20.0.1', explanation: { code: 'ALLOWED_BY_RULE' } });
    expect(pub.reverse.map((h: { hop: string; verdict: string }) => `${h.hop}:${h.verdict}`)).toContain('conntrack:admit');
    expect(pub.rewrites.map((w: { field: string }) => w.field)).toEqual(['source', 'destination']);
    const later = await cli('trace', S2, '--from', 'web1', '--to', 'web2.private', '--port', '80', '--at', '300s');
    expect(later.code).toBe(0);
    expect(later.out).toContain('connected');
  });

  it('rejects bad input with exit 2 and one message', async () => {
    expect((await cli('trace', S2, '--from', 'nobody', '--to', 'web2.private', '--port', '80')).code).toBe(2);
    expect((await cli('trace', S2, '--from', 'web1', '--to', 'what?', '--port', '80')).code).toBe(2);
    expect((await cli('trace', S2, '--from', 'web1', '--to', 'web2', '--port', '80', '--at', 'soon')).code).toBe(2);
    expect((await cli('trace', join(dir, 'missing.yaml'), '--from', 'a', '--to', 'b', '--port', '1')).code).toBe(2);
  });

  it('says a VPC world is not yet answered by reach and exposure (exit 2), for a vpc file and an imported folder', async () => {
    const vpc = join(dir, 'vpc.yaml');
    writeFileSync(vpc, 'version: 1\nname: v\nplatform: vpc\n');
    const r = await cli('exposure', vpc);
    expect(r.code).toBe(2);
    expect(r.err).toContain('for platform vpc, only trace is answered so far');
    const acct = join(dir, 'acct');
    mkdirSync(acct);
    writeFileSync(join(acct, 'vpcs.json'), JSON.stringify({ Vpcs: [{ VpcId: 'vpc-1', CidrBlock: '10.0.0.0/16', IsDefault: false }] }));
    const f = await cli('reach', acct);
    expect(f.code).toBe(2);
    expect(f.err).toContain('for platform vpc, only trace is answered so far');
  });
});

describe('sgsim reach', () => {
  it('lists who reaches whom with the admitting rule, grouped by destination', async () => {
    const r = await cli('reach', S2, '--port', '80');
    expect(r.code).toBe(0);
    expect(r.out).toContain('web2 54.20.0.2 (public)');
    expect(r.out).toMatch(/tcp 80 +from web1 .*via group B: tcp\/80 from 54.20.0.1\/32/);
    const j = JSON.parse((await cli('reach', EXPOSED, '--from', 'internet', '--json')).out);
    expect(j.rows.map((x: { to: string; ports: string }) => `${x.to} ${x.ports}`).sort()).toEqual(['bastion 22', 'bastion 443']);
  });
});

describe('sgsim exposure', () => {
  it('reports only what the internet reaches, with severities, and the group findings', async () => {
    const r = await cli('exposure', EXPOSED, '--json');
    expect(r.code).toBe(1); // a high finding, --fail-on high by default
    const j = JSON.parse(r.out);
    const by = (id: string) => j.findings.filter((f: { id: string }) => f.id === id).map((f: { resource: string; ports: string | null; severity: string }) => [f.resource, f.ports, f.severity].filter((x) => x !== null).join(' '));
    // bastion: ssh from everywhere (high) and https (low); the stopped instance and the
    // unused group open to the world expose nothing; db's 5432 is open only to 10/8.
    expect(by('INTERNET_EXPOSED_PORT')).toEqual(['bastion 22 high', 'bastion 443 low']);
    expect(by('UNUSED_GROUP')).toEqual(['ghosts low', 'nobody low']);
    expect(by('STALE_GROUP_REFERENCE')).toEqual(['inside low']);
    expect(by('SHADOWED_RULE')).toEqual(['open low']);
    const ssh = j.findings[0];
    expect(ssh.sources).toEqual(['0.0.0.0/0', '1.2.3.0/24']);
    expect(ssh.fix[0]).toContain('revoke open: tcp 22 from 0.0.0.0/0');
  });

  it('--fail-on sets the exit code', async () => {
    expect((await cli('exposure', EXPOSED, '--fail-on', 'none')).code).toBe(0);
    expect((await cli('exposure', S2, '--fail-on', 'high')).code).toBe(0);
    expect((await cli('exposure', EXPOSED, '--fail-on', 'bogus')).code).not.toBe(0);
  });
});

describe('docs/cli.md', () => {
  it.each(['trace', 'reach', 'exposure'])('documents every option of sgsim %s', async (command) => {
    const help = (await cli(command, '--help')).out;
    const options = [...help.matchAll(/^\s+(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1]).filter((o) => o !== '--help');
    const doc = readFileSync(join(root, 'docs/cli.md'), 'utf8');
    const start = doc.indexOf(`## \`sgsim ${command} <scenario>\``);
    expect(start).toBeGreaterThanOrEqual(0);
    const text = doc.slice(start, doc.indexOf('\n## ', start + 1));
    expect(options.length).toBeGreaterThan(0);
    expect(options.filter((o) => !text.includes(`\`${o}`))).toEqual([]);
  });
});
