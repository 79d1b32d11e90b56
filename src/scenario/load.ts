/**
 * scenario/load: from a file (YAML, JSON or a TypeScript builder script) to a validated,
 * normalized ScenarioSpec, or to the complete list of what is wrong with it.
 *
 * Owns: reading scenario files and parsing their text (syntax errors with line and column),
 * the structural check of a document (every field, unknown fields are errors), the semantic
 * checks that need the whole scenario (names, regions, addresses, Elastic IP regions, limits),
 * a static walk of the timeline in time order that tracks each group's rules, each instance's
 * lifecycle, Elastic IP holders and connection ids (so that "revoke of a rule not held at that
 * time" is an input error with a precise path), and normalization to scenario/spec.ts
 * (durations in integer nanoseconds, addresses as uint32, group keys, defaults, sorted timeline).
 * Bad input never throws: every problem becomes a Diagnostic naming the file and field path.
 * Does not own: the written form's types and leaf notations (scenario/schema.ts), the
 * diagnostic record (scenario/diagnostics.ts), running a scenario or judging its outcomes
 * (scenario/run.ts), or printing anything (cli/).
 *
 * Why no zod: diagnostics must come in file order, name the field in the format's own path
 * style, and carry context a schema library does not have (the known names, the rules a group
 * holds at that time). A small set of hand-written readers below does that in one pass with
 * one message per problem; zod's issue order and texts would need as much code to undo.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { register as registerHooks } from 'node:module';
import { LineCounter, isNode, isScalar, parseDocument, visit } from 'yaml';
import { formatCidr, formatIp, isClassicPrivate, parseCidr, parseIp, type Ip } from '../net/ipv4.ts';
import { formatIcmp, formatPorts, type IcmpMatch, type PortRange, type RuleProtocol } from '../net/protocol.ts';
import {
  DEFAULT_GROUP,
  groupDisplayName,
  groupKey,
  sameRule,
  type InstanceSpec,
  type Region,
  type Rule,
  type RuleSource,
  type SecurityGroup,
  type Service,
} from '../model/types.ts';
import {
  DEFAULT_SETTINGS,
  NS_PER_MS,
  NS_PER_S,
  NS_PER_US,
  OUTCOMES,
  TRAFFIC_ACTIONS,
  type Action,
  type ActionKind,
  type AddressSpec,
  type Expectation,
  type ExternalSpec,
  type Nanos,
  type Outcome,
  type PathKind,
  type ScenarioSpec,
  type Settings,
  type TimelineEntry,
} from './spec.ts';
import { formatPath, type Diagnostic, type PathSegment } from './diagnostics.ts';
import {
  ACTION_KEYS,
  ADDRESS_KINDS,
  ENTRY_FIELDS,
  EXPECT_FIELDS,
  EXPLANATION_CODES,
  EXTERNAL_FIELDS,
  GROUP_FIELDS,
  ICMP_FIELDS,
  INSTANCE_FIELDS,
  LAUNCH_FIELDS,
  PROTOCOL_NAMES,
  REGION_FIELDS,
  RULE_FIELDS,
  SOURCE_FIELDS,
  TOP_LEVEL_FIELDS,
  checkIcmp,
  closest,
  describeValue,
  isProblem,
  listOf,
  parseAddressSyntax,
  parseDuration,
  parseIcmpText,
  parsePorts,
  parseService,
  type ActionKey,
} from './schema.ts';

// =============================================================================================
// Public API

export type ScenarioFormat = 'yaml' | 'json';

export type ParseResult = { ok: true; doc: unknown } | { ok: false; diagnostics: Diagnostic[] };
export type ValidationResult = { ok: true; spec: ScenarioSpec } | { ok: false; diagnostics: Diagnostic[] };
export type LoadResult =
  | { ok: true; spec: ScenarioSpec; file: string }
  | { ok: false; diagnostics: Diagnostic[]; file: string };

/** File extensions `loadScenarioFile` reads (lower case, with the dot). */
export const SCENARIO_EXTENSIONS: readonly string[] = ['.yaml', '.yml', '.json', '.ts'];

/** Whether a path names a scenario file by its extension. */
export function isScenarioFile(path: string): boolean {
  return SCENARIO_EXTENSIONS.includes(extname(path).toLowerCase());
}

/** Parses YAML or JSON text into a plain document; syntax errors become diagnostics with line and column. */
export function parseScenarioText(text: string, file: string, format: ScenarioFormat): ParseResult {
  const source = text.replace(/^\uFEFF/, '');
  return format === 'json' ? parseJsonText(source, file) : parseYamlText(source, file);
}

/** Checks a plain document completely and, when it is valid, normalizes it to a ScenarioSpec. */
export function validateScenario(doc: unknown, file: string): ValidationResult {
  const c = new Checker();
  const spec = checkScenario(c, doc, defaultName(file));
  const diagnostics = c.sorted(doc, file);
  if (diagnostics.length > 0 || !spec) {
    return { ok: false, diagnostics: diagnostics.length ? diagnostics : [{ file, path: '', message: 'invalid scenario' }] };
  }
  return { ok: true, spec };
}

/** Parses and validates scenario text in one step. */
export function loadScenarioText(text: string, file: string, format: ScenarioFormat): ValidationResult {
  const parsed = parseScenarioText(text, file, format);
  return parsed.ok ? validateScenario(parsed.doc, file) : parsed;
}

/**
 * Reads a scenario file (`.yaml`, `.yml`, `.json`, or a `.ts` builder script whose default
 * export is a builder or a plain document) and validates it. Never throws for bad input.
 */
export async function loadScenarioFile(path: string): Promise<LoadResult> {
  const file = path;
  const fail = (message: string, at = ''): LoadResult => ({ ok: false, file, diagnostics: [{ file, path: at, message }] });
  const ext = extname(path).toLowerCase();
  if (!SCENARIO_EXTENSIONS.includes(ext)) {
    return fail(`unknown file type ${ext ? `"${ext}"` : '(no extension)'} (expected .yaml, .yml, .json or .ts)`);
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return fail(`cannot read the file: ${describeFsError(err)}`);
  }
  let result: ValidationResult;
  if (ext === '.ts') {
    const doc = await importBuilderScript(path, file);
    if (!doc.ok) return { ok: false, file, diagnostics: doc.diagnostics };
    result = validateScenario(doc.doc, file);
  } else {
    result = loadScenarioText(text, file, ext === '.json' ? 'json' : 'yaml');
  }
  return result.ok ? { ok: true, spec: result.spec, file } : { ok: false, diagnostics: result.diagnostics, file };
}

// =============================================================================================
// Files and syntax

function defaultName(file: string): string {
  const base = basename(file);
  const ext = extname(base);
  return ext && ext !== base ? base.slice(0, -ext.length) : base;
}

function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return e?.message ?? String(err);
  }
}

/**
 * One line from an error thrown while importing a script: its first line, plus the compiler's
 * detail when the first line only announces it (esbuild: "Transform failed with 1 error:" then
 * "<file>:<line>:<col>: ERROR: <what>"); the script's own path is shortened to its position.
 */
function loadErrorMessage(err: unknown, path: string): string {
  if (!(err instanceof Error)) return String(err);
  const lines = err.message.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  if (lines.length === 0) return err.name;
  const head = lines[0];
  if (!head.endsWith(':') || lines.length === 1) return head;
  const abs = resolve(path);
  const detail = lines.slice(1, 4).map((l) => (l.startsWith(abs + ':') ? `line ${l.slice(abs.length + 1)}` : l));
  return `${head} ${detail.join('; ')}`;
}

let builderHooks: 'unregistered' | 'registered' | 'unavailable' = 'unregistered';

/**
 * Registers builder-hooks.mjs once (Node's module hooks): builder scripts load as ES modules
 * anywhere, and `import … from 'sgsim'` resolves even where sgsim is not installed. Under a
 * loader without Node's hooks (a test runner's), scripts load as that loader loads them.
 */
function builderScriptUrl(path: string): string {
  const url = pathToFileURL(resolve(path)).href;
  if (builderHooks === 'unregistered') {
    try {
      registerHooks(new URL('./builder-hooks.mjs', import.meta.url), { data: { index: new URL('../index.ts', import.meta.url).href } });
      builderHooks = 'registered';
    } catch {
      builderHooks = 'unavailable';
    }
  }
  return builderHooks === 'registered' ? `${url}?sgsim-builder` : url;
}

