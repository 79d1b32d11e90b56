/**
 * bench/compare's pure parts (the median, the JSON line of a child's output, the outcome counts
 * compared between base and head) and its usage errors (exit status 2, one message). Running it
 * against a revision (a git worktree and two benchmark runs) is left to people: it changes
 * the repository's worktree list while it runs.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lastJsonLine, median, outcomesOf, shown } from '../../bench/compare.ts';

const REPO_DIR = fileURLToPath(new URL('../..', import.meta.url));

describe('bench/compare', () => {
  it('shown: a median as printed, at most six significant digits (the mean of two is often not short)', () => {
    expect(shown((6.417 + 6.62) / 2)).toBe('6.5185');
    expect(shown(6.5184999999999995)).toBe('6.5185');
    expect(shown(124898)).toBe('124898');
    expect(shown(1234567.5)).toBe('1234570');
    expect(shown(0.000123456789)).toBe('0.000123457');
  });

  it('median: the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('lastJsonLine: the last line that is a JSON object, whatever precedes or follows it', () => {
    expect(lastJsonLine('progress…\n{"a":1}\n{"b":2}\n')).toEqual({ b: 2 });
    expect(lastJsonLine('{"a":1}\nnot json\n')).toEqual({ a: 1 });
    expect(lastJsonLine('[1,2]\n3\n')).toBeNull();
    expect(lastJsonLine('')).toBeNull();
  });

  it('outcomesOf: only the counts of what was decided, so timings may differ and counts may not', () => {
    const a = { workload: 'W3', loop_s: 7.1, connected: 5, timeout: 2, codes: { X: 7 }, packets: 9 };
    const b = { ...a, loop_s: 9.9, peak_rss_mb: 1500 };
    expect(outcomesOf(a)).toBe(outcomesOf(b));
    expect(outcomesOf({ ...a, timeout: 3 })).not.toBe(outcomesOf(a));
    expect(outcomesOf({ ...a, codes: { X: 6, Y: 1 } })).not.toBe(outcomesOf(a));
  });

  it('outcomesOf: the events the model ran, not those the kernel ran, where a line says both (W3 elides fast-forwarded events)', () => {
    const a = { workload: 'W3', events: 3_140_450, events_model: 13_453_670, connected: 5 };
    expect(outcomesOf({ ...a, events: 2_281_015 })).toBe(outcomesOf(a));
    expect(outcomesOf({ ...a, events_model: 13_453_671 })).not.toBe(outcomesOf(a));
    // W1 and W2 print only the kernel's count, which is then the model's
    expect(outcomesOf({ workload: 'W1', events: 2 })).not.toBe(outcomesOf({ workload: 'W1', events: 3 }));
  });

  it('usage errors exit with status 2 and say what is wrong', () => {
    const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'bench/compare.ts', ...args], { cwd: REPO_DIR, encoding: 'utf8' });
    const noBase = run('bench/w4-rules.ts');
    expect(noBase.status).toBe(2);
    expect(noBase.stderr).toContain('--base is required');
    const noFile = run('--base', 'HEAD', 'bench/nope.ts');
    expect(noFile.status).toBe(2);
    expect(noFile.stderr).toContain('no such bench file here: bench/nope.ts');
    const badRev = run('--base', 'no-such-revision-xyz', 'bench/w4-rules.ts');
    expect(badRev.status).toBe(2);
    expect(badRev.stderr).toContain('not a revision of this repository: no-such-revision-xyz');
    const badRuns = run('--base', 'HEAD', '--runs', '0', 'bench/w4-rules.ts');
    expect(badRuns.status).toBe(2);
    expect(run('--help').stdout).toContain('usage: npx tsx bench/compare.ts --base');
  });
});
