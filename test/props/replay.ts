/**
 * test/props/replay: counterexamples a person can run, and the harness every property uses.
 *
 * Owns: `specToDocument`, which writes a ScenarioSpec back as a version-1 scenario document
 * (scenario-format.md: durations as strings, dotted addresses, rules with "a-b" ports and
 * "type:code" icmp, group keys back to names — `default/<region>` is `default`); the run
 * configuration (SGSIM_PROPS_RUNS, SGSIM_PROPS_SEED, SGSIM_PROPS_PATH); and `checkProperty`,
 * which runs a property with fast-check and, on failure, writes the shrunk case as YAML to
 * test/props/counterexamples/<property>-<seed>.yaml and prints that path, the seed and
 * fast-check's path for replay.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { DEFAULT_SETTINGS, slowestLatency } from '../../src/scenario/spec.ts';
import type { AddressSpec, Expectation, ScenarioSpec, Settings, TimelineEntry } from '../../src/scenario/spec.ts';
import type { InstanceSpec, Rule, SecurityGroup, Service } from '../../src/model/types.ts';
import { formatIp } from '../../src/net/ipv4.ts';
import { getInstance } from '../../src/model/world.ts';
import { initialWorld } from '../../src/scenario/run.ts';
import { sameRuleP, standardDefaultRule } from './arbitraries.ts';
import { decideAll, withOracleExpectations, type Decision } from './oracle.ts';

// ---------------------------------------------------------------------------------------------
// Spec -> document

export function formatDuration(ns: number): string {
  if (ns % 1_000_000_000 === 0) return `${ns / 1_000_000_000}s`;
  if (ns % 1_000_000 === 0) return `${ns / 1_000_000}ms`;
  return `${ns / 1_000}us`;
}

const displayGroup = (key: string): string => (key.startsWith('default/') ? 'default' : key);

function portsDoc(r: { from: number; to: number }): number | string {
  return r.from === r.to ? r.from : `${r.from}-${r.to}`;
}

function cidrDoc(base: number, prefix: number): string {
  return `${formatIp(base)}/${prefix}`;
}

export function ruleDoc(rule: Rule): Record<string, unknown> {
  return {
    protocol: rule.protocol,
    ...(rule.ports ? { ports: portsDoc(rule.ports) } : {}),
    ...(rule.icmp ? { icmp: `${rule.icmp.type}:${rule.icmp.code}` } : {}),
    from: rule.source.kind === 'cidr' ? { cidr: cidrDoc(rule.source.cidr.base, rule.source.cidr.prefix) } : { group: displayGroup(rule.source.group) },
    ...(rule.description !== undefined ? { description: rule.description } : {}),
  };
}

function servicesDoc(services: readonly Service[]): string[] {
  return services.map((s) => `${s.protocol}/${portsDoc(s.ports)}`);
}

export function addressDoc(a: AddressSpec): string {
  switch (a.kind) {
    case 'ip':
      return formatIp(a.ip);
    case 'external':
      return a.host;
    default:
      return `${a.instance}.${a.kind}`;
  }
}

function settingsDoc(s: Settings): Record<string, unknown> | undefined {
  const out: Record<string, Record<string, unknown> | string> = {};
  const d = DEFAULT_SETTINGS;
  const section = (name: 'latency' | 'tcp' | 'conntrack' | 'limits'): void => {
    const cur = s[name] as unknown as Record<string, number>;
    const def = d[name] as unknown as Record<string, number>;
    const diff: Record<string, unknown> = {};
    for (const k of Object.keys(def)) {
      if (cur[k] === def[k]) continue;
      const plain = k === 'jitter' || k === 'synRetries' || name === 'limits';
      diff[k] = plain ? cur[k] : formatDuration(cur[k]);
    }
    if (Object.keys(diff).length) out[name] = diff;
  };
  section('latency');
  section('tcp');
  section('conntrack');
  section('limits');
  if (s.propagationDelay !== d.propagationDelay) out.propagationDelay = formatDuration(s.propagationDelay);
  if (s.pingTimeout !== d.pingTimeout) out.pingTimeout = formatDuration(s.pingTimeout);
  return Object.keys(out).length ? out : undefined;
}

function isStandardDefault(g: SecurityGroup): boolean {
  return (
    g.key.startsWith('default/') &&
    g.description === undefined &&
    g.ingress.length === 1 &&
    g.ingress[0].description === undefined &&
    sameRuleP(g.ingress[0], standardDefaultRule(g.region))
  );
}

/** Where two texts first differ, with some context (for failure messages). */
export function firstDifference(a: string, b: string, context = 160): string | null {
  if (a === b) return null;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const from = Math.max(0, i - context);
  return `first difference at character ${i}:\n  ${a.slice(from, i + context)}\n  ${b.slice(from, i + context)}`;
}

