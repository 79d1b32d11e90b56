/**
 * A builder script cannot end, stall or pollute a run: one that calls process.exit, loops
 * forever, prints or throws is one invalid file (exit 2, the file named, what it did), its
 * output never reaches sgsim's stdout (so --json stays one document), and the other files of
 * the run are still reported. Run through bin/sgsim.js, as a user runs it: a script's
 * process.exit or console.log would otherwise act on (or hide in) the test runner itself.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'sgsim.js');

const BODY = `import { scenario } from 'sgsim';
export default scenario('fine', { seed: 1 })
  .region('us-east-1')
  .instance('a', { region: 'us-east-1' })
  .instance('b', { region: 'us-east-1' })
  .at('0s').ping({ from: 'a', to: 'b.private' }, { expect: 'replied' });
`;

const SCRIPTS: Record<string, string> = {
  'a-fine.ts': BODY,
  'b-exits.ts': `process.exit(0);\n${BODY}`,
  'c-loops.ts': `while (true) {}\n${BODY}`,
  'd-prints.ts': `console.log('hello from the script');\n${BODY}`,
  'e-throws.ts': `throw new Error('boom');\n${BODY}`,
  'f-writes-stderr.ts': `process.stderr.write('a warning\\n');\n${BODY}`,
  'f2-writes-fd-1.ts': `import { writeSync } from 'node:fs';\nwriteSync(1, 'RAW');\n${BODY}`,
  'f3-kills-its-process.ts': `process.kill(process.pid, 'SIGTERM');\n${BODY}`,
  'g-fine.yaml': `version: 1
name: after the scripts
regions: { us-east-1: {} }
instances: { a: { region: us-east-1 }, b: { region: us-east-1 } }
timeline:
  - { at: 0s, ping: { from: a, to: b.private }, expect: replied }
`,
};

let dir: string;
let run: { status: number | null; stdout: string; stderr: string };
let errors: { file: string; message: string }[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sgsim-isolation-'));
  for (const [name, text] of Object.entries(SCRIPTS)) writeFileSync(join(dir, name), text);
  const r = spawnSync(process.execPath, [bin, 'run', dir, '--json', '--load-timeout', '3s', '--jobs', '2'], { encoding: 'utf8', timeout: 60_000 });
  run = { status: r.status, stdout: r.stdout, stderr: r.stderr };
  errors = JSON.parse(r.stdout).errors;
}, 90_000);

const errorOf = (name: string) => errors.find((e) => e.file === join(dir, name))?.message;

describe('a builder script that misbehaves while loading', () => {
  it('leaves --json one JSON document on stdout, exit 2, and the well-behaved files reported', () => {
    expect(run.status).toBe(2);
    const doc = JSON.parse(run.stdout);
    expect(doc.scenarios.map((s: { file: string }) => s.file)).toEqual([join(dir, 'a-fine.ts'), join(dir, 'g-fine.yaml')]);
    expect(doc.scenarios.every((s: { passed: boolean }) => s.passed)).toBe(true);
    expect(errors).toHaveLength(7);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('calling process.exit is reported, not obeyed', () => {
    expect(errorOf('b-exits.ts')).toBe('the builder script called process.exit(0) while loading');
  });

  it('looping forever is stopped at --load-timeout', () => {
    expect(errorOf('c-loops.ts')).toBe('the builder script did not finish loading within 3 s (--load-timeout)');
  });

  it('printing is reported with what it printed, which never reaches stdout', () => {
    expect(errorOf('d-prints.ts')).toBe('the builder script printed to stdout while loading ("hello from the script\\n"); a builder script only exports its scenario');
    expect(errorOf('f-writes-stderr.ts')).toMatch(/^the builder script printed to stderr while loading \("a warning\\n"\)/);
    expect(run.stdout).not.toContain('hello from the script\n');
  });

  it('writing to file descriptor 1 directly is caught as well: the script runs in a process of its own', () => {
    expect(errorOf('f2-writes-fd-1.ts')).toBe('the builder script printed to stdout while loading ("RAW"); a builder script only exports its scenario');
    // (Only inside the message quoting it.)
    expect(run.stdout.replaceAll('(\\"RAW\\")', '')).not.toContain('RAW');
  });

  it('killing its own process ends only that process', () => {
    expect(errorOf('f3-kills-its-process.ts')).toBe("the builder script's process was ended by SIGTERM while loading");
  });

  it('throwing is reported with the error', () => {
    expect(errorOf('e-throws.ts')).toBe('could not load the builder script: boom');
  });

  it('each message names its file on stderr, one line each', () => {
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(7);
    for (const name of ['b-exits.ts', 'c-loops.ts', 'd-prints.ts', 'e-throws.ts', 'f-writes-stderr.ts', 'f2-writes-fd-1.ts', 'f3-kills-its-process.ts']) {
      expect(lines.some((l) => l.startsWith(`error ${join(dir, name)}: `))).toBe(true);
    }
  });
});

describe('--load-timeout', () => {
  it('rejects a value that is not a duration with exit code 2', () => {
    const r = spawnSync(process.execPath, [bin, 'run', join(root, 'scenarios'), '--load-timeout', 'soon'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--load-timeout');
  }, 30_000);
});
