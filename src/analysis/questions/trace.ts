/**
 * analysis/questions/trace: one flow's way through a classic world that stands still, both
 * directions, and what a person reads of it (`sgsim trace`, scenario-format-vpc.md
 * "Questions without traffic").
 *
 * Owns: sending one flow alone through the classic plan (fabric/path/plan.ts CLASSIC_PLAN) over
 * a ClassicSnapshot — the request (send side, then tracked at its sender as the fabric tracks
 * outbound, then arrive side), and the answer the receiving host gives (SYN-ACK or RST, echo
 * reply, a service's datagram) back the same way — and reading from the two trails what
 * `runScenario` would report for that flow: the outcome, path, redirect, source, and the
 * explanation (the deciding hop's, with every later blocker). Also the `Planner` interface
 * another platform's planner implements (VPC: fabric/path/vpc/), and the JSON of an answer.
 * Does not own: the hops (fabric/path/), the fix (fix.ts), reach and exposure (reach.ts,
 * exposure.ts), which are unions of these traces.
 */
import { CLASSIC_PLAN, explain, packetOf, runHops, type PathResult } from '../../fabric/path/plan.ts';
import type { PathPacket, Verdict } from '../../fabric/path/hop.ts';
import type { Explanation } from '../../fabric/flows.ts';
import { resolveAddress, describeAddress } from '../../fabric/resolve.ts';
import type { AddressSpec } from '../../model/types.ts';
import { groupDisplayName } from '../../model/types.ts';
import { formatIp, isClassicPrivate, type Ip } from '../../net/ipv4.ts';
import { F_RST, F_SYN, ICMP, ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, TCP, UDP, protocolNumber, type Protocol } from '../../net/protocol.ts';
import { ruleReport, type ExplanationReport, type RuleReport } from '../../scenario/run.ts';
import { UDP_ECHO } from '../../fabric/path/host.ts';
import type { ClassicSnapshot } from './snapshot.ts';

/** The first ephemeral source port (the fabric's: a flow sent alone leaves from it). */
export const FIRST_SOURCE_PORT = 32768;
/** The echo id of a host's first ping. */
export const FIRST_ECHO_ID = 1;

/** One flow, as a question names it. */
export interface FlowQuestion {
  readonly from: string;
  readonly to: AddressSpec;
  readonly protocol: Protocol;
  /** Destination port (tcp, udp); ignored for icmp (an echo request). */
  readonly port: number;
  readonly sourcePort?: number;
}

/** What became of one flow: the report's outcomes (connect, send, ping). */
export type TraceOutcome = 'connected' | 'refused' | 'timeout' | 'delivered' | 'dropped' | 'replied';

/** A platform's way of answering a flow question: a world standing still and one flow in, a trace out. */
export interface Planner<W> {
  readonly platform: 'classic' | 'vpc';
  trace(world: W, flow: FlowQuestion): TraceAnswer;
}

/** One flow's trace before it is rendered: the trails and what they decide. */
export interface ClassicTrace {
  readonly question: FlowQuestion;
  /** The address the sender puts in its packet, or why there is none. */
  readonly target: Ip | null;
  readonly targetError: string | null;
  readonly sender: number;
  readonly forward: PathResult | null;
  readonly reverse: PathResult | null;
  readonly outcome: TraceOutcome;
  /** Why: the deciding hop's explanation (rule, denial, refusal). */
  readonly explanation: Explanation;
  /** Which direction decided a flow that did not get through (null: it got through). */
  readonly blockedIn: 'forward' | 'reverse' | null;
}

/** Whether the outcome is an answer of an admitting host (an RST counts: the host answered). */
export function admitted(outcome: TraceOutcome): boolean {
  return outcome !== 'timeout' && outcome !== 'dropped';
}

const ANSWERED: object = Object.freeze({ flow: 'question' });

