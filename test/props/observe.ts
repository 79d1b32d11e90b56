/**
 * test/props/observe: running a spec and reading what happened.
 *
 * Owns: running a scenario with its packet trace captured, and small readers over the report
 * and the trace (admitted outcomes, the deliveries of a flow's packets, the rules in force at
 * an entry, the sender's groups). Everything here observes; nothing decides a verdict.
 */
import { runScenario, type FlowReport, type RunReport } from '../../src/scenario/run.ts';
import type { TraceEvent } from '../../src/fabric/fabric.ts';
import type { ScenarioSpec, TimelineEntry } from '../../src/scenario/spec.ts';
import type { InstanceSpec, Rule } from '../../src/model/types.ts';
import { formatIp, type Ip } from '../../src/net/ipv4.ts';
import { initialRules, sameRuleP } from './arbitraries.ts';

export interface Observed {
  readonly report: RunReport;
  readonly trace: TraceEvent[];
}

/** More trace events than any generated scenario can produce: a simulation that never settles. */
export const EVENT_CAP = 200_000;

export class RunawaySimulation extends Error {
  override name = 'RunawaySimulation';
}

/**
 * runScenario with a guard: a run whose packets never stop (a loop in the simulator) throws
 * RunawaySimulation after EVENT_CAP trace events instead of hanging the test run. Receivers
 * are compiled from their first packet (`sgsim run --compile-after 0` replays it).
 */
export function safeRun(spec: ScenarioSpec, options: { seed?: string; trace?: (e: TraceEvent) => void } = {}): RunReport {
  let n = 0;
  const last: TraceEvent[] = [];
  return runScenario(spec, {
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    // Every receiver compiled from its first packet, so the properties check the compiled index
    // (small scenarios would otherwise only ever scan; test/props/fastforward.test.ts checks
    // that both give the same reports).
    compileReceiversAfter: 0,
    trace: (e) => {
      options.trace?.(e);
      last.push(e);
      if (last.length > 6) last.shift();
      if (++n > EVENT_CAP) {
        throw new RunawaySimulation(`the simulation did not settle: more than ${EVENT_CAP} packet events (last ones: ${last.map((x) => JSON.stringify(x)).join(' ')})`);
      }
    },
  });
}

export function observe(spec: ScenarioSpec, seed?: string): Observed {
  const trace: TraceEvent[] = [];
  const report = safeRun(spec, { trace: (e) => trace.push(e), ...(seed !== undefined ? { seed } : {}) });
  return { report, trace };
}

export const ADMITTED_OUTCOMES: ReadonlySet<string> = new Set(['connected', 'refused', 'delivered', 'replied']);
export const FAILED_OUTCOMES: ReadonlySet<string> = new Set(['timeout', 'dropped']);

export function admitted(f: FlowReport): boolean {
  return ADMITTED_OUTCOMES.has(f.outcome);
}

/** Security-group denial codes (a packet reached its receiver and was dropped there). */
export const DENIAL_CODES: readonly string[] = [
  'SIM_PROPAGATION_PENDING',
  'SIM_CONNTRACK_EXPIRED',
  'SG_REFERENCES_NOT_PRESERVED',
  'ENI_SG_RULES_MISMATCH',
  'SG_HAS_NO_RULES',
];
/** Every code a failed flow may carry. */
export const FAILURE_CODES: ReadonlySet<string> = new Set([...DENIAL_CODES, 'NO_ROUTE_TO_DESTINATION', 'SOURCE_NOT_RUNNING', 'CONNECTION_NOT_OPEN']);
/** Every code an admitted flow may carry. */
export const ADMISSION_CODES: ReadonlySet<string> = new Set(['ALLOWED_BY_RULE', 'CONNECTION_REFUSED', 'NOT_FILTERED', 'TRACKED_CONNECTION']);

/** The report's flows paired with their timeline entries. */
export function flowEntries(spec: ScenarioSpec, report: RunReport): { flow: FlowReport; entry: TimelineEntry; position: number }[] {
  const traffic = spec.timeline.map((entry, position) => ({ entry, position })).filter(({ entry }) => ['connect', 'send', 'ping', 'transfer'].includes(entry.action.kind));
  return traffic.map(({ entry, position }, i) => ({ flow: report.flows[i], entry, position }));
}

/** Trace events of one flow's packets (sends, deliveries, outcome). */
export function eventsOf(trace: readonly TraceEvent[], flow: number): TraceEvent[] {
  return trace.filter((e) => e.flow === flow);
}

/** Deliveries of a flow's packets at hosts other than its sender: what reached the receiver. */
export function deliveriesAtReceiver(trace: readonly TraceEvent[], f: FlowReport): TraceEvent[] {
  return trace.filter((e) => e.ev === 'deliver' && e.flow === f.index && e.host !== f.from);
}

/** Every instance spec of a scenario (declared and launched), by name. */
export function instanceSpecs(spec: ScenarioSpec): Map<string, InstanceSpec> {
  const m = new Map<string, InstanceSpec>();
  for (const i of spec.instances) m.set(i.name, i);
  for (const e of spec.timeline) if (e.action.kind === 'launch') m.set(e.action.instance.name, e.action.instance);
  return m;
}

/** The rules of every group once the timeline's rule changes before `position` took effect (delay 0). */
export function rulesBefore(spec: ScenarioSpec, position: number): Map<string, Rule[]> {
  const m = initialRules(spec);
  for (let i = 0; i < position; i++) {
    const a = spec.timeline[i].action;
    if (a.kind === 'authorize') m.get(a.group)!.push(a.rule);
    if (a.kind === 'revoke') {
      const list = m.get(a.group)!;
      list.splice(list.findIndex((r) => sameRuleP(r, a.rule)), 1);
    }
  }
  return m;
}

export function isPrivate(dotted: string | undefined): boolean {
  return dotted !== undefined && dotted.startsWith('10.');
}

export function dotted(a: Ip): string {
  return formatIp(a);
}

export function parseDotted(s: string): Ip {
  const [a, b, c, d] = s.split('.').map(Number);
  return ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
}

/** A short description of a flow for failure messages. */
export function describeFlow(f: FlowReport): string {
  return `flow #${f.index} ${f.action} ${f.from} -> ${f.target}${f.port !== undefined ? `:${f.port}` : ''} at ${f.atMs / 1000}s: ${f.outcome} ${f.path ?? '-'}${f.redirected ? ' (redirected)' : ''} from ${f.source ?? '-'} ${f.explanation.code}${f.explanation.blockers ? ` [${f.explanation.blockers.join(', ')}]` : ''}`;
}
