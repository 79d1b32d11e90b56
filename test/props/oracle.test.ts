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
import { specArb, type WorldOptions } from './arbitraries.ts';
import { decideAll, differences, withOracleExpectations, type Decision } from './oracle.ts';
import { safeRun } from './observe.ts';
import { checkProperty, TIMEOUT } from './replay.ts';

function differential(name: string, options: WorldOptions, runs: number): void {
  checkProperty(
    name,
    specArb(options),
    (spec) => {
      const decisions = decideAll(spec);
      const report = safeRun(spec);
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
    () => differential('every flow matches the oracle: outcome, path, redirected, source, code, admitting rule', WORLD, 300),
    TIMEOUT,
  );

  it(
    'the oracle agrees with latency jitter too (verdicts never depend on timing here)',
    () => differential('the oracle agrees with latency jitter too (verdicts never depend on timing here)', { ...WORLD, jitter: 0.1 }, 100),
    TIMEOUT,
  );

  it(
    'the oracle agrees on port and protocol edges (rules from anywhere, traffic at range ends ±1)',
    () =>
      differential(
        'the oracle agrees on port and protocol edges (rules from anywhere, traffic at range ends ±1)',
        { ...WORLD, anywhere: true, defaultMembership: false, groupSourceWeight: 1, regions: { min: 1, max: 1 }, externals: { min: 1, max: 2 }, toKinds: ['private', 'public', 'dns'], traffic: ['connect', 'send'] },
        250,
      ),
    TIMEOUT,
  );

  it(
    'the oracle agrees on group-sourced rules only (several rules naming one group, members talking privately)',
    () =>
      differential(
        'the oracle agrees on group-sourced rules only (several rules naming one group, members talking privately)',
        {
          ...WORLD,
          groupSourceWeight: 1,
          cidrSourceWeight: 0,
          rulesPerGroup: 6,
          defaultMembership: false,
          regions: { min: 1, max: 1 },
          instances: { min: 2, max: 5 },
          toKinds: ['private'],
          traffic: ['connect', 'send'],
        },
        200,
      ),
    TIMEOUT,
  );

  it(
    'the oracle agrees on group-heavy worlds (group references, public paths, redirects)',
    () =>
      differential(
        'the oracle agrees on group-heavy worlds (group references, public paths, redirects)',
        { ...WORLD, groupSourceWeight: 6, regions: { min: 2, max: 3 }, toKinds: ['private', 'public', 'dns'] },
        150,
      ),
    TIMEOUT,
  );
});