/** Runs send-side hops, tracks what left at its sender (as the fabric does), then arrive-side hops. */
function crossPlan(snap: ClassicSnapshot, start: PathPacket): PathResult {
  const sent = runHops(CLASSIC_PLAN, 'send', start, snap);
  if (sent.drop !== null) return sent;
  const p = sent.packet;
  if (start.request && !snap.external(p.sender)) {
    const remotePort = p.protocol === ICMP ? (p.dport >> 16 === ICMP_ECHO_REQUEST ? 1 : 2) : p.dport;
    snap.track(p.sender, p.protocol, p.wireDst, p.sport, remotePort);
  }
  if (start.request && p.protocol === TCP) snap.openClient(p.sender, p.sport, p.wireDst, p.dport, p.flow);
  const arrived = runHops(CLASSIC_PLAN, 'arrive', p, snap);
  return { ...arrived, trail: [...sent.trail, ...arrived.trail] };
}

/** Traces `q` from host `sender` to address `target` (already resolved). */
export function traceResolved(snap: ClassicSnapshot, q: FlowQuestion, sender: number, target: Ip): ClassicTrace {
  snap.forget();
  const protocol = protocolNumber(q.protocol);
  const sport = q.sourcePort ?? (protocol === ICMP ? FIRST_ECHO_ID : FIRST_SOURCE_PORT);
  const dport = protocol === ICMP ? ICMP_ECHO_REQUEST << 16 : q.port;
  const flags = protocol === TCP ? F_SYN : 0;
  const forward = crossPlan(snap, packetOf(sender, target, protocol, sport, dport, flags, true, ANSWERED));
  const base = { question: q, target, targetError: null, sender, forward };
  const lost: TraceOutcome = protocol === UDP ? 'dropped' : 'timeout';
  if (forward.drop !== null || forward.action === null) {
    return { ...base, reverse: null, outcome: lost, explanation: explain(forward)!, blockedIn: 'forward' };
  }
  const by = forward.admitted!;
  const action = forward.action;
  const p = forward.packet;
  // The receiving host's answer goes back to the source it saw, from the port it was sent to.
  let answer: PathPacket | null = null;
  if (protocol === TCP && action.kind === 'server' && action.reply !== 0) answer = packetOf(p.receiver, p.source, TCP, p.dport, p.sport, action.reply, false, ANSWERED);
  else if (protocol === ICMP && action.kind === 'echo-request') answer = packetOf(p.receiver, p.source, ICMP, p.sport, ICMP_ECHO_REPLY << 16, 0, false, ANSWERED);
  else if (protocol === UDP && action.kind === 'datagram' && action.echo) answer = packetOf(p.receiver, p.source, UDP, p.dport, p.sport, UDP_ECHO, false, ANSWERED);
  const reverse = answer ? crossPlan(snap, answer) : null;
  if (protocol === UDP) return { ...base, reverse, outcome: 'delivered', explanation: by, blockedIn: null };
  if (reverse === null) return { ...base, reverse, outcome: 'timeout', explanation: { code: 'SIM_NO_ANSWER_IN_TIME', message: `${snap.nameOf(p.receiver)} does not answer` }, blockedIn: 'forward' };
  if (reverse.drop !== null) return { ...base, reverse, outcome: 'timeout', explanation: explain(reverse)!, blockedIn: 'reverse' };
  if (protocol === ICMP) return { ...base, reverse, outcome: 'replied', explanation: by, blockedIn: null };
  if (answer!.flags & F_RST) {
    const message = `${snap.nameOf(p.receiver)} has no listener on tcp/${p.dport}; it answered RST (${by.message})`;
    const refusal: Explanation = by.group !== undefined ? { code: 'CONNECTION_REFUSED', group: by.group, rule: by.rule, message } : { code: 'CONNECTION_REFUSED', message };
    return { ...base, reverse, outcome: 'refused', explanation: refusal, blockedIn: null };
  }
  return { ...base, reverse, outcome: 'connected', explanation: by, blockedIn: null };
}

