/**
 * The vitest configuration Stryker uses (`npm run mutation`, stryker.config.json).
 *
 * The same tests as `npm test` (vitest.config.ts), properties included, with two differences:
 * - the fast-check seed of the property suite is fixed (SGSIM_PROPS_SEED, overridable from the
 *   environment), so every mutant meets the same generated cases and a mutant's verdict does
 *   not depend on the clock; property runs keep their default sizes (SGSIM_PROPS_RUNS unset);
 * - test files run cheapest first (the unit tests of the mutated directories, test/policy,
 *   test/conntrack and test/fabric, then the other unit tests, scenarios, the CLI, and the
 *   property suite last). Stryker stops a mutant's run at its first failing test, so
 *   a mutant the quick tests kill never waits for the properties. Vitest's own order runs the
 *   slowest files first, which is right for a full run and wrong here.
 */
import { relative } from 'node:path';
import { defineConfig, mergeConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import base from './vitest.config.ts';

/** The tests of the directories stryker.config.json mutates: the likeliest to kill a mutant. */
const MUTATED_TESTS = ['test/policy/', 'test/conntrack/', 'test/fabric/'];

function rank(file: string): number {
  if (MUTATED_TESTS.some((dir) => file.startsWith(dir))) return 0;
  if (file.startsWith('test/props/')) return 4;
  if (file.startsWith('test/cli/')) return 3;
  if (file.startsWith('test/scenario')) return 2;
  return 1;
}

class CheapestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const key = (f: TestSpecification) => relative(process.cwd(), f.moduleId).split('\\').join('/');
    return [...files].sort((a, b) => rank(key(a)) - rank(key(b)) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }
}

export default mergeConfig(
  base,
  defineConfig({
    test: {
      env: {
        SGSIM_PROPS_SEED: process.env.SGSIM_PROPS_SEED ?? '20261126',
      },
      sequence: { sequencer: CheapestFirst },
    },
  }),
);
