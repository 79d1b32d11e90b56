/**
 * scenario/flow-report: a flow as the run report shows it.
 *
 * Owns: the report types of a flow (FlowReport, its explanation, rule and expectation), the
 * compact table of a run's flows (FlowTable: the fabric's record per flow, its entry and
 * repetition in typed arrays), building a flow's report from it on demand, and judging a flow
 * against its entry's `expect`.
 * Does not own: running (scenario/run.ts) or writing reports (analysis/, cli/).
 */
import { formatCidr, formatIp, type Ip } from '../net/ipv4.ts';
import { formatIcmp, formatPorts } from '../net/protocol.ts';
import { groupDisplayName, type Rule } from '../model/types.ts';
import type { Explanation, FlowRecord } from '../fabric/flows.ts';
import { describeAddress } from '../fabric/resolve.ts';
import type { Expectation, TimelineEntry } from './spec.ts';

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

/** One flow as the report reads it (built on demand from a FlowTable). */
export interface FlowSlot {
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
export class FlowTable {
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

export function flowReport(slot: FlowSlot): FlowReport {
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

export function observed(flow: FlowRecord): Observed {
  return {
    outcome: flow.outcome ?? 'unresolved',
    ...(flow.path !== null ? { path: flow.path } : {}),
    ...(flow.redirected !== null ? { redirected: flow.redirected } : {}),
    ...(flow.source !== null ? { source: formatIp(flow.source) } : {}),
    explanation: { code: flow.explanation ? flow.explanation.code : 'UNRESOLVED' },
  };
}

export function judge(expect: Expectation, slot: FlowSlot, report: Observed): { expected: ExpectationReport; mismatches: Record<string, unknown> } {
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
