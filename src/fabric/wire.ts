/**
 * fabric/wire: a packet sent, travelling, arriving and handed to its host — the fast general
 * path, the twin of the plan's hops (path/plan.ts; FabricOptions.fastPaths false runs those).
 *
 * Owns: transmit (the sender running; outbound never filtered in classic, tracked so replies
 * come back; routing by routing.ts; latency; the packet as an event; the trace's send,
 * redirect and source NAT); arrive (NAT at arrival: a public address goes to whoever holds it
 * now; connection tracking first — so revoking a rule keeps a tracked flow (domain.md) — then
 * the receiver's rules in force, rules-in-force.ts; a retransmission of a denied request meets
 * the same verdict; admissions and denials on the flow record); deliver (the host hop,
 * path/host.ts hostAction: the TCP client, a server's answer or RST, UDP and its echo, ICMP
 * echo and its reply).
 * Does not own: the TCP client (tcp-client.ts), fast-forward and decisions at send (fast/),
 * routing (routing.ts), the rules (rules-in-force.ts), the flows' records (flow-book.ts).
 */
import type { Simulator } from '../core/simulator.ts';
import { formatIp, isClassicPrivate, type Ip } from '../net/ipv4.ts';
import { ICMP, ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, TCP, UDP, icmpKey, protocolName, F_DATA, F_RST, F_SYN, describeFlags } from '../net/protocol.ts';
import { RuleAdmission, admissionOf } from '../policy/evaluate.ts';
import { ConnTrackTable, EXPIRED, INBOUND, MISS, OUTBOUND } from '../conntrack/table.ts';
import type { Explanation, ExplanationCode, FlowRecord } from './flows.ts';
import type { TraceSink } from './flows.ts';
import type { FlowBook } from './flow-book.ts';
import { listens, type HostTable } from './hosts.ts';
import type { FabricState, FabricStats } from './state.ts';
import type { SocketTable } from './sockets.ts';
import { PacketPool, P_STRIDE, P_KIND, P_SRC, P_DST, P_WIRE_DST, P_SPORT, P_DPORT, P_SRC_HOST, P_DST_HOST, P_VERSION, P_TRACE_ID } from './packets.ts';
import { HOST_STRIDE, H_PRIVATE, H_FLAGS, RUNNING, EXTERNAL } from './fast/host-rows.ts';
import type { HostAction } from './path/hop.ts';
import { hostAction, UDP_ECHO } from './path/host.ts';
import { packetOf, runHops } from './path/plan.ts';
import type { Router } from './routing.ts';
import type { RulesInForce } from './rules-in-force.ts';
import type { DeniedAtSend } from './fast/denied-at-send.ts';
import type { FastForward } from './fast/fast-forward.ts';
import type { ByPlan } from './by-plan.ts';
import { answersSyn, type Connection, type Socket } from './connection.ts';
import type { ClientSegments } from './seams.ts';

export class Wire {
  private readonly sim: Simulator;
  private readonly trace: TraceSink | null;
  private readonly book: FlowBook;
  private readonly conntrack: ConnTrackTable;
  private readonly sockets: SocketTable<Socket>;
  private readonly stats: FabricStats;
  private readonly h: HostTable;
  private readonly packets = new PacketPool();
  private readonly onArrive = (p: number) => this.arrive(p);
  /** Packets numbered for the trace (TraceSink.packetIds). */
  private tracedPackets = 0;
  /** Wired by the facade (fabric.ts) once the TCP client exists. */
  tcp!: ClientSegments;

  constructor(
    private readonly st: FabricState,
    private readonly router: Router,
    private readonly rules: RulesInForce,
    private readonly atSend: DeniedAtSend,
    private readonly ff: FastForward,
    private readonly byPlan: ByPlan,
  ) {
    this.sim = st.sim;
    this.trace = st.trace;
    this.book = st.book;
    this.conntrack = st.conntrack;
    this.sockets = st.sockets;
    this.stats = st.stats;
    this.h = st.hosts;
  }