async function importBuilderScript(path: string, file: string): Promise<ParseResult> {
  const fail = (message: string): ParseResult => ({ ok: false, diagnostics: [{ file, path: '', message }] });
  let mod: { default?: unknown };
  try {
    mod = (await import(builderScriptUrl(path))) as { default?: unknown };
  } catch (err) {
    const diags = (err as { diagnostics?: unknown })?.diagnostics;
    if (Array.isArray(diags) && diags.length > 0) {
      // The script called build() itself and it failed: its diagnostics, filed under this script.
      return {
        ok: false,
        diagnostics: diags.map((d: Diagnostic) => ({ file, path: d.path, message: d.message })),
      };
    }
    return fail(`could not load the builder script: ${loadErrorMessage(err, path)}`);
  }
  const def = mod.default;
  if (def === undefined) {
    return fail('the script has no default export (expected `export default scenario(...)` or a scenario document)');
  }
  if (typeof def === 'object' && def !== null) {
    const toDocument = (def as { toDocument?: unknown }).toDocument;
    if (typeof toDocument === 'function') {
      try {
        return { ok: true, doc: toDocument.call(def) };
      } catch (err) {
        return fail(`the builder failed to produce a document: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (isPlainObject(def)) return { ok: true, doc: def };
  }
  return fail(`the default export is ${describeValue(def)} (expected a scenario builder or a scenario document)`);
}

function lineCol(text: string, pos: number): string {
  let line = 1;
  let col = 1;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      col = 1;
    } else col++;
  }
  return `line ${line}, column ${col}`;
}

function parseYamlText(text: string, file: string): ParseResult {
  const lines = new LineCounter();
  // Duplicate keys are found below with a set per mapping (the library reports none with
  // uniqueKeys: false): its own check compares each key with every earlier one, and a
  // generated file with 100,000 instances took minutes to load.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false, strict: true });
  const at = (pos: number): string => {
    const { line, col } = lines.linePos(pos);
    return `line ${line || 1}, column ${col}`;
  };
  const diagnostics: { pos: number; d: Diagnostic }[] = [];
  const duplicateKey = (pos: number): string => {
    const rest = text.slice(pos).split('\n')[0];
    const key = /^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[^:#{}[\],]+?)\s*:/.exec(rest)?.[1];
    return key
      ? `duplicate key ${key.startsWith('"') || key.startsWith("'") ? key : `"${key}"`} (each key may appear once in a mapping)`
      : 'duplicate key (each key may appear once in a mapping)';
  };
  for (const e of [...doc.errors, ...doc.warnings]) {
    let message = `invalid YAML: ${e.message.replace(/\s+at line \d+, column \d+:?[\s\S]*$/, '')}`;
    if (e.code === 'MULTIPLE_DOCS') message = 'invalid YAML: the file holds several documents (---); a scenario file holds one';
    diagnostics.push({ pos: e.pos[0], d: { file, path: at(e.pos[0]), message } });
  }
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (!seen.has(key)) {
          seen.add(key);
          continue;
        }
        const pos = isNode(pair.key) && pair.key.range ? pair.key.range[0] : (map.range?.[0] ?? 0);
        diagnostics.push({ pos, d: { file, path: at(pos), message: duplicateKey(pos) } });
      }
    },
  });
  diagnostics.sort((a, b) => a.pos - b.pos);
  if (diagnostics.length > 0) return { ok: false, diagnostics: diagnostics.map((x) => x.d) };
  try {
    return { ok: true, doc: doc.toJS({ maxAliasCount: 1000 }) };
  } catch (err) {
    return { ok: false, diagnostics: [{ file, path: '', message: `invalid YAML: ${(err as Error).message}` }] };
  }
}

function parseJsonText(text: string, file: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const raw = (err as Error).message;
    const v8Pos = /at position (\d+)/.exec(raw);
    const scanned = scanJson(text);
    const pos = v8Pos ? Number(v8Pos[1]) : scanned.syntax?.pos;
    const message = raw
      .replace(/\s*in JSON at position \d+.*$/, '')
      .replace(/\s*\(line \d+ column \d+\)/, '');
    const detail = v8Pos || !scanned.syntax ? message : scanned.syntax.message;
    return {
      ok: false,
      diagnostics: [{ file, path: pos === undefined ? '' : lineCol(text, pos), message: `invalid JSON: ${detail}` }],
    };
  }
  // JSON.parse keeps the last of duplicate keys silently; a scenario must not lose a group that way.
  const scanned = scanJson(text);
  if (scanned.duplicates.length > 0) {
    return {
      ok: false,
      diagnostics: scanned.duplicates.map((d) => ({ file, path: lineCol(text, d.pos), message: d.message })),
    };
  }
  return { ok: true, doc: value };
}

interface JsonScan {
  syntax?: { pos: number; message: string };
  duplicates: { pos: number; message: string }[];
}

/** A small JSON scanner: where the first syntax error is, and every duplicate key. */
function scanJson(text: string): JsonScan {
  const duplicates: { pos: number; message: string }[] = [];
  let i = 0;
  class Stop {
    constructor(readonly pos: number, readonly message: string) {}
  }
  const ws = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const str = (): string => {
    const start = i++;
    for (;;) {
      const ch = text[i];
      if (ch === undefined) throw new Stop(start, 'unterminated string');
      if (ch === '"') {
        i++;
        return JSON.parse(text.slice(start, i)) as string;
      }
      if (ch === '\\') i += 2;
      else if (ch < ' ') throw new Stop(i, 'control character in a string');
      else i++;
    }
  };
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      const keys = new Set<string>();
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') throw new Stop(i, 'expected a double-quoted key');
        const keyPos = i;
        const key = str();
        if (keys.has(key)) duplicates.push({ pos: keyPos, message: `duplicate key "${key}" (each key may appear once in an object)` });
        keys.add(key);
        ws();
        if (text[i] !== ':') throw new Stop(i, 'expected ":" after a key');
        i++;
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        throw new Stop(i, 'expected "," or "}"');
      }
    }
    if (ch === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        throw new Stop(i, 'expected "," or "]"');
      }
    }
    if (ch === '"') {
      str();
      return;
    }
    for (const lit of ['true', 'false', 'null']) {
      if (text.startsWith(lit, i)) {
        i += lit.length;
        return;
      }
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m && m[0].length > 0) {
      i += m[0].length;
      return;
    }
    throw new Stop(i, ch === undefined ? 'unexpected end of the text' : `unexpected character ${JSON.stringify(ch)}`);
  };
  try {
    value();
    ws();
    if (i < text.length) throw new Stop(i, 'unexpected text after the document');
    return { duplicates };
  } catch (err) {
    if (err instanceof Stop) return { syntax: { pos: err.pos, message: err.message }, duplicates };
    return { duplicates }; // e.g. nesting too deep for the stack: JSON.parse has the last word
  }
}

// =============================================================================================
// The checker: collects problems with their paths, and sorts them into file order

type Path = readonly PathSegment[];
type Obj = Record<string, unknown>;

function isPlainObject(v: unknown): v is Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** A field that is absent: missing, or written with no value (`field:` in YAML, null). */
function absent(v: unknown): v is null | undefined {
  return v === undefined || v === null;
}

class Checker {
  readonly problems: { path: Path; message: string }[] = [];

  error(path: Path, message: string): void {
    this.problems.push({ path, message });
  }

  get count(): number {
    return this.problems.length;
  }

  /** A mapping (reporting what was found instead), with unknown fields reported. */
  mapping(v: unknown, path: Path, fields: readonly string[] | null, what: string): Obj | undefined {
    if (!isPlainObject(v)) {
      this.error(path, `expected ${what}, got ${describeValue(v)}`);
      return undefined;
    }
    if (fields) this.unknownFields(v, path, fields);
    return v;
  }

  unknownFields(o: Obj, path: Path, fields: readonly string[]): void {
    for (const k of Object.keys(o)) {
      if (fields.includes(k)) continue;
      const hint = closest(k, fields);
      this.error([...path, k], `unknown field ${k} (expected one of ${fields.join(', ')}${hint ? `; did you mean ${hint}?` : ''})`);
    }
  }

  /** A non-empty string, or undefined after reporting. */
  string(v: unknown, path: Path, what: string): string | undefined {
    if (typeof v === 'string' && v.trim() !== '') return v;
    this.error(path, typeof v === 'string' ? `${what} is empty` : `expected ${what} (a string), got ${describeValue(v)}`);
    return undefined;
  }

  /** A list, or undefined after reporting. */
  list(v: unknown, path: Path, what: string): unknown[] | undefined {
    if (Array.isArray(v)) return v;
    this.error(path, `expected ${what} (a list), got ${describeValue(v)}`);
    return undefined;
  }

  duration(v: unknown, path: Path, min: 'zero' | 'positive' = 'zero'): Nanos | undefined {
    const ns = parseDuration(v);
    if (isProblem(ns)) {
      this.error(path, ns.error);
      return undefined;
    }
    if (min === 'positive' && ns === 0) {
      this.error(path, `${describeValue(v)} must be longer than 0`);
      return undefined;
    }
    return ns;
  }

  integer(v: unknown, path: Path, lo: number, hi: number, what: string): number | undefined {
    if (typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi) return v;
    const range = hi === Number.MAX_SAFE_INTEGER ? `an integer of at least ${lo}` : `an integer ${lo} to ${hi}`;
    this.error(path, `${typeof v === 'number' ? `${v} is not a valid ${what}` : `expected ${what}, got ${describeValue(v)}`} (expected ${range})`);
    return undefined;
  }

  /** Diagnostics in the order their fields appear in the document (stable for equal places). */
  sorted(doc: unknown, file: string): Diagnostic[] {
    const order = new Map<string, number>();
    let n = 0;
    const walk = (v: unknown, path: PathSegment[]): void => {
      order.set(formatPath(path), n++);
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
      else if (isPlainObject(v)) for (const k of Object.keys(v)) walk(v[k], [...path, k]);
    };
    walk(doc, []);
    const place = (path: Path): number => {
      for (let len = path.length; len >= 0; len--) {
        const hit = order.get(formatPath(path.slice(0, len)));
        if (hit !== undefined) return hit;
      }
      return 0;
    };
    return this.problems
      .map((p, i) => ({ p, i, at: place(p.path) }))
      .sort((a, b) => a.at - b.at || a.i - b.i)
      .map(({ p }) => ({ file, path: formatPath(p.path), message: p.message }));
  }
}

// =============================================================================================
// Small formatters for messages

function formatTime(ns: Nanos): string {
  if (ns % NS_PER_S === 0) return `${ns / NS_PER_S}s`;
  if (ns % NS_PER_MS === 0) return `${ns / NS_PER_MS}ms`;
  if (ns % NS_PER_US === 0) return `${ns / NS_PER_US}us`;
  return `${ns}ns`;
}

function describeRule(r: Rule): string {
  const what =
    r.protocol === 'all'
      ? 'all'
      : r.protocol === 'icmp'
        ? `icmp ${formatIcmp(r.icmp ?? { type: -1, code: -1 })}`
        : `${r.protocol} ${formatPorts(r.ports ?? { from: 0, to: 65535 })}`;
  const from = r.source.kind === 'cidr' ? formatCidr(r.source.cidr) : `group ${groupDisplayName(r.source.group)}`;
  return `${what} from ${from}`;
}

function entryRef(index: number, at: Nanos): string {
  return `timeline[${index}] at ${formatTime(at)}`;
}

// =============================================================================================
// The scenario

/** What the rest of the document needs to know about its names. */
interface Names {
  readonly regions: Map<string, Region>;
  /** User-declared groups by name; `region` is undefined when the group's own region is invalid. */
  readonly groups: Map<string, { region?: string; path: Path }>;
  readonly hosts: Map<string, HostInfo>;
}

interface HostInfo {
  readonly kind: 'instance' | 'external';
  readonly path: Path;
  /** For instances launched in the timeline: the first launch in time. */
  launch?: { index: number; at: Nanos };
}

/** Who declared an address, for the duplicate-address check. */
interface AddressClaim {
  readonly host: string;
  readonly field: 'privateIp' | 'publicIp' | 'elasticIp' | 'ip';
  readonly path: Path;
  /** An Elastic IP seen only in an `associate`, not declared by a host. */
  readonly associatedOnly?: boolean;
}

interface ScenarioState {
  readonly names: Names;
  readonly settings: Settings;
  readonly addresses: Map<Ip, AddressClaim>;
  /** Each Elastic IP's region and where that was first settled. */
  readonly eipRegion: Map<Ip, { region: string; path: Path }>;
  /**
   * Instances' group-key lists by their keys joined: instances with the same groups share one
   * list (as the generator's do), so the fabric links them to one receiver with one lookup.
   */
  readonly groupLists: Map<string, readonly string[]>;
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
        ? 'platform vpc is reserved for a later version; version 1 supports classic'
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

// ---------------------------------------------------------------------------------------------
// settings

type SettingKind = 'duration' | 'positiveDuration' | 'jitter' | 'retries' | 'positiveInt';
type SettingsShape = { readonly [key: string]: SettingKind | SettingsShape };

const SETTINGS_SHAPE: SettingsShape = {
  latency: {
    sameZone: 'duration',
    crossZone: 'duration',
    publicPath: 'duration',
    crossRegion: 'duration',
    internet: 'duration',
    jitter: 'jitter',
  },
  tcp: { synRetries: 'retries', initialRto: 'positiveDuration' },
  conntrack: {
    tcpEstablished: 'positiveDuration',
    tcpHandshake: 'positiveDuration',
    udp: 'positiveDuration',
    udpStream: 'positiveDuration',
    icmp: 'positiveDuration',
  },
  propagationDelay: 'duration',
  limits: { rulesPerGroup: 'positiveInt', groupsPerRegion: 'positiveInt' },
  pingTimeout: 'positiveDuration',
};

function checkSettings(c: Checker, v: unknown): Settings {
  const merged = structuredClone(DEFAULT_SETTINGS) as unknown as Obj;
  if (absent(v)) return merged as unknown as Settings;
  const merge = (doc: unknown, shape: SettingsShape, target: Obj, path: Path): void => {
    const o = c.mapping(doc, path, Object.keys(shape), `a mapping of ${listOf(Object.keys(shape))}`);
    if (!o) return;
    for (const [key, kind] of Object.entries(shape)) {
      const value = o[key];
      if (absent(value)) continue;
      const at = [...path, key];
      if (typeof kind === 'object') {
        merge(value, kind, target[key] as Obj, at);
        continue;
      }
      let parsed: number | undefined;
      switch (kind) {
        case 'duration':
          parsed = c.duration(value, at);
          break;
        case 'positiveDuration':
          parsed = c.duration(value, at, 'positive');
          break;
        case 'jitter':
          if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value < 1) parsed = value;
          else c.error(at, `jitter is a fraction of the latency, a number from 0 up to (not including) 1; got ${describeValue(value)}`);
          break;
        case 'retries':
          parsed = c.integer(value, at, 0, 20, 'number of retries');
          break;
        case 'positiveInt':
          parsed = c.integer(value, at, 1, Number.MAX_SAFE_INTEGER, 'limit');
          break;
      }
      if (parsed !== undefined) target[key] = parsed;
    }
  };
  merge(v, SETTINGS_SHAPE, merged, ['settings']);
  return merged as unknown as Settings;
}

// ---------------------------------------------------------------------------------------------
// regions

function checkRegions(c: Checker, v: unknown): Map<string, Region> {
  const regions = new Map<string, Region>();
  const zoneOwner = new Map<string, Path>();
  if (absent(v)) {
    c.error(['regions'], 'regions is required: declare at least one region (e.g. regions: { us-east-1: {} })');
    return regions;
  }
  const o = c.mapping(v, ['regions'], null, 'a mapping of region names to { zones }');
  if (!o) return regions;
  if (Object.keys(o).length === 0) {
    c.error(['regions'], 'declare at least one region (e.g. regions: { us-east-1: {} })');
    return regions;
  }
  for (const [name, value] of Object.entries(o)) {
    const path = ['regions', name];
    if (name.trim() === '' || /\s|\//.test(name)) {
      c.error(path, `region name ${JSON.stringify(name)} may not be empty or hold spaces or "/"`);
      continue;
    }
    let zones: string[] | undefined;
    if (!absent(value)) {
      const r = c.mapping(value, path, REGION_FIELDS, 'a region ({ zones: [...] }, or {})');
      if (r && !absent(r.zones)) {
        const list = c.list(r.zones, [...path, 'zones'], 'the region\'s zones');
        if (list) {
          if (list.length === 0) c.error([...path, 'zones'], `a region has at least one zone (omit zones for [${name}a])`);
          const declared: string[] = [];
          zones = declared;
          list.forEach((z, i) => {
            const zp = [...path, 'zones', i];
            const zone = c.string(z, zp, 'a zone name');
            if (zone === undefined) return;
            const prior = zoneOwner.get(zone);
            if (prior) {
              c.error(zp, `zone ${zone} is already declared at ${formatPath(prior)} (zone names are unique in a scenario)`);
              return;
            }
            zoneOwner.set(zone, zp);
            declared.push(zone);
          });
        }
      }
    }
    if (zones === undefined) {
      // The default zone, <region>a, must be unique like any declared one.
      const zone = `${name}a`;
      const prior = zoneOwner.get(zone);
      if (prior) c.error(path, `the region's default zone ${zone} is already declared at ${formatPath(prior)} (zone names are unique in a scenario)`);
      zoneOwner.set(zone, path);
      zones = [zone];
    }
    regions.set(name, { name, zones });
  }
  return regions;
}

function unknownRegion(c: Checker, path: Path, region: string, names: Names): void {
  const hint = closest(region, names.regions.keys());
  c.error(path, `unknown region "${region}" (known: ${listOf(names.regions.keys()) || 'none'}${hint ? `; did you mean ${hint}?` : ''})`);
}

/** A region field: required, a string, and a declared region. */
function checkRegionField(c: Checker, o: Obj, path: Path, names: Names): string | undefined {
  const at = [...path, 'region'];
  if (absent(o.region)) {
    c.error(at, `region is required (known regions: ${listOf(names.regions.keys()) || 'none'})`);
    return undefined;
  }
  const region = c.string(o.region, at, 'a region name');
  if (region === undefined) return undefined;
  if (!names.regions.has(region)) {
    unknownRegion(c, at, region, names);
    return undefined;
  }
  return region;
}

// ---------------------------------------------------------------------------------------------
// names declared anywhere (first pass, so order of declaration never matters)

function collectGroupNames(c: Checker, v: unknown, names: Names): void {
  if (absent(v)) return;
  const o = c.mapping(v, ['groups'], null, 'a mapping of group names to groups');
  if (!o) return;
  for (const [name, g] of Object.entries(o)) {
    const path = ['groups', name];
    if (name.trim() === '' || name.startsWith(`${DEFAULT_GROUP}/`)) {
      c.error(path, `group name ${JSON.stringify(name)} is not allowed (empty, or in the form kept for default groups' keys)`);
      continue;
    }
    let region: string | undefined;
    if (isPlainObject(g) && typeof g.region === 'string' && names.regions.has(g.region)) region = g.region;
    names.groups.set(name, { region, path });
  }
}

function hostNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'a host name may not be empty';
  if (/\s/.test(name)) return `host name ${JSON.stringify(name)} may not hold spaces`;
  if (name.includes('.')) return `host name "${name}" may not contain "." (addresses are written <name>.private, <name>.public, …)`;
  if (name.includes('/')) return `host name "${name}" may not contain "/"`;
  return undefined;
}

function collectHostNames(c: Checker, instances: unknown, external: unknown, names: Names): void {
  const add = (section: 'instances' | 'external', v: unknown): void => {
    if (absent(v)) return;
    const o = c.mapping(v, [section], null, `a mapping of ${section === 'instances' ? 'instance' : 'external host'} names to their specs`);
    if (!o) return;
    for (const name of Object.keys(o)) {
      const path = [section, name];
      const problem = hostNameProblem(name);
      if (problem) {
        c.error(path, problem);
        continue;
      }
      const prior = names.hosts.get(name);
      if (prior) {
        c.error(path, `"${name}" is already declared at ${formatPath(prior.path)} (instances and external hosts share one namespace)`);
        continue;
      }
      names.hosts.set(name, { kind: section === 'instances' ? 'instance' : 'external', path });
    }
  };
  add('instances', instances);
  add('external', external);
}

/** One timeline entry after its first look: its place, time, id and action key. */
interface EntryDoc {
  readonly index: number;
  readonly path: Path;
  readonly at: Nanos;
  readonly id?: string;
  readonly action?: ActionKey;
  readonly body: unknown;
  readonly expect: unknown;
  readonly repeat?: { readonly every: Nanos; readonly count: number };
}

const REPEATABLE: readonly string[] = ['connect', 'send', 'ping'];
const MAX_REPEAT = 10_000_000;

/** `repeat: { every, count }` of a traffic entry (sgsim's bulk traffic). */
function checkRepeat(c: Checker, v: unknown, path: Path, action: ActionKey | undefined): { every: Nanos; count: number } | undefined {
  const o = c.mapping(v, path, ['every', 'count'], 'a repeat ({ every: <duration>, count: <integer> })');
  if (!o) return undefined;
  const before = c.count;
  if (action !== undefined && !REPEATABLE.includes(action)) c.error(path, `only connect, send and ping can repeat, not ${action}`);
  let every: Nanos | undefined;
  if (absent(o.every)) c.error([...path, 'every'], 'a repeat needs every (the time between repetitions, e.g. 10ms)');
  else {
    every = c.duration(o.every, [...path, 'every']);
    if (every !== undefined && every <= 0) c.error([...path, 'every'], 'every must be longer than 0');
  }
  const count = o.count;
  if (absent(count)) c.error([...path, 'count'], 'a repeat needs count (how many times the action runs)');
  else if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_REPEAT) {
    c.error([...path, 'count'], `count must be an integer from 1 to ${MAX_REPEAT}, got ${describeValue(count)}`);
  }
  if (c.count > before || every === undefined) return undefined;
  return { every, count: count as number };
}

