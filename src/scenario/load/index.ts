/**
 * scenario/load: from a file (YAML, JSON or a TypeScript builder script) to a validated,
 * normalized ScenarioSpec, or to the complete list of what is wrong with it. Bad input never
 * throws: every problem becomes a Diagnostic naming the file and the field path.
 *
 * The rooms, each owning one concern (docs/design.md, "Scenarios"):
 *   files.ts           reading a path (what it is, its size), the scenario extensions
 *   builder-script.ts  importing a `.ts` builder script and taking its document
 *   parse.ts           YAML and JSON text to a plain document (syntax, duplicate keys, depth)
 *   structure.ts       the Checker: problems with paths, the structural readers
 *   validate.ts        the order of the checks and the normalized spec
 *   names.ts           declared names (regions, groups, hosts) and their lookups
 *   sections.ts        settings, regions, groups      rules.ts   one ingress rule
 *   hosts.ts           instances and external hosts   addresses.ts  address fields and claims
 *   entries.ts         timeline entries at first look (action, id, repeat)
 *   timeline.ts        the static replay in time order, with rule-changes.ts and expect.ts
 *   messages.ts        the shared phrases (entry references, exact times, rules as written)
 * Does not own: the written form's types and leaf notations (scenario/schema.ts), the
 * diagnostic record (scenario/diagnostics.ts), running (scenario/run.ts), printing (cli/).
 */
export { MAX_SCENARIO_BYTES, SCENARIO_EXTENSIONS, isScenarioFile, loadScenarioFile, readScenarioText, type LoadOptions, type LoadResult } from './files.ts';
export { MAX_DEPTH } from './structure.ts';
export { MAX_DATAGRAMS, MAX_FLOWS, MAX_REPEAT, MAX_SEND_COUNT } from './entries.ts';
export { parseScenarioText, type ParseResult, type ScenarioFormat } from './parse.ts';
export { loadScenarioText, validateScenario, type ValidationResult } from './validate.ts';
export { builderScriptUrl, importBuilderScript, loadErrorMessage } from './builder-script.ts';
