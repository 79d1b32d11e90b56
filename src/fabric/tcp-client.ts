/**
 * fabric/tcp-client: the client side of TCP — a connect, its retransmissions and its end.
 *
 * Owns: connect (a SYN from an ephemeral port; when nothing can change any more it may be
 * decided as it is sent, fast/denied-at-send.ts), the Connection (its own socket), the
 * retransmission timers — a connect's first timer waits in a line of its own (core/delayline.ts),
 * later ones in the event heap — and what a timer does when it fires (tcpTimer: a SYN is
 * retransmitted here, or the connect times out), a segment for the client (connected, refused,
 * data acknowledged, closed), transfer and close. The state machine itself is
 * transport/tcp.ts; when a denied connect's retransmissions are shortcut, fast/fast-forward.ts.
 * Does not own: sending (wire.ts), the server's side (wire.ts deliver, path/host.ts).
 */
import type { Simulator } from '../core/simulator.ts';
import { DelayLine } from '../core/delayline.ts';
import type { Ip } from '../net/ipv4.ts';
import { TCP } from '../net/protocol.ts';
import type { Settings } from '../model/settings.ts';
import { tcpClientOnSegment, tcpClose, tcpOnTimer, tcpOpen, tcpSendData, type TcpClientState, type TcpStep } from '../transport/tcp.ts';
import type { FlowRecord, TraceSink } from './flows.ts';
import type { FlowBook } from './flow-book.ts';
import type { HostTable } from './hosts.ts';
import type { FabricState } from './state.ts';
import type { SocketTable } from './sockets.ts';
import { grown } from './grown.ts';
import { TIMED_OUT, type Connection, type Socket } from './connection.ts';
import { HOST_STRIDE, H_HAD_TCP } from './fast/host-rows.ts';
import type { Router } from './routing.ts';
import type { Wire } from './wire.ts';
import type { DeniedAtSend } from './fast/denied-at-send.ts';
import type { FastForward } from './fast/fast-forward.ts';

export class TcpClient {
  private readonly sim: Simulator;
  private readonly settings: Settings;
  private readonly trace: TraceSink | null;
  private readonly book: FlowBook;
  private readonly sockets: SocketTable<Socket>;
  private readonly h: HostTable;
  private readonly onTcpTimer = (slot: number) => this.tcpTimer(slot);
  /** Connects' first retransmission timers (armAt). */
  readonly firstTimers: DelayLine;
  /**
   * Connections with a pending retransmission timer, by the slot the timer carries: a timer
   * goes straight to its connection, not through its host's socket map (at 10^6 connections
   * in flight, that lookup was the costliest line of a run).
   */
  private readonly timerConns: (Connection | null)[] = [];
  private readonly freeTimerSlots: number[] = [];
  /**
   * When each slot's timer fires (valid while its connection's `timer` !== -1). Here, not on
   * the Connection: a time past 2^31 ns would be a number object of its own behind the
   * connection, one more cache miss when a denied connect is fast-forwarded; slots are reused,
   * so this array stays warm.
   */
  timerAts = new Float64Array(1024);

  constructor(
    private readonly st: FabricState,
    private readonly wire: Wire,
    private readonly router: Router,
    private readonly ff: FastForward,
    private readonly atSend: DeniedAtSend,
  ) {
    this.sim = st.sim;
    this.settings = st.settings;
    this.trace = st.trace;
    this.book = st.book;
    this.sockets = st.sockets;
    this.h = st.hosts;
    this.firstTimers = new DelayLine(st.sim, this.onTcpTimer);
  }

  /**
   * Opens a TCP connection from `from` to `dst:port`. `noLaterActions`: the caller promises
   * never to transfer on it or close it, which lets the fabric fast-forward it if it is denied.
   */
  connect(flow: FlowRecord, from: number, dst: Ip, port: number, noLaterActions = false): Connection | null {
    return this.openTcp(flow, from, dst, port, noLaterActions, true);
  }