function instanceDoc(i: InstanceSpec): Record<string, unknown> {
  return {
    region: i.region,
    zone: i.zone,
    groups: i.groups.map(displayGroup),
    ...(i.privateIp !== undefined ? { privateIp: formatIp(i.privateIp) } : {}),
    ...(i.publicIp !== undefined ? { publicIp: formatIp(i.publicIp) } : {}),
    ...(i.elasticIp !== undefined ? { elasticIp: formatIp(i.elasticIp) } : {}),
    ...(i.services.length ? { services: servicesDoc(i.services) } : {}),
    ...(i.state === 'stopped' ? { state: 'stopped' } : {}),
  };
}

function expectDoc(e: Expectation): unknown {
  const keys = Object.keys(e);
  if (keys.length === 1 && e.outcome !== undefined) return e.outcome;
  return {
    ...(e.outcome !== undefined ? { outcome: e.outcome } : {}),
    ...(e.path !== undefined ? { path: e.path } : {}),
    ...(e.redirected !== undefined ? { redirected: e.redirected } : {}),
    ...(e.source !== undefined ? { source: addressDoc(e.source) } : {}),
    ...(e.code !== undefined ? { code: e.code } : {}),
  };
}

function entryDoc(e: TimelineEntry, regionOf: Map<string, string>): Record<string, unknown> {
  const a = e.action;
  let action: Record<string, unknown>;
  switch (a.kind) {
    case 'connect':
      action = { connect: { from: a.from, to: addressDoc(a.to), port: a.port } };
      break;
    case 'send':
      action = { send: { from: a.from, to: addressDoc(a.to), port: a.port, ...(a.count !== 1 ? { count: a.count } : {}) } };
      break;
    case 'ping':
      action = { ping: { from: a.from, to: addressDoc(a.to) } };
      break;
    case 'transfer':
    case 'close':
      action = { [a.kind]: a.connection };
      break;
    case 'authorize':
    case 'revoke':
      action = {
        [a.kind]: {
          group: displayGroup(a.group),
          ...(a.group.startsWith('default/') ? { region: regionOf.get(a.group) } : {}),
          rule: ruleDoc(a.rule),
        },
      };
      break;
    case 'launch':
      action = { launch: { name: a.instance.name, ...instanceDoc(a.instance) } };
      break;
    case 'stop':
    case 'start':
    case 'terminate':
      action = { [a.kind]: a.instance };
      break;
    case 'associate':
      action = { associate: { elasticIp: formatIp(a.elasticIp), instance: a.instance } };
      break;
    case 'disassociate':
      action = { disassociate: { elasticIp: formatIp(a.elasticIp) } };
      break;
  }
  return {
    at: formatDuration(e.at),
    ...(e.id !== undefined ? { id: e.id } : {}),
    ...(e.repeat ? { repeat: { every: formatDuration(e.repeat.every), count: e.repeat.count } } : {}),
    ...action,
    ...(e.expect ? { expect: expectDoc(e.expect) } : {}),
  };
}

/** A ScenarioSpec as a version-1 scenario document (throws when the spec has no written form). */
export function specToDocument(spec: ScenarioSpec): Record<string, unknown> {
  const regionOf = new Map<string, string>();
  for (const r of spec.regions) regionOf.set(`default/${r.name}`, r.name);
  const groups: Record<string, unknown> = {};
  let declaredDefault: string | undefined;
  for (const g of spec.groups) {
    regionOf.set(g.key, g.region);
    if (g.key.startsWith('default/')) {
      if (isStandardDefault(g)) continue;
      if (declaredDefault !== undefined) throw new Error(`only one region's default group can be declared in a file (${declaredDefault} and ${g.key})`);
      declaredDefault = g.key;
    }
    groups[displayGroup(g.key)] = {
      region: g.region,
      ...(g.description !== undefined ? { description: g.description } : {}),
      ingress: g.ingress.map(ruleDoc),
    };
  }
  const instances: Record<string, unknown> = {};
  for (const i of spec.instances) instances[i.name] = instanceDoc(i);
  const external: Record<string, unknown> = {};
  for (const e of spec.external) external[e.name] = { ip: formatIp(e.ip), ...(e.services.length ? { services: servicesDoc(e.services) } : {}) };
  const settings = settingsDoc(spec.settings);
  return {
    version: 1,
    name: spec.name,
    ...(spec.description !== undefined ? { description: spec.description } : {}),
    platform: 'classic',
    seed: spec.seed,
    ...(settings ? { settings } : {}),
    regions: Object.fromEntries(spec.regions.map((r) => [r.name, { zones: [...r.zones] }])),
    ...(Object.keys(groups).length ? { groups } : {}),
    ...(Object.keys(instances).length ? { instances } : {}),
    ...(Object.keys(external).length ? { external } : {}),
    timeline: spec.timeline.map((e) => entryDoc(e, regionOf)),
  };
}

