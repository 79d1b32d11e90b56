/**
 * fabric/path/vpc/plan: the VPC plan run without time — `traceVpc(world, flow)`, one flow's
 * request and reply hop by hop on a world snapshot (domain-vpc.md §9-§11;
 * scenario-format-vpc.md "Run report", "Questions without traffic": trace).
 *
 * Owns: the ends of the plan — the sender (an instance or ENI: running, then SG↑, judged once the
 * path has said whether group identity survives to the receiver; an external host behind a VGW;
 * the internet), the receiver (its ENI check, SG↓, the host's answer), and the reply: a new
 * packet from the replier, routed afresh from its own subnet by its own route table (walk.ts),
 * its SGs passing it by tracking unless the flow is untracked there (§5: a 0.0.0.0/0 rule each
 * way and no always-tracked hop — NAT gateway, TGW — on the path), every NACL judging it, NAT
 * and IGW reversing their translations. And the reading of both trails: the blocked path
 * (every blocker both ways in §10 order, the hops after a drop evaluated as if it passed, up to
 * a hop with no next hop: `complete: false`), the primary code (the first blocker) and the
 * deciding hop, the outcome a question can give (TCP connected/refused/timeout/exited, ICMP
 * replied/timeout/exited, UDP delivered/dropped/exited), `path` (`public` once an IGW
 * translated) and `nat` (a NAT gateway on the way), the rewrites and the source the receiver sees.
 * Nothing is tracked before the flow (a question's world: "nothing tracked").
 */
import { parseIp, type Ip } from '../../../net/ipv4.ts';
import { groupIdentityPreserved, resolvePublicName } from '../../../model/vpc/peering.ts';
import type { NetworkInterface, VpcExternalHost, VpcInstance } from '../../../model/vpc/types.ts';
import { getInstance, getInterface, interfacesOfInstance, primaryIp, publicAddressOf, subnetOf, type VpcWorld } from '../../../model/vpc/world.ts';
import { formatIp, type Rewrite, type VpcHop, type VpcHopKind, type VpcPacket } from './hop.ts';
import { Walk, type Arrival } from './walk.ts';
import { egressUntracked, sgEgress, sgEgressTracked, type GroupContext } from './sg-egress.ts';
import { ingressUntracked, sgIngress, sgIngressTracked } from './sg-ingress.ts';
import { destinationEni, senderEni } from './eni.ts';
import { hostReply, hostRequest } from './host.ts';
import { vgwEntry } from './vgw.ts';

export interface VpcFlow {
  /** An instance id, an ENI id, an external host's name, or an address on the internet. */
  readonly from: string;
  /** An address, or `<instance>[.private|.public]`, an ENI id, an external host's name. */
  readonly to: string | Ip;
  readonly protocol: 'tcp' | 'udp' | 'icmp';
  /** tcp/udp destination port (ignored for icmp). */
  readonly port?: number;
  /** Default: the sender's first ephemeral port (32768 unless its instance says). */
  readonly sourcePort?: number;
}

export type VpcOutcome = 'connected' | 'refused' | 'timeout' | 'exited' | 'replied' | 'delivered' | 'dropped';

export interface BlockedHop {
  readonly direction: 'request' | 'reply';
  readonly index: number;
  readonly kind: VpcHopKind;
  readonly name: string;
  readonly code: string;
}

export interface VpcExplanation {
  readonly code: string;
  readonly direction?: 'request' | 'reply';
  readonly kind?: VpcHopKind;
  readonly name?: string;
  readonly group?: string;
  readonly rule?: string;
  /** Why, in words, when no hop says it (an unresolved name). */
  readonly detail?: string;
  readonly blockers: readonly string[];
  readonly blockedPath: readonly BlockedHop[];
  /** False when a hop with no next hop ended the evaluation (later blockers unknown). */
  readonly complete: boolean;
}