  /**
   * connect() for a caller that will never act on the connection (no transfer, no close: as
   * connect's `noLaterActions`) and needs no handle to it: bulk traffic (the runner's connects
   * no later entry names, a benchmark's flows). The flow record says what became of it. A
   * denied connect decided as it is sent then leaves nothing behind but its landing (connect
   * would make its Connection object for the caller).
   */
  connectDetached(flow: FlowRecord, from: number, dst: Ip, port: number): void {
    this.openTcp(flow, from, dst, port, true, false);
  }

  /** connect() and connectDetached(): `handle`, whether the caller wants the Connection back. */
  private openTcp(flow: FlowRecord, from: number, dst: Ip, port: number, noLaterActions: boolean, handle: boolean): Connection | null {
    flow.to = dst;
    flow.port = port;
    const localPort = this.h.ephemeralPort(from);
    const step = tcpOpen(this.sim.now, this.settings.tcp);
    // When nothing can change any more, the SYN is decided as it is sent (deniedAsSent): a
    // denied one is fast-forwarded at once, with neither socket nor timer (what fastForward
    // does at its arrival, and as it would have).
    const chain = noLaterActions ? this.ff.settledChain(step, port, flow) : null;
    this.atSend.synDecidable = chain !== null;
    const err = this.wire.transmit(from, dst, TCP, localPort, port, step.send, flow, true);
    this.atSend.synDecidable = false;
    if (err === 'SOURCE_NOT_RUNNING') return null;
    // Where transmit() routed it (after any redirect).
    const remote = err === null ? this.router.rWireDst : dst;
    const conn: Connection | null = handle || !this.atSend.synDenied ? this.newConnection(flow, from, localPort, remote, port, step.state, noLaterActions) : null;
    if (this.atSend.synDenied) {
      this.atSend.synDenied = false;
      // As its socket would have: the port serves this connect, so a connection that held it
      // holds it no more (and then fastForward would have dropped it).
      if (this.h.info[from * HOST_STRIDE + H_HAD_TCP] !== 0) this.sockets.delete(from, TCP * 65536 + localPort);
      this.ff.landFromSend(flow, from, remote, localPort, port, step.deadline!, chain!);
      return conn;
    }
    this.sockets.set(from, TCP * 65536 + localPort, conn!);
    this.h.info[from * HOST_STRIDE + H_HAD_TCP] = 1;
    if (step.deadline !== null) {
      this.armAt(conn!, step.deadline, true);
      if (noLaterActions && this.st.changesEndNs !== Infinity && this.trace === null && conn!.timer < -1) this.ff.holdEnd(conn!);
    }
    return conn;
  }

  private newConnection(flow: FlowRecord, host: number, localPort: number, remote: Ip, remotePort: number, state: TcpClientState, noLaterActions: boolean): Connection {
    return {
      kind: 'tcp',
      host,
      localPort,
      remote,
      remotePort,
      state,
      timer: -1,
      timerSlot: -1,
      flow,
      transfer: null,
      noLaterActions,
      endTicket: -1,
      endLine: null,
    };
  }

  private armTimer(conn: Connection, step: TcpStep): void {
    this.cancelTimer(conn);
    if (step.deadline !== null) this.armAt(conn, step.deadline);
  }

  /**
   * Schedules the connection's timer at `at` (no timer pending). `first`: a connect's first
   * timer, which falls due a fixed delay after the connect, so these come in time order and
   * wait in a line of their own (firstTimers) instead of the event heap: most are cancelled
   * (the connect answered, or fast-forwarded) long before they fall due.
   */
  private armAt(conn: Connection, at: number, first = false): void {
    const slot = this.freeTimerSlots.length > 0 ? this.freeTimerSlots.pop()! : this.timerConns.length;
    this.timerConns[slot] = conn;
    conn.timerSlot = slot;
    if (slot >= this.timerAts.length) this.timerAts = grown(this.timerAts, slot + 1);
    this.timerAts[slot] = at;
    const ticket = first ? this.firstTimers.add(at, slot) : -1;
    conn.timer = ticket >= 0 ? -2 - ticket : this.sim.at(at, this.onTcpTimer, slot);
  }