export function specToYaml(spec: ScenarioSpec, comment?: string): string {
  const body = stringify(specToDocument(spec), { lineWidth: 0 });
  const head = comment ? comment.split('\n').map((l) => `# ${l}`.trimEnd()).join('\n') + '\n' : '';
  return head + body;
}

// ---------------------------------------------------------------------------------------------
// Run configuration

const envRuns = Number(process.env.SGSIM_PROPS_RUNS ?? '');
/** Runs per property: SGSIM_PROPS_RUNS if set, else the property's default. */
export function runs(defaultRuns: number): number {
  return Number.isFinite(envRuns) && envRuns > 0 ? envRuns : defaultRuns;
}
export const LONG = Number.isFinite(envRuns) && envRuns > 0;
/** Test timeout (ms): generous, since numRuns may be raised from the environment. */
export const TIMEOUT = LONG ? 60 * 60_000 : 120_000;

const envSeed = Number(process.env.SGSIM_PROPS_SEED ?? '');
export const SEED: number = Number.isInteger(envSeed) && process.env.SGSIM_PROPS_SEED ? envSeed : Date.now() % 0x7fffffff;
const envPath = process.env.SGSIM_PROPS_PATH || undefined;

let announced = false;
function announce(): void {
  if (announced) return;
  announced = true;
  console.log(`[sgsim props] seed ${SEED} (SGSIM_PROPS_SEED=${SEED} to replay), runs ${LONG ? envRuns : 'default'}`);
}

const COUNTEREXAMPLES = fileURLToPath(new URL('./counterexamples/', import.meta.url));

export function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);
}

/**
 * A counterexample file whose flows carry no expectations (the property judged the run as a
 * whole, or compared runs) gets the reference oracle's decision for each flow as `expect`, when
 * the oracle models that world: then `sgsim run` on the file fails where sgsim and the oracle
 * disagree, not only the property. Worlds the oracle does not model stay as they are, and so do
 * flows it cannot vouch for (settled).
 */
export function withReferenceExpectations(f: CaseFile): CaseFile {
  if (f.spec.timeline.some((e) => e.expect !== undefined)) return f;
  for (const spec of [f.spec, withAssignedAddresses(f.spec)]) {
    let decisions: Decision[];
    try {
      decisions = settled(spec, decideAll(spec));
    } catch {
      continue; // a world the oracle does not model
    }
    if (decisions.length === 0) return f;
    const note = "expect: the reference oracle's decision for each flow (test/props/oracle.ts); the property itself judged the run as a whole.";
    return { spec: withOracleExpectations(spec, decisions), note: f.note ? `${f.note}\n${note}` : note };
  }
  return f;
}

/**
 * The decisions the oracle can vouch for. It decides a flow when it starts, in no time, so not:
 * - a flow whose answer might not come back before it stops waiting (a round trip at the
 *   slowest latency as long as a connect's whole SYN schedule or a ping's wait): sgsim then
 *   times it out, for no answer (a mutation run's file expected SG_REFERENCES_NOT_PRESERVED for
 *   a connect timed out after 200 ms whose SYN took 1.9 s to be denied);
 * - a flow that times out, when the world changes before it would have (a connect retries
 *   for 127 s by default): a later change (its destination terminated, a rule authorized) can
 *   decide its last tries otherwise, and sgsim gives the reason of its last drop (a fault run's
 *   file expected ENI_SG_RULES_MISMATCH for a connect whose destination was terminated 9 s in;
 *   sgsim, rightly, said NO_ROUTE_TO_DESTINATION).
 */
function settled(spec: ScenarioSpec, decisions: Decision[]): Decision[] {
  const { initialRto, synRetries } = spec.settings.tcp;
  const connectWait = initialRto * (2 ** (synRetries + 1) - 1);
  const slowest = slowestLatency(spec.settings.latency);
  const waitOf = (d: Decision): number => (d.action === 'ping' ? spec.settings.pingTimeout : d.action === 'send' ? Infinity : connectWait);
  const traffic = new Set(['connect', 'send', 'ping', 'transfer', 'close']);
  const changes = spec.timeline.filter((e) => !traffic.has(e.action.kind));
  const entryOf = new Map(spec.timeline.map((e) => [e.index, e]));
  return decisions.filter((d) => {
    if (2 * slowest >= waitOf(d)) return false;
    if (d.outcome !== 'timeout') return true;
    const e = entryOf.get(d.entry)!;
    const until = e.at + waitOf(d);
    // (A change at the flow's own time but after it in the timeline comes before its packet arrives.)
    return !changes.some((c) => (c.at > e.at || (c.at === e.at && c.index > e.index)) && c.at <= until);
  });
}

