/**
 * cli/paths as a user meets it: a directory that cannot be listed is one invalid entry and the
 * other paths still run; a `--json` report saved into a scenario folder is skipped (with a
 * note) by the next run of that folder, and named on its own it is an invalid file that says
 * what it is.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
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

describe('a run report in a scenario folder', () => {
  it('is skipped with a note when the folder is run again, for one report and for several', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sgsim-reports-'));
    copyFileSync(scenario4, join(dir, 'a.yaml'));
    const one = await cli('run', join(dir, 'a.yaml'), '--json');
    writeFileSync(join(dir, 'report-one.json'), one.out);
    const many = await cli('run', dir, '--json');
    expect(many.code).toBe(0);
    writeFileSync(join(dir, 'report-many.json'), many.out);
    const again = await cli('run', dir);
    expect(again.code).toBe(0);
    expect(again.err).toBe(
      `note ${join(dir, 'report-many.json')}: skipped: it is a run report written by \`sgsim run --json\`, not a scenario\n` +
        `note ${join(dir, 'report-one.json')}: skipped: it is a run report written by \`sgsim run --json\`, not a scenario\n`,
    );
    expect(again.out).toContain('1 scenario file, 1 passed, 0 failed, 0 invalid');
    const validate = await cli('validate', dir);
    expect(validate.code).toBe(0);
    expect(validate.err).toContain('skipped: it is a run report');
  });

  it('named on its own is an invalid file that says it is a run report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sgsim-reports-'));
    const report = join(dir, 'report.json');
    writeFileSync(report, (await cli('run', scenario4, '--json')).out);
    const r = await cli('run', report, scenario4);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`error ${report}: this is a run report written by \`sgsim run --json\`, not a scenario\n`);
    expect(r.out).toContain('8 flows, 8 expectations met');
  });

  it('a JSON scenario is not taken for a report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sgsim-reports-'));
    writeFileSync(
      join(dir, 's.json'),
      JSON.stringify({ version: 1, name: 'json', regions: { 'us-east-1': {} }, instances: { a: { region: 'us-east-1' }, b: { region: 'us-east-1' } }, timeline: [{ at: '0s', ping: { from: 'a', to: 'b.private' }, expect: 'replied' }] }, null, 2),
    );
    const r = await cli('run', dir);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
  });
});

describe('a directory that cannot be listed', () => {
  it('is one invalid entry (exit 2, named), and the other paths still run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sgsim-unlistable-'));
    chmodSync(dir, 0o755);
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    writeFileSync(join(locked, 'x.yaml'), 'version: 1\n');
    chmodSync(locked, 0o000);
    try {
      // As root every directory can be listed: run as nobody then.
      const asRoot = process.getuid?.() === 0;
      const r = spawnSync(process.execPath, [join(root, 'bin', 'sgsim.js'), 'run', locked, scenario4, '--jobs', '1'], {
        encoding: 'utf8',
        cwd: tmpdir(),
        ...(asRoot ? { uid: 65534, gid: 65534, env: { ...process.env, HOME: tmpdir() } } : {}),
      });
      expect(r.stderr).toBe(`error ${locked}: cannot list the directory: permission denied\n`);
      expect(r.status).toBe(2);
      expect(r.stdout).toContain('8 flows, 8 expectations met');
      expect(r.stdout).toContain('2 scenario files, 1 passed, 0 failed, 1 invalid');
    } finally {
      chmodSync(locked, 0o755);
    }
  }, 30_000);
});

describe('a directory listing', () => {
  it('finds scenario files by the loader\'s extensions, in any case (one list: the loader\'s)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sgsim-listing-'));
    copyFileSync(scenario4, join(dir, 'UPPER.YAML'));
    writeFileSync(join(dir, 'notes.txt'), 'not a scenario');
    writeFileSync(join(dir, 'types.D.TS'), 'export {};');
    const r = await cli('run', dir);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/UPPER\.YAML/);
    expect(r.out).toMatch(/^1 scenario file, 1 passed/m);
  });
});
