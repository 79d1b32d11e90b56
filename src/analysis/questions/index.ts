/**
 * analysis/questions: questions without traffic (`sgsim trace`, `reach`, `exposure`): the plan
 * of hops run over a world that stands still. Lists the rooms; the public API re-exports this.
 */
export { ClassicSnapshot, worldAt, changeOf } from './snapshot.ts';
export { traceClassic, traceResolved, traceAnswer, explanationReport, admitted, FIRST_SOURCE_PORT, type FlowQuestion, type ClassicTrace, type TraceAnswer, type TraceOutcome, type Planner, type HopReport, type FixReport, type Rewrite } from './trace.ts';
export { fixesOf } from './fix.ts';
export { reach, ReachQueryError, type ReachQuery, type ReachResult, type ReachRow, type ReachDenied } from './reach.ts';
export { exposure, covers, SENSITIVE_PORTS, SEVERITIES, type Finding, type Severity, type ExposureResult } from './exposure.ts';
export { internetAddressIn, freeInternetAddressIn, isRfc1918 } from './internet.ts';

import type { World } from '../../model/world.ts';
import { ClassicSnapshot } from './snapshot.ts';
import { fixesOf } from './fix.ts';
import { traceAnswer, traceClassic, type FlowQuestion, type Planner, type TraceAnswer } from './trace.ts';

/** Classic's planner: a world, one flow, its trace with the fix. */
export const classicPlanner: Planner<World> = {
  platform: 'classic',
  trace(world: World, flow: FlowQuestion): TraceAnswer {
    const snap = new ClassicSnapshot(world);
    const t = traceClassic(snap, flow);
    const answer = traceAnswer(snap, t);
    answer.fix = fixesOf(world, snap, t);
    return answer;
  },
};
