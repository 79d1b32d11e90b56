/**
 * test/faults: every planted fault (test/faults/f*.diff) still applies to the code as it is.
 * The fault suite itself (run.sh) takes minutes and is not part of `npm test`, so a change to
 * the code a patch touches could leave the patch stale unnoticed: f1 no longer applied after
 * a change to `arrive`, and the suite then reported it as not applying rather than as caught.
 * This checks only that each applies (`git apply --check`, nothing written); run.sh checks
 * that each is caught.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIR = join(ROOT, 'test', 'faults');
const PATCHES = readdirSync(DIR)
  .filter((f) => /^f\d+\.diff$/.test(f))
  .sort();

describe('the planted faults', () => {
  it('are there (six, f1-f6)', () => {
    expect(PATCHES).toEqual(['f1.diff', 'f2.diff', 'f3.diff', 'f4.diff', 'f5.diff', 'f6.diff']);
  });

  it.each(PATCHES)('%s applies to the current code (re-cut it if not)', (patch) => {
    // Throws (with git's message naming the file and line) if the patch does not apply.
    execFileSync('git', ['apply', '--check', join(DIR, patch)], { cwd: ROOT, stdio: 'pipe' });
  });
});