function idOf(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return undefined;
}

const ACTION_LIST = listOf(ACTION_KEYS, ACTION_KEYS.length);

function collectTimelineNames(c: Checker, v: unknown, names: Names): EntryDoc[] {
  const entries: EntryDoc[] = [];
  if (absent(v)) return entries;
  const list = c.list(v, ['timeline'], 'the timeline');
  if (!list) return entries;
  const ids = new Map<string, number>();
  list.forEach((raw, index) => {
    const path = ['timeline', index];
    const entry = c.mapping(raw, path, null, `a timeline entry (a mapping with at, id, expect and one action: ${ACTION_LIST})`);
    if (!entry) return;
    const keys = Object.keys(entry);
    const actions = keys.filter((k): k is ActionKey => (ACTION_KEYS as readonly string[]).includes(k));
    const unknown = keys.filter((k) => !(ENTRY_FIELDS as readonly string[]).includes(k) && !actions.includes(k as ActionKey));
    for (const k of unknown) {
      const hint = closest(k, [...ACTION_KEYS, ...ENTRY_FIELDS]);
      const tail = hint ? `; did you mean ${hint}?` : '';
      c.error(
        [...path, k],
        actions.length === 0
          ? `unknown action "${k}" (expected one of ${ACTION_LIST}${tail})`
          : `unknown field ${k} (an entry holds at, id, expect and one action${tail})`,
      );
    }
    if (actions.length === 0 && unknown.length === 0) {
      c.error(path, `the entry has no action${keys.length ? ` (it holds only ${keys.join(', ')})` : ''}; expected exactly one of ${ACTION_LIST}`);
    } else if (actions.length > 1) {
      c.error(path, `the entry has ${actions.length} actions (${actions.join(', ')}); give each action its own entry`);
    }
    let at: Nanos = 0;
    if (!absent(entry.at)) at = c.duration(entry.at, [...path, 'at']) ?? 0;
    let id: string | undefined;
    if (!absent(entry.id)) {
      id = idOf(entry.id);
      if (id === undefined) c.error([...path, 'id'], `expected an id (a string), got ${describeValue(entry.id)}`);
      else if (ids.has(id)) {
        c.error([...path, 'id'], `duplicate id "${id}" (already used by timeline[${ids.get(id)}]; ids are unique)`);
        id = undefined;
      } else ids.set(id, index);
    }
    const action = actions.length === 1 ? actions[0] : undefined;
    if (action === 'launch' && isPlainObject(entry.launch) && typeof entry.launch.name === 'string') {
      const name = entry.launch.name;
      if (!hostNameProblem(name) && !names.hosts.has(name)) {
        names.hosts.set(name, { kind: 'instance', path: [...path, 'launch', 'name'], launch: { index, at } });
      }
      const host = names.hosts.get(name);
      if (host?.launch && (at < host.launch.at || (at === host.launch.at && index < host.launch.index))) {
        host.launch = { index, at };
      }
    }
    const repeat = absent(entry.repeat) ? undefined : checkRepeat(c, entry.repeat, [...path, 'repeat'], actions.length === 1 ? actions[0] : undefined);
    entries.push({ index, path, at, id, action, body: action ? entry[action] : undefined, expect: entry.expect, ...(repeat ? { repeat } : {}) });
  });
  return entries;
}

