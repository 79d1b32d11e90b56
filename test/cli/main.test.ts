/**
 * The CLI as a user meets it: exit codes 0/1/2, one message per invalid file naming the file
 * and the field path (no stack trace), other files' results kept, --json, --seed, --trace, help.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
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

  it('--compile-after N changes nothing in the report, and a bad N is a usage error', async () => {
    const plain = await cli('run', scenario4, '--json');
    const compiled = await cli('run', scenario4, '--json', '--compile-after', '0');
    expect(compiled.code).toBe(0);
    expect(compiled.out).toBe(plain.out);
    const bad = await cli('run', scenario4, '--compile-after', '-1');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/compile-after/);
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

  it('--json errors carries every diagnostic of an invalid file; stderr one line with the count of the others', async () => {
    const two = tmp('two.yaml', INVALID.replace('ports: 22,', 'ports: 99999,'));
    const r = await cli('run', two, scenario4, '--json');
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.out);
    expect(doc.errors.map((e: { path: string }) => e.path)).toEqual(['groups.A.ingress[0].ports', 'groups.A.ingress[1].ports']);
    expect(doc.errors.every((e: { file: string }) => e.file === two)).toBe(true);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain('(and 1 more problem; `sgsim validate` lists them)');
    const text = await cli('run', two, scenario4);
    expect(text.out).toContain('2 scenario files, 1 passed, 0 failed, 1 invalid');
  });

  it('runs a directory: every scenario file in it, sorted', async () => {
    const r = await cli('run', join(root, 'scenarios'), '--json');
    const doc = JSON.parse(r.out);
    const names = doc.scenarios.map((s: { file: string }) => s.file);
    expect(names).toEqual([...names].sort());
    expect(names.length).toBeGreaterThanOrEqual(10);
    expect(r.code).toBe(0);
  });

  it('a dangling link in a directory is one invalid file: the others still run, exit 2, no stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sgsim-cli-'));
    copyFileSync(scenario4, join(dir, 'a.yaml'));
    symlinkSync(join(dir, 'missing.yaml'), join(dir, 'b-dangling.yaml'));
    mkdirSync(join(dir, 'c.yaml')); // a directory named like a scenario is not a scenario
    for (const command of ['run', 'validate']) {
      const r = await cli(command, dir);
      expect(r.code).toBe(2);
      expect(r.err).toBe(`error ${join(dir, 'b-dangling.yaml')}: cannot read the file: no such file\n`);
    }
    const r = await cli('run', dir);
    expect(r.out).toContain('8 flows, 8 expectations met');
    expect(r.out).toContain('2 scenario files, 1 passed, 0 failed, 1 invalid');
  });

  it('names files inside the working directory relative to it, and others as given', async () => {
    const outside = tmp('bad.yaml', INVALID);
    const r = await cli('run', scenario4, outside, '--json');
    const doc = JSON.parse(r.out);
    expect(doc.scenarios[0].file).toBe('scenarios/04-group-added-to-itself.yaml');
    expect(doc.errors[0].file).toBe(outside);
  });

  it('always gives several files an errors list, empty when every file is valid', async () => {
    const r = await cli('run', scenario4, join(root, 'scenarios', '01-same-group-private-cidr.yaml'), '--json');
    expect(JSON.parse(r.out).errors).toEqual([]);
  });

  it('counts in words a person reads: one flow, one scenario file, one more problem', async () => {
    const one = tmp('one.yaml', `version: 1
name: one flow
regions: { us-east-1: {} }
instances: { a: { region: us-east-1 }, b: { region: us-east-1 } }
timeline:
  - { at: 0s, ping: { from: a, to: b.private }, expect: replied }
  - { at: 1s, ping: { from: a, to: b.private } }
`);
    const r = await cli('run', one);
    expect(r.out).toContain('  2 flows, 1 expectation met\n');
    expect(r.out).toContain('1 scenario file, 1 passed');
    const none = await cli('run', tmp('none.yaml', `version: 1
name: no expectations
regions: { us-east-1: {} }
instances: { a: { region: us-east-1 }, b: { region: us-east-1 } }
timeline:
  - { at: 0s, ping: { from: a, to: b.private } }
`));
    expect(none.out).toContain('  1 flow, no expectations\n');
    const two = await cli('run', tmp('two.yaml', INVALID.replace('ports: 22,', 'ports: 99999,')));
    expect(two.err).toContain('(and 1 more problem; `sgsim validate` lists them)');
  });

  it('prints what an unmet expectation expected under its flow, without widening the table', async () => {
    const r = await cli('run', tmp('fail.yaml', FAILING));
    const lines = r.out.split('\n');
    const row = lines.findIndex((l) => l.includes('connect a → b.private'));
    expect(lines[row + 1]).toMatch(/^ +↳ outcome: expected "connected", got "timeout"/);
    expect(lines[row]).not.toMatch(/ {4,}timeout/); // the "what" column is as wide as its content
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

  it("runs a builder script from any directory that imports 'sgsim' (no package.json there), and says where a script's syntax is wrong", () => {
    const dir = mkdtempSync(join(tmpdir(), 'sgsim-builder-'));
    writeFileSync(join(dir, 'helper.ts'), `export const ZONE: string = 'us-east-1';\n`);
    const script = join(dir, 'anywhere.ts');
    writeFileSync(
      script,
      [
        `import { scenario } from 'sgsim';`,
        `import { ZONE } from './helper.ts';`,
        `export default scenario('from anywhere', { seed: 1 })`,
        `  .region(ZONE)`,
        `  .instance('a', { region: ZONE })`,
        `  .instance('b', { region: ZONE })`,
        `  .at('0s').ping({ from: 'a', to: 'b.private' }, { expect: 'replied' });`,
        ``,
      ].join('\n'),
    );
    const ok = spawnSync(process.execPath, [bin, 'run', script], { encoding: 'utf8' });
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toContain('1 flow, 1 expectation met');
    expect(ok.status).toBe(0);
    const broken = join(dir, 'broken.ts');
    writeFileSync(broken, 'const x: = ;\n');
    const bad = spawnSync(process.execPath, [bin, 'run', broken], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^error .*broken\.ts: could not load the builder script: .*line 1:9: .*Unexpected "="\n$/);
  }, 30_000);
});