/** Traces one flow question in a classic snapshot (the address resolved as the sender would). */
export function traceClassic(snap: ClassicSnapshot, q: FlowQuestion): ClassicTrace {
  const sender = snap.hostId(q.from);
  if (sender === undefined) throw new Error(`unknown sender ${q.from}`);
  const lost: TraceOutcome = q.protocol === 'udp' ? 'dropped' : 'timeout';
  const to = resolveAddress(snap.world, q.to, q.from);
  if ('error' in to) {
    // As runScenario: an address that names nothing is a flow that never leaves.
    const explanation: Explanation = snap.running(sender)
      ? { code: 'NO_ROUTE_TO_DESTINATION', message: to.error }
      : { code: 'SOURCE_NOT_RUNNING', message: `${q.from} is not running, so it sends nothing` };
    return { question: q, target: null, targetError: to.error, sender, forward: null, reverse: null, outcome: lost, explanation, blockedIn: 'forward' };
  }
  return traceResolved(snap, q, sender, to.ip);
}

// -- rendering ---------------------------------------------------------------------------------

export interface HopReport {
  readonly hop: string;
  readonly verdict: Verdict['kind'];
  code?: string;
  message?: string;
  group?: string;
  rule?: RuleReport;
  /** The packet after a rewrite: source and destination as the receiver sees them, where it travels. */
  packet?: { source: string; destination: string; wireDestination: string; path: 'private' | 'public'; redirected: boolean; to: string };
  /** The host's action (deliver). */
  action?: string;
  /** A hop past a blocker, evaluated as if the packet had passed. */
  hypothetical?: true;
}

export interface Rewrite {
  readonly hop: string;
  readonly field: 'source' | 'destination';
  readonly from: string;
  readonly to: string;
  readonly why: string;
}

export interface FixReport {
  readonly action: string;
  readonly group?: string;
  readonly rule?: RuleReport;
  readonly instance?: string;
  /** The action as a line of a scenario's timeline would say it. */
  readonly text: string;
  /** Re-traced with the change applied: the flow is then admitted. */
  readonly verified: boolean;
  readonly outcome: string;
}

export interface TraceAnswer {
  flow: { from: string; to: string; target: string; protocol: Protocol; port: number | null; sourcePort: number };
  outcome: TraceOutcome;
  admitted: boolean;
  path?: 'private' | 'public';
  redirected?: boolean;
  nat: boolean;
  rewrites: Rewrite[];
  source?: string;
  destination?: string;
  forward: HopReport[];
  reverse: HopReport[];
  decidedBy: { direction: 'forward' | 'reverse'; hop: string } | null;
  blockedBy: string[];
  explanation: ExplanationReport;
  fix: FixReport[];
}

export function explanationReport(e: Explanation): ExplanationReport {
  const r = { code: e.code } as ExplanationReport;
  if (e.group !== undefined) r.group = groupDisplayName(e.group);
  if (e.rule) r.rule = ruleReport(e.rule);
  if (e.blockers && e.blockers.length) r.blockers = [...e.blockers];
  r.message = e.message;
  return r;
}

function hopReports(snap: ClassicSnapshot, result: PathResult | null): HopReport[] {
  if (result === null) return [];
  let past = false;
  return result.trail.map((step) => {
    const v = step.verdict;
    const h: HopReport = { hop: step.hop, verdict: v.kind };
    if (past) h.hypothetical = true;
    switch (v.kind) {
      case 'rewrite': {
        const q = v.packet;
        h.packet = { source: formatIp(q.source), destination: formatIp(q.destination), wireDestination: formatIp(q.wireDst), path: q.privatePath ? 'private' : 'public', redirected: q.redirected, to: snap.nameOf(q.receiver) };
        break;
      }
      case 'admit':
      case 'drop': {
        const e = v.kind === 'admit' ? v.by : v.why;
        h.code = e.code;
        if (e.group !== undefined) h.group = groupDisplayName(e.group);
        if (e.rule) h.rule = ruleReport(e.rule);
        h.message = e.message;
        if (v.kind === 'drop') past = true;
        break;
      }
      case 'deliver':
        h.action = v.action.kind === 'server' ? `server answers ${v.action.reply & F_RST ? 'RST' : 'SYN-ACK'}` : v.action.kind;
        break;
    }
    return h;
  });
}