  /**
   * Sends one packet from host `from` to address `dst`. Returns null when it left, or the
   * reason it could not (no route, sender not running) after recording it on the flow.
   */
  transmit(
    from: number,
    dst: Ip,
    proto: number,
    sport: number,
    dport: number,
    flags: number,
    flow: FlowRecord | null,
    request: boolean,
  ): ExplanationCode | null {
    const flagsOf = this.h.info[from * HOST_STRIDE + H_FLAGS];
    let noRoute: string | null;
    if (this.st.fastPaths) {
      if (!(flagsOf & RUNNING)) {
        if (flow && request) this.book.failFlow(flow, 'SOURCE_NOT_RUNNING', `${this.h.list[from].name} is not running, so it sends nothing`);
        return 'SOURCE_NOT_RUNNING';
      }
      noRoute = this.router.route(from, dst);
    } else {
      // The reference: the plan's hops on the sender's side (sender, route).
      const r = runHops(this.byPlan.plan, 'send', packetOf(from, dst, proto, sport, dport, flags, request, flow), this.byPlan.pathWorld);
      if (r.drop !== null && r.drop.code === 'SOURCE_NOT_RUNNING') {
        if (flow && request) this.book.failFlow(flow, 'SOURCE_NOT_RUNNING', r.drop.why.message);
        return 'SOURCE_NOT_RUNNING';
      }
      noRoute = r.drop !== null ? r.drop.why.message : null;
      if (noRoute === null) this.router.routedAs(r.packet);
    }
    this.stats.packets++;
    if (noRoute !== null) {
      const s = this.h.list[from];
      this.stats.drops++;
      if (this.trace) this.st.emit('drop', { flow: flow?.index ?? null, host: s.name, proto: protocolName(proto), src: formatIp(s.privateIp), dst: formatIp(dst), code: 'NO_ROUTE_TO_DESTINATION', ...(this.trace.packetIds ? { pkt: ++this.tracedPackets, ...packetFields(proto, sport, dport, flags) } : {}) });
      if (flow && request) {
        // The path it was sent on: a private (10/8) address from an instance, else public.
        if (flow.path === null) flow.path = !s.external && isClassicPrivate(dst) ? 'private' : 'public';
        if (flow.redirected === null) flow.redirected = false;
        this.book.recordDrop(flow, { code: 'NO_ROUTE_TO_DESTINATION', message: noRoute });
      } else if (flow) {
        this.book.recordDrop(flow, { code: 'NO_ROUTE_TO_DESTINATION', message: `the answer from ${s.name} found no host: ${noRoute}` }, false);
      }
      return 'NO_ROUTE_TO_DESTINATION';
    }
    const target = this.router.rTarget;
    const wireDst = this.router.rWireDst;
    const privatePath = this.router.rPrivatePath;
    const redirected = this.router.rRedirected;
    if (flow && request && flow.path === null) {
      flow.path = privatePath ? 'private' : 'public';
      flow.redirected = redirected;
    }
    // Outbound is never filtered in classic; it is tracked so replies come back.
    // ICMP echo is tracked by addresses, echo id and which side sent the request (as Linux
    // conntrack's original/reply tuples): 1 = this host asked, 2 = the remote host asked.
    if (!(flagsOf & EXTERNAL)) this.conntrack.track(from, proto, wireDst, sport, proto === ICMP ? ((dport >> 16) === ICMP_ECHO_REQUEST ? 1 : 2) : dport, this.sim.now, OUTBOUND, flags);
    const delay = this.router.latency(from, target, privatePath, flow);
    if (this.atSend.synDecidable && this.atSend.deniedAsSent(flow!, from, target, sport, dport, privatePath, redirected, wireDst)) {
      this.atSend.synDenied = true;
      return null;
    }
    const p = this.packets.alloc();
    const d = this.packets.data;
    const o = p * P_STRIDE;
    d[o + P_KIND] = proto | (flags << 8) | (privatePath ? 1 << 16 : 0) | (request ? 1 << 17 : 0);
    d[o + P_SRC] = this.router.rSeenSrc;
    d[o + P_DST] = this.router.rSeenDst;
    d[o + P_WIRE_DST] = wireDst;
    d[o + P_SPORT] = sport;
    d[o + P_DPORT] = dport;
    d[o + P_SRC_HOST] = from;
    d[o + P_DST_HOST] = target;
    d[o + P_VERSION] = this.st.version;
    if (this.trace?.packetIds) d[o + P_TRACE_ID] = ++this.tracedPackets;
    this.packets.flow[p] = flow;
    if (flow !== null && request) flow.requestsInFlight++;
    if (this.trace) {
      const s = this.h.list[from];
      this.st.emit('send', {
        flow: flow?.index ?? null,
        host: s.name,
        proto: protocolName(proto),
        src: formatIp(s.privateIp),
        dst: formatIp(dst),
        ...packetFields(proto, sport, dport, flags),
        path: privatePath ? 'private' : 'public',
        ...(this.trace.packetIds ? { pkt: d[o + P_TRACE_ID] } : {}),
      });
      if (redirected) this.st.emit('redirect', { flow: flow?.index ?? null, from: formatIp(dst), to: formatIp(wireDst) });
      if (!privatePath && !s.external) this.st.emit('nat', { flow: flow?.index ?? null, side: 'source', from: formatIp(s.privateIp), to: formatIp(this.router.rSeenSrc) });
    }
    this.sim.schedule(delay, this.onArrive, p);
    return null;
  }

