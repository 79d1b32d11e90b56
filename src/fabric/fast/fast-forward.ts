/**
 * fabric/fast/fast-forward: shortcuts the SYN retransmissions of a connect denied after the
 * last change (design.md "Fast-forward of denied connects").
 *
 * Owns: whether a denied connect may be fast-forwarded (fastForward at its SYN's arrival;
 * settledChain at its connect, for a SYN decided as it is sent); the chain of retransmissions
 * a client state starts (retransmissions); the place its timeout holds in its chain's line
 * (holdEnd, releaseEnd); and the landing at that timeout (land: the retransmissions' packets,
 * drops, conntrack entry and events, then the timeout). The reference (fastPaths false) sends
 * every SYN (tcp-client.ts tcpTimer); test/props/plan.test.ts and fastforward.test.ts hold the
 * two equal.
 * Classic-only facts this assumes (a VPC plan must re-prove them): a drop is silent, outbound
 * is never filtered, and the receiver's conntrack and groups are the only filters on the way.
 * Does not own: the timers (tcp-client.ts), the landings' storage (fast/landings.ts).
 */
import type { Simulator } from '../../core/simulator.ts';
import { DelayLine } from '../../core/delayline.ts';
import type { Ip } from '../../net/ipv4.ts';
import { TCP, F_SYN } from '../../net/protocol.ts';
import type { Settings } from '../../model/settings.ts';
import { ConnTrackTable, OUTBOUND } from '../../conntrack/table.ts';
import { tcpOnTimer, type TcpClientState, type TcpStep } from '../../transport/tcp.ts';
import type { FlowRecord, TraceSink } from '../flows.ts';
import type { FlowBook } from '../flow-book.ts';
import { EPHEMERAL_FIRST, EPHEMERAL_LAST, type HostTable } from '../hosts.ts';
import type { FabricState, FabricStats } from '../state.ts';
import type { SocketTable } from '../sockets.ts';
import { HOST_STRIDE, H_FLAGS, EXTERNAL } from './host-rows.ts';
import { Landings, type RetransmissionChain } from './landings.ts';
import type { Router } from '../routing.ts';
import type { RulesInForce } from '../rules-in-force.ts';
import { TIMED_OUT, type Connection, type Socket } from '../connection.ts';
import type { Timers } from '../seams.ts';

export class FastForward {
  private readonly sim: Simulator;
  private readonly settings: Settings;
  private readonly trace: TraceSink | null;
  private readonly book: FlowBook;
  private readonly conntrack: ConnTrackTable;
  private readonly sockets: SocketTable<Socket>;
  private readonly stats: FabricStats;
  private readonly h: HostTable;
  /** Fast-forwarded connects waiting for their timeout (fastForward). */
  private readonly landings = new Landings();
  private readonly onLanding = (landing: number) => this.land(landing);
  /** retransmissions(), by the state they start from. */
  private readonly chains = new Map<TcpClientState, RetransmissionChain | null>();
  /** Wired by the facade (fabric.ts) once the TCP client exists. */
  tcp!: Timers;

  constructor(
    private readonly st: FabricState,
    private readonly router: Router,
    private readonly rules: RulesInForce,
  ) {
    this.sim = st.sim;
    this.settings = st.settings;
    this.trace = st.trace;
    this.book = st.book;
    this.conntrack = st.conntrack;
    this.sockets = st.sockets;
    this.stats = st.stats;
    this.h = st.hosts;
  }

  /**
   * The retransmissions of a connect (its first step `step`, to port `dport`) whose SYN may be
   * decided as it is sent (deniedAsSent), or null. As fastForward's conditions, checked at the
   * connect: no change is to come or propagating, no trace; the port is not ephemeral; the flow has no SYN admitted or
   * travelling; the chain of SYN retransmissions ends in a timeout, the sender's conntrack
   * entry does not idle out between them, and the last arrives before the timeout. And the
   * places the connect would take in the lines of first timers and timeouts (armAt, holdEnd)
   * are free to take, so that its timeout lands where it would have.
   */
  settledChain(step: TcpStep, dport: number, flow: FlowRecord): RetransmissionChain | null {
    if (this.trace !== null || !this.rules.settled()) return null;
    if (step.deadline === null || (dport >= EPHEMERAL_FIRST && dport <= EPHEMERAL_LAST)) return null;
    if (flow.admission !== null || flow.requestsInFlight > 0) return null;
    const chain = this.retransmissions(step.state);
    if (chain === null || chain.gap > this.conntrack.timeouts.tcpHandshake) return null;
    const at = step.deadline + chain.endOffset;
    if (step.deadline + chain.lastOffset + this.st.maxLatencyNs >= at) return null;
    if (!this.tcp.firstTimers.accepts(step.deadline)) return null;
    if (chain.ends !== null ? !chain.ends.accepts(at) : !(Math.round(at) >= this.sim.now)) return null;
    return chain;
  }

