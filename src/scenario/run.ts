/**
 * scenario/run: running a scenario and judging its expectations.
 *
 * Owns: building the world and the fabric from a ScenarioSpec, scheduling the timeline (equal
 * times keep file order), turning each traffic action into a flow and each change into a
 * world change, running the simulation until idle, and the run report of scenario-format.md
 * (flows in timeline order, each checked against its `expect`). runScenarioStreaming gives the
 * same report with its flows built one at a time on demand, so that a writer can stream a run
 * of 10^7 flows without holding 10^7 flow reports; runScenario collects them into one object.
 * Does not own: parsing (scenario/load.ts), rendering (analysis/report.ts), argv or files (cli/).
 */
import { Simulator } from '../core/simulator.ts';
import { formatCidr, formatIp, type Ip } from '../net/ipv4.ts';
import { formatIcmp, formatPorts } from '../net/protocol.ts';
import { groupDisplayName, type Rule } from '../model/types.ts';
import { createWorld, type Change, type World } from '../model/world.ts';
import { Fabric, type Connection, type TraceSink } from '../fabric/fabric.ts';
import { newFlow, type Explanation, type FlowRecord } from '../fabric/flows.ts';
import { describeAddress, resolveAddress } from '../fabric/resolve.ts';
import type { AddressSpec, Expectation, ScenarioSpec, TimelineEntry } from './spec.ts';

export interface RunOptions {
  /** Overrides the scenario's seed. */
  readonly seed?: string;
  /** Receives every packet event. */
  readonly trace?: TraceSink | null;
  /** The file the scenario came from, for the report. */
  readonly file?: string;
  /** Measure wall time (the one figure that differs between identical runs). */
  readonly timing?: boolean;
  /**
   * Let the fabric fast-forward connects denied after the timeline's last change (default
   * true; the report is the same either way, only faster: Fabric.fastForward). false is for
   * tests that check exactly that.
   */
  readonly fastForward?: boolean;
  /** FabricOptions.compileReceiversAfter (0: every receiver's rules compiled from its first packet; for tests). */
  readonly compileReceiversAfter?: number;
  /** FabricOptions.fastPaths (false: every packet decided by the plan of hops alone; for tests). */
  readonly fastPaths?: boolean;
  /**
   * Called now and then while the simulation runs (about every 16,384 flows started and once
   * at the end) with the flows started so far and the run's total (for a progress bar).
   */
  readonly onProgress?: (flowsStarted: number, flowsTotal: number) => void;
}

export interface RuleReport {
  protocol: string;
  ports?: string;
  icmp?: string;
  from: { cidr: string } | { group: string };
  description?: string;
}

export interface ExplanationReport {
  code: string;
  group?: string;
  rule?: RuleReport;
  blockers?: string[];
  message: string;
}

export interface ExpectationReport {
  outcome?: string;
  path?: string;
  redirected?: boolean;
  source?: string;
  code?: string;
}

export interface FlowReport {
  id?: string;
  /** For an entry with `repeat`: which repetition this flow is (0 for the first). */
  repetition?: number;
  index: number;
  atMs: number;
  action: string;
  protocol: string;
  from: string;
  /** The address used (dotted), or the address as written when it named no address. */
  to: string;
  target: string;
  port?: number;
  outcome: string;
  path?: string;
  redirected?: boolean;
  source?: string;
  destination?: string;
  explanation: ExplanationReport;
  expected?: ExpectationReport;
  ok?: boolean;
  /** Expectation fields that did not hold: field -> what happened. */
  mismatches?: Record<string, unknown>;
}

export interface RunStats {
  events: number;
  packets: number;
  drops: number;
  simulatedMs: number;
  wallMs: number;
}

export interface RunReport {
  version: 1;
  scenario: string;
  file?: string;
  seed: string;
  passed: boolean;
  flows: FlowReport[];
  expectations: { total: number; failed: number };
  stats: RunStats;
}