// ---------------------------------------------------------------------------------------------
// rules

/**
 * A rule of a group in `region` (undefined when the group's region is itself invalid, which
 * is reported elsewhere). Returns undefined after reporting when the rule is invalid.
 */
function checkRule(c: Checker, v: unknown, path: Path, owner: string, region: string | undefined, names: Names): Rule | undefined {
  const o = c.mapping(v, path, RULE_FIELDS, 'a rule ({ protocol, ports or icmp, from: { cidr } or { group }, description })');
  if (!o) return undefined;
  const before = c.count;
  let protocol: RuleProtocol | undefined = 'all';
  if (!absent(o.protocol)) {
    if (typeof o.protocol === 'string' && (PROTOCOL_NAMES as readonly string[]).includes(o.protocol)) {
      protocol = o.protocol as RuleProtocol;
    } else {
      const hint = typeof o.protocol === 'string' ? closest(o.protocol, PROTOCOL_NAMES) : undefined;
      c.error(
        [...path, 'protocol'],
        `unknown protocol ${describeValue(o.protocol)} (expected tcp, udp, icmp or all${hint && hint !== o.protocol ? `; did you mean ${hint}?` : ''})`,
      );
      protocol = undefined;
    }
  }
  let ports: PortRange | undefined;
  let icmp: IcmpMatch | undefined;
  const portsPath = [...path, 'ports'];
  const icmpPath = [...path, 'icmp'];
  if (!absent(o.ports)) {
    if (protocol === 'all') c.error(portsPath, 'protocol all takes no ports (it covers every protocol and port); remove ports or name a protocol');
    else if (protocol === 'icmp') c.error(portsPath, 'an icmp rule takes no ports (use icmp: { type, code } or "8:-1")');
    else {
      const p = parsePorts(o.ports);
      if (isProblem(p)) c.error(portsPath, p.error);
      else ports = p;
    }
  } else if (protocol === 'tcp' || protocol === 'udp') {
    c.error(portsPath, `a ${protocol} rule needs ports (e.g. 22, "8000-8080" or [8000, 8080]; 0-65535 for every port)`);
  }
  if (!absent(o.icmp)) {
    if (protocol === 'all') c.error(icmpPath, 'protocol all takes no icmp (it covers every icmp type and code); remove icmp or use protocol: icmp');
    else if (protocol === 'tcp' || protocol === 'udp') c.error(icmpPath, `a ${protocol} rule takes no icmp (icmp goes with protocol: icmp)`);
    else icmp = checkIcmpDoc(c, o.icmp, icmpPath);
  } else if (protocol === 'icmp') {
    icmp = { type: -1, code: -1 };
  }
  const source = checkSource(c, o.from, [...path, 'from'], owner, region, names);
  let description: string | undefined;
  if (!absent(o.description)) {
    if (typeof o.description === 'string') description = o.description;
    else c.error([...path, 'description'], `expected a description (a string), got ${describeValue(o.description)}`);
  }
  if (c.count > before || !protocol || !source) return undefined;
  return {
    protocol,
    ...(ports ? { ports } : {}),
    ...(icmp ? { icmp } : {}),
    source,
    ...(description !== undefined ? { description } : {}),
  };
}

