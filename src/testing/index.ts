/**
 * sgsim/testing: fast-check arbitraries of valid worlds and their timelines, for property tests.
 *
 * `specArb(options)` draws a whole scenario (regions, groups and their rules, instances,
 * external hosts, and a timeline of rule changes, lifecycle events and traffic) as a valid,
 * normalized ScenarioSpec that `runScenario` runs as it is. It is built from a blueprint of
 * small numbers (`rawWorldArb`, turned into a spec by the pure `buildSpec`), so fast-check
 * shrinks a failing scenario to a small one. WorldOptions sizes and shapes what is drawn.
 *
 * Imports only the public API (src/index.ts) and fast-check, which is a peer dependency: the
 * arbitraries are made with the consumer's own fast-check (^4), the one its `fc.assert` runs.
 * The repository's own properties (test/props) use these same arbitraries.
 */
export { specArb, buildSpec } from './interpret.ts';
export {
  rawWorldArb,
  KNOWN_BUG_GUARDS,
  type WorldOptions,
  type RawWorld,
  type RawRegion,
  type RawRule,
  type RawSource,
  type RawProto,
  type RawService,
  type RawInstance,
  type RawExternal,
  type RawAction,
  type AddressKind,
} from './blueprint.ts';
export { EXTERNAL_IPS, UNHELD_IPS, TRAFFIC_PORTS, EPHEMERAL, eipPool } from './plan.ts';
export { settingsWith, withEntries, shifted, withTcp, tcpSettingsArb, rulesEverHeld } from './transform.ts';