/**
 * A finished run whose flow reports are built on demand: `flows()` yields them in timeline
 * order, a fresh report each time (iterate it as often as needed; nothing is kept). The other
 * fields are those of RunReport; `flowCount` is the length of `flows()`.
 */
export interface StreamingReport {
  readonly version: 1;
  readonly scenario: string;
  readonly file?: string;
  readonly seed: string;
  readonly passed: boolean;
  readonly flowCount: number;
  flows(): IterableIterator<FlowReport>;
  readonly expectations: { total: number; failed: number };
  readonly stats: RunStats;
}

/** One flow as the report reads it (built on demand from a FlowTable). */
interface FlowSlot {
  entry: TimelineEntry;
  /** Which repetition of a repeated entry this flow is (0 for the first); undefined if it does not repeat. */
  repetition?: number;
  flow: FlowRecord;
  target: string;
  expectedSource: Ip | null | undefined;
}

/**
 * The flows of a run in timeline order, compactly: the fabric's record of each, and its
 * timeline entry and repetition in typed arrays, so that a run of 10^7 flows keeps no object
 * per flow beyond the record (the expected source, resolved when a flow starts, only for the
 * flows whose entry expects one).
 */
class FlowTable {
  readonly records: FlowRecord[] = [];
  private entryOf = new Int32Array(1024);
  private repetitionOf = new Int32Array(1024);
  readonly expectedSources = new Map<number, Ip | null>();
  private readonly targets: string[];

  constructor(private readonly timeline: readonly TimelineEntry[]) {
    this.targets = timeline.map((e) => {
      const a = e.action;
      return a.kind === 'connect' || a.kind === 'send' || a.kind === 'ping' ? describeAddress(a.to) : a.kind === 'transfer' || a.kind === 'close' ? a.connection : '';
    });
  }

  get length(): number {
    return this.records.length;
  }

  /** Adds a flow of timeline entry `entry` (`repetition` -1 when the entry does not repeat). */
  add(flow: FlowRecord, entry: number, repetition: number): void {
    const i = this.records.length;
    if (i === this.entryOf.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.entryOf = grow(this.entryOf);
      this.repetitionOf = grow(this.repetitionOf);
    }
    this.records.push(flow);
    this.entryOf[i] = entry;
    this.repetitionOf[i] = repetition;
  }

  slot(i: number): FlowSlot {
    const entry = this.timeline[this.entryOf[i]];
    const repetition = this.repetitionOf[i];
    return {
      entry,
      ...(repetition >= 0 ? { repetition } : {}),
      flow: this.records[i],
      target: this.targets[this.entryOf[i]],
      expectedSource: this.expectedSources.get(i),
    };
  }
}

/**
 * The world a scenario starts from, as runScenario builds it: addresses not declared are
 * assigned from the seed, keeping out of the pools those the timeline launches or associates.
 */
export function initialWorld(spec: ScenarioSpec, seed: string = spec.seed): World {
  const launched: Ip[] = [];
  for (const e of spec.timeline) {
    if (e.action.kind === 'launch') {
      const i = e.action.instance;
      for (const ip of [i.privateIp, i.publicIp, i.elasticIp]) if (ip !== undefined) launched.push(ip);
    }
    if (e.action.kind === 'associate') launched.push(e.action.elasticIp);
  }
  return createWorld({
    seed,
    regions: spec.regions,
    groups: spec.groups,
    instances: spec.instances,
    external: spec.external,
    reserved: launched,
  });
}

/** Runs a scenario and returns its whole report (flows in timeline order). */
export function runScenario(spec: ScenarioSpec, options: RunOptions = {}): RunReport {
  const run = runScenarioStreaming(spec, options);
  return {
    version: run.version,
    scenario: run.scenario,
    ...(run.file !== undefined ? { file: run.file } : {}),
    seed: run.seed,
    passed: run.passed,
    flows: [...run.flows()],
    expectations: run.expectations,
    stats: run.stats,
  };
}