export interface VpcTrace {
  readonly outcome: VpcOutcome;
  readonly path: 'private' | 'public';
  readonly nat: boolean;
  readonly rewrites: readonly Rewrite[];
  /** The source address the receiver sees, or null when the request reached no one. */
  readonly source: string | null;
  readonly forward: readonly VpcHop[];
  readonly reverse: readonly VpcHop[];
  /** The hop that decided: the primary blocker, else the one that admitted the request. */
  readonly deciding: { readonly direction: 'request' | 'reply'; readonly index: number; readonly kind: VpcHopKind; readonly name: string } | null;
  readonly explanation: VpcExplanation;
}

/** Thrown for a flow that names no sender or no destination (the caller reports it as input). */
export class VpcFlowError extends Error {}

type Sender =
  | { readonly kind: 'eni'; readonly eni: NetworkInterface; readonly instance: VpcInstance | undefined }
  | { readonly kind: 'external'; readonly host: VpcExternalHost }
  | { readonly kind: 'internet'; readonly ip: Ip };

const ICMP_ECHO_REQUEST_KEY = 8 << 8;
const ICMP_ECHO_REPLY_KEY = 0;
const DEFAULT_EPHEMERAL = 32768;

function ipOf(text: string): Ip | null {
  const v = parseIp(text);
  return typeof v === 'number' ? v : null;
}

function eniOfName(world: VpcWorld, name: string): { eni: NetworkInterface; instance: VpcInstance | undefined } | null {
  const inst = getInstance(world, name);
  if (inst !== undefined && inst.interfaces.length > 0) return { eni: interfacesOfInstance(world, inst)[0], instance: inst };
  const eni = getInterface(world, name);
  if (eni !== undefined) return { eni, instance: eni.instance === null ? undefined : getInstance(world, eni.instance) };
  return null;
}

function resolveSender(world: VpcWorld, from: string): Sender {
  const e = eniOfName(world, from);
  if (e !== null) return { kind: 'eni', ...e };
  const host = world.external[from];
  if (host !== undefined) return { kind: 'external', host };
  const ip = ipOf(from);
  if (ip !== null) {
    const declared = Object.values(world.external).find((x) => x.ip === ip);
    return declared !== undefined ? { kind: 'external', host: declared } : { kind: 'internet', ip };
  }
  throw new VpcFlowError(`unknown sender ${from}: name an instance, a network interface, an external host or an address`);
}

/**
 * The address a flow goes to (scenario-format-vpc.md "Addresses"): an address, an external
 * host, `<host>.private|.public|.eip|.dns`, `<nat>.private|.public`, or a bare instance name
 * (private from inside AWS, public from outside). Null: `.dns` resolves to nothing now
 * (`SIM_NAME_NOT_RESOLVED`).
 */
function resolveDestination(world: VpcWorld, to: string | Ip, sender: Sender): Ip | null {
  if (typeof to === 'number') return to;
  const ip = ipOf(to);
  if (ip !== null) return ip;
  const host = world.external[to];
  if (host !== undefined) return host.ip;
  const m = /^(.*)\.(private|public|eip|dns)$/.exec(to);
  const name = m === null ? to : m[1];
  const which = m === null ? (sender.kind === 'eni' ? 'private' : 'public') : m[2];
  const nat = world.natGateways[name];
  if (nat !== undefined && (which === 'private' || which === 'public')) return which === 'private' ? nat.privateIp : nat.elasticIp;
  const e = eniOfName(world, name);
  if (e === null) throw new VpcFlowError(`unknown destination ${to}: name an address, an instance (.private/.public/.eip/.dns), an interface, a NAT gateway or an external host`);
  const priv = primaryIp(e.eni);
  if (which === 'private') return priv;
  if (which === 'dns') return resolvePublicName(world, e.eni, sender.kind === 'eni' ? subnetOf(world, sender.eni.subnet).vpc : null);
  const pub = which === 'eip' ? (e.eni.addresses[0].elasticIp ?? null) : publicAddressOf(e.eni, priv);
  if (pub === null) throw new VpcFlowError(`${name} has no ${which === 'eip' ? 'Elastic IP' : 'public IP or EIP'}`);
  return pub;
}

