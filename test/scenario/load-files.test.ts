/**
 * Tests of scenario/load/files: whatever a path names, loadScenarioFile answers at once with
 * one diagnostic naming the file and what the path is (never a hang, never a throw), and a
 * file too large for its format is refused with the limit.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SCENARIO_BYTES, loadScenarioFile } from '../../src/index.ts';
import { describeFsError } from '../../src/scenario/load/files.ts';

const VALID = 'version: 1\nregions: { r1: {} }\n';
let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'sgsim-files-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

async function only(path: string): Promise<{ file: string; path: string; message: string }> {
  const r = await loadScenarioFile(path);
  expect(r.ok).toBe(false);
  if (r.ok) throw new Error('loaded');
  expect(r.file).toBe(path);
  expect(r.diagnostics).toHaveLength(1);
  expect(r.diagnostics[0].file).toBe(path);
  return r.diagnostics[0];
}

describe('a path that is not a regular file is one diagnostic, answered at once', () => {
  it('a FIFO (opening it for reading would block until a writer came)', { timeout: 5000 }, async () => {
    const fifo = join(tmp, 'pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    expect(await only(fifo)).toEqual({ file: fifo, path: '', message: 'cannot read the file: it is a FIFO (a named pipe), not a regular file' });
  });

  it('a device, through a symlink with a scenario extension (/dev/zero never ends)', { timeout: 5000 }, async () => {
    const link = join(tmp, 'zero.yaml');
    symlinkSync('/dev/zero', link);
    expect((await only(link)).message).toBe('cannot read the file: it is a device, not a regular file');
    const stdin = join(tmp, 'tty.json');
    symlinkSync('/dev/null', stdin);
    expect((await only(stdin)).message).toBe('cannot read the file: it is a device, not a regular file');
  });

  it('a symlink loop', async () => {
    symlinkSync(join(tmp, 'b.yaml'), join(tmp, 'a.yaml'));
    symlinkSync(join(tmp, 'a.yaml'), join(tmp, 'b.yaml'));
    expect((await only(join(tmp, 'a.yaml'))).message).toBe('cannot read the file: it is a symlink loop (too many levels of symbolic links)');
  });

  it('a directory named like a scenario file, and a path through a file', async () => {
    const dir = join(tmp, 'folder.json');
    mkdirSync(dir);
    expect((await only(dir)).message).toBe('cannot read the file: it is a directory');
    const plain = join(tmp, 'plain.yaml');
    writeFileSync(plain, VALID);
    expect((await only(join(plain, 'x.yaml'))).message).toBe('cannot read the file: a part of the path is not a directory');
  });

  it('an unreadable file', async (ctx) => {
    // Root reads a file whatever its mode, so the mode cannot be tested as root (the tests run
    // as root in CI's container); the error's words are tested below either way.
    if (process.getuid?.() === 0) ctx.skip();
    const locked = join(tmp, 'locked.yaml');
    writeFileSync(locked, VALID);
    chmodSync(locked, 0o000);
    expect((await only(locked)).message).toBe('cannot read the file: permission denied');
  });

  it('says each file system error in words, never the library\'s text', () => {
    const err = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: raw text, open '/x'`), { code });
    expect(describeFsError(err('EACCES'))).toBe('permission denied');
    expect(describeFsError(err('EPERM'))).toBe('permission denied');
    expect(describeFsError(err('ELOOP'))).toBe('it is a symlink loop (too many levels of symbolic links)');
    expect(describeFsError(err('EISDIR'))).toBe('it is a directory');
    expect(describeFsError(err('EXDEV'))).toBe('error EXDEV');
  });

  it('a regular file beside them still loads', async () => {
    const ok = join(tmp, 'fine.yaml');
    writeFileSync(ok, VALID);
    expect((await loadScenarioFile(ok)).ok).toBe(true);
  });
});

describe('size limits', () => {
  it('refuses a file above the limit, with its size and the limit, before parsing it', async () => {
    const big = join(tmp, 'big.yaml');
    writeFileSync(big, VALID + `description: "${'x'.repeat(2000)}"\n`);
    const r = await loadScenarioFile(big, { maxBytes: 1000 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics).toEqual([{ file: big, path: '', message: expect.stringMatching(/^the file is too large to load: 2\d{3} bytes; the limit is 1000 bytes; write a world this large as JSON/) }]);
    expect((await loadScenarioFile(big, { maxBytes: 10_000 })).ok).toBe(true);
  });

  it('allows JSON well above the generated 10^6-instance world, YAML less, and says to use JSON', async () => {
    expect(MAX_SCENARIO_BYTES.json).toBeGreaterThan(225_000_000 * 1.4);
    expect(MAX_SCENARIO_BYTES.yaml).toBeLessThan(MAX_SCENARIO_BYTES.json);
    const big = join(tmp, 'huge.yaml');
    writeFileSync(big, '');
    // A sparse file: its size is what stat says, no disk is written.
    execFileSync('truncate', ['-s', String(MAX_SCENARIO_BYTES.yaml + 1), big]);
    const r = await loadScenarioFile(big);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics[0].message).toMatch(/limit is 32 MiB; write a world this large as JSON \(up to 320 MiB\)/);
  });
});