/** The number of flows a scenario's timeline starts (a repeated entry counts its repetitions). */
export function scenarioFlowCount(spec: ScenarioSpec): number {
  let n = 0;
  for (const e of spec.timeline) if (TRAFFIC.has(e.action.kind) && e.action.kind !== 'close') n += e.repeat ? e.repeat.count : 1;
  return n;
}

/** Runs a scenario; its flow reports are built when `flows()` is iterated (StreamingReport). */
export function runScenarioStreaming(spec: ScenarioSpec, options: RunOptions = {}): StreamingReport {
  const started = options.timing ? performance.now() : 0;
  const seed = options.seed ?? spec.seed;
  const world = initialWorld(spec, seed);
  const sim = new Simulator({ seed });
  const promise = options.fastForward === false ? {} : changesEnd(spec);
  const compile = options.compileReceiversAfter !== undefined ? { compileReceiversAfter: options.compileReceiversAfter } : {};
  const fabric = new Fabric(sim, world, spec.settings, options.trace ?? null, { ...promise, ...compile, ...(options.fastPaths === false ? { fastPaths: false } : {}) });
  // Connections that a later transfer or close names (the others may be fast-forwarded).
  const named = new Set<string>();
  for (const e of spec.timeline) if (e.action.kind === 'transfer' || e.action.kind === 'close') named.add(e.action.connection);
  const slots = new FlowTable(spec.timeline);
  const connections = new Map<string, Connection | null>();
  const onProgress = options.onProgress;
  const flowsTotal = onProgress ? scenarioFlowCount(spec) : 0;

  const onEntry = (i: number, repetition: number): void => {
    const entry = spec.timeline[i];
    const a = entry.action;
    // Bulk traffic: schedule the next repetition only now, so a million repetitions never wait
    // in the queue at once.
    if (entry.repeat && repetition + 1 < entry.repeat.count) {
      sim.at(entry.at + (repetition + 1) * entry.repeat.every, onEntry, i, repetition + 1);
    }
    switch (a.kind) {
      case 'connect':
      case 'send':
      case 'ping': {
        const protocol = a.kind === 'connect' ? 'tcp' : a.kind === 'send' ? 'udp' : 'icmp';
        if (onProgress && (slots.length & 16383) === 16383) onProgress(slots.length, flowsTotal);
        const flow = newFlow(slots.length, a.kind, protocol, a.from, sim.now);
        if (entry.expect?.source) slots.expectedSources.set(slots.length, resolveExpectedSource(entry.expect.source));
        slots.add(flow, i, entry.repeat ? repetition : -1);
        const from = fabric.hostId(a.from)!;
        const to = resolveAddress(fabric.world, a.to, a.from);
        if (a.kind !== 'ping') flow.port = a.port;
        if ('error' in to) {
          const sender = fabric.hosts[from];
          if (!sender.running) {
            flow.outcome = a.kind === 'send' ? 'dropped' : 'timeout';
            flow.explanation = { code: 'SOURCE_NOT_RUNNING', message: `${a.from} is not running, so it sends nothing` };
          } else {
            flow.outcome = a.kind === 'send' ? 'dropped' : 'timeout';
            flow.explanation = { code: 'NO_ROUTE_TO_DESTINATION', message: to.error };
          }
          flow.resolvedAtNs = sim.now;
          if (a.kind === 'connect' && entry.id) connections.set(entry.id, null);
          return;
        }
        if (a.kind === 'connect') {
          // A connection a later entry names (transfer, close) is kept; the others need no handle.
          if (entry.id !== undefined && named.has(entry.id)) connections.set(entry.id, fabric.connect(flow, from, to.ip, a.port));
          else fabric.connectDetached(flow, from, to.ip, a.port);
        } else if (a.kind === 'send') fabric.sendUdp(flow, from, to.ip, a.port, a.count);
        else fabric.ping(flow, from, to.ip);
        return;
      }
      case 'transfer': {
        const conn = connections.get(a.connection) ?? null;
        const flow = newFlow(slots.length, 'transfer', 'tcp', conn ? fabric.hosts[conn.host].name : '?', sim.now);
        if (entry.expect?.source) slots.expectedSources.set(slots.length, resolveExpectedSource(entry.expect.source));
        slots.add(flow, i, -1);
        fabric.transfer(flow, conn);
        return;
      }
      case 'close':
        fabric.close(connections.get(a.connection) ?? null);
        return;
      default:
        fabric.applyChange(toChange(a));
    }
  };

  function resolveExpectedSource(spec: AddressSpec): Ip | null {
    const r = resolveAddress(fabric.world, spec, spec.kind === 'ip' || spec.kind === 'external' ? '' : spec.instance);
    return 'ip' in r ? r.ip : null;
  }

  spec.timeline.forEach((e, i) => sim.at(e.at, onEntry, i));
  sim.run();
  onProgress?.(slots.length, flowsTotal);

  // Judged once here (passed and the tally come before the flows in a report); the flow
  // reports themselves are built only when flows() is read.
  let failed = 0;
  let total = 0;
  for (let i = 0; i < slots.length; i++) {
    const slot = slots.slot(i);
    if (!slot.entry.expect) continue;
    total++;
    if (Object.keys(judge(slot.entry.expect, slot, observed(slot.flow)).mismatches).length > 0) failed++;
  }
  function* flows(): IterableIterator<FlowReport> {
    for (let i = 0; i < slots.length; i++) yield flowReport(slots.slot(i));
  }
  return {
    version: 1,
    scenario: spec.name,
    ...(options.file !== undefined ? { file: options.file } : {}),
    seed,
    passed: failed === 0,
    flowCount: slots.length,
    flows,
    expectations: { total, failed },
    stats: {
      events: sim.eventsRun + sim.eventsElided,
      packets: fabric.stats.packets,
      drops: fabric.stats.drops,
      simulatedMs: sim.now / 1e6,
      wallMs: options.timing ? Math.round((performance.now() - started) * 1000) / 1000 : 0,
    },
  };
}

