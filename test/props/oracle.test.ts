/**
 * test/props/oracle: the differential property — sgsim against the reference evaluator.
 *
 * Owns: on random worlds with declared addresses and random traffic (every address kind),
 * rule changes (propagation delay 0), launches, terminations and associations of free Elastic
 * IPs, every flow of runScenario's report equals the oracle's decision: outcome, path,
 * redirected, the source the receiver saw, the explanation code, and for admissions the group
 * and rule named. A counterexample file carries the oracle's decisions as `expect`, so
 * `sgsim run` on it shows which flow disagrees.
 */
import { describe, it } from 'vitest';
import { runScenario, type FlowReport } from '../../src/scenario/run.ts';
import type { Expectation, ScenarioSpec, TimelineEntry } from '../../src/scenario/spec.ts';
import type { Rule } from '../../src/model/types.ts';
import { formatIp } from '../../src/net/ipv4.ts';
import { specArb, type WorldOptions } from './arbitraries.ts';
import { decideAll, type Decision } from './oracle.ts';
import { checkProperty, TIMEOUT } from './replay.ts';

/** Codes a scenario file may name in `expect.code`. */
const EXPECTABLE = new Set([
  'ALLOWED_BY_RULE',
  'CONNECTION_REFUSED',
  'SG_HAS_NO_RULES',
  'ENI_SG_RULES_MISMATCH',
  'SG_REFERENCES_NOT_PRESERVED',
  'SIM_PROPAGATION_PENDING',
  'SIM_CONNTRACK_EXPIRED',
  'NO_ROUTE_TO_DESTINATION',
  'SOURCE_NOT_RUNNING',
  'TRACKED_CONNECTION',
]);

function oracleRuleKey(r: Rule): string {
  const ports = r.ports ? (r.ports.from === r.ports.to ? `${r.ports.from}` : `${r.ports.from}-${r.ports.to}`) : '';
  const icmp = r.icmp ? `${r.icmp.type}:${r.icmp.code}` : '';
  const from = r.source.kind === 'cidr' ? `${formatIp(r.source.cidr.base)}/${r.source.cidr.prefix}` : `group ${r.source.group.startsWith('default/') ? 'default' : r.source.group}`;
  return `${r.protocol} ${ports} ${icmp} from ${from}`;
}

function reportRuleKey(f: FlowReport): string | undefined {
  const r = f.explanation.rule;
  if (!r) return undefined;
  const from = 'cidr' in r.from ? r.from.cidr : `group ${r.from.group}`;
  return `${r.protocol} ${r.ports ?? ''} ${r.icmp ?? ''} from ${from}`;
}

/** Where a flow of the report differs from the oracle's decision. */
export function differences(f: FlowReport | undefined, d: Decision): string[] {
  if (!f) return [`flow #${d.index}: missing from the report`];
  const out: string[] = [];
  const cmp = (field: string, got: unknown, want: unknown): void => {
    if (got !== want) out.push(`flow #${d.index} (${f.action} ${f.from} -> ${f.target}${f.port !== undefined ? `:${f.port}` : ''}): ${field} is ${JSON.stringify(got)}, oracle says ${JSON.stringify(want)}`);
  };
  cmp('outcome', f.outcome, d.outcome);
  cmp('path', f.path ?? null, d.path);
  cmp('redirected', f.redirected ?? null, d.redirected);
  cmp('source', f.source ?? null, d.source === null ? null : formatIp(d.source));
  cmp('code', f.explanation.code, d.code);
  if (d.group !== undefined) {
    cmp('group', f.explanation.group, d.group);
    cmp('rule', reportRuleKey(f), oracleRuleKey(d.rule!));
  }
  return out;
}

/** The spec with the oracle's decisions as expectations (for the counterexample file). */
export function withOracleExpectations(spec: ScenarioSpec, decisions: readonly Decision[]): ScenarioSpec {
  const byEntry = new Map(decisions.map((d) => [d.entry, d]));
  const timeline: TimelineEntry[] = spec.timeline.map((e) => {
    const d = byEntry.get(e.index);
    if (!d) return e;
    const expect: Expectation = {
      outcome: d.outcome,
      ...(d.path !== null ? { path: d.path } : {}),
      ...(d.redirected !== null ? { redirected: d.redirected } : {}),
      ...(d.source !== null ? { source: { kind: 'ip', ip: d.source } } : {}),
      ...(EXPECTABLE.has(d.code) ? { code: d.code } : {}),
    };
    return { ...e, expect };
  });
  return { ...spec, timeline };
}

function differential(name: string, options: WorldOptions, runs: number): void {
  checkProperty(
    name,
    specArb(options),
    (spec) => {
      const decisions = decideAll(spec);
      const report = runScenario(spec);
      const diffs = decisions.flatMap((d) => differences(report.flows[d.index], d));
      if (report.flows.length !== decisions.length) diffs.push(`${report.flows.length} flows in the report, ${decisions.length} decided`);
      if (diffs.length) throw new Error(diffs.join('\n'));
    },
    {
      runs,
      files: (spec) => {
        let decisions: Decision[] = [];
        try {
          decisions = decideAll(spec);
        } catch {
          // keep the spec without expectations
        }
        return [{ spec: withOracleExpectations(spec, decisions), note: 'expect: the oracle\'s decision for each flow (test/props/oracle.ts).' }];
      },
    },
  );
}

const WORLD: WorldOptions = { declare: 'all', terminate: true, eips: 'free', launch: true, transfers: true, ruleChanges: true, jitter: 0, propagationDelay: 0 };

describe('differential: sgsim against the reference oracle', () => {
  it(
    'every flow matches the oracle: outcome, path, redirected, source, code, admitting rule',
    () => differential('every flow matches the oracle: outcome, path, redirected, source, code, admitting rule', WORLD, 150),
    TIMEOUT,
  );

  it(
    'the oracle agrees with latency jitter too (verdicts never depend on timing here)',
    () => differential('the oracle agrees with latency jitter too (verdicts never depend on timing here)', { ...WORLD, jitter: 0.1 }, 60),
    TIMEOUT,
  );

  it(
    'the oracle agrees on group-heavy worlds (group references, public paths, redirects)',
    () =>
      differential(
        'the oracle agrees on group-heavy worlds (group references, public paths, redirects)',
        { ...WORLD, groupSourceWeight: 6, regions: { min: 2, max: 3 }, toKinds: ['private', 'public', 'dns'] },
        80,
      ),
    TIMEOUT,
  );
});
