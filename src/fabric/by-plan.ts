/**
 * fabric/by-plan: the fabric run by the plan of hops alone (path/plan.ts, the reference).
 *
 * Owns: the world in force as the plan's hops read it (PathWorld over the fabric's tables);
 * arrival decided by the plan (FabricOptions.fastPaths false: the hops on the receiver's side
 * decide, and this applies what they said: counters, conntrack, the trace, the flow record,
 * the host's action); and a question's way of a packet (wayOf: the whole plan at once,
 * without time). Sending by the plan is wire.ts transmit's reference branch.
 * Does not own: the hops (path/), the fast twin of arrival (wire.ts arrive).
 */
import type { Simulator } from '../core/simulator.ts';
import { formatIp, type Ip } from '../net/ipv4.ts';
import { ICMP, TCP, protocolName, F_SYN } from '../net/protocol.ts';
import { ConnTrackTable, INBOUND } from '../conntrack/table.ts';
import type { FlowRecord, TraceSink } from './flows.ts';
import type { FlowBook } from './flow-book.ts';
import { EPHEMERAL_FIRST, type HostTable } from './hosts.ts';
import type { FabricState, FabricStats } from './state.ts';
import { HOST_STRIDE, H_PRIVATE, H_PUBLIC, H_FLAGS, H_PLACE, RUNNING, EXTERNAL } from './fast/host-rows.ts';
import type { PathPacket, PathWorld } from './path/hop.ts';
import { trackedPorts } from './path/conntrack.ts';
import { CLASSIC_PLAN, explain, packetOf, runHops, runPlan, type PathResult, type Plan } from './path/plan.ts';
import type { RulesInForce } from './rules-in-force.ts';
import type { Delivery } from './seams.ts';

export class ByPlan {
  private readonly sim: Simulator;
  private readonly trace: TraceSink | null;
  private readonly book: FlowBook;
  private readonly conntrack: ConnTrackTable;
  private readonly stats: FabricStats;
  private readonly h: HostTable;
  /** The hops a packet crosses (path/plan.ts). */
  readonly plan: Plan = CLASSIC_PLAN;
  /** Wired by the facade (fabric.ts) once the wire exists. */
  wire!: Delivery;

  constructor(
    private readonly st: FabricState,
    private readonly rules: RulesInForce,
  ) {
    this.sim = st.sim;
    this.trace = st.trace;
    this.book = st.book;
    this.conntrack = st.conntrack;
    this.stats = st.stats;
    this.h = st.hosts;
  }

  /**
   * arrive() by the plan alone (fastPaths false): the hops on the receiver's side (NAT at
   * arrival, connection tracking, the groups, the host) decide, and this applies what they
   * said: counters, conntrack, the trace, the flow record, and the host's action.
   */
  arriveByPlan(start: PathPacket, id: { pkt: number } | null): void {
    const flow = start.flow as FlowRecord | null;
    const { protocol: proto, flags, sport, dport, request } = start;
    const now = this.sim.now;
    const r = runHops(this.plan, 'arrive', start, this.pathWorld);
    const q = r.packet;
    const to = q.receiver;
    const src = q.source;
    const dst = q.destination;
    const name = this.h.list[to].name;
    if (r.drop !== null && r.drop.final) {
      // NAT at arrival: nobody (or somebody else) holds the address now.
      this.stats.drops++;
      const gone = q.privatePath ? dst : q.wireDst;
      if (this.trace) this.st.emit('drop', { flow: flow?.index ?? null, host: name, proto: protocolName(proto), dst: formatIp(gone), code: 'NO_ROUTE_TO_DESTINATION', ...id });
      if (flow) this.book.recordDrop(flow, r.drop.why, request);
      return;
    }
    const external = this.h.list[to].external;
    if (!q.privatePath && this.trace && !external) this.st.emit('nat', { flow: flow?.index ?? null, side: 'destination', from: formatIp(q.wireDst), to: formatIp(dst), ...id });
    if (r.tracked >= 0) {
      this.conntrack.touch(r.tracked, now, INBOUND, flags);
      if (this.trace) this.st.emit('conntrack', { host: name, hit: true, src: formatIp(src), dst: formatIp(dst), ...id });
    }
    if (r.drop !== null) {
      // The groups denied it.
      this.stats.drops++;
      const denial = explain(r)!;
      if (this.trace) this.st.emit('drop', { flow: flow?.index ?? null, host: name, proto: protocolName(proto), src: formatIp(src), dst: formatIp(dst), dport: proto === ICMP ? undefined : dport, code: denial.code, ...id });
      if (flow) {
        if (request) this.book.deniedAt(flow, src, dst);
        this.book.recordDrop(flow, denial, request);
        if (request) {
          flow.explanationVersion = this.st.version;
          flow.explanationSource = src;
        }
      }
      return;
    }
    // Admitted by the rules (not by tracking, not unfiltered): the flow is tracked from now.
    if (r.tracked < 0 && !external) {
      const k = trackedPorts(q);
      this.conntrack.track(to, proto, src, k.local, k.remote, now, INBOUND, flags);
    }
    const via = r.admitted!;
    this.stats.delivered++;
    if (this.trace) this.st.emit('deliver', { flow: flow?.index ?? null, host: name, proto: protocolName(proto), src: formatIp(src), dst: formatIp(dst), by: via.code, ...id });
    if (flow && request && flow.admission === null) {
      this.book.admittedAt(flow, src, dst);
      flow.admission = via;
    }
    this.wire.deliver(to, proto, src, sport, dport, flags, flow, request, via, r.action);
  }

