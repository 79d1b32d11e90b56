/**
 * test/props/arbitraries: the arbitraries the properties draw scenarios from.
 *
 * They live in src/testing/ (published as `sgsim/testing`, so users write their own property
 * tests with them); the public entry exports a curated few, and this module re-exports every
 * module of it whole, for the properties that need the leaf arbitraries and helpers too.
 * See src/testing/index.ts for what the arbitraries draw.
 */
export * from '../../src/testing/plan.ts';
export * from '../../src/testing/blueprint.ts';
export * from '../../src/testing/interpret.ts';
export * from '../../src/testing/transform.ts';