function protocolNumber(p: VpcFlow['protocol']): number {
  return p === 'tcp' ? 6 : p === 'udp' ? 17 : 1;
}

function sourceOf(sender: Sender): Ip {
  return sender.kind === 'eni' ? primaryIp(sender.eni) : sender.kind === 'external' ? sender.host.ip : sender.ip;
}

function ephemeralOf(sender: Sender): number {
  if (sender.kind === 'eni') return sender.instance?.ephemeralPorts?.from ?? DEFAULT_EPHEMERAL;
  if (sender.kind === 'external') return sender.host.ephemeralPorts?.from ?? DEFAULT_EPHEMERAL;
  return DEFAULT_EPHEMERAL;
}

/** What the SGs at one end know of the other: its groups, and whether identity survived the path. */
function groupContext(world: VpcWorld, walk: Walk, eni: NetworkInterface | null, direction: 'ingress' | 'egress'): GroupContext {
  return { identityPreserved: eni !== null && groupIdentityPreserved(world, walk.identity, direction), peerGroups: eni === null ? null : eni.groups };
}

/** Starts a walk from a host outside the VPCs: by its VGW, or from the internet. */
function walkFromOutside(world: VpcWorld, walk: Walk, host: VpcExternalHost | null): void {
  if (host !== null && host.via !== undefined) {
    const v = vgwEntry(world, host.via);
    if (!walk.record('vgw', host.via, v.verdict) || v.vpc === null) return;
    walk.deliverInVpc(v.vpc, null, null);
    return;
  }
  walk.fromInternet();
}