/** What the route and NAT rewrote on the request (the receiver's view against the sender's). */
function rewritesOf(snap: ClassicSnapshot, forward: PathResult | null): Rewrite[] {
  if (forward === null || forward.packet.receiver < 0) return [];
  const p = forward.packet;
  const out: Rewrite[] = [];
  if (p.redirected) out.push({ hop: 'route', field: 'destination', from: formatIp(p.addressed), to: formatIp(p.wireDst), why: 'a private address of another region: redirected to its public address' });
  const own = snap.privateIpOf(p.sender);
  if (p.source !== own) out.push({ hop: 'route', field: 'source', from: formatIp(own), to: formatIp(p.source), why: 'the public path: NAT gives the sender its Elastic IP, else its public IP' });
  if (p.destination !== p.wireDst && p.destination !== 0) out.push({ hop: 'nat', field: 'destination', from: formatIp(p.wireDst), to: formatIp(p.destination), why: 'NAT at the edge: the public address to its holder\'s private address' });
  return out;
}

/** The answer as `sgsim trace --json` gives it (without the fix: fix.ts adds it). */
export function traceAnswer(snap: ClassicSnapshot, t: ClassicTrace): TraceAnswer {
  const q = t.question;
  const f = t.forward;
  const routed = f !== null && f.packet.receiver >= 0;
  const protocol = protocolNumber(q.protocol);
  const decidedIn = t.blockedIn === 'reverse' ? t.reverse : f;
  let decidedBy: TraceAnswer['decidedBy'] = null;
  if (t.blockedIn !== null && decidedIn) {
    const at = decidedIn.trail.find((s) => s.verdict === decidedIn.drop);
    if (at) decidedBy = { direction: t.blockedIn, hop: at.hop };
  } else if (t.blockedIn === null && f) {
    const at = f.trail.find((s) => s.verdict.kind === 'admit');
    if (at) decidedBy = { direction: 'forward', hop: at.hop };
  }
  const e = t.explanation;
  const answer: TraceAnswer = {
    flow: {
      from: q.from,
      to: describeAddress(q.to),
      target: t.target !== null ? formatIp(t.target) : describeAddress(q.to),
      protocol: q.protocol,
      port: protocol === ICMP ? null : q.port,
      sourcePort: q.sourcePort ?? (protocol === ICMP ? FIRST_ECHO_ID : FIRST_SOURCE_PORT),
    },
    outcome: t.outcome,
    admitted: admitted(t.outcome),
    nat: routed && !f!.packet.privatePath,
    rewrites: rewritesOf(snap, f),
    forward: hopReports(snap, f),
    reverse: hopReports(snap, t.reverse),
    decidedBy,
    blockedBy: t.blockedIn === null ? [] : [e.code, ...(e.blockers ?? [])],
    explanation: explanationReport(e),
    fix: [],
  };
  if (!routed && f !== null && f.drop?.code === 'NO_ROUTE_TO_DESTINATION' && t.target !== null) {
    // As the fabric records a request with no route: the path it was sent on (a 10/8 address from an instance: private).
    answer.path = !snap.external(t.sender) && isClassicPrivate(t.target) ? 'private' : 'public';
    answer.redirected = false;
  }
  if (routed) {
    answer.path = f!.packet.privatePath ? 'private' : 'public';
    answer.redirected = f!.packet.redirected;
    answer.source = formatIp(f!.packet.source);
    answer.destination = formatIp(f!.packet.destination);
  }
  return answer;
}