  private arrive(p: number): void {
    const d = this.packets.data;
    const o = p * P_STRIDE;
    const kind = d[o + P_KIND];
    let to = d[o + P_DST_HOST];
    const proto = kind & 0xff;
    const src = d[o + P_SRC] >>> 0;
    let dst = d[o + P_DST] >>> 0;
    const sport = d[o + P_SPORT];
    const dport = d[o + P_DPORT];
    const flags = (kind >> 8) & 0xff;
    const flow = this.packets.flow[p];
    const request = (kind & (1 << 17)) !== 0;
    const from = d[o + P_SRC_HOST];
    const privatePath = (kind & (1 << 16)) !== 0;
    const wireDst = d[o + P_WIRE_DST] >>> 0;
    const sentVersion = d[o + P_VERSION];
    const id = this.trace?.packetIds ? { pkt: d[o + P_TRACE_ID] } : null;
    this.packets.release(p);
    const now = this.sim.now;
    if (flow !== null && request) flow.requestsInFlight--;
    if (!this.st.fastPaths) {
      this.byPlan.arriveByPlan({ protocol: proto, flags, sport, dport, sender: from, addressed: wireDst, wireDst, source: src, destination: dst, receiver: to, privatePath, redirected: false, request, flow }, id);
      return;
    }

    if (!privatePath) {
      // Public addresses are translated where the packet arrives: it goes to whoever holds
      // the address now (an Elastic IP moved while it travelled reaches its new holder).
      const holder = this.h.byPublic.get(wireDst);
      if (holder >= 0 && holder !== to) {
        to = holder;
        dst = this.h.info[holder * HOST_STRIDE + H_PRIVATE] >>> 0;
      } else if (holder < 0) dst = 0;
    }
    // The receiver's Host object is read only to explain (names, its receiver's groups), or to
    // reach its receiver when its rules are not laid out in the arena: its row, and the small
    // tables by host number, say the rest.
    const tFlags = this.h.info[to * HOST_STRIDE + H_FLAGS];
    // dst 0: nobody holds the public address now (a running host's private address is never 0).
    if (!(tFlags & RUNNING) || this.h.info[to * HOST_STRIDE + H_PRIVATE] >>> 0 !== dst) {
      const t = this.h.list[to];
      this.stats.drops++;
      const gone = privatePath ? dst : wireDst;
      if (this.trace) this.st.emit('drop', { flow: flow?.index ?? null, host: t.name, proto: protocolName(proto), dst: formatIp(gone), code: 'NO_ROUTE_TO_DESTINATION', ...id });
      if (flow) this.book.recordDrop(flow, { code: 'NO_ROUTE_TO_DESTINATION', message: `${t.name} no longer holds ${formatIp(gone)}${request ? '' : ' (the answer found no host)'}` }, request);
      return;
    }
    if (!privatePath && this.trace && !(tFlags & EXTERNAL)) {
      this.st.emit('nat', { flow: flow?.index ?? null, side: 'destination', from: formatIp(wireDst), to: formatIp(dst), ...id });
    }
    const key = proto === ICMP ? icmpKey(dport >> 16, dport & 0xffff) : dport;
    const ctPorts = proto === ICMP ? sport : dport;
    const ctRemotePort = proto === ICMP ? ((dport >> 16) === ICMP_ECHO_REQUEST ? 2 : 1) : sport;

    // Explanations are built only for someone who reads them: a flow record or the trace. Why a
    // packet was let in is read only for a request (its flow's admission), not for an answer.
    const observed = flow !== null || this.trace !== null;
    const explainAdmission = this.trace !== null || (flow !== null && request);
    let via: Explanation | null = null;
    if (!(tFlags & EXTERNAL)) {
      const slot = this.conntrack.lookup(to, proto, src, ctPorts, ctRemotePort, now);
      if (slot >= 0) {
        this.conntrack.touch(slot, now, INBOUND, flags);
        if (this.trace) this.st.emit('conntrack', { host: this.h.list[to].name, hit: true, src: formatIp(src), dst: formatIp(dst), ...id });
        if (explainAdmission) via = { code: 'TRACKED_CONNECTION', message: `part of a tracked flow of ${this.h.list[to].name}; replies and tracked flows pass regardless of rules` };
      } else if (flow !== null && request && slot === MISS && this.sameAsDenied(flow, src)) {
        // A retransmission of a request the rules denied, from the same source and with nothing
        // changed since (no rule, membership, address or lifecycle change: `version` counts
        // them all): the same packet meets the same rules: the same verdict, the same reasons.
        const denial = flow.explanation!;
        this.stats.drops++;
        this.book.deniedAt(flow, src, dst);
        if (this.trace) this.st.emit('drop', { flow: flow.index, host: this.h.list[to].name, proto: protocolName(proto), src: formatIp(src), dst: formatIp(dst), dport: proto === ICMP ? undefined : dport, code: denial.code, ...id });
        this.book.recordDrop(flow, denial, request);
        if (proto === TCP && flags === F_SYN && this.sim.now > this.st.changesEndNs) this.ff.fastForward(flow, from, sport, dport, src, to, privatePath, sentVersion);
        return;
      } else {
        const packed = this.rules.filter(to, from, proto, key, src, privatePath);
        if (packed < 0) {
          this.stats.drops++;
          if (!observed) return;
          let denial: Explanation;
          if (flow !== null && request && slot !== EXPIRED && this.sameAsDenied(flow, src)) {
            denial = flow.explanation!; // a retransmission meets the same rules: same reasons
          } else {
            denial = this.rules.deny(to, from, proto, key, src, privatePath, dst, slot === EXPIRED);
          }
          if (this.trace) this.st.emit('drop', { flow: flow?.index ?? null, host: this.h.list[to].name, proto: protocolName(proto), src: formatIp(src), dst: formatIp(dst), dport: proto === ICMP ? undefined : dport, code: denial.code, ...id });
          if (flow) {
            if (request) this.book.deniedAt(flow, src, dst);
            this.book.recordDrop(flow, denial, request);
            if (request) {
              flow.explanationVersion = this.st.version;
              flow.explanationSource = src;
              if (proto === TCP && flags === F_SYN && slot === MISS && this.sim.now > this.st.changesEndNs) this.ff.fastForward(flow, from, sport, dport, src, to, privatePath, sentVersion);
            }
          }
          return;
        }
        this.conntrack.track(to, proto, src, ctPorts, ctRemotePort, now, INBOUND, flags);
        if (explainAdmission) {
          // In a world that no longer changes, the admitting rule is looked up when first read.
          if (this.rules.settled()) via = new RuleAdmission(null, null, this.rules.directory, to, packed);
          else {
            const adm = admissionOf(this.h.list[to].receiver!.groups, packed);
            via = new RuleAdmission(adm.group.key, adm.rule);
          }
        }
      }
    } else if (explainAdmission) {
      via = { code: 'NOT_FILTERED', message: `${this.h.list[to].name} is outside AWS: no security group filters it` };
    }
    this.stats.delivered++;
    if (this.trace) this.st.emit('deliver', { flow: flow?.index ?? null, host: this.h.list[to].name, proto: protocolName(proto), src: formatIp(src), dst: formatIp(dst), by: via!.code, ...id });
    if (flow && request && flow.admission === null) {
      this.book.admittedAt(flow, src, dst);
      flow.admission = via;
    }
    this.deliver(to, proto, src, sport, dport, flags, flow, request, via, null);
  }

