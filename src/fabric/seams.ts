/**
 * fabric/seams: the calls back between the fabric's rooms, as the interfaces the caller sees —
 * so that every import points one way (test/architecture: no cycle, type imports included)
 * while each call still goes to the one class that answers it (fabric.ts wires them).
 *
 * Owns: ClientSegments (the TCP client, for the wire: a segment for a client socket),
 * Delivery (the wire, for the plan's arrival: deliver, and whether a client socket takes a
 * segment), Timers (the TCP client, for fast-forward: a connection's pending timer, the line of first
 * timers).
 * Does not own: any behaviour.
 */
import type { DelayLine } from '../core/delayline.ts';
import type { Ip } from '../net/ipv4.ts';
import type { Connection } from './connection.ts';
import type { Explanation, FlowRecord } from './flows.ts';
import type { HostAction } from './path/hop.ts';

/** tcp-client.ts TcpClient, as wire.ts calls it. */
export interface ClientSegments {
  clientSegment(host: number, conn: Connection, flags: number): void;
}

/** wire.ts Wire, as by-plan.ts calls it. */
export interface Delivery {
  deliver(to: number, proto: number, src: Ip, sport: number, dport: number, flags: number, flow: FlowRecord | null, request: boolean, via: Explanation | null, action: HostAction | null): void;
  clientTakes(to: number, sport: number, dport: number, src: Ip, flags: number, flow: object | null): boolean;
}

/** tcp-client.ts TcpClient, as fast/fast-forward.ts calls it. */
export interface Timers {
  /** When each timer slot's timer fires. */
  readonly timerAts: Float64Array;
  /** Connects' first retransmission timers. */
  readonly firstTimers: DelayLine;
  cancelTimer(conn: Connection): void;
}