/** Traces one flow on a world that stands still: the request's hops, the reply's, and what they mean. */
export function traceVpc(world: VpcWorld, flow: VpcFlow): VpcTrace {
  const sender = resolveSender(world, flow.from);
  const resolved = resolveDestination(world, flow.to, sender);
  if (resolved === null) return unresolved(flow);
  const destination = resolved;
  const protocol = protocolNumber(flow.protocol);
  const sport = flow.sourcePort ?? (protocol === 1 ? 1 : ephemeralOf(sender));
  const dport = protocol === 1 ? sport : (flow.port ?? 0);
  const start: VpcPacket = { protocol, source: sourceOf(sender), destination, sport, dport, key: protocol === 1 ? ICMP_ECHO_REQUEST_KEY : dport };

  // The request.
  const req = new Walk(world, start, false);
  let egressIndex = -1;
  if (sender.kind === 'eni') {
    // The sender's ENI check is in the trail only when it stops the packet (as reports list hops).
    const check = senderEni(world, sender.eni);
    if (check.kind !== 'drop' || req.record('eni', sender.eni.id, check, sender.eni.subnet)) {
      egressIndex = req.hops.length;
      req.hops.push(placeholder(sender.eni.id));
      req.fromSubnet(sender.eni.subnet);
    }
  } else walkFromOutside(world, req, sender.kind === 'external' ? sender.host : null);

  const arrival = req.arrival;
  const seen = req.packet;
  // SG↑, judged now that the path said whether identity survives to the receiver.
  let senderUntracked = false;
  if (sender.kind === 'eni' && egressIndex >= 0) {
    const ctx = groupContext(world, req, arrival.kind === 'eni' ? arrival.eni : null, 'egress');
    const verdict = sgEgress(world, sender.eni, start, ctx);
    req.hops[egressIndex] = { kind: 'sg-egress', name: sender.eni.id, verdict: verdict.kind === 'drop' ? 'deny' : 'allow', answer: verdict, ...(verdict.kind === 'drop' ? { code: verdict.code } : {}), hypothetical: false };
    if (verdict.kind === 'drop') {
      // Every later hop was evaluated as if this one passed.
      for (let i = egressIndex + 1; i < req.hops.length; i++) req.hops[i] = { ...req.hops[i], hypothetical: true };
      req.blocked = true;
    }
    senderUntracked = egressUntracked(world, sender.eni, start, ctx);
  }

  // The receiver.
  let answer: 'syn-ack' | 'rst' | 'echo-reply' | 'none' | null = null;
  let receiverUntracked = false;
  let admittedBy: { group?: string; rule?: string } | null = null;
  let notFiltered = false;
  let receiverEni: NetworkInterface | null = null;
  if (!req.ended && arrival.kind === 'eni') {
    receiverEni = arrival.eni;
    const eniVerdict = destinationEni(world, arrival.eni, seen);
    if (eniVerdict.kind === 'drop') req.record('eni', arrival.eni.id, eniVerdict, arrival.eni.subnet);
    const ctx = groupContext(world, req, sender.kind === 'eni' ? sender.eni : null, 'ingress');
    const sg = sgIngress(world, arrival.eni, seen, ctx);
    req.record('sg-ingress', arrival.eni.id, sg, arrival.eni.subnet);
    if (sg.kind === 'admit') admittedBy = sg.by;
    receiverUntracked = ingressUntracked(world, arrival.eni, seen, ctx);
    if (eniVerdict.kind === 'drop') req.ended = true; // a stopped host answers nothing
    else {
      const inst = arrival.eni.instance === null ? undefined : getInstance(world, arrival.eni.instance);
      const h = hostRequest(arrival.eni.instance ?? arrival.eni.id, inst?.services ?? [], seen);
      req.record('host', arrival.eni.instance ?? arrival.eni.id, h);
      if (h.kind === 'deliver' || h.kind === 'refuse') answer = h.answer;
    }
  } else if (!req.ended && arrival.kind === 'external') {
    notFiltered = true;
    const h = hostRequest(arrival.host.name, arrival.host.services, seen);
    req.record('host', arrival.host.name, h);
    if (h.kind === 'deliver' || h.kind === 'refuse') answer = h.answer;
  }
  const exited = !req.ended && arrival.kind === 'internet';
  if (req.alwaysTracked) {
    senderUntracked = false;
    receiverUntracked = false;
  }

  // The reply: a new packet from the replier, routed afresh from where it is.
  let rep: Walk | null = null;
  if (answer !== null && answer !== 'none') {
    const back: VpcPacket = { protocol, source: seen.destination, destination: seen.source, sport: seen.dport, dport: seen.sport, key: protocol === 1 ? ICMP_ECHO_REPLY_KEY : seen.sport };
    rep = new Walk(world, back, true, req.mappings);
    rep.blocked = req.blocked;
    if (receiverEni !== null) {
      const ctx = groupContext(world, req, sender.kind === 'eni' ? sender.eni : null, 'egress');
      rep.record('sg-egress', receiverEni.id, receiverUntracked ? sgEgress(world, receiverEni, back, ctx) : sgEgressTracked(receiverEni));
      rep.fromSubnet(receiverEni.subnet);
    } else if (arrival.kind === 'external') walkFromOutside(world, rep, arrival.host);
    if (!rep.ended && rep.arrival.kind === 'eni' && sender.kind === 'eni' && rep.arrival.eni.id === sender.eni.id) {
      const ctx = groupContext(world, rep, receiverEni, 'ingress');
      rep.record('sg-ingress', sender.eni.id, senderUntracked ? sgIngress(world, sender.eni, rep.packet, ctx) : sgIngressTracked(sender.eni), sender.eni.subnet);
      rep.record('host', sender.instance?.id ?? sender.eni.id, hostReply(sender.instance?.id ?? sender.eni.id));
    } else if (!rep.ended && (rep.arrival.kind === 'internet' || rep.arrival.kind === 'external') && sender.kind !== 'eni') {
      rep.record('host', sender.kind === 'external' ? sender.host.name : formatIp(sender.ip), hostReply(sender.kind === 'external' ? sender.host.name : formatIp(sender.ip)));
    } else if (!rep.ended) {
      rep.record('host', formatIp(back.destination), { kind: 'drop', code: 'NO_ROUTE_TO_DESTINATION', detail: `the answer does not reach the sender ${flow.from}`, final: true });
    }
  }

  return summarize(req, rep, protocol, answer, exited, admittedBy, notFiltered, seen, arrival);
}

