/**
 * `sgsim run --jobs N`: files run in worker threads, and the output — stdout and stderr, text
 * and --json, the trace — is byte-identical to --jobs 1, in file order, with invalid files
 * and a file that crashes its worker in the middle; one file's trouble never loses another's
 * result.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';

const root = join(import.meta.dirname, '..', '..');
const scenarios = join(root, 'scenarios');

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), color: false, cwd: root });
  return { code, out, err };
}

/** The YAML files of scenarios/ (the .ts one imports sgsim by a relative path). */
const yamls = readdirSync(scenarios).filter((f) => f.endsWith('.yaml'));

/** scenarios/*.yaml copied, with an invalid file, a syntax error and a misbehaving script between them. */
function mixedFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sgsim-jobs-'));
  for (const f of yamls) copyFileSync(join(scenarios, f), join(dir, f));
  writeFileSync(join(dir, '05a-invalid.yaml'), 'version: 1\nname: bad\nregions: { us-east-1: {} }\ngroups: { A: { region: nowhere } }\n');
  writeFileSync(join(dir, '05b-syntax.json'), '{ "version": 1, ');
  writeFileSync(join(dir, '05c-exits.ts'), "process.exit(3);\nexport default {};\n");
  return dir;
}

describe('sgsim run --jobs', () => {
  for (const format of [[], ['--json']]) {
    it(`gives byte-identical output for --jobs 1 and 3 on scenarios/ (${format.join('') || 'text'})`, async () => {
      const one = await cli('run', scenarios, ...format, '--jobs', '1');
      expect(one.code).toBe(0);
      for (const n of ['3']) {
        const many = await cli('run', scenarios, ...format, '--jobs', n);
        expect(many.out).toBe(one.out);
        expect(many.err).toBe(one.err);
        expect(many.code).toBe(one.code);
      }
    }, 60_000);
  }

  it('keeps file order and every valid file\'s result with invalid files in the middle', async () => {
    const dir = mixedFolder();
    for (const format of [[], ['--json']]) {
      const one = await cli('run', dir, ...format, '--jobs', '1');
      const many = await cli('run', dir, ...format, '--jobs', '3');
      expect(one.code).toBe(2);
      expect(many.code).toBe(2);
      expect(many.out).toBe(one.out);
      expect(many.err).toBe(one.err);
      expect(one.err.trim().split('\n')).toHaveLength(3);
      expect(one.err).toContain('05c-exits.ts: the builder script called process.exit(3) while loading');
      if (format.length) {
        const doc = JSON.parse(many.out);
        expect(doc.scenarios).toHaveLength(yamls.length);
        expect(doc.errors.map((e: { file: string }) => e.file)).toEqual(['05a-invalid.yaml', '05b-syntax.json', '05c-exits.ts'].map((f) => join(dir, f)));
      } else expect(many.out).toContain(`${yamls.length + 3} scenario files, ${yamls.length} passed, 0 failed, 3 invalid`);
    }
  }, 90_000);

  it('writes the same trace for --jobs 1 and --jobs 3, scenarios in file order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sgsim-jobs-trace-'));
    const a = join(dir, 'one.jsonl');
    const b = join(dir, 'many.jsonl');
    await cli('run', scenarios, '--trace', a, '--jobs', '1');
    await cli('run', scenarios, '--trace', b, '--jobs', '3');
    const one = readFileSync(a, 'utf8');
    expect(readFileSync(b, 'utf8')).toBe(one);
    const files = one.split('\n').filter((l) => l.startsWith('{"ev":"scenario"')).map((l) => JSON.parse(l).file);
    expect(files).toEqual([...files].sort());
    expect(files).toHaveLength(readdirSync(scenarios).length);
  }, 60_000);

  it('a file that exhausts its worker\'s memory is an internal error, and the other files are still reported', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sgsim-jobs-oom-'));
    const big = join(dir, 'a-big.yaml');
    writeFileSync(
      big,
      'version: 1\nname: too big\nregions: { us-east-1: {} }\ninstances: { a: { region: us-east-1 }, b: { region: us-east-1 } }\n' +
        'timeline:\n  - { at: 0s, id: p, ping: { from: a, to: b.private }, repeat: { every: 1ms, count: 5000000 } }\n',
    );
    const r = spawnSync(process.execPath, [join(root, 'bin', 'sgsim.js'), 'run', big, join(scenarios, '04-group-added-to-itself.yaml'), '--jobs', '2'], {
      encoding: 'utf8',
      env: { ...process.env, SGSIM_WORKER_HEAP_MB: '64' },
      timeout: 60_000,
    });
    expect(r.stderr).toBe(`sgsim: could not finish ${big}: the worker running it ran out of memory (its heap limit: 64 MiB; SGSIM_WORKER_HEAP_MB sets it)\n`);
    expect(r.stdout).toContain('8 flows, 8 expectations met');
    expect(r.stdout).toContain('2 scenario files, 1 passed, 0 failed, 0 invalid, 1 internal error');
    expect(r.status).toBe(3);
  }, 90_000);

  it('rejects --jobs 0 with exit code 2', async () => {
    const r = await cli('run', scenarios, '--jobs', '0');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--jobs');
  });
});
