/**
 * fabric/path/plan: the order of hops a packet crosses, and running them.
 *
 * Classic's plan (domain.md): the sender (running; outbound never filtered), the route
 * (private path, public path through NAT, the seed's cross-region redirect, no route), NAT at
 * arrival, connection tracking, the receiver's groups, the host. Connection tracking comes
 * before the groups: **a tracked flow passes whatever the rules in force say, so revoking a
 * rule keeps it** (domain.md §5) — that is this order, the line marked below.
 * `runHops` runs one side of a plan (the fabric: `send` hops at the send, `arrive` hops at the
 * arrival); `runPlan` runs all of it at once (a question without time). Neither changes
 * anything; the trail they return says what every hop answered, and `explain` reads a flow's
 * explanation from it: the hop that dropped the packet, the rule that admitted it, and every
 * later blocker (the hops after a drop evaluated as if it had passed).
 * A new plan (VPC: domain-vpc.md §10) is another list of hops; nothing here changes.
 */
import type { Explanation, ExplanationCode } from '../flows.ts';
import type { Hop, HostAction, PathPacket, PathState, PathWorld, Verdict } from './hop.ts';
import { sender } from './sender.ts';
import { route } from './route.ts';
import { nat } from './nat.ts';
import { conntrack } from './conntrack.ts';
import { groups } from './groups.ts';
import { host } from './host.ts';

export type Plan = readonly Hop[];

export const CLASSIC_PLAN: Plan = Object.freeze([
  sender,
  route,
  nat,
  conntrack, // before the groups: a tracked flow passes whatever the rules say (revoke keeps it)
  groups,
  host,
]);

/** One hop's answer on a packet's way. */
export interface Step {
  readonly hop: string;
  readonly verdict: Verdict;
}

/** What running (one side of) a plan found. */
export interface PathResult {
  /** The packet as the last hop run left it (rewritten by route and NAT). */
  readonly packet: PathPacket;
  readonly trail: readonly Step[];
  /** The first drop, if any (later hops then evaluated as if it passed, unless it was final). */
  readonly drop: (Verdict & { kind: 'drop' }) | null;
  /** Why a filter let it in (conntrack, the rules, not filtered), if one did. */
  readonly admitted: Explanation | null;
  /** conntrack's slot, when a tracked flow let it in. */
  readonly tracked: number;
  readonly expired: boolean;
  /** The host's action, when it was delivered (no drop). */
  readonly action: HostAction | null;
}

/** The start of a packet's way: as its sender sends it (not yet routed). */
export function packetOf(sender: number, addressed: number, protocol: number, sport: number, dport: number, flags: number, request: boolean, flow: object | null): PathPacket {
  return { protocol, flags, sport, dport, sender, addressed, wireDst: 0, source: 0, destination: 0, receiver: -1, privatePath: false, redirected: false, request, flow };
}

/** Runs the hops of `plan` on `side` ('send', 'arrive', or both: a question without time). */
export function runHops(plan: Plan, side: 'send' | 'arrive' | 'both', start: PathPacket, world: PathWorld): PathResult {
  let packet = start;
  const trail: Step[] = [];
  let first: (Verdict & { kind: 'drop' }) | null = null;
  let admitted: Explanation | null = null;
  let tracked = -1;
  let expired = false;
  let action: HostAction | null = null;
  for (const hop of plan) {
    if (side !== 'both' && hop.side !== side) continue;
    if (hop.filter && admitted !== null) continue;
    const state: PathState = { admitted, expired };
    const verdict = hop.decide(packet, world, state);
    trail.push({ hop: hop.name, verdict });
    switch (verdict.kind) {
      case 'rewrite':
        packet = verdict.packet;
        break;
      case 'admit':
        admitted = verdict.by;
        if (verdict.tracked !== undefined) tracked = verdict.tracked;
        break;
      case 'note':
        expired = verdict.expired;
        break;
      case 'drop':
        if (first === null) first = verdict;
        if (verdict.final) return { packet, trail, drop: first, admitted, tracked, expired, action: null };
        break;
      case 'deliver':
        if (first === null) action = verdict.action;
        break;
      case 'pass':
        break;
    }
  }
  return { packet, trail, drop: first, admitted: first === null ? admitted : null, tracked, expired, action };
}

/** Runs a whole plan at once: the way of a packet in a world that stands still. */
export function runPlan(plan: Plan, start: PathPacket, world: PathWorld): PathResult {
  return runHops(plan, 'both', start, world);
}

/**
 * A dropped packet's explanation read from its trail: the first drop's, with the codes of
 * every later drop (hops evaluated as if it had passed) added to its blockers. (In classic no
 * hop after the groups can drop, and a drop before them is final: the first drop's
 * explanation is the whole of it, as reports give it.)
 */
export function explain(result: PathResult): Explanation | null {
  if (result.drop === null) return result.admitted;
  const why = result.drop.why;
  const later: ExplanationCode[] = [];
  let seen = false;
  for (const step of result.trail) {
    if (step.verdict === result.drop) seen = true;
    else if (seen && step.verdict.kind === 'drop' && !later.includes(step.verdict.code) && !(why.blockers ?? []).includes(step.verdict.code) && step.verdict.code !== why.code) later.push(step.verdict.code);
  }
  if (later.length === 0) return why;
  return { code: why.code, message: why.message, blockers: [...(why.blockers ?? []), ...later] };
}
