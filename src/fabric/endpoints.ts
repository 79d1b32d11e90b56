/**
 * fabric/endpoints: UDP sends and pings (the TCP client is tcp-client.ts).
 *
 * Owns: sendUdp (datagrams from an ephemeral port, their socket), ping (an echo request, its
 * socket and its wait: settings.pingTimeout), the ping's timeout, and sendDatagram (bulk UDP).
 * Does not own: sending (wire.ts), the answers (wire.ts deliver).
 */
import type { Simulator } from '../core/simulator.ts';
import type { Ip } from '../net/ipv4.ts';
import { ICMP, ICMP_ECHO_REQUEST, UDP } from '../net/protocol.ts';
import type { Settings } from '../model/settings.ts';
import type { FlowRecord } from './flows.ts';
import type { FlowBook } from './flow-book.ts';
import type { HostTable } from './hosts.ts';
import type { FabricState } from './state.ts';
import type { SocketTable } from './sockets.ts';
import type { Socket } from './connection.ts';
import type { Wire } from './wire.ts';

export class Endpoints {
  private readonly sim: Simulator;
  private readonly settings: Settings;
  private readonly book: FlowBook;
  private readonly sockets: SocketTable<Socket>;
  private readonly h: HostTable;
  private readonly onPingTimeout = (host: number, echoId: number) => this.pingTimeout(host, echoId);

  constructor(
    st: FabricState,
    private readonly wire: Wire,
  ) {
    this.sim = st.sim;
    this.settings = st.settings;
    this.book = st.book;
    this.sockets = st.sockets;
    this.h = st.hosts;
  }

  /** Sends `count` UDP datagrams from `from` to `dst:port`. */
  sendUdp(flow: FlowRecord, from: number, dst: Ip, port: number, count: number): void {
    flow.to = dst;
    flow.port = port;
    flow.pending = count;
    const localPort = this.h.ephemeralPort(from);
    this.sockets.set(from, UDP * 65536 + localPort, { kind: 'udp', flow });
    for (let i = 0; i < count; i++) {
      const err = this.wire.transmit(from, dst, UDP, localPort, port, 0, flow, true);
      if (err === 'SOURCE_NOT_RUNNING') return;
    }
  }

  /** Sends one ICMP echo request and waits settings.pingTimeout for the reply. */
  ping(flow: FlowRecord, from: number, dst: Ip): void {
    const h = this.h.list[from];
    flow.to = dst;
    const echoId = h.nextEchoId;
    h.nextEchoId = echoId >= 65535 ? 1 : echoId + 1;
    const err = this.wire.transmit(from, dst, ICMP, echoId, ICMP_ECHO_REQUEST << 16, 0, flow, true);
    if (err === 'SOURCE_NOT_RUNNING') return;
    const timer = this.sim.schedule(this.settings.pingTimeout, this.onPingTimeout, from, echoId);
    this.sockets.set(from, ICMP * 65536 + echoId, { kind: 'icmp', flow, timer });
  }

  private pingTimeout(hostId: number, echoId: number): void {
    const sock = this.sockets.get(hostId, ICMP * 65536 + echoId);
    if (!sock || sock.kind !== 'icmp') return;
    this.sockets.delete(hostId, ICMP * 65536 + echoId);
    this.book.resolve(sock.flow, 'timeout', this.book.noAnswer(sock.flow, `within the ping's wait (${this.settings.pingTimeout / 1e6} ms)`));
  }

  /** Low-level UDP for bulk workloads: sends one datagram with no flow record. */
  sendDatagram(from: number, localPort: number, dst: Ip, port: number, flow: FlowRecord | null = null): void {
    this.wire.transmit(from, dst, UDP, localPort, port, 0, flow, flow !== null);
  }
}
