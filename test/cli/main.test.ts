/**
 * The CLI as a user meets it: exit codes 0/1/2, one message per invalid file naming the file
 * and the field path (no stack trace), other files' results kept, --json, --seed, --trace, help.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';

const root = join(import.meta.dirname, '..', '..');
const scenario4 = join(root, 'scenarios', '04-group-added-to-itself.yaml');

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), color: false, cwd: root });
  return { code, out, err };
}

function tmp(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sgsim-cli-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const FAILING = `version: 1
name: an expectation that fails
regions: { us-east-1: {} }
groups: { A: { region: us-east-1 } }
instances: { a: { region: us-east-1, groups: [A] }, b: { region: us-east-1, groups: [A], services: [tcp/22] } }
timeline:
  - { at: 0s, connect: { from: a, to: b.private, port: 22 }, expect: connected }
`;

const INVALID = `version: 1
name: bad ports
regions: { us-east-1: {} }
groups:
  A:
    region: us-east-1
    ingress:
      - { protocol: tcp, ports: 22, from: { cidr: 0.0.0.0/0 } }
      - { protocol: tcp, ports: "8080-80", from: { cidr: 0.0.0.0/0 } }
`;

describe('sgsim run', () => {
  it('exits 0 and prints one line per flow when every expectation is met', async () => {
    const r = await cli('run', scenario4);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toContain('Scenario 4 - a group added to itself');
    expect(r.out).toMatch(/member-over-public-ip .* timeout +public .*SG_REFERENCES_NOT_PRESERVED/);
    expect(r.out).toContain('8 flows, 8 expectations met');
    expect(r.out).not.toMatch(/\u001b\[/); // no colour when not a terminal
  });

  it('exits 1 when an expectation fails and says what was expected', async () => {
    const r = await cli('run', tmp('fail.yaml', FAILING));
    expect(r.code).toBe(1);
    expect(r.out).toContain('outcome: expected "connected", got "timeout"');
    expect(r.out).toContain('1 failed');
  });

  it('exits 2 on an invalid file with one message naming file and field path, and still runs the others', async () => {
    const bad = tmp('bad.yaml', INVALID);
    const r = await cli('run', bad, scenario4);
    expect(r.code).toBe(2);
    const lines = r.err.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('bad.yaml');
    expect(lines[0]).toContain('groups.A.ingress[1].ports');
    expect(lines[0]).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    expect(r.out).toContain('8 flows, 8 expectations met');
    expect(r.out).toContain('1 invalid');
  });

  it('exits 2 for a path that does not exist', async () => {
    const r = await cli('run', join(root, 'no-such-file.yaml'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('no such file or directory');
  });

  it('prints one JSON report with --json, and {version, scenarios} for several files', async () => {
    const one = await cli('run', scenario4, '--json');
    const report = JSON.parse(one.out);
    expect(report.version).toBe(1);
    expect(report.scenario).toBe('Scenario 4 - a group added to itself');
    expect(report.passed).toBe(true);
    expect(report.flows[0]).toMatchObject({ id: 'member-tcp', action: 'connect', outcome: 'connected', path: 'private', redirected: false });
    expect(report.flows[0].explanation).toMatchObject({ code: 'ALLOWED_BY_RULE', group: 'A' });
    expect(report.stats.wallMs).toBe(0);
    const many = await cli('run', scenario4, tmp('bad.yaml', INVALID), '--json');
    const doc = JSON.parse(many.out);
    expect(doc.version).toBe(1);
    expect(doc.scenarios).toHaveLength(1);
    expect(doc.errors[0].path).toBe('groups.A.ingress[1].ports');
    expect(many.code).toBe(2);
  });

  it('runs a directory: every scenario file in it, sorted', async () => {
    const r = await cli('run', join(root, 'scenarios'), '--json');
    const doc = JSON.parse(r.out);
    const names = doc.scenarios.map((s: { file: string }) => s.file);
    expect(names).toEqual([...names].sort());
    expect(names.length).toBeGreaterThanOrEqual(10);
    expect(r.code).toBe(0);
  });

  it('--seed overrides the file seed and --trace writes every packet event as JSON lines', async () => {
    const trace = join(mkdtempSync(join(tmpdir(), 'sgsim-trace-')), 'out.jsonl');
    const r = await cli('run', scenario4, '--json', '--seed', '99', '--trace', trace);
    expect(JSON.parse(r.out).seed).toBe('99');
    const events = readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(events[0]).toMatchObject({ ev: 'scenario', seed: '99' });
    const kinds = new Set(events.map((e) => e.ev));
    for (const k of ['send', 'deliver', 'drop', 'nat', 'conntrack', 'outcome']) expect(kinds).toContain(k);
    expect(events.find((e) => e.ev === 'drop').code).toBe('ENI_SG_RULES_MISMATCH');
  });

  it('gives the same output twice for the same scenario and seed', async () => {
    const a = await cli('run', scenario4, '--json');
    const b = await cli('run', scenario4, '--json');
    expect(a.out).toBe(b.out);
  });

  it('describes every option with --help', async () => {
    const top = await cli('--help');
    expect(top.code).toBe(0);
    expect(top.out).toContain('run');
    expect(top.out).toContain('validate');
    const run = await cli('run', '--help');
    for (const opt of ['--json', '--seed', '--trace', '--timing', '--no-color']) expect(run.out).toContain(opt);
    expect(run.out).toContain('Exit codes');
  });

  it('rejects an unknown option with exit code 2', async () => {
    const r = await cli('run', scenario4, '--frobnicate');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--frobnicate');
  });
});

describe('sgsim generate', () => {
  it('writes a valid scenario that runs, the same for the same seed', async () => {
    const a = await cli('generate', '--instances', '30', '--groups', '6', '--rules-per-group', '3', '--regions', '2', '--seed', '5', '--flows', '10');
    const b = await cli('generate', '--instances', '30', '--groups', '6', '--rules-per-group', '3', '--regions', '2', '--seed', '5', '--flows', '10');
    expect(a.code).toBe(0);
    expect(a.out).toBe(b.out);
    const file = tmp('gen.yaml', a.out);
    const r = await cli('run', file, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).flows).toHaveLength(10);
  });

  it('rejects a bad size with exit code 2', async () => {
    const r = await cli('generate', '--instances', '-3');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--instances');
  });
});

describe('sgsim validate', () => {
  it('lists every problem of an invalid file and exits 2', async () => {
    const r = await cli('validate', tmp('bad.yaml', INVALID), scenario4);
    expect(r.code).toBe(2);
    expect(r.err).toContain('groups.A.ingress[1].ports');
    expect(r.out).toContain('valid');
  });
});

describe('bin/sgsim.js', () => {
  const bin = join(root, 'bin', 'sgsim.js');
  it('runs as a command with real exit codes', () => {
    const ok = execFileSync(process.execPath, [bin, 'run', scenario4], { encoding: 'utf8' });
    expect(ok).toContain('8 flows, 8 expectations met');
    const bad = spawnSync(process.execPath, [bin, 'run', tmp('bad.yaml', INVALID)], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('groups.A.ingress[1].ports');
    expect(bad.stderr).not.toContain('    at ');
  }, 30_000);
});