  /**
   * The way a packet from host `from` to `dst` (protocol, destination port; icmp: type << 16 |
   * code; from local port `sport`, with TCP `flags`) would take now, hop by hop: the whole plan
   * run at once, without time (a question: nothing is sent, tracked or counted).
   */
  wayOf(from: number, dst: Ip, protocol: number, dport: number, sport = EPHEMERAL_FIRST, flags = protocol === TCP ? F_SYN : 0): PathResult {
    return runPlan(this.plan, packetOf(from, dst, protocol, sport, dport, flags, true, null), this.pathWorld);
  }

  /** The world in force as the plan's hops read it (path/hop.ts PathWorld): the fabric's tables now. */
  readonly pathWorld: PathWorld = {
    nameOf: (h) => this.h.list[h].name,
    running: (h) => (this.h.info[h * HOST_STRIDE + H_FLAGS] & RUNNING) !== 0,
    external: (h) => (this.h.info[h * HOST_STRIDE + H_FLAGS] & EXTERNAL) !== 0,
    regionOf: (h) => this.h.info[h * HOST_STRIDE + H_PLACE] >>> 16,
    privateIpOf: (h) => this.h.info[h * HOST_STRIDE + H_PRIVATE] >>> 0,
    publicIpOf: (h) => this.h.info[h * HOST_STRIDE + H_PUBLIC] >>> 0,
    holderOfPrivate: (ip) => this.h.byPrivate.get(ip),
    holderOfPublic: (ip) => this.h.byPublic.get(ip),
    tracked: (h, proto, remote, local, remotePort) => this.conntrack.lookup(h, proto, remote, local, remotePort, this.sim.now),
    expiredFacts: () => ({ idleNs: this.conntrack.expiredIdle, timeoutNs: this.conntrack.expiredTimeout }),
    groupsInForce: (h) => {
      const t = this.h.list[h];
      return (t.receiver ?? this.rules.receiverOf(t)).groups;
    },
    senderGroups: (h) => {
      const f = this.h.info[h * HOST_STRIDE + H_FLAGS];
      return f & RUNNING && !(f & EXTERNAL) ? this.h.list[h].groupKeys : null;
    },
    pendingWouldAdmit: (h, view) => this.rules.pendingWouldAdmit(this.h.list[h], view),
    listens: (h, proto, port) => this.h.listens(h, proto === TCP, port),
    clientTakes: (h, q) => this.wire.clientTakes(h, q.sport, q.dport, q.source, q.flags, q.flow),
  };
}
