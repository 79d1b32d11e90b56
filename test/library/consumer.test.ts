/**
 * test/library/consumer: sgsim as a package, from a fresh project, the way a user installs it.
 *
 * Packs this repository with `npm pack` (which runs `prepare`, the build), installs the tarball
 * into a new project in a temporary directory (its dependencies from npm's cache when it has
 * them), and there runs the README's three examples ("Use sgsim as a library", read from the
 * README itself): `main.mjs` with plain `node`, `check.ts` with `tsc --strict` (and a file that
 * misuses the API, which tsc must reject), `property.test.ts` with vitest and fast-check through
 * `sgsim/testing`; and the installed `sgsim` command on a YAML file and on a `.ts` builder script
 * that imports 'sgsim'. typescript, vitest, fast-check and @types/node are the repository's own,
 * linked into the project (nothing is downloaded that the repository already has).
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const LINKED = ['typescript', 'vitest', 'fast-check', '@types/node'];

/** The code blocks of the README's library section, by the file name after their language. */
export function readmeExamples(readme: string): Map<string, string> {
  const start = readme.indexOf('## Use sgsim as a library');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const out = new Map<string, string>();
  for (const m of section.matchAll(/^```(\w+) (\S+)\n([\s\S]*?)^```$/gm)) out.set(m[2], m[3]);
  return out;
}

let dir = '';
let app = '';

function run(cmd: string, args: string[], cwd = app): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }, timeout: 240_000 });
}
const output = (r: SpawnSyncReturns<string>): string => `exit ${r.status}\n${r.stdout}\n${r.stderr}`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sgsim-consumer-'));
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
  ) as { filename: string }[];
  app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, type: 'module' }, null, 2));
  const install = run('npm', ['install', join(dir, packed[0].filename), '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts']);
  if (install.status !== 0) throw new Error(`npm install failed: ${output(install)}`);
  for (const name of LINKED) {
    mkdirSync(join(app, 'node_modules', name, '..'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', name), join(app, 'node_modules', name), 'dir');
  }
  for (const [file, code] of readmeExamples(readFileSync(join(ROOT, 'README.md'), 'utf8'))) writeFileSync(join(app, file), code);
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', types: ['node'], noEmit: true, skipLibCheck: false },
      files: ['check.ts'],
    }),
  );
}, 600_000);

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('a project that installs sgsim from a packed tarball', { timeout: 240_000 }, () => {
  it('gets the compiled entries, their declarations and the sources the command runs, and nothing else', () => {
    const pkg = join(app, 'node_modules', 'sgsim');
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/testing/index.js', 'dist/testing/index.d.ts', 'dist/scenario/builder-hooks.mjs', 'bin/sgsim.js', 'src/index.ts', 'schema/scenario.schema.json']) {
      expect(existsSync(join(pkg, f)), f).toBe(true);
    }
    for (const f of ['test', 'bench', 'scenarios', 'node_modules/vitest']) expect(existsSync(join(pkg, f)), f).toBe(false);
  });

  it("runs the README's main.mjs with plain node: builds a world, runs it, reads the report", () => {
    expect(readmeExamples(readFileSync(join(ROOT, 'README.md'), 'utf8')).size).toBe(3);
    const r = run(process.execPath, ['main.mjs']);
    expect(r.status, output(r)).toBe(0);
    expect(r.stdout).toContain('https: connected (ALLOWED_BY_RULE)\ndb-from-outside: timeout (ENI_SG_RULES_MISMATCH)\nweb-to-db: connected (ALLOWED_BY_RULE)\nall expectations hold\n');
    expect(r.stdout).toContain('3 flows, 3 expectations met');
  });

  it("type-checks the README's check.ts with tsc --strict (declarations of sgsim and its dependencies included), runs it, and rejects a misuse of the API", () => {
    const tsc = join(app, 'node_modules', 'typescript', 'bin', 'tsc');
    const ok = run(process.execPath, [tsc, '-p', '.', '--noEmit', 'false', '--outDir', 'out']);
    expect(ok.status, output(ok)).toBe(0);
    const ran = run(process.execPath, ['out/check.js']);
    expect(ran.status, output(ran)).toBe(0);
    expect(ran.stdout).toBe('office -> connected, cafe -> timeout\n');
    writeFileSync(join(app, 'bad.ts'), "import { runScenario } from 'sgsim';\nconst n: number = runScenario('not a spec').passed;\nconsole.log(n);\n");
    writeFileSync(join(app, 'tsconfig.bad.json'), JSON.stringify({ extends: './tsconfig.json', compilerOptions: { skipLibCheck: true }, files: ['bad.ts'] }));
    const bad = run(process.execPath, [tsc, '-p', 'tsconfig.bad.json']);
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toContain("bad.ts(2,31): error TS2345: Argument of type 'string' is not assignable to parameter of type 'ScenarioSpec'.");
    expect(bad.stdout).toContain("bad.ts(2,7): error TS2322: Type 'boolean' is not assignable to type 'number'.");
  });

  it("runs the README's property.test.ts with vitest and fast-check through sgsim/testing", () => {
    const r = run(process.execPath, [join(app, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--root', app, 'property.test.ts']);
    expect(r.status, output(r)).toBe(0);
    expect(r.stdout).toMatch(/Tests\s+1 passed \(1\)/);
  });

  it("keeps the installed sgsim command working, on YAML and on a .ts builder script that imports 'sgsim'", () => {
    writeFileSync(
      join(app, 'ping.ts'),
      [
        "import { scenario } from 'sgsim';",
        "export default scenario('ping out', { seed: 3 })",
        "  .region('us-east-1')",
        "  .instance('a', { region: 'us-east-1' })",
        "  .instance('b', { region: 'us-east-1' })",
        "  .at('0s').ping({ from: 'a', to: 'b.private' }, { expect: 'replied' });",
        '',
      ].join('\n'),
    );
    copyScenario('01-same-group-private-cidr.yaml');
    const r = run(join(app, 'node_modules', '.bin', 'sgsim'), ['run', 'ping.ts', '01-same-group-private-cidr.yaml', '--json']);
    expect(r.status, output(r)).toBe(0);
    const out = JSON.parse(r.stdout) as { scenarios: { scenario: string; passed: boolean }[]; errors: unknown[] };
    expect(out.errors).toEqual([]);
    expect(out.scenarios.map((x) => [x.scenario, x.passed])).toEqual([
      ['ping out', true],
      ['Scenario 1 - same group, private CIDR rule', true],
    ]);
  });
});

function copyScenario(name: string): void {
  writeFileSync(join(app, name), readFileSync(join(ROOT, 'scenarios', name)));
}