/**
 * The spec with the addresses sgsim assigns at the start written out (the oracle models only
 * declared addresses): the same world, as runScenario builds it from the same seed.
 */
function withAssignedAddresses(spec: ScenarioSpec): ScenarioSpec {
  const world = initialWorld(spec);
  const instances = spec.instances.map((i): InstanceSpec => {
    const w = getInstance(world, i.name);
    if (!w || w.state !== 'running') return i;
    return {
      ...i,
      ...(w.privateIp !== null ? { privateIp: w.privateIp } : {}),
      ...(w.publicIp !== null && i.elasticIp === undefined ? { publicIp: w.publicIp } : {}),
    };
  });
  return { ...spec, instances };
}

/** One scenario of a counterexample, with an optional note written as a YAML comment. */
export interface CaseFile {
  readonly spec: ScenarioSpec;
  readonly note?: string;
}

export interface PropertyOptions<T> {
  /** Default number of runs (SGSIM_PROPS_RUNS overrides). */
  readonly runs?: number;
  /** The scenario file(s) a counterexample stands for (the first is the main one). */
  readonly files?: (value: T) => readonly CaseFile[];
  /**
   * The property reproduces a known src bug: its counterexample is written to
   * counterexamples/known/<property>.yaml (overwritten each run) rather than a new file per seed.
   */
  readonly knownBug?: string;
}

/**
 * Runs a property; on failure writes the shrunk counterexample as scenario files, prints where
 * and how to replay, and throws fast-check's report.
 */
export function checkProperty<T>(name: string, arb: fc.Arbitrary<T>, predicate: (value: T) => boolean | void, options: PropertyOptions<T> = {}): void {
  announce();
  const params: fc.Parameters<[T]> = {
    // A known bug's counterexample file is kept in the repository: a fixed seed keeps it stable.
    seed: options.knownBug && !process.env.SGSIM_PROPS_SEED ? 1 : SEED,
    numRuns: runs(options.runs ?? 200),
    ...(envPath ? { path: envPath } : {}),
  };
  const details = fc.check(fc.property(arb, predicate), params);
  if (!details.failed) return;
  const lines = [`property "${name}" failed (seed ${details.seed}, path "${details.counterexamplePath ?? ''}")`];
  if (details.counterexample !== null && options.files) {
    try {
      const files = options.files(details.counterexample[0]);
      const dir = options.knownBug ? `${COUNTEREXAMPLES}known/` : COUNTEREXAMPLES;
      mkdirSync(dir, { recursive: true });
      files.map(withReferenceExpectations).forEach((f, i) => {
        const base = options.knownBug ? slug(name) : `${slug(name)}-${details.seed}`;
        const file = `${dir}${base}${i === 0 ? '' : `-${String.fromCharCode(97 + i)}`}.yaml`;
        const note = [
          `Counterexample of the property "${name}"${options.knownBug ? ` (known bug ${options.knownBug})` : ''}.`,
          `fast-check seed ${details.seed}, path "${details.counterexamplePath ?? ''}".`,
          `Replay: SGSIM_PROPS_SEED=${details.seed} SGSIM_PROPS_PATH='${details.counterexamplePath ?? ''}' npx vitest run test/props -t '${name}'`,
          `Run it: npx tsx src/cli/main.ts run --compile-after 0 ${relative(process.cwd(), file)}`,
          ...(f.note ? ['', ...f.note.split('\n')] : []),
        ].join('\n');
        writeFileSync(file, specToYaml(f.spec, note));
        lines.push(`counterexample written to ${relative(process.cwd(), file)}`);
      });
    } catch (err) {
      lines.push(`(could not write the counterexample: ${(err as Error).message})`);
    }
  }
  lines.push(`replay: SGSIM_PROPS_SEED=${details.seed} SGSIM_PROPS_PATH='${details.counterexamplePath ?? ''}' npx vitest run test/props -t '${name}'`);
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message : details.errorInstance !== null ? String(details.errorInstance) : '';
  if (cause) lines.push(`what failed:\n${cause.length > 4000 ? `${cause.slice(0, 4000)}…` : cause}`);
  const message = lines.join('\n');
  if (!options.knownBug) console.error(message);
  throw new Error(`${message}\n\n${fc.defaultReportMessage(details) ?? ''}`);
}
