/**
 * The vitest configuration Stryker uses (`npm run mutation`, stryker.config.json).
 *
 * The same tests as `npm test` (vitest.config.ts), properties included, with one difference:
 * the fast-check seed is fixed (SGSIM_PROPS_SEED, overridable from the environment), so that
 * every mutant meets the same generated cases and a mutant's verdict does not depend on the
 * clock. Property runs keep their default sizes (SGSIM_PROPS_RUNS unset).
 */
import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

export default mergeConfig(
  base,
  defineConfig({
    test: {
      env: {
        SGSIM_PROPS_SEED: process.env.SGSIM_PROPS_SEED ?? '20261126',
      },
    },
  }),
);
