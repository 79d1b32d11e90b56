/**
 * Where `sgsim run` writes: `--trace -` puts the trace alone on stdout (the summary on
 * stderr); a closed stdout (`| head`) ends the run quietly with 141; --failed-only and
 * --timing in the summary; progress only on a terminal, on stderr, never in the output.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'sgsim.js');
const scenario4 = join(root, 'scenarios', '04-group-added-to-itself.yaml');

async function cli(argv: string[], extra: Partial<Parameters<typeof main>[1]> = {}) {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), color: false, cwd: root, ...extra });
  return { code, out, err };
}

function repeated(count: number, expect = 'connected'): string {
  const dir = mkdtempSync(join(tmpdir(), 'sgsim-out-'));
  const file = join(dir, `repeat-${count}.yaml`);
  writeFileSync(
    file,
    `version: 1
name: repeated
regions: { us-east-1: {} }
groups: { A: { region: us-east-1, ingress: [ { protocol: tcp, ports: 22, from: { group: A } } ] } }
instances: { a: { region: us-east-1, groups: [A] }, b: { region: us-east-1, groups: [A], services: [tcp/22] } }
timeline:
  - { at: 0s, id: c, connect: { from: a, to: b.private, port: 22 }, expect: ${expect}, repeat: { every: 1ms, count: ${count} } }
  - { at: 0s, id: d, connect: { from: a, to: b.private, port: 23 }, expect: connected }
`,
  );
  return file;
}

describe('sgsim run output', () => {
  it('--trace - writes the trace alone on stdout, as JSON lines, and the summary on stderr', async () => {
    const r = await cli(['run', scenario4, '--trace', '-']);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines.length).toBeGreaterThan(20);
    for (const l of lines) JSON.parse(l);
    expect(JSON.parse(lines[0])).toMatchObject({ ev: 'scenario', file: 'scenarios/04-group-added-to-itself.yaml' });
    expect(r.err).toContain('8 flows, 8 expectations met');
  });

  it('--trace - with --json is a usage error (both would write to stdout)', async () => {
    const r = await cli(['run', scenario4, '--trace', '-', '--json']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain('--trace -');
  });

  it('--failed-only lists only the failed flows in the summary and in --json, counting every flow', async () => {
    const file = repeated(50);
    const text = await cli(['run', file, '--failed-only']);
    expect(text.code).toBe(1);
    expect(text.out).toContain('(--failed-only: 1 of 51 flows shown)');
    expect(text.out).toContain('51 flows, 1 of 51 expectations failed');
    expect(text.out).not.toContain('c[0]');
    expect(text.out).toMatch(/✗ .* d +connect/);
    const json = JSON.parse((await cli(['run', file, '--failed-only', '--json'])).out);
    expect(json.flows.map((f: { id: string }) => f.id)).toEqual(['d']);
    expect(json.expectations).toEqual({ total: 51, failed: 1 });
  });

  it('--timing shows the load and run times in the summary', async () => {
    const r = await cli(['run', scenario4, '--timing']);
    expect(r.out).toMatch(/\n {2}loaded in [\d.]+m?s, ran in [\d.]+m?s: \d+ events, \d+ packets, \d+ drops, [\d.]+s simulated\n/);
    const plain = await cli(['run', scenario4]);
    expect(plain.out).not.toContain('ran in');
  });

  it('draws progress on a terminal stderr only, never on stdout, and clears it', async () => {
    let drawn = '';
    const tty = Object.assign(
      new Writable({
        write(chunk, _enc, done) {
          drawn += String(chunk);
          done();
        },
      }),
      { isTTY: true, columns: 120, rows: 40, cursorTo: () => true, moveCursor: () => true, clearLine: () => true, clearScreenDown: () => true },
    ) as unknown as NodeJS.WriteStream;
    const file = repeated(20_000);
    const shown = await cli(['run', file, '--json'], { progress: tty, progressAfterMs: 0 });
    expect(drawn).toMatch(/running .*repeat-20000\.yaml/);
    expect(drawn).toMatch(/\/20001 flows/);
    JSON.parse(shown.out);
    expect(shown.err).toBe('');
    const quiet = await cli(['run', file, '--json']);
    expect(quiet.out).toBe(shown.out);
  }, 30_000);

  it('ends quietly with exit code 141 when stdout is closed (sgsim run … | head)', async () => {
    const file = repeated(30_000);
    for (const args of [[file], [file, '--json'], [file, scenario4, '--jobs', '2']]) {
      const child = spawn(process.execPath, [bin, 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      child.stdout.once('data', () => child.stdout.destroy());
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      expect(err).toBe('');
      expect(code).toBe(141);
    }
  }, 60_000);

  it('says once that stdout cannot be written (a full disk) and exits 74, without a stack trace', async () => {
    for (const args of [[scenario4], [scenario4, '--json']]) {
      const out = openSync('/dev/full', 'w');
      const child = spawn(process.execPath, [bin, 'run', ...args], { stdio: ['ignore', out, 'pipe'] });
      closeSync(out);
      let err = '';
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      expect(code).toBe(74);
      expect(err).toMatch(/^sgsim: cannot write to stdout: ENOSPC[^\n]*\n$/);
    }
  }, 60_000);
});