const TRAFFIC: ReadonlySet<string> = new Set(['connect', 'send', 'ping', 'transfer', 'close']);

/**
 * The time of the timeline's last change (-1 when it has none), for FabricOptions.changesEndNs.
 * Only traffic repeats (schema.ts), so a change happens once, at its `at`.
 */
export function changesEnd(spec: ScenarioSpec): { changesEndNs: number } {
  let end = -1;
  for (const e of spec.timeline) if (!TRAFFIC.has(e.action.kind) && e.at > end) end = e.at;
  return { changesEndNs: end };
}

function toChange(a: TimelineEntry['action']): Change {
  switch (a.kind) {
    case 'authorize':
    case 'revoke':
      return { kind: a.kind, group: a.group, rule: a.rule };
    case 'launch':
      return { kind: 'launch', instance: a.instance };
    case 'stop':
    case 'start':
    case 'terminate':
      return { kind: a.kind, instance: a.instance };
    case 'associate':
      return { kind: 'associate', elasticIp: a.elasticIp, instance: a.instance };
    case 'disassociate':
      return { kind: 'disassociate', elasticIp: a.elasticIp };
    default:
      throw new Error(`not a change: ${a.kind}`);
  }
}

export function ruleReport(rule: Rule): RuleReport {
  return {
    protocol: rule.protocol,
    ...(rule.ports ? { ports: formatPorts(rule.ports) } : {}),
    ...(rule.icmp ? { icmp: formatIcmp(rule.icmp) } : {}),
    from: rule.source.kind === 'cidr' ? { cidr: formatCidr(rule.source.cidr) } : { group: groupDisplayName(rule.source.group) },
    ...(rule.description !== undefined ? { description: rule.description } : {}),
  };
}