  cancelTimer(conn: Connection): void {
    this.ff.releaseEnd(conn);
    if (conn.timer === -1) return;
    if (conn.timer >= 0) this.sim.cancel(conn.timer);
    else this.firstTimers.cancel(-2 - conn.timer);
    conn.timer = -1;
    this.timerConns[conn.timerSlot] = null;
    this.freeTimerSlots.push(conn.timerSlot);
  }

  /**
   * Whether the connection still holds its local port: a later connect or send that wrapped
   * round the ephemeral range onto the port takes it over (a port serves one endpoint).
   */
  private holdsPort(conn: Connection): boolean {
    return this.sockets.get(conn.host, TCP * 65536 + conn.localPort) === conn;
  }

  /** Removes a connection's socket, unless its port already serves a newer connection. */
  private dropSocket(conn: Connection): void {
    if (this.holdsPort(conn)) this.sockets.delete(conn.host, TCP * 65536 + conn.localPort);
  }

  /**
   * A connection's retransmission timer fired (cancelled timers never do: the connection is
   * open): the SYN (or data, or FIN) is retransmitted here, as transport/tcp.ts tcpOnTimer
   * says, and the next timer armed with the doubled RTO; or the retries ran out and the
   * connect times out. (A denied connect in a settled world skips these: fast/fast-forward.ts.)
   */
  private tcpTimer(slot: number): void {
    const conn = this.timerConns[slot]!;
    this.timerConns[slot] = null;
    this.freeTimerSlots.push(slot);
    conn.timer = -1;
    this.ff.releaseEnd(conn); // (armTimer below would too; a timeout as first timer holds none)
    const step = tcpOnTimer(conn.state, this.sim.now, this.settings.tcp);
    conn.state = step.state;
    if (step.event === 'timeout') {
      this.dropSocket(conn);
      this.book.resolve(conn.flow, 'timeout', this.book.noAnswer(conn.flow, TIMED_OUT));
      return;
    }
    if (step.send) this.wire.transmit(conn.host, conn.remote, TCP, conn.localPort, conn.remotePort, step.send, conn.flow, true);
    this.armTimer(conn, step);
  }

  clientSegment(host: number, conn: Connection, flags: number): void {
    const step = tcpClientOnSegment(conn.state, flags);
    conn.state = step.state;
    if (step.event !== null) this.cancelTimer(conn);
    switch (step.event) {
      case 'connected':
        this.book.resolve(conn.flow, 'connected', conn.flow.admission);
        break;
      case 'refused':
        this.dropSocket(conn);
        this.book.resolve(conn.flow, 'refused', conn.flow.admission);
        break;
      case 'data-acked':
        if (conn.transfer) {
          const t = conn.transfer;
          conn.transfer = null;
          if (t.outcome === null) this.book.resolve(t, 'delivered', t.admission);
        }
        break;
      case 'closed':
        this.dropSocket(conn);
        break;
    }
    if (step.send) this.wire.transmit(host, conn.remote, TCP, conn.localPort, conn.remotePort, step.send, null, false);
  }

  /** Sends one data segment over an open connection (sgsim's `transfer`). */
  transfer(flow: FlowRecord, conn: Connection | null): void {
    if (conn) {
      flow.to = conn.remote;
      flow.port = conn.remotePort;
    }
    // Open: it still holds its port, and connected.
    const open = conn && this.holdsPort(conn) ? tcpSendData(conn.state) : 0;
    if (!conn || !open) {
      this.book.resolve(flow, 'dropped', { code: 'CONNECTION_NOT_OPEN', message: 'the connection is not open (it never connected, or it was closed or reset)' });
      return;
    }
    conn.transfer = flow;
    this.wire.transmit(conn.host, conn.remote, TCP, conn.localPort, conn.remotePort, open, flow, true);
  }

  /** Closes a connection with FIN. */
  close(conn: Connection | null): void {
    if (!conn || !this.holdsPort(conn)) return;
    const step = tcpClose(conn.state);
    conn.state = step.state;
    if (step.send) this.wire.transmit(conn.host, conn.remote, TCP, conn.localPort, conn.remotePort, step.send, null, false);
    else {
      // Closing a connection still opening: it stops retransmitting and goes away.
      this.cancelTimer(conn);
      this.dropSocket(conn);
    }
  }
}