function checkIcmpDoc(c: Checker, v: unknown, path: Path): IcmpMatch | undefined {
  if (typeof v === 'string') {
    const m = parseIcmpText(v);
    if (isProblem(m)) {
      c.error(path, m.error);
      return undefined;
    }
    return m;
  }
  const o = c.mapping(v, path, ICMP_FIELDS, 'an icmp match ({ type, code } or "type:code" such as "8:-1")');
  if (!o) return undefined;
  if (absent(o.type)) {
    c.error([...path, 'type'], 'type is required (an icmp type 0 to 255, or -1 for any)');
    return undefined;
  }
  const m = checkIcmp(o.type, absent(o.code) ? -1 : o.code);
  if (isProblem(m)) {
    const field = /^icmp code/.test(m.error) || (o.type === -1 && !absent(o.code)) ? 'code' : 'type';
    c.error([...path, field], m.error);
    return undefined;
  }
  return m;
}

function knownGroups(names: Names): string[] {
  const list = [...names.groups.keys()];
  if (!names.groups.has(DEFAULT_GROUP)) list.push(DEFAULT_GROUP);
  return list;
}

/**
 * Resolves a group name as seen from `region` to its key. `owner` says who refers to it, for
 * the cross-region message. Undefined after reporting (or silently, when region is unknown).
 */
function resolveGroup(c: Checker, name: unknown, path: Path, region: string | undefined, owner: string, names: Names): string | undefined {
  const g = c.string(name, path, 'a group name');
  if (g === undefined) return undefined;
  if (g === DEFAULT_GROUP) return region === undefined ? undefined : groupKey(g, region);
  const decl = names.groups.get(g);
  if (!decl) {
    const hint = closest(g, knownGroups(names));
    c.error(path, `unknown group "${g}" (known: ${listOf(knownGroups(names))}${hint ? `; did you mean ${hint}?` : ''})`);
    return undefined;
  }
  if (region !== undefined && decl.region !== undefined && decl.region !== region) {
    c.error(path, `group ${g} is in region ${decl.region}, but ${owner} is in ${region} (in classic a group can be used only in its own region)`);
    return undefined;
  }
  return groupKey(g, decl.region ?? region ?? '');
}

function checkSource(c: Checker, v: unknown, path: Path, owner: string, region: string | undefined, names: Names): RuleSource | undefined {
  if (absent(v)) {
    c.error(path, 'from is required: { cidr: a.b.c.d/n } or { group: <name> }');
    return undefined;
  }
  const o = c.mapping(v, path, SOURCE_FIELDS, 'a source ({ cidr: a.b.c.d/n } or { group: <name> })');
  if (!o) return undefined;
  const hasCidr = !absent(o.cidr);
  const hasGroup = !absent(o.group);
  if (hasCidr === hasGroup) {
    if (Object.keys(o).every((k) => (SOURCE_FIELDS as readonly string[]).includes(k))) {
      c.error(path, hasCidr ? 'give cidr or group, not both (one rule has one source)' : 'give exactly one of cidr or group');
    }
    return undefined;
  }
  if (hasCidr) {
    if (typeof o.cidr !== 'string') {
      c.error([...path, 'cidr'], `expected a CIDR block (a.b.c.d/n), got ${describeValue(o.cidr)}`);
      return undefined;
    }
    const cidr = parseCidr(o.cidr.trim());
    if ('error' in cidr) {
      c.error([...path, 'cidr'], cidr.error);
      return undefined;
    }
    return { kind: 'cidr', cidr };
  }
  const key = resolveGroup(c, o.group, [...path, 'group'], region, `this rule's group ${owner}`, names);
  return key === undefined ? undefined : { kind: 'group', group: key };
}

// ---------------------------------------------------------------------------------------------
// groups

function checkGroups(c: Checker, v: unknown, state: ScenarioState): SecurityGroup[] {
  const groups: SecurityGroup[] = [];
  if (!isPlainObject(v)) return groups; // absent, or reported by collectGroupNames
  const { names, settings } = state;
  const perRegion = new Map<string, number>();
  for (const [name, g] of Object.entries(v)) {
    const path = ['groups', name];
    if (!names.groups.has(name)) continue; // a bad name, reported
    const o = c.mapping(g, path, GROUP_FIELDS, 'a group ({ region, description, ingress })');
    if (!o) continue;
    const before = c.count;
    const region = checkRegionField(c, o, path, names);
    let description: string | undefined;
    if (!absent(o.description)) {
      if (typeof o.description === 'string') description = o.description;
      else c.error([...path, 'description'], `expected a description (a string), got ${describeValue(o.description)}`);
    }
    const ingress: Rule[] = [];
    if (!absent(o.ingress)) {
      const list = c.list(o.ingress, [...path, 'ingress'], 'ingress rules');
      list?.forEach((r, i) => {
        const rulePath = [...path, 'ingress', i];
        const rule = checkRule(c, r, rulePath, name, region, names);
        if (!rule) return;
        const dup = ingress.findIndex((x) => sameRule(x, rule));
        if (dup >= 0) {
          c.error(rulePath, `duplicate rule: the same protocol, ports/icmp and source as ${formatPath([...path, 'ingress', dup])} (descriptions do not count)`);
          return;
        }
        ingress.push(rule);
      });
      if (list && list.length > settings.limits.rulesPerGroup) {
        c.error(
          [...path, 'ingress'],
          `group ${name} has ${list.length} rules; the limit is ${settings.limits.rulesPerGroup} (settings.limits.rulesPerGroup)`,
        );
      }
    }
    if (region !== undefined) {
      // Count the region's default group too, unless this scenario declares it.
      const count = (perRegion.get(region) ?? (names.groups.get(DEFAULT_GROUP)?.region === region ? 0 : 1)) + 1;
      perRegion.set(region, count);
      if (count === settings.limits.groupsPerRegion + 1) {
        c.error(
          path,
          `region ${region} would have ${count} groups (counting its default group); the limit is ${settings.limits.groupsPerRegion} (settings.limits.groupsPerRegion)`,
        );
      }
    }
    if (c.count > before || region === undefined) continue;
    groups.push({
      key: groupKey(name, region),
      name,
      region,
      ...(description !== undefined ? { description } : {}),
      ingress,
    });
  }
  return groups;
}

// ---------------------------------------------------------------------------------------------
// hosts and addresses

function checkServices(c: Checker, v: unknown, path: Path): Service[] {
  if (absent(v)) return [];
  const list = c.list(v, path, 'services (e.g. [tcp/22, udp/53])');
  const services: Service[] = [];
  list?.forEach((s, i) => {
    const svc = parseService(s);
    if (isProblem(svc)) c.error([...path, i], svc.error);
    else services.push(svc);
  });
  return services;
}

/** An address field: an IPv4 literal, inside (`private`) or outside 10.0.0.0/8. */
function checkIpField(c: Checker, v: unknown, path: Path, want: 'private' | 'public', what: string): Ip | undefined {
  if (typeof v !== 'string') {
    c.error(path, `expected ${what} (an IPv4 address), got ${describeValue(v)}`);
    return undefined;
  }
  const ip = parseIp(v.trim());
  if (typeof ip !== 'number') {
    c.error(path, ip.error);
    return undefined;
  }
  if (want === 'private' && !isClassicPrivate(ip)) {
    c.error(path, `${formatIp(ip)} is not a private address (EC2-Classic private addresses are in 10.0.0.0/8)`);
    return undefined;
  }
  if (want === 'public' && isClassicPrivate(ip)) {
    c.error(path, `${formatIp(ip)} is in 10.0.0.0/8, the private range; ${what} must be a public address`);
    return undefined;
  }
  return ip;
}

function describeClaim(claim: AddressClaim): string {
  return claim.associatedOnly
    ? `the Elastic IP associated at ${formatPath(claim.path)}`
    : `${claim.host}'s ${claim.field} (${formatPath(claim.path)})`;
}

/** Records that `host` declares `ip`; reports an address another host already declared. */
function claimAddress(c: Checker, state: ScenarioState, ip: Ip, claim: AddressClaim): boolean {
  const prior = state.addresses.get(ip);
  // An Elastic IP moves: associating it, or launching an instance with it, takes it from its
  // holder (if any). Only two instances declared at the start may not both claim it.
  const moves = claim.field === 'elasticIp' && prior !== undefined && (prior.associatedOnly === true || (prior.field === 'elasticIp' && claim.path[0] === 'timeline'));
  if (prior && !moves) {
    c.error(claim.path, `${formatIp(ip)} is already ${describeClaim(prior)}; no two hosts may declare the same address`);
    return false;
  }
  state.addresses.set(ip, claim);
  return true;
}

/** Settles (or checks) the region an Elastic IP belongs to. */
function claimEipRegion(c: Checker, state: ScenarioState, ip: Ip, region: string, instance: string, path: Path): boolean {
  const prior = state.eipRegion.get(ip);
  if (prior && prior.region !== region) {
    c.error(
      path,
      `Elastic IP ${formatIp(ip)} belongs to region ${prior.region} (${formatPath(prior.path)}), but ${instance} is in ${region} (an Elastic IP belongs to one region)`,
    );
    return false;
  }
  if (!prior) state.eipRegion.set(ip, { region, path });
  return true;
}

