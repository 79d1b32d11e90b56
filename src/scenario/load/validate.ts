/**
 * scenario/load/validate: a whole document checked and normalized to a ScenarioSpec.
 *
 * Owns: the order of the checks (names first, then the sections, then the timeline replay),
 * the document's own fields (version, name, description, platform, seed) and the assembly of
 * the normalized spec (scenario/spec.ts): durations in integer ns, addresses as uint32, group
 * keys, every default, the timeline sorted.
 */
import { basename, extname } from 'node:path';
import { formatPath, shown, type Diagnostic } from '../diagnostics.ts';
import { TOP_LEVEL_FIELDS, describeValue } from '../schema.ts';
import type { ScenarioSpec } from '../spec.ts';
import { checkTrafficTotals, collectTimelineNames } from './entries.ts';
import { checkExternal, checkInstances } from './hosts.ts';
import { collectGroupNames, collectHostNames } from './names.ts';
import { parseScenarioText, type ScenarioFormat } from './parse.ts';
import { checkGroups, checkRegions, checkSettings } from './sections.ts';
import type { Names, ScenarioState } from './state.ts';
import { Checker, absent, readDocument } from './structure.ts';
import { checkTimeline } from './timeline.ts';

export type ValidationResult = { ok: true; spec: ScenarioSpec } | { ok: false; diagnostics: Diagnostic[] };

/** Checks a plain document completely and, when it is valid, normalizes it to a ScenarioSpec. */
export function validateScenario(doc: unknown, file: string): ValidationResult {
  // A document from code may nest without bound, hold a cycle, or throw when read: read it once.
  const read = readDocument(doc);
  if (!read.ok) return { ok: false, diagnostics: [shown({ file, path: formatPath(read.path), message: read.message })] };
  return validateTree(read.doc, file);
}

/** validateScenario for a document known to nest within MAX_DEPTH and hold no cycle (a parsed one). */
function validateTree(doc: unknown, file: string): ValidationResult {
  const c = new Checker();
  const spec = checkScenario(c, doc, defaultName(file));
  const diagnostics = c.sorted(doc, file);
  if (diagnostics.length > 0 || !spec) {
    return { ok: false, diagnostics: diagnostics.length ? diagnostics.map(shown) : [{ file, path: '', message: 'invalid scenario' }] };
  }
  return { ok: true, spec };
}

export function defaultName(file: string): string {
  const base = basename(file);
  const ext = extname(base);
  return ext && ext !== base ? base.slice(0, -ext.length) : base;
}

function checkScenario(c: Checker, doc: unknown, fallbackName: string): ScenarioSpec | undefined {
  if (absent(doc)) {
    c.error([], 'the scenario is empty (expected a mapping with version: 1, regions and the rest)');
    return undefined;
  }
  const root = c.mapping(doc, [], TOP_LEVEL_FIELDS, 'a scenario (a mapping with version: 1, regions, groups, instances, timeline, …)');
  if (!root) return undefined;

  // version, name, description, platform, seed
  if (absent(root.version)) c.error(['version'], 'version is required (write version: 1)');
  else if (root.version !== 1) {
    c.error(['version'], `${describeValue(root.version)} is not a supported version (this sgsim reads version 1)`);
  }
  let name = fallbackName;
  if (!absent(root.name)) name = c.string(root.name, ['name'], 'the scenario name') ?? name;
  let description: string | undefined;
  if (!absent(root.description)) {
    if (typeof root.description === 'string') description = root.description;
    else c.error(['description'], `expected a description (a string), got ${describeValue(root.description)}`);
  }
  if (!absent(root.platform) && root.platform !== 'classic') {
    c.error(
      ['platform'],
      root.platform === 'vpc'
        ? 'platform vpc is reserved for a later version; version 1 supports classic (platform vpc is not supported yet)'
        : `unknown platform ${describeValue(root.platform)} (version 1 supports classic)`,
    );
  }
  let seed = '0';
  if (!absent(root.seed)) {
    if (typeof root.seed === 'string') seed = root.seed;
    else if (typeof root.seed === 'number' && Number.isSafeInteger(root.seed)) seed = String(root.seed);
    else c.error(['seed'], `expected a seed (a string or an integer), got ${describeValue(root.seed)}`);
  }

  const settings = checkSettings(c, root.settings);
  const regions = checkRegions(c, root.regions);
  const names: Names = { regions, groups: new Map(), hosts: new Map() };
  const state: ScenarioState = { names, settings, addresses: new Map(), eipRegion: new Map(), groupLists: new Map() };

  collectGroupNames(c, root.groups, names);
  collectHostNames(c, root.instances, root.external, names);
  const timelineDocs = collectTimelineNames(c, root.timeline, names);

  const groups = checkGroups(c, root.groups, state);
  const instances = checkInstances(c, root.instances, state);
  const external = checkExternal(c, root.external, state);
  const timeline = checkTimeline(c, timelineDocs, state, groups, instances);
  checkTrafficTotals(c, timeline);

  if (c.count > 0) return undefined;
  return {
    version: 1,
    name,
    ...(description !== undefined ? { description } : {}),
    platform: 'classic',
    seed,
    settings,
    regions: [...regions.values()],
    groups,
    instances,
    external,
    timeline,
  };
}

/** Parses and validates scenario text in one step. */
export function loadScenarioText(text: string, file: string, format: ScenarioFormat): ValidationResult {
  const parsed = parseScenarioText(text, file, format);
  return parsed.ok ? validateTree(parsed.doc, file) : parsed;
}