  /**
   * Holds the place of the connection's timeout in its chain's line (RetransmissionChain.ends),
   * should it be fast-forwarded: where the timeout would come (the first timer's time plus the
   * chain's), in the order of the connects, so these 10^5-10^6 timeouts wait in a FIFO, not in
   * the event heap. Called at the connect, after its first timer is armed, so the timeout's
   * sequence number follows the timer's. The place is filled by fastForward, or given up when
   * the first timer is cancelled or fires (cancelTimer, tcpTimer); so it never falls due unfilled.
   */
  holdEnd(conn: Connection): void {
    const chain = this.retransmissions(conn.state);
    if (chain === null) return;
    const line = (chain.ends ??= new DelayLine(this.sim, this.onLanding));
    const ticket = line.hold(this.tcp.timerAts[conn.timerSlot] + chain.endOffset);
    if (ticket < 0) return;
    conn.endTicket = ticket;
    conn.endLine = line;
  }

  /** Gives up the connection's held timeout, if it holds one. */
  releaseEnd(conn: Connection): void {
    if (conn.endTicket < 0) return;
    conn.endLine!.cancel(conn.endTicket);
    conn.endTicket = -1;
    conn.endLine = null;
  }

  /**
   * A connect's SYN was denied after the last change (FabricOptions.changesEndNs, with no rule
   * change still propagating): every retransmission will meet the same world, so each would be
   * dropped the same way, and the connect will time out. Instead of sending them, the fabric
   * cancels the retransmission timer, drops the connection and its socket, and schedules a
   * landing (Landings) at the time the timeout would have come (in the place held for it at
   * the connect, holdEnd, so 10^6 of them do not fill the event heap), which accounts for the
   * retransmissions (packets, drops, the sender's conntrack entry, the events) and times the
   * flow out (land). Reports are byte-identical either way (a property test runs every
   * scenario both ways); after its first SYN's arrival, a denied connect then costs one event
   * (its landing) instead of 13, and holds no object but its flow record.
   * Dropping the socket early changes nothing: no segment can come for it (below), and a
   * later connect from the same port takes the socket over in either case (dropSocket).
   *
   * Only when the retransmissions are certain to change nothing else: no trace (it would show
   * each); the caller will not close or transfer on the connection; no answer can still come
   * (no SYN of the connect was ever admitted, none is travelling); the denial came from a
   * conntrack miss (an expired entry is explained anew each time, with its idle time); the
   * retransmissions are this very packet (routed now: same source, host and path); the
   * destination port is not an ephemeral one (so no packet can come back on the connection's
   * tuple from a client socket of the receiver, and a retransmission always meets a conntrack
   * miss); the sender's conntrack entry does not idle out between retransmissions; and the
   * last retransmission arrives before the timeout. Retransmissions meet no other state:
   * latency jitter is drawn per flow (latency()), and nothing else reads the dropped SYNs.
   * (A review found the conditions on answers, expiry and source missing: regressions b9-b13;
   * a second, that dropping the socket early exposed older bugs of ports taken over: b14-b16.)
   * Classic-only facts this assumes (a VPC plan must re-prove them): a drop is silent, outbound
   * is never filtered, and the receiver's conntrack and groups are the only filters on the way.
   */
  fastForward(flow: FlowRecord, from: number, sport: number, dport: number, src: Ip, to: number, privatePath: boolean, sentVersion: number): void {
    if (this.trace !== null || this.rules.pending.size > 0) return;
    if (dport >= EPHEMERAL_FIRST && dport <= EPHEMERAL_LAST) return;
    const sock = this.sockets.get(from, TCP * 65536 + sport);
    if (sock === undefined || sock.kind !== 'tcp') return;
    const conn: Connection = sock;
    if (conn.flow !== flow || !conn.noLaterActions || conn.timer === -1) return;
    // No answer may still come: no SYN of this connect was ever admitted, and none is on its
    // way (an earlier one, sent from another address before the last change, might be).
    if (flow.admission !== null || flow.requestsInFlight > 0) return;
    // The retransmissions must be this very packet: routed now (as they will be), it leaves
    // from the same address for the same host on the same path. (This one may have been sent
    // before the last change, from an address its sender has since left.)
    // (Nothing changed since it was sent, when the fabric's version is the same: then it is.)
    if (sentVersion !== this.st.version) {
      if (this.router.route(from, conn.remote) !== null || this.router.rSeenSrc !== src || this.router.rTarget !== to || this.router.rPrivatePath !== privatePath) return;
    }
    const chain = this.retransmissions(conn.state);
    if (chain === null) return;
    const timerAt = this.tcp.timerAts[conn.timerSlot];
    const at = timerAt + chain.endOffset;
    const lastSend = timerAt + chain.lastOffset;
    if (chain.gap > this.conntrack.timeouts.tcpHandshake || lastSend + this.st.maxLatencyNs >= at) return;
    // The connection has nothing left to do but time out: it goes now (its socket too: no
    // segment can come for it), and what remains is a landing, numbers in typed arrays.
    // It lands in the place held for it at the connect (holdEnd) when its first timer is the
    // one pending (so `at` is that place's time) and the place is in this chain's line.
    const held = conn.timer < -1 && conn.endLine !== null && conn.endLine === chain.ends ? conn.endTicket : -1;
    if (held >= 0) conn.endTicket = -1; // kept from cancelTimer's release
    this.tcp.cancelTimer(conn);
    this.sockets.delete(from, TCP * 65536 + sport); // it holds its port: it was found there above
    const landing = this.landings.add(flow, from, conn.remote, conn.localPort, conn.remotePort, lastSend, chain.sends);
    if (held < 0 || !chain.ends!.fill(held, landing)) this.sim.at(at, this.onLanding, landing);
  }

