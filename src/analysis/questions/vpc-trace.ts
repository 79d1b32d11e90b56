/**
 * analysis/questions/vpc-trace: `sgsim trace` on a VPC world (scenario-format-vpc.md
 * "Questions without traffic") — traceVpc's trail (fabric/path/vpc/plan.ts) as the question's
 * answer: the request's and the reply's hops as reports write them (reportHop), the outcome and
 * whether it is admitted, path, nat, rewrites, the source the receiver sees, the deciding hop,
 * the primary code, the blockers and the blocked path.
 * Unknown names are the caller's input error (VpcFlowError, re-exported here).
 * Does not own: the hops or their order (fabric/path/vpc/), rendering (cli/commands/trace.ts).
 */
import { traceVpc, VpcFlowError, type BlockedHop, type VpcFlow, type VpcOutcome } from '../../fabric/path/vpc/plan.ts';
import { reportHop, type Rewrite } from '../../fabric/path/vpc/hop.ts';
import type { VpcWorld } from '../../model/vpc/world.ts';

export { VpcFlowError, type VpcFlow };

export interface VpcTraceAnswer {
  flow: { from: string; to: string; protocol: VpcFlow['protocol']; port: number | null; sourcePort?: number };
  outcome: VpcOutcome;
  /** An answer of an admitting host: connected, refused (an RST), delivered, replied, exited. */
  admitted: boolean;
  path: 'private' | 'public';
  nat: boolean;
  rewrites: Rewrite[];
  /** The source address the receiver sees, or null when the request reached no one. */
  source: string | null;
  forward: Record<string, unknown>[];
  reverse: Record<string, unknown>[];
  /** The primary blocker's hop, else the one that admitted the request. */
  decidedBy: { direction: 'request' | 'reply'; index: number; kind: string; name: string } | null;
  explanation: {
    code: string;
    direction?: 'request' | 'reply';
    kind?: string;
    name?: string;
    group?: string;
    rule?: string;
    detail?: string;
    blockers: string[];
    blockedPath: BlockedHop[];
    complete: boolean;
  };
}

/** Whether a VPC outcome is an answer of an admitting host. */
export function vpcAdmitted(outcome: VpcOutcome): boolean {
  return outcome !== 'timeout' && outcome !== 'dropped';
}

/** Traces one flow on a VPC world; throws VpcFlowError for a sender or destination it cannot name. */
export function traceVpcQuestion(world: VpcWorld, flow: VpcFlow): VpcTraceAnswer {
  const t = traceVpc(world, flow);
  const e = t.explanation;
  return {
    flow: {
      from: flow.from,
      to: String(flow.to),
      protocol: flow.protocol,
      port: flow.protocol === 'icmp' ? null : (flow.port ?? 0),
      ...(flow.sourcePort !== undefined ? { sourcePort: flow.sourcePort } : {}),
    },
    outcome: t.outcome,
    admitted: vpcAdmitted(t.outcome),
    path: t.path,
    nat: t.nat,
    rewrites: [...t.rewrites],
    source: t.source,
    forward: t.forward.map(reportHop),
    reverse: t.reverse.map(reportHop),
    decidedBy: t.deciding === null ? null : { ...t.deciding },
    explanation: {
      code: e.code,
      ...(e.direction !== undefined ? { direction: e.direction } : {}),
      ...(e.kind !== undefined ? { kind: e.kind } : {}),
      ...(e.name !== undefined ? { name: e.name } : {}),
      ...(e.group !== undefined ? { group: e.group } : {}),
      ...(e.rule !== undefined ? { rule: e.rule } : {}),
      ...(e.detail !== undefined ? { detail: e.detail } : {}),
      blockers: [...e.blockers],
      blockedPath: [...e.blockedPath],
      complete: e.complete,
    },
  };
}