/** A `.dns` name that resolves to nothing: the flow fails before anything is sent (§4, Decision). */
function unresolved(flow: VpcFlow): VpcTrace {
  return {
    outcome: 'timeout',
    path: 'private',
    nat: false,
    rewrites: [],
    source: null,
    forward: [],
    reverse: [],
    deciding: null,
    explanation: { code: 'SIM_NAME_NOT_RESOLVED', blockers: [], blockedPath: [], complete: false, detail: `${String(flow.to)} resolves to no address: nothing is sent` },
  };
}

function placeholder(name: string): VpcHop {
  return { kind: 'sg-egress', name, verdict: 'allow', answer: { kind: 'pass', detail: '' }, hypothetical: false };
}

function summarize(
  req: Walk,
  rep: Walk | null,
  protocol: number,
  answer: 'syn-ack' | 'rst' | 'echo-reply' | 'none' | null,
  exited: boolean,
  admittedBy: { group?: string; rule?: string } | null,
  notFiltered: boolean,
  seen: VpcPacket,
  arrival: Arrival,
): VpcTrace {
  const blockedPath: BlockedHop[] = [];
  const collect = (hops: readonly VpcHop[], direction: 'request' | 'reply'): void => {
    hops.forEach((h, index) => {
      if (h.code !== undefined) blockedPath.push({ direction, index, kind: h.kind, name: h.name, code: h.code });
    });
  };
  collect(req.hops, 'request');
  if (rep !== null) collect(rep.hops, 'reply');
  const complete = !req.ended && !(rep?.ended ?? false);
  const reached = arrival.kind !== 'none';
  const source = reached ? formatIp(seen.source) : null;
  const base = { path: req.public ? ('public' as const) : ('private' as const), nat: req.nat, rewrites: [...req.rewrites, ...(rep?.rewrites ?? [])], source, forward: req.hops, reverse: rep?.hops ?? [] };

  if (blockedPath.length > 0) {
    const first = blockedPath[0];
    const blockers: string[] = [];
    for (const b of blockedPath.slice(1)) if (b.code !== first.code && !blockers.includes(b.code)) blockers.push(b.code);
    const outcome: VpcOutcome = protocol === 17 ? 'dropped' : 'timeout';
    return {
      ...base,
      outcome,
      deciding: { direction: first.direction, index: first.index, kind: first.kind, name: first.name },
      explanation: { code: first.code, direction: first.direction, kind: first.kind, name: first.name, blockers, blockedPath, complete },
    };
  }
  let outcome: VpcOutcome;
  if (exited) outcome = 'exited';
  else if (protocol === 6) outcome = answer === 'rst' ? 'refused' : 'connected';
  else if (protocol === 1) outcome = 'replied';
  else outcome = 'delivered';
  const code = exited || notFiltered ? 'NOT_FILTERED' : answer === 'rst' ? 'CONNECTION_REFUSED' : 'ALLOWED_BY_RULE';
  const ingressIndex = req.hops.findIndex((h) => h.kind === 'sg-ingress');
  const decidingIndex = ingressIndex >= 0 ? ingressIndex : req.hops.length - 1;
  const d = req.hops[decidingIndex];
  return {
    ...base,
    outcome,
    deciding: d === undefined ? null : { direction: 'request', index: decidingIndex, kind: d.kind, name: d.name },
    explanation: {
      code,
      ...(admittedBy?.group !== undefined ? { group: admittedBy.group } : {}),
      ...(admittedBy?.rule !== undefined ? { rule: admittedBy.rule } : {}),
      blockers: [],
      blockedPath: [],
      complete: true,
    },
  };
}