  /**
   * The SYN retransmissions still to come for a connection in `state` whose timer is pending,
   * relative to that timer (they do not depend on the absolute time), or null when they are
   * not plain SYN retransmissions ending in a timeout. One answer per state: states of the
   * retransmission sequence are shared (transport/tcp.ts).
   */
  private retransmissions(from: TcpClientState): RetransmissionChain | null {
    const known = this.chains.get(from);
    if (known !== undefined) return known;
    const tcp = this.settings.tcp;
    let chain: RetransmissionChain | null = null;
    let state = from;
    let offset = 0;
    let gap = from.rto; // the longest wait between two SYNs (or the last one and the timeout)
    let sends = 0;
    let lastOffset = 0;
    for (;;) {
      const step = tcpOnTimer(state, offset, tcp);
      if (step.event === 'timeout') {
        if (sends > 0) chain = { sends, lastOffset, endOffset: offset, gap, state, ends: null };
        break;
      }
      if (step.send !== F_SYN || step.deadline === null) break; // not a SYN retransmission
      sends++;
      lastOffset = offset;
      state = step.state;
      if (step.deadline - offset > gap) gap = step.deadline - offset;
      offset = step.deadline;
    }
    this.chains.set(from, chain);
    return chain;
  }

  /**
   * The timeout of a fast-forwarded connect, when it would have come: first what its
   * retransmissions would have done, then what its timer would (tcpTimer: the connection
   * times out; its socket is already gone).
   */
  private land(landing: number): void {
    const l = this.landings;
    const flow = l.take(landing);
    const host = l.host[landing];
    const n = l.sends[landing];
    this.stats.packets += n;
    this.stats.drops += n;
    flow.sent += n;
    // As transmit() would have: hosts outside AWS track nothing.
    if (!(this.h.info[host * HOST_STRIDE + H_FLAGS] & EXTERNAL)) {
      this.conntrack.trackMany(host, TCP, l.remote[landing], l.localPort[landing], l.remotePort[landing], l.lastSend[landing], OUTBOUND, F_SYN, n);
    }
    this.sim.elide(2 * n); // each retransmission: its timer and its arrival
    this.book.resolve(flow, 'timeout', this.book.noAnswer(flow, TIMED_OUT));
  }

  /**
   * A connect whose SYN was denied as it was sent (fast/denied-at-send.ts): its landing, at its
   * first timer `timerAt` plus its chain's, in the place holdEnd would have held (settledChain
   * saw that the line takes it).
   */
  landFromSend(flow: FlowRecord, from: number, remote: Ip, localPort: number, port: number, timerAt: number, chain: RetransmissionChain): void {
    const landing = this.landings.add(flow, from, remote, localPort, port, timerAt + chain.lastOffset, chain.sends);
    const line = (chain.ends ??= new DelayLine(this.sim, this.onLanding));
    line.fill(line.hold(timerAt + chain.endOffset), landing);
  }
}