/** An instance spec (the `instances` section, or a `launch`). Addresses are claimed here. */
function checkInstanceSpec(c: Checker, o: Obj, path: Path, name: string, state: ScenarioState): InstanceSpec | undefined {
  const { names } = state;
  const before = c.count;
  const region = checkRegionField(c, o, path, names);
  const regionInfo = region === undefined ? undefined : names.regions.get(region);
  let zone = regionInfo?.zones[0];
  if (!absent(o.zone)) {
    const z = c.string(o.zone, [...path, 'zone'], 'a zone name');
    if (z !== undefined && regionInfo) {
      if (regionInfo.zones.includes(z)) zone = z;
      else {
        c.error(
          [...path, 'zone'],
          `zone "${z}" is not a zone of region ${regionInfo.name} (its zones: ${listOf(regionInfo.zones)})`,
        );
      }
    }
  }
  let groups: string[] = region === undefined ? [] : [groupKey(DEFAULT_GROUP, region)];
  if (!absent(o.groups)) {
    const list = c.list(o.groups, [...path, 'groups'], 'group names');
    if (list) {
      if (list.length === 0) c.error([...path, 'groups'], 'an instance is in at least one group (omit groups for [default])');
      groups = [];
      list.forEach((g, i) => {
        const key = resolveGroup(c, g, [...path, 'groups', i], region, `instance ${name}`, names);
        if (key === undefined) return;
        if (groups.includes(key)) {
          c.error([...path, 'groups', i], `group ${groupDisplayName(key)} is listed twice`);
          return;
        }
        groups.push(key);
      });
    }
  }
  let running = true;
  if (!absent(o.state)) {
    if (o.state === 'stopped') running = false;
    else if (o.state !== 'running') {
      c.error([...path, 'state'], `unknown state ${describeValue(o.state)} (expected running or stopped)`);
    }
  }
  const addr = (field: 'privateIp' | 'publicIp' | 'elasticIp', want: 'private' | 'public', what: string): Ip | undefined => {
    if (absent(o[field])) return undefined;
    const at = [...path, field];
    if (!running) {
      c.error(at, `a stopped instance holds no addresses (remove ${field}, or make ${name} running)`);
      return undefined;
    }
    const ip = checkIpField(c, o[field], at, want, what);
    if (ip === undefined) return undefined;
    return claimAddress(c, state, ip, { host: name, field, path: at }) ? ip : undefined;
  };
  const privateIp = addr('privateIp', 'private', 'a private IP');
  const publicIp = addr('publicIp', 'public', 'a public IP');
  let elasticIp: Ip | undefined;
  if (!absent(o.publicIp) && !absent(o.elasticIp) && running) {
    c.error(
      [...path, 'elasticIp'],
      'publicIp and elasticIp are not declared together (while it holds an Elastic IP an instance has no dynamic public IP)',
    );
  } else {
    elasticIp = addr('elasticIp', 'public', 'an Elastic IP');
    if (elasticIp !== undefined && region !== undefined) {
      claimEipRegion(c, state, elasticIp, region, name, [...path, 'elasticIp']);
    }
  }
  const services = checkServices(c, o.services, [...path, 'services']);
  if (c.count > before || region === undefined || zone === undefined) return undefined;
  const listKey = JSON.stringify(groups); // not join(): names may hold any character
  let shared = state.groupLists.get(listKey);
  if (shared === undefined) state.groupLists.set(listKey, (shared = groups));
  return {
    name,
    region,
    zone,
    groups: shared,
    ...(privateIp !== undefined ? { privateIp } : {}),
    ...(publicIp !== undefined ? { publicIp } : {}),
    ...(elasticIp !== undefined ? { elasticIp } : {}),
    services,
    state: running ? 'running' : 'stopped',
  };
}

function checkInstances(c: Checker, v: unknown, state: ScenarioState): InstanceSpec[] {
  const out: InstanceSpec[] = [];
  if (!isPlainObject(v)) return out;
  for (const [name, value] of Object.entries(v)) {
    const path = ['instances', name];
    const host = state.names.hosts.get(name);
    if (!host || host.kind !== 'instance' || host.launch) continue; // reported by collectHostNames
    const o = c.mapping(value, path, INSTANCE_FIELDS, 'an instance ({ region, zone, groups, privateIp, publicIp, elasticIp, services, state })');
    if (!o) continue;
    const spec = checkInstanceSpec(c, o, path, name, state);
    if (spec) out.push(spec);
  }
  return out;
}

