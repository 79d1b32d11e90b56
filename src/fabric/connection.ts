/**
 * fabric/connection: a client endpoint as the rooms of the fabric share it (types and two
 * facts about TCP clients), below every room that names one.
 *
 * Owns: `Connection` (a client TCP connection, its own socket), `Socket` (what a host's
 * socket table holds), why a connect times out (TIMED_OUT), and which segments can only
 * answer a SYN (answersSyn).
 * Does not own: what a connection does (tcp-client.ts), the socket table (sockets.ts).
 */
import type { DelayLine } from '../core/delayline.ts';
import type { Ip } from '../net/ipv4.ts';
import { F_RST, F_SYN } from '../net/protocol.ts';
import type { TcpClientState } from '../transport/tcp.ts';
import type { FlowRecord } from './flows.ts';

export type Socket =
  | Connection
  | { kind: 'udp'; flow: FlowRecord | null }
  | { kind: 'icmp'; flow: FlowRecord; timer: number };

/** A client TCP connection opened by `connect` (it is its own socket: no wrapper per connection). */
export interface Connection {
  readonly kind: 'tcp';
  readonly host: number;
  readonly localPort: number;
  /** The address its packets go to (after any redirect). */
  remote: Ip;
  readonly remotePort: number;
  state: TcpClientState;
  /**
   * The pending retransmission timer: its event (>= 0), or for a connect's first timer, which
   * waits in the fabric's line of first timers (core/delayline.ts), -2 - its ticket there;
   * -1 when none is pending.
   */
  timer: number;
  /** Where the pending timer finds this connection (TcpClient.timerConns), while `timer` !== -1. */
  timerSlot: number;
  readonly flow: FlowRecord;
  /** A transfer waiting for its ACK. */
  transfer: FlowRecord | null;
  /** The caller will neither transfer on this connection nor close it (see Fabric.connect). */
  readonly noLaterActions: boolean;
  /**
   * While its first timer is pending: the place held for its timeout, should it be
   * fast-forwarded, in the line of its retransmission chain (`endLine`), or -1 (holdEnd).
   */
  endTicket: number;
  endLine: DelayLine | null;
}

/** Why a connect times out when its SYN retransmissions run out (FlowBook.noAnswer's `within`). */
export const TIMED_OUT = 'before its SYN retransmissions ran out';

/** Whether a segment with `flags` can only be an answer to a SYN for a client in `state`: a SYN-ACK, or an RST while the client is opening. */
export function answersSyn(flags: number, state: TcpClientState): boolean {
  return (flags & F_SYN) !== 0 || ((flags & F_RST) !== 0 && state.phase === 'syn-sent');
}
