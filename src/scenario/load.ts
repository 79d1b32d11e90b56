/**
 * scenario/load: the loader's entry point (its rooms are in scenario/load/, listed in
 * load/index.ts): a scenario file or text to a validated ScenarioSpec, or to every diagnostic.
 */
export * from './load/index.ts';
