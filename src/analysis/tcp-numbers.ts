/**
 * analysis/tcp-numbers: sequence and acknowledgement numbers for the capture's TCP segments.
 *
 * The simulator's TCP (transport/tcp.ts) has flags, not numbers; a capture needs numbers that
 * hold together within a connection, as Wireshark checks them. Each connection gets two
 * initial sequence numbers, a hash of its order in the run (so the same run gives the same
 * numbers); each end advances by what it sends (SYN and FIN count one, a transfer its payload)
 * and acknowledges what it received; a retransmitted SYN is its first again (same flow, same
 * port); an RST is what RFC 9293 §3.10.7.1 makes of it.
 * Owns: which connection a segment belongs to, as its sender sees it (its host and port, the
 * address and port it sends to: the first SYN sets up the client's view, a segment received
 * the receiver's, to the source it saw), and the numbers. Does not own the bytes (packets.ts).
 */
import { TH_ACK, TH_FIN, TH_PSH, TH_RST, TH_SYN } from './packets.ts';

export interface Segment {
  readonly seq: number;
  readonly ack: number;
  /** TH_* bits. */
  readonly flags: number;
  readonly payload: Uint8Array | undefined;
}

/** One end of a connection: its initial sequence number, the next it sends, the next it expects, the last segment it received. */
interface End {
  readonly isn: number;
  next: number;
  expects: number;
  last: Segment | null;
}

interface Connection {
  readonly client: string;
  readonly clientPort: number;
  readonly ends: [End, End];
}

/** A connection as one of its ends sends on it. */
export interface View {
  readonly conn: Connection;
  readonly end: 0 | 1;
}

export class TcpNumbers {
  private views = new Map<string, View>();
  /** A connect's connection by its flow, so that its retransmitted SYNs are its first SYN again. */
  private connects = new Map<number, Connection>();
  private connections = 0;

  /** @param payload what a segment with the simulator's DATA flag carries */
  constructor(private readonly payload: Uint8Array) {}

  /**
   * The segment host `host` sends from `sport` to `dst`:`dport` with the simulator's flags
   * (SYN, ACK, DATA, FIN, RST joined by `|`) for flow `flow`, and the connection as it sends on it.
   */
  send(host: string, sport: number, dst: string, dport: number, flags: string, flow: number | null): { view: View; segment: Segment } {
    const view = this.viewOf(host, sport, dst, dport, flags, flow);
    return { view, segment: this.segment(view, flags) };
  }

  /**
   * A segment sent on `view` from `sport` to `dport` reached host `host`, which saw it come from
   * `seenSrc`: what that end expects next, what it answers, and how it sends back.
   */
  delivered(view: View, segment: Segment, sport: number, dport: number, host: string, seenSrc: string): void {
    const end = view.end === 0 ? 1 : 0;
    const them = view.conn.ends[end];
    them.last = segment;
    if (segment.flags & TH_SYN) them.expects = (segment.seq + 1) >>> 0;
    else if (!(segment.flags & TH_RST)) {
      const after = (segment.seq + segmentLength(segment)) >>> 0;
      if (((after - them.expects) | 0) > 0) them.expects = after;
    }
    this.views.set(viewKey(host, dport, seenSrc, sport), { conn: view.conn, end });
  }

  private viewOf(host: string, sport: number, dst: string, dport: number, flags: string, flow: number | null): View {
    const key = viewKey(host, sport, dst, dport);
    if (flags === 'SYN') {
      let conn = flow === null ? undefined : this.connects.get(flow);
      if (conn === undefined || conn.client !== host || conn.clientPort !== sport) {
        conn = this.connection(host, sport);
        if (flow !== null) this.connects.set(flow, conn);
      }
      const view: View = { conn, end: 0 };
      this.views.set(key, view);
      return view;
    }
    let view = this.views.get(key);
    if (view === undefined) {
      // A segment of no connection this capture saw open (the fabric sends none): one of its own.
      view = { conn: this.connection(host, sport), end: 0 };
      this.views.set(key, view);
    }
    return view;
  }

  private connection(client: string, clientPort: number): Connection {
    const n = this.connections++;
    const end = (k: number): End => {
      const isn = mix32(2 * n + k);
      return { isn, next: (isn + 1) >>> 0, expects: 0, last: null };
    };
    return { client, clientPort, ends: [end(0), end(1)] };
  }

  private segment(view: View, flags: string): Segment {
    const me = view.conn.ends[view.end];
    const f = new Set(flags.split('|'));
    if (f.has('SYN')) {
      const ack = f.has('ACK');
      return { seq: me.isn, ack: ack ? me.expects : 0, flags: TH_SYN | (ack ? TH_ACK : 0), payload: undefined };
    }
    if (f.has('RST')) {
      // RFC 9293 §3.10.7.1: to a segment with ACK, <SEQ=SEG.ACK><CTL=RST>; else <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
      const t = me.last;
      if (t === null) return { seq: me.next, ack: 0, flags: TH_RST, payload: undefined };
      if (t.flags & TH_ACK) return { seq: t.ack, ack: 0, flags: TH_RST, payload: undefined };
      return { seq: 0, ack: (t.seq + segmentLength(t)) >>> 0, flags: TH_RST | TH_ACK, payload: undefined };
    }
    const payload = f.has('DATA') ? this.payload : undefined;
    const s: Segment = {
      seq: me.next,
      ack: me.expects,
      flags: TH_ACK | (payload ? TH_PSH : 0) | (f.has('FIN') ? TH_FIN : 0),
      payload,
    };
    me.next = (me.next + segmentLength(s)) >>> 0;
    return s;
  }
}

function viewKey(host: string, port: number, peer: string, peerPort: number): string {
  return `${host} ${port} ${peer} ${peerPort}`;
}

/** Sequence space a segment takes: its payload, and one each for SYN and FIN. */
function segmentLength(s: Segment): number {
  return (s.payload?.length ?? 0) + (s.flags & TH_SYN ? 1 : 0) + (s.flags & TH_FIN ? 1 : 0);
}

/** A 32-bit mix of n (the finalizer of MurmurHash3): initial sequence numbers spread over the space, the same for the same n. */
function mix32(n: number): number {
  let h = (n + 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
