/**
 * fabric/fast/landings: what the fast-forward of denied connects keeps while a connect waits
 * for its timeout (fast/fast-forward.ts fastForward, land; design.md "Fast-forward of denied
 * connects"): the retransmissions it shortcuts, as a chain relative to the first timer, and a
 * landing per connect (numbers in typed arrays and its flow record) instead of a Connection,
 * a socket and 2 events per SYN. The reference (FabricOptions.fastPaths false) sends every
 * SYN; test/props/plan.test.ts and fastforward.test.ts hold the two equal.
 * Classic-only facts its argument assumes (design.md): a denial is silent and outbound is
 * never filtered (so a retransmission meets only the receiver's rules and conntrack), and the
 * receiver's rules are its only filter (no NACL or route that could change between SYNs).
 */
import type { DelayLine } from '../../core/delayline.ts';
import type { Ip } from '../../net/ipv4.ts';
import type { TcpClientState } from '../../transport/tcp.ts';
import type { FlowRecord } from '../flows.ts';
import { grown } from '../grown.ts';

/** SYN retransmissions of a connection, relative to its pending timer (FastForward.retransmissions). */
export interface RetransmissionChain {
  readonly sends: number;
  /** When the last is sent, and when the connection times out. */
  readonly lastOffset: number;
  readonly endOffset: number;
  /** The longest wait between two SYNs, or the last SYN and the timeout. */
  readonly gap: number;
  /** The state after the last. */
  readonly state: TcpClientState;
  /** The timeouts of fast-forwarded connects of this chain, in the order of their connects
   * (holdEnd); made at the first. */
  ends: DelayLine | null;
}


/**
 * Fast-forwarded connects waiting for their timeout (fast/fast-forward.ts fastForward, land): what the
 * timeout must account for, in typed arrays by landing number (reused once landed), and the
 * flow record to resolve. A pending connection otherwise held a Connection object and a socket
 * until its timeout; at 10^6 connects in flight, that was 10^6 objects in the old generation.
 */
export class Landings {
  host = new Int32Array(1024);
  remote = new Float64Array(1024);
  localPort = new Int32Array(1024);
  remotePort = new Int32Array(1024);
  lastSend = new Float64Array(1024);
  sends = new Int32Array(1024);
  private readonly flows: (FlowRecord | null)[] = [];
  private readonly free: number[] = [];

  add(flow: FlowRecord, host: number, remote: Ip, localPort: number, remotePort: number, lastSend: number, sends: number): number {
    const i = this.free.length > 0 ? this.free.pop()! : this.flows.length;
    if (i === this.flows.length) {
      this.flows.push(null);
      if (i === this.host.length) this.grow();
    }
    this.flows[i] = flow;
    this.host[i] = host;
    this.remote[i] = remote;
    this.localPort[i] = localPort;
    this.remotePort[i] = remotePort;
    this.lastSend[i] = lastSend;
    this.sends[i] = sends;
    return i;
  }

  /** The landing's flow; its number is free again (its fields stay readable until reused). */
  take(i: number): FlowRecord {
    const flow = this.flows[i]!;
    this.flows[i] = null;
    this.free.push(i);
    return flow;
  }

  private grow(): void {
    const n = this.host.length * 2;
    this.host = grown(this.host, n);
    this.remote = grown(this.remote, n);
    this.localPort = grown(this.localPort, n);
    this.remotePort = grown(this.remotePort, n);
    this.lastSend = grown(this.lastSend, n);
    this.sends = grown(this.sends, n);
  }
}
