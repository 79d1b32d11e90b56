/**
 * scenario/run: running a scenario and judging its expectations.
 *
 * Owns: building the world and the fabric from a ScenarioSpec, scheduling the timeline (equal
 * times keep file order), turning each traffic action into a flow and each change into a
 * world change, running the simulation until idle, and the run report of scenario-format.md
 * (flows in timeline order, each checked against its `expect`). runScenarioStreaming gives the
 * same report with its flows built one at a time on demand, so that a writer can stream a run
 * of 10^7 flows without holding 10^7 flow reports; runScenario collects them into one object.
 * A flow's report, the table of a run's flows and judging: scenario/flow-report.ts.
 * Does not own: parsing (scenario/load.ts), rendering (analysis/report.ts), argv or files (cli/).
 */
import { Simulator } from '../core/simulator.ts';
import type { Ip } from '../net/ipv4.ts';
import { createWorld, type Change, type World } from '../model/world.ts';
import { Fabric, type Connection, type TraceSink } from '../fabric/fabric.ts';
import { newFlow } from '../fabric/flows.ts';
import { resolveAddress } from '../fabric/resolve.ts';
import type { AddressSpec, ScenarioSpec, TimelineEntry } from './spec.ts';
import { FlowTable, flowReport, judge, observed, type FlowReport } from './flow-report.ts';

export { ruleReport, type RuleReport, type ExplanationReport, type ExpectationReport, type FlowReport } from './flow-report.ts';

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

/** A timeline action as the world's change (null: traffic, not a change). The runner and the questions (worldAt) both read the timeline so. */
export function changeOf(a: TimelineEntry['action']): Change | null {
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
      return null;
  }
}

function toChange(a: TimelineEntry['action']): Change {
  const change = changeOf(a);
  if (change === null) throw new Error(`not a change: ${a.kind}`);
  return change;
}