function checkExternal(c: Checker, v: unknown, state: ScenarioState): ExternalSpec[] {
  const out: ExternalSpec[] = [];
  if (!isPlainObject(v)) return out;
  for (const [name, value] of Object.entries(v)) {
    const path = ['external', name];
    const host = state.names.hosts.get(name);
    if (!host || host.kind !== 'external' || formatPath(host.path) !== formatPath(path)) continue;
    const o = c.mapping(value, path, EXTERNAL_FIELDS, 'an external host ({ ip, services })');
    if (!o) continue;
    const before = c.count;
    let ip: Ip | undefined;
    if (absent(o.ip)) c.error([...path, 'ip'], 'ip is required (the external host\'s public address)');
    else {
      ip = checkIpField(c, o.ip, [...path, 'ip'], 'public', 'an external host\'s address');
      if (ip !== undefined) claimAddress(c, state, ip, { host: name, field: 'ip', path: [...path, 'ip'] });
    }
    const services = checkServices(c, o.services, [...path, 'services']);
    if (c.count === before && ip !== undefined) out.push({ name, ip, services });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// the timeline: structure, then a static run in time order

type Lifecycle = 'running' | 'stopped' | 'terminated';

interface InstanceTrack {
  region?: string;
  state: Lifecycle;
  /** Where the instance was terminated, for messages. */
  terminatedBy?: string;
}

interface RuleTrack {
  readonly rule: Rule;
  readonly origin: string;
}

class TimelineRun {
  private readonly instances = new Map<string, InstanceTrack>();
  private readonly rules = new Map<string, { region: string; rules: RuleTrack[] }>();
  /** Which instance holds each Elastic IP now (null: held by none). */
  private readonly eipHolder = new Map<Ip, string | null>();
  /** Connect ids seen so far in time order, and where each was closed. */
  private readonly connects = new Map<string, { index: number; closedBy?: number }>();
  /** Every id of the timeline: its entry and action. */
  private readonly ids = new Map<string, EntryDoc>();
  private now: Nanos = 0;

  constructor(
    private readonly c: Checker,
    private readonly state: ScenarioState,
    groups: readonly SecurityGroup[],
    instances: readonly InstanceSpec[],
    entries: readonly EntryDoc[],
  ) {
    for (const region of state.names.regions.keys()) {
      const key = groupKey(DEFAULT_GROUP, region);
      this.rules.set(key, { region, rules: [{ rule: { protocol: 'all', source: { kind: 'group', group: key } }, origin: `the default group's self-reference` }] });
    }
    for (const g of groups) {
      this.rules.set(g.key, {
        region: g.region,
        rules: g.ingress.map((rule, i) => ({ rule, origin: formatPath(['groups', g.name, 'ingress', i]) })),
      });
    }
    // Declared groups that failed their own checks still exist for the timeline (no cascades).
    for (const [name, decl] of state.names.groups) {
      if (decl.region !== undefined && !this.rules.has(groupKey(name, decl.region))) {
        this.rules.set(groupKey(name, decl.region), { region: decl.region, rules: [] });
      }
    }
    for (const spec of instances) {
      this.instances.set(spec.name, { region: spec.region, state: spec.state });
      if (spec.elasticIp !== undefined) this.eipHolder.set(spec.elasticIp, spec.name);
    }
    for (const [name, host] of state.names.hosts) {
      // Declared instances whose spec was invalid: present, state as written if readable.
      if (host.kind === 'instance' && !host.launch && !this.instances.has(name)) this.instances.set(name, { state: 'running' });
    }
    for (const e of entries) if (e.id !== undefined) this.ids.set(e.id, e);
  }

  run(entries: readonly EntryDoc[]): TimelineEntry[] {
    const sorted = [...entries].sort((a, b) => a.at - b.at || a.index - b.index);
    const out: TimelineEntry[] = [];
    for (const e of sorted) {
      this.now = e.at;
      const action = e.action ? this.action(e) : undefined;
      const expect = this.expectation(e);
      if (e.action === 'connect' && e.id !== undefined) this.connects.set(e.id, { index: e.index });
      if (action) {
        out.push({
          at: e.at,
          ...(e.id !== undefined ? { id: e.id } : {}),
          index: e.index,
          action,
          ...(expect ? { expect } : {}),
          ...(e.repeat ? { repeat: e.repeat } : {}),
        });
      }
    }
    return out;
  }

  // -- names at a time ----------------------------------------------------------------------

  private knownHosts(): string {
    return listOf(this.state.names.hosts.keys()) || 'none';
  }

  private unknownHost(path: Path, name: string, what = 'host'): void {
    const hint = closest(name, this.state.names.hosts.keys());
    this.c.error(path, `unknown ${what} "${name}" (known: ${this.knownHosts()}${hint ? `; did you mean ${hint}?` : ''})`);
  }

  /** Whether an instance exists at this point of the run; reports a use before its launch. */
  private launched(name: string, path: Path): boolean {
    if (this.instances.has(name)) return true;
    const launch = this.state.names.hosts.get(name)?.launch;
    this.c.error(
      path,
      launch
        ? `instance ${name} does not exist yet at ${formatTime(this.now)}: it is launched by ${entryRef(launch.index, launch.at)}`
        : `instance ${name} does not exist at ${formatTime(this.now)}`,
    );
    return false;
  }

  /** `from`: the name of an instance or external host (not an address). */
  private sender(v: unknown, path: Path): string | undefined {
    if (absent(v)) {
      this.c.error(path, 'from is required (the sending instance or external host)');
      return undefined;
    }
    const s = this.c.string(v, path, 'the sending host');
    if (s === undefined) return undefined;
    const syntax = parseAddressSyntax(s);
    if (!isProblem(syntax) && syntax.kind === 'named' && syntax.suffix === undefined) {
      const host = this.state.names.hosts.get(s);
      if (!host) {
        this.unknownHost(path, s);
        return undefined;
      }
      if (host.kind === 'instance' && !this.launched(s, path)) return undefined;
      return s;
    }
    const named = !isProblem(syntax) && syntax.kind === 'named' ? syntax.host : undefined;
    this.c.error(
      path,
      named && this.state.names.hosts.has(named)
        ? `from names the sending host, not an address: write "${named}"`
        : `from names the sending host (an instance or external host: ${this.knownHosts()}), not an address`,
    );
    return undefined;
  }

  /** An address spec (`to`, `expect.source`). */
  private address(v: unknown, path: Path): AddressSpec | undefined {
    const syntax = parseAddressSyntax(v);
    if (isProblem(syntax)) {
      this.c.error(path, syntax.error);
      return undefined;
    }
    if (syntax.kind === 'ip') return { kind: 'ip', ip: syntax.ip };
    const { host, suffix } = syntax;
    const info = this.state.names.hosts.get(host);
    const choices = `${host}.private, ${host}.public, ${host}.eip or ${host}.dns`;
    if (!info) {
      this.unknownHost(path, host);
      return undefined;
    }
    if (info.kind === 'external') {
      if (suffix === undefined) return { kind: 'external', host };
      this.c.error(path, `${host} is an external host with one address: write "${host}"`);
      return undefined;
    }
    if (suffix === undefined) {
      this.c.error(path, `"${host}" is an instance; say which address: ${choices}`);
      return undefined;
    }
    if (!(ADDRESS_KINDS as readonly string[]).includes(suffix)) {
      this.c.error(path, `unknown address kind "${suffix}" in "${String(v)}" (expected ${choices})`);
      return undefined;
    }
    if (!this.launched(host, path)) return undefined;
    return { kind: suffix as 'private' | 'public' | 'eip' | 'dns', instance: host };
  }

  /** An instance named by a lifecycle action or associate, which must exist now. */
  private instanceRef(v: unknown, path: Path, verb: string): { name: string; track: InstanceTrack } | undefined {
    if (absent(v)) {
      this.c.error(path, `name the instance to ${verb}`);
      return undefined;
    }
    const name = this.c.string(v, path, 'an instance name');
    if (name === undefined) return undefined;
    const host = this.state.names.hosts.get(name);
    if (!host) {
      this.unknownHost(path, name, 'instance');
      return undefined;
    }
    if (host.kind === 'external') {
      this.c.error(path, `${name} is an external host; only instances can be told to ${verb}`);
      return undefined;
    }
    if (!this.launched(name, path)) return undefined;
    return { name, track: this.instances.get(name)! };
  }

  private port(o: Obj, path: Path): number | undefined {
    if (absent(o.port)) {
      this.c.error([...path, 'port'], 'port is required (the destination port, 0 to 65535)');
      return undefined;
    }
    return this.c.integer(o.port, [...path, 'port'], 0, 65535, 'port');
  }

  // -- actions ------------------------------------------------------------------------------

  private action(e: EntryDoc): Action | undefined {
    const kind = e.action!;
    const path = [...e.path, kind];
    const before = this.c.count;
    const result = this.actionBody(kind, e, path);
    return this.c.count > before ? undefined : result;
  }

  private actionBody(kind: ActionKey, e: EntryDoc, path: Path): Action | undefined {
    const { c } = this;
    const v = e.body;
    switch (kind) {
      case 'connect':
      case 'send':
      case 'ping': {
        const fields = kind === 'ping' ? ['from', 'to'] : kind === 'send' ? ['from', 'to', 'port', 'count'] : ['from', 'to', 'port'];
        const o = c.mapping(v, path, fields, `${kind} fields (${fields.join(', ')})`);
        if (!o) return undefined;
        const from = this.sender(o.from, [...path, 'from']);
        let to: AddressSpec | undefined;
        if (absent(o.to)) c.error([...path, 'to'], 'to is required (an address: <instance>.private, .public, .eip, .dns, an external host, or an IPv4 address)');
        else to = this.address(o.to, [...path, 'to']);
        if (kind === 'ping') return from && to ? { kind, from, to } : undefined;
        const port = this.port(o, path);
        if (kind === 'connect') return from && to && port !== undefined ? { kind, from, to, port } : undefined;
        const count = absent(o.count) ? 1 : c.integer(o.count, [...path, 'count'], 1, Number.MAX_SAFE_INTEGER, 'count');
        return from && to && port !== undefined && count !== undefined ? { kind, from, to, port, count } : undefined;
      }
      case 'transfer':
      case 'close': {
        const id = idOf(v);
        if (id === undefined) {
          c.error(path, `expected the id of an earlier connect, got ${describeValue(v)}`);
          return undefined;
        }
        const target = this.ids.get(id);
        const connectIds = [...this.ids.values()].filter((x) => x.action === 'connect').map((x) => x.id!);
        if (!target) {
          c.error(path, `no connect has id "${id}" (connect ids: ${listOf(connectIds) || 'none'})`);
          return undefined;
        }
        if (target.action !== 'connect') {
          c.error(path, `"${id}" is the id of ${target.action ? `a ${target.action}` : 'an invalid entry'} (timeline[${target.index}]), not of a connect`);
          return undefined;
        }
        const open = this.connects.get(id);
        if (!open) {
          c.error(path, `connect "${id}" comes later (${entryRef(target.index, target.at)}); ${kind} needs an earlier connect`);
          return undefined;
        }
        if (open.closedBy !== undefined) {
          c.error(path, `connection "${id}" is already closed by timeline[${open.closedBy}]`);
          return undefined;
        }
        if (kind === 'close') open.closedBy = e.index;
        return { kind, connection: id };
      }
      case 'authorize':
      case 'revoke':
        return this.ruleChange(kind, v, path);
      case 'launch':
        return this.launch(e, v, path);
      case 'stop':
      case 'start':
      case 'terminate': {
        const ref = this.instanceRef(v, path, kind);
        if (!ref) return undefined;
        const { name, track } = ref;
        if (track.state === 'terminated') {
          c.error(
            path,
            kind === 'terminate'
              ? `instance ${name} is already terminated (by ${track.terminatedBy})`
              : `instance ${name} is terminated (by ${track.terminatedBy}); a terminated instance cannot be ${kind === 'stop' ? 'stopped' : 'started'}`,
          );
          return undefined;
        }
        if (kind === 'start') track.state = 'running';
        else {
          // Stop and terminate both release the Elastic IP (domain.md §4, lifecycle).
          track.state = kind === 'stop' ? 'stopped' : 'terminated';
          if (kind === 'terminate') track.terminatedBy = entryRef(e.index, e.at);
          for (const [ip, holder] of this.eipHolder) if (holder === name) this.eipHolder.set(ip, null);
        }
        return { kind, instance: name };
      }
      case 'associate': {
        const o = c.mapping(v, path, ['elasticIp', 'instance'], 'associate fields ({ elasticIp, instance })');
        if (!o) return undefined;
        let ip: Ip | undefined;
        if (absent(o.elasticIp)) c.error([...path, 'elasticIp'], 'elasticIp is required');
        else ip = checkIpField(c, o.elasticIp, [...path, 'elasticIp'], 'public', 'an Elastic IP');
        if (absent(o.instance)) {
          c.error([...path, 'instance'], 'instance is required (the instance to give the Elastic IP)');
          return undefined;
        }
        const ref = this.instanceRef(o.instance, [...path, 'instance'], 'associate');
        if (ip === undefined || !ref) return undefined;
        const { name, track } = ref;
        if (track.state !== 'running') {
          c.error(
            [...path, 'instance'],
            track.state === 'terminated'
              ? `instance ${name} is terminated (by ${track.terminatedBy}); an Elastic IP can be associated only with a running instance`
              : `instance ${name} is stopped at ${formatTime(this.now)}; an Elastic IP can be associated only with a running instance`,
          );
          return undefined;
        }
        const prior = this.state.addresses.get(ip);
        if (prior && prior.field !== 'elasticIp') {
          c.error([...path, 'elasticIp'], `${formatIp(ip)} is already ${describeClaim(prior)}; it cannot also be an Elastic IP`);
          return undefined;
        }
        if (!prior) this.state.addresses.set(ip, { host: name, field: 'elasticIp', path: [...path, 'elasticIp'], associatedOnly: true });
        if (track.region !== undefined && !claimEipRegion(c, this.state, ip, track.region, name, [...path, 'elasticIp'])) return undefined;
        for (const [other, holder] of this.eipHolder) if (holder === name && other !== ip) this.eipHolder.set(other, null);
        this.eipHolder.set(ip, name); // moving it from a former holder is allowed
        return { kind, elasticIp: ip, instance: name };
      }
      case 'disassociate': {
        const o = c.mapping(v, path, ['elasticIp'], 'disassociate fields ({ elasticIp })');
        if (!o) return undefined;
        if (absent(o.elasticIp)) {
          c.error([...path, 'elasticIp'], 'elasticIp is required');
          return undefined;
        }
        const ip = checkIpField(c, o.elasticIp, [...path, 'elasticIp'], 'public', 'an Elastic IP');
        if (ip === undefined) return undefined;
        if (!this.eipHolder.has(ip)) {
          c.error(
            [...path, 'elasticIp'],
            `${formatIp(ip)} is not an Elastic IP at ${formatTime(this.now)} (no instance declares it or has been associated with it)`,
          );
          return undefined;
        }
        this.eipHolder.set(ip, null); // disassociating an EIP no one holds is a no-op
        return { kind, elasticIp: ip };
      }
    }
  }

  private ruleChange(kind: 'authorize' | 'revoke', v: unknown, path: Path): Action | undefined {
    const { c } = this;
    const { names, settings } = this.state;
    const o = c.mapping(v, path, ['group', 'rule', 'region'], `${kind} fields ({ group, rule })`);
    if (!o) return undefined;
    let region: string | undefined;
    if (!absent(o.region)) {
      const r = c.string(o.region, [...path, 'region'], 'a region name');
      if (r !== undefined) {
        if (names.regions.has(r)) region = r;
        else unknownRegion(c, [...path, 'region'], r, names);
      }
      if (region === undefined) return undefined;
    }
    if (absent(o.group)) {
      c.error([...path, 'group'], `group is required (known: ${listOf(knownGroups(names))})`);
      return undefined;
    }
    const name = c.string(o.group, [...path, 'group'], 'a group name');
    if (name === undefined) return undefined;
    let key: string;
    if (name === DEFAULT_GROUP) {
      // Every region has its own default group: with several regions, say which.
      if (region === undefined) {
        if (names.regions.size !== 1) {
          if (names.regions.size > 1) {
            c.error([...path, 'group'], `group default is ambiguous with several regions: add region (one of ${listOf(names.regions.keys())})`);
          }
          return undefined;
        }
        region = [...names.regions.keys()][0];
      }
      key = groupKey(DEFAULT_GROUP, region);
    } else {
      const decl = names.groups.get(name);
      if (!decl) {
        resolveGroup(c, name, [...path, 'group'], undefined, '', names); // reports the unknown group
        return undefined;
      }
      if (region !== undefined && decl.region !== undefined && decl.region !== region) {
        c.error([...path, 'region'], `group ${name} is in region ${decl.region}, not ${region}`);
        return undefined;
      }
      region = decl.region;
      if (region === undefined) return undefined; // the group's own region is invalid, reported
      key = groupKey(name, region);
    }
    if (absent(o.rule)) {
      c.error([...path, 'rule'], 'rule is required ({ protocol, ports or icmp, from, description })');
      return undefined;
    }
    const rule = checkRule(c, o.rule, [...path, 'rule'], name, region, names);
    if (!rule) return undefined;
    const track = this.rules.get(key)!;
    const held = track.rules.findIndex((r) => sameRule(r.rule, rule));
    const display = groupDisplayName(key);
    if (kind === 'authorize') {
      if (held >= 0) {
        c.error([...path, 'rule'], `group ${display} already has this rule (${track.rules[held].origin}) at ${formatTime(this.now)}`);
        return undefined;
      }
      if (track.rules.length >= settings.limits.rulesPerGroup) {
        c.error(
          [...path, 'rule'],
          `group ${display} would have ${track.rules.length + 1} rules; the limit is ${settings.limits.rulesPerGroup} (settings.limits.rulesPerGroup)`,
        );
        return undefined;
      }
      track.rules.push({ rule, origin: `authorized at ${formatPath(path.slice(0, 2))}` });
    } else {
      if (held < 0) {
        const list = track.rules.map((r) => describeRule(r.rule));
        c.error(
          [...path, 'rule'],
          `group ${display} does not hold this rule (${describeRule(rule)}) at ${formatTime(this.now)}; its rules then: ${list.length ? listOf(list, 6) : 'none'}`,
        );
        return undefined;
      }
      track.rules.splice(held, 1);
    }
    return { kind, group: key, rule };
  }

  private launch(e: EntryDoc, v: unknown, path: Path): Action | undefined {
    const { c } = this;
    const o = c.mapping(v, path, LAUNCH_FIELDS, 'an instance spec with its name ({ name, region, zone, groups, … })');
    if (!o) return undefined;
    if (absent(o.name)) {
      c.error([...path, 'name'], 'name is required (a new instance name)');
      return undefined;
    }
    const name = c.string(o.name, [...path, 'name'], 'an instance name');
    if (name === undefined) return undefined;
    const problem = hostNameProblem(name);
    if (problem) {
      c.error([...path, 'name'], problem);
      return undefined;
    }
    const host = this.state.names.hosts.get(name)!;
    const ownLaunch = host.launch?.index === e.index;
    if (!ownLaunch || this.instances.has(name)) {
      c.error(
        [...path, 'name'],
        `"${name}" already exists (${host.launch && !ownLaunch ? entryRef(host.launch.index, host.launch.at) : formatPath(host.path)}); a launch needs a new name`,
      );
      return undefined;
    }
    const spec = checkInstanceSpec(c, o, path, name, this.state);
    // Exists from now on, even if its spec was invalid (so later uses do not cascade).
    this.instances.set(name, { region: spec?.region, state: spec?.state ?? 'running' });
    if (!spec) return undefined;
    if (spec.elasticIp !== undefined) {
      for (const [ip, holder] of this.eipHolder) if (holder === name) this.eipHolder.set(ip, null);
      this.eipHolder.set(spec.elasticIp, name);
    }
    return { kind: 'launch', instance: spec };
  }

  // -- expectations -------------------------------------------------------------------------

  private expectation(e: EntryDoc): Expectation | undefined {
    if (absent(e.expect) || !e.action) return undefined;
    const { c } = this;
    const path = [...e.path, 'expect'];
    const kind = e.action as ActionKind;
    const outcomes = OUTCOMES[kind];
    if (!TRAFFIC_ACTIONS.includes(kind) || !outcomes) {
      c.error(path, `${kind} has no outcome to expect (expect goes with ${TRAFFIC_ACTIONS.slice(0, -1).join(', ')} or ${TRAFFIC_ACTIONS[TRAFFIC_ACTIONS.length - 1]})`);
      return undefined;
    }
    const fits = `a ${kind} is ${outcomes.slice(0, -1).join(', ')} or ${outcomes[outcomes.length - 1]}`;
    const outcome = (x: unknown, at: Path): Outcome | undefined => {
      if (typeof x === 'string' && (outcomes as readonly string[]).includes(x)) return x as Outcome;
      const all = new Set(Object.values(OUTCOMES).flat());
      c.error(
        at,
        typeof x === 'string' && all.has(x as Outcome)
          ? `${kind} cannot expect "${x}" (${fits})`
          : `unknown outcome ${describeValue(x)} (${fits})`,
      );
      return undefined;
    };
    const before = c.count;
    if (typeof e.expect === 'string') {
      const o = outcome(e.expect, path);
      return o ? { outcome: o } : undefined;
    }
    const o = c.mapping(e.expect, path, EXPECT_FIELDS, `an outcome (${outcomes.join(', ')}) or { outcome, path, redirected, source, code }`);
    if (!o) return undefined;
    if (Object.keys(o).length === 0) {
      c.error(path, 'expect is empty (give an outcome, or any of path, redirected, source, code)');
      return undefined;
    }
    const result: { -readonly [K in keyof Expectation]: Expectation[K] } = {};
    if (!absent(o.outcome)) result.outcome = outcome(o.outcome, [...path, 'outcome']);
    if (!absent(o.path)) {
      if (o.path === 'private' || o.path === 'public') result.path = o.path as PathKind;
      else c.error([...path, 'path'], `unknown path ${describeValue(o.path)} (expected private or public)`);
    }
    if (!absent(o.redirected)) {
      if (typeof o.redirected === 'boolean') result.redirected = o.redirected;
      else c.error([...path, 'redirected'], `expected true or false, got ${describeValue(o.redirected)}`);
    }
    if (!absent(o.source)) result.source = this.address(o.source, [...path, 'source']);
    if (!absent(o.code)) {
      if (typeof o.code === 'string' && (EXPLANATION_CODES as readonly string[]).includes(o.code)) result.code = o.code;
      else {
        const hint = typeof o.code === 'string' ? closest(o.code, EXPLANATION_CODES) : undefined;
        c.error(
          [...path, 'code'],
          `unknown explanation code ${describeValue(o.code)} (expected one of ${EXPLANATION_CODES.join(', ')}${hint ? `; did you mean ${hint}?` : ''})`,
        );
      }
    }
    return c.count > before ? undefined : result;
  }
}

function checkTimeline(
  c: Checker,
  entries: readonly EntryDoc[],
  state: ScenarioState,
  groups: readonly SecurityGroup[],
  instances: readonly InstanceSpec[],
): TimelineEntry[] {
  return new TimelineRun(c, state, groups, instances, entries).run(entries);
}