function explanationReport(e: Explanation | null): ExplanationReport {
  if (!e) return { code: 'UNRESOLVED', message: 'the flow was never decided' };
  // Fields assigned one by one, in the report's key order (cheaper than spreads; a run writes
  // millions of these).
  const r = { code: e.code } as ExplanationReport;
  const group = e.group;
  if (group !== undefined) r.group = groupDisplayName(group);
  const rule = e.rule;
  if (rule) r.rule = ruleReport(rule);
  const blockers = e.blockers;
  if (blockers && blockers.length) r.blockers = [...blockers];
  r.message = e.message;
  return r;
}

function flowReport(slot: FlowSlot): FlowReport {
  const { entry, flow } = slot;
  // Assigned in the report's key order (JSON writes keys in insertion order).
  const report = {} as FlowReport;
  if (entry.id !== undefined) report.id = entry.id;
  if (slot.repetition !== undefined) report.repetition = slot.repetition;
  report.index = flow.index;
  report.atMs = flow.atNs / 1e6;
  report.action = flow.action;
  report.protocol = flow.protocol;
  report.from = flow.from;
  report.to = flow.to !== null ? formatIp(flow.to) : slot.target;
  report.target = slot.target;
  if (flow.port !== null) report.port = flow.port;
  report.outcome = flow.outcome ?? 'unresolved';
  if (flow.path !== null) report.path = flow.path;
  if (flow.redirected !== null) report.redirected = flow.redirected;
  if (flow.source !== null) report.source = formatIp(flow.source);
  if (flow.destination !== null) report.destination = formatIp(flow.destination);
  report.explanation = explanationReport(flow.explanation);
  if (entry.expect) {
    const { expected, mismatches } = judge(entry.expect, slot, report);
    // (`judge` reads only what `observed` gives, so runScenarioStreaming's count agrees.)
    report.expected = expected;
    report.ok = Object.keys(mismatches).length === 0;
    if (!report.ok) report.mismatches = mismatches;
  }
  return report;
}

/** What judge reads of a flow, as the flow's report shows it. */
type Observed = Pick<FlowReport, 'outcome' | 'path' | 'redirected' | 'source'> & { explanation: { code: string } };

function observed(flow: FlowRecord): Observed {
  return {
    outcome: flow.outcome ?? 'unresolved',
    ...(flow.path !== null ? { path: flow.path } : {}),
    ...(flow.redirected !== null ? { redirected: flow.redirected } : {}),
    ...(flow.source !== null ? { source: formatIp(flow.source) } : {}),
    explanation: { code: flow.explanation ? flow.explanation.code : 'UNRESOLVED' },
  };
}

function judge(expect: Expectation, slot: FlowSlot, report: Observed): { expected: ExpectationReport; mismatches: Record<string, unknown> } {
  const expected: ExpectationReport = {};
  const mismatches: Record<string, unknown> = {};
  if (expect.outcome !== undefined) {
    expected.outcome = expect.outcome;
    if (report.outcome !== expect.outcome) mismatches.outcome = report.outcome;
  }
  if (expect.path !== undefined) {
    expected.path = expect.path;
    if (report.path !== expect.path) mismatches.path = report.path ?? null;
  }
  if (expect.redirected !== undefined) {
    expected.redirected = expect.redirected;
    if (report.redirected !== expect.redirected) mismatches.redirected = report.redirected ?? null;
  }
  if (expect.source !== undefined) {
    expected.source = describeAddress(expect.source);
    const want = slot.expectedSource;
    if (want === null || want === undefined || report.source !== formatIp(want)) mismatches.source = report.source ?? null;
  }
  if (expect.code !== undefined) {
    expected.code = expect.code;
    if (report.explanation.code !== expect.code) mismatches.code = report.explanation.code;
  }
  return { expected, mismatches };
}
