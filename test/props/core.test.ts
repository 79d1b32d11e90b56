/**
 * The first invariants of domain.md §9, as properties over random worlds and traffic:
 * outbound is never blocked, cross-region traffic always arrives from a public address, group
 * rules never admit public-path traffic, and the same scenario and seed give a byte-identical
 * report and trace.
 */
import { describe, it } from 'vitest';
import { runScenario, type FlowReport } from '../../src/scenario/run.ts';
import type { ScenarioSpec } from '../../src/scenario/spec.ts';
import { specArb } from './arbitraries.ts';
import { checkProperty } from './replay.ts';

function hostRegion(spec: ScenarioSpec, name: string): string | null {
  const inst = spec.instances.find((i) => i.name === name);
  if (inst) return inst.region;
  for (const e of spec.timeline) if (e.action.kind === 'launch' && e.action.instance.name === name) return e.action.instance.region;
  return null; // external
}

function receiverRegion(spec: ScenarioSpec, flow: FlowReport): string | null {
  // The receiver is named by the address as written (`name.kind`), or is external / unknown.
  const name = flow.target.includes('.') && !/^\d/.test(flow.target) ? flow.target.split('.')[0] : null;
  return name ? hostRegion(spec, name) : null;
}

const isPrivate = (ip: string) => ip.startsWith('10.');

describe('core invariants (domain.md §9)', () => {
  it('outbound is never blocked: a flow never fails at its sender, and replies come back', () => {
    checkProperty('outbound-never-blocked', specArb(), (spec) => {
      const report = runScenario(spec);
      for (const f of report.flows) {
        // Nothing but the receiver's filter, a missing route or a stopped sender stops a flow.
        if (f.outcome === 'timeout' || f.outcome === 'dropped') {
          const code = f.explanation.code;
          if (!['SG_HAS_NO_RULES', 'ENI_SG_RULES_MISMATCH', 'SG_REFERENCES_NOT_PRESERVED', 'SIM_PROPAGATION_PENDING', 'SIM_CONNTRACK_EXPIRED', 'NO_ROUTE_TO_DESTINATION', 'SOURCE_NOT_RUNNING', 'CONNECTION_NOT_OPEN'].includes(code)) return false;
        }
        // A request admitted at the receiver always gets its answer back to the sender.
        if (f.action === 'connect' && f.explanation.code === 'ALLOWED_BY_RULE' && f.outcome !== 'connected') return false;
        if (f.action === 'ping' && f.explanation.code === 'ALLOWED_BY_RULE' && f.outcome !== 'replied') return false;
      }
      return true;
    }, { runs: 60 });
  });

  it('cross-region traffic always reaches the receiver from a public address, on the public path', () => {
    checkProperty('cross-region-public', specArb(), (spec) => {
      const report = runScenario(spec);
      for (const f of report.flows) {
        const from = hostRegion(spec, f.from);
        const to = receiverRegion(spec, f);
        if (from === null || to === null || from === to || f.source === undefined) continue;
        if (isPrivate(f.source) || f.path !== 'public') return false;
      }
      return true;
    }, { runs: 60 });
  });

  it('group rules never admit public-path traffic', () => {
    checkProperty('group-rules-private-only', specArb(), (spec) => {
      const report = runScenario(spec);
      return report.flows.every(
        (f) => !(f.path === 'public' && f.explanation.rule !== undefined && 'group' in f.explanation.rule.from && f.explanation.code === 'ALLOWED_BY_RULE'),
      );
    }, { runs: 60 });
  });

  it('the same scenario and seed give a byte-identical report and trace', () => {
    checkProperty('determinism', specArb({ jitter: 0.1 }), (spec) => {
      const once = () => {
        const lines: string[] = [];
        const report = runScenario(spec, { trace: (e) => lines.push(JSON.stringify(e)) });
        return JSON.stringify(report) + '\n' + lines.join('\n');
      };
      return once() === once();
    }, { runs: 30 });
  });
});