  /**
   * Whether a client socket of host `to` takes a TCP segment from `src`:`sport` to its port
   * `dport`: the socket talks to that address and port, and an answer to a SYN (a SYN-ACK, or
   * an RST while it is still opening) answers one of its own SYNs (as a real one acknowledges
   * its SYN's sequence number: its flow is the socket's), not a late answer to an earlier
   * connect from the same port (B16, B18).
   */
  clientTakes(to: number, sport: number, dport: number, src: Ip, flags: number, flow: object | null): boolean {
    const sock = this.sockets.get(to, TCP * 65536 + dport);
    return sock !== undefined && sock.kind === 'tcp' && sock.remotePort === sport && sock.remote === src && (flow === sock.flow || !answersSyn(flags, sock.state));
  }

  /**
   * Whether a request of `flow` from `src` is the packet its last denial was for, met by the
   * same world: the flow is undecided (its explanation is that denial), and neither the
   * fabric's version nor the source the receiver sees has changed (a sender's address can
   * change between two of its SYNs, and then one may be denied and the next admitted).
   */
  private sameAsDenied(flow: FlowRecord, src: Ip): boolean {
    return flow.outcome === null && flow.explanation !== null && flow.explanationVersion === this.st.version && flow.explanationSource === src;
  }

  /**
   * Hands an admitted packet to the receiving host, which does what the plan's host hop says
   * (path/host.ts hostAction; `action`, if the plan already asked it).
   */
  deliver(
    to: number,
    proto: number,
    src: Ip,
    sport: number,
    dport: number,
    flags: number,
    flow: FlowRecord | null,
    request: boolean,
    via: Explanation | null,
    action: HostAction | null,
  ): void {
    if (action === null) {
      const tcp = proto === TCP;
      const ports = this.h.portLists[this.h.hostPorts[to]];
      const listening = tcp ? listens(ports.tcp, dport) : proto === UDP && !(flags & UDP_ECHO) && listens(ports.udp, dport);
      action = hostAction(proto, flags, dport, tcp && this.clientTakes(to, sport, dport, src, flags, flow), listening);
    }
    switch (action.kind) {
      case 'client':
        this.tcp.clientSegment(to, this.sockets.get(to, TCP * 65536 + dport) as Connection, flags);
        return;
      case 'server': {
        const reply = action.reply;
        if (flow && request) {
          if (flags & F_DATA) this.book.resolve(flow, 'delivered', via);
          if ((flags & F_SYN) && reply === F_RST && via) {
            const message = `${this.h.list[to].name} has no listener on tcp/${dport}; it answered RST (${via.message})`;
            // (Read by name: a RuleAdmission's group and rule are getters, which spreading would not copy.)
            flow.admission = via.group !== undefined ? { code: 'CONNECTION_REFUSED', group: via.group, rule: via.rule, message } : { code: 'CONNECTION_REFUSED', message };
          }
        }
        if (reply) this.transmit(to, src, TCP, dport, sport, reply, flow, false);
        return;
      }
      case 'echo-consumed':
        // An echo (a service's answer) is consumed by whoever receives it, never answered again.
        this.stats.udpEchoesDelivered++;
        return;
      case 'datagram':
        this.stats.udpDelivered++;
        if (flow && request && via) this.book.datagramDecided(flow, false, via);
        if (action.echo) this.transmit(to, src, UDP, dport, sport, UDP_ECHO, flow, false);
        return;
      case 'echo-request':
        // ICMP: dport carries type << 16 | code; sport the echo id.
        this.transmit(to, src, ICMP, sport, (ICMP_ECHO_REPLY << 16) | 0, 0, flow, false);
        return;
      case 'echo-reply': {
        const sock = this.sockets.get(to, ICMP * 65536 + sport);
        if (sock && sock.kind === 'icmp') {
          this.sim.cancel(sock.timer);
          this.sockets.delete(to, ICMP * 65536 + sport);
          this.book.resolve(sock.flow, 'replied', sock.flow.admission ?? via);
        }
        return;
      }
      case 'none':
        return;
    }
  }
}

/** A packet's ports (icmp: echo id and type:code) and TCP flags, as the trace's send event says them. */
function packetFields(proto: number, sport: number, dport: number, flags: number): Record<string, unknown> {
  return {
    ...(proto === ICMP ? { id: sport, icmp: `${dport >> 16}:${dport & 0xffff}` } : { sport, dport }),
    ...(proto === TCP ? { flags: describeFlags(flags) } : {}),
  };
}
