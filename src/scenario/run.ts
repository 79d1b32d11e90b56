/**
 * scenario/run: running a scenario and judging its expectations.
 *
 * Owns: building the world and the fabric from a ScenarioSpec, scheduling the timeline (equal
 * times keep file order), turning each traffic action into a flow and each change into a
 * world change, running the simulation until idle, and the run report of scenario-format.md
 * (flows in timeline order, each checked against its `expect`).
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

interface FlowSlot {
  entry: TimelineEntry;
  /** Which repetition of a repeated entry this flow is (0 for the first); undefined if it does not repeat. */
  repetition?: number;
  flow: FlowRecord;
  target: string;
  expectedSource: Ip | null | undefined;
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

export function runScenario(spec: ScenarioSpec, options: RunOptions = {}): RunReport {
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
  const slots: FlowSlot[] = [];
  const connections = new Map<string, Connection | null>();

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
        const flow = newFlow(slots.length, a.kind, protocol, a.from, sim.now);
        const slot: FlowSlot = { entry, flow, target: describeAddress(a.to), expectedSource: undefined, ...(entry.repeat ? { repetition } : {}) };
        slots.push(slot);
        if (entry.expect?.source) slot.expectedSource = resolveExpectedSource(entry.expect.source);
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
        slots.push({ entry, flow, target: a.connection, expectedSource: undefined });
        if (entry.expect?.source) slots[slots.length - 1].expectedSource = resolveExpectedSource(entry.expect.source);
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

  const flows = slots.map((s) => flowReport(s));
  const failed = flows.filter((f) => f.ok === false).length;
  const total = flows.filter((f) => f.ok !== undefined).length;
  return {
    version: 1,
    scenario: spec.name,
    ...(options.file !== undefined ? { file: options.file } : {}),
    seed,
    passed: failed === 0,
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
  return {
    code: e.code,
    ...(e.group !== undefined ? { group: groupDisplayName(e.group) } : {}),
    ...(e.rule ? { rule: ruleReport(e.rule) } : {}),
    ...(e.blockers && e.blockers.length ? { blockers: [...e.blockers] } : {}),
    message: e.message,
  };
}

function flowReport(slot: FlowSlot): FlowReport {
  const { entry, flow } = slot;
  const report: FlowReport = {
    ...(entry.id !== undefined ? { id: entry.id } : {}),
    ...(slot.repetition !== undefined ? { repetition: slot.repetition } : {}),
    index: flow.index,
    atMs: flow.atNs / 1e6,
    action: flow.action,
    protocol: flow.protocol,
    from: flow.from,
    to: flow.to !== null ? formatIp(flow.to) : slot.target,
    target: slot.target,
    ...(flow.port !== null ? { port: flow.port } : {}),
    outcome: flow.outcome ?? 'unresolved',
    ...(flow.path !== null ? { path: flow.path } : {}),
    ...(flow.redirected !== null ? { redirected: flow.redirected } : {}),
    ...(flow.source !== null ? { source: formatIp(flow.source) } : {}),
    ...(flow.destination !== null ? { destination: formatIp(flow.destination) } : {}),
    explanation: explanationReport(flow.explanation),
  };
  if (entry.expect) {
    const { expected, mismatches } = judge(entry.expect, slot, report);
    report.expected = expected;
    report.ok = Object.keys(mismatches).length === 0;
    if (!report.ok) report.mismatches = mismatches;
  }
  return report;
}

function judge(expect: Expectation, slot: FlowSlot, report: FlowReport): { expected: ExpectationReport; mismatches: Record<string, unknown> } {
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
