/**
 * transport/tcp: TCP endpoint behaviour, sans-I/O (in the manner of smoltcp).
 *
 * Owns: the client's connection state machine — SYN, retransmission with exponential backoff
 * (Linux defaults: initial RTO 1 s, doubling, 6 retries), SYN-ACK → established (connected),
 * RST → refused, retries exhausted → timeout, one data segment and its ACK, FIN close — and the
 * server's answer to a segment (SYN-ACK from a listening port, RST from a closed one, ACK to
 * data, FIN-ACK to FIN). Functions take a state and an input and return the new state, the
 * segment to send and the next deadline; they never own a timer or touch the network.
 * Does not own: delivery, filtering or timers (fabric/ does those).
 */

import { F_ACK, F_DATA, F_FIN, F_RST, F_SYN } from '../net/protocol.ts';

// The flags are defined once, in net/protocol.ts; re-exported for transport's callers.
export { F_ACK, F_DATA, F_FIN, F_RST, F_SYN, describeFlags } from '../net/protocol.ts';

export type TcpClientPhase = 'syn-sent' | 'established' | 'fin-wait' | 'closed' | 'refused' | 'timed-out';

export interface TcpClientState {
  readonly phase: TcpClientPhase;
  /** Retransmissions done so far. */
  readonly retries: number;
  /** The current retransmission timeout, ns. */
  readonly rto: number;
}

export interface TcpSettings {
  readonly synRetries: number;
  readonly initialRto: number;
}

export type TcpEvent = 'connected' | 'refused' | 'timeout' | 'data-acked' | 'closed' | null;

export interface TcpStep {
  readonly state: TcpClientState;
  /** Flags of the segment to send now, or 0 for none. */
  readonly send: number;
  /** Absolute time at which onTimer must be called, or null for none. */
  readonly deadline: number | null;
  readonly event: TcpEvent;
}

/**
 * The syn-sent states of one settings object, by retries done: shared, immutable values, so a
 * connection that retransmits allocates no state that outlives its step (at 10^6 connections
 * opening at once, each retransmission's new state otherwise lived long enough to reach the
 * old generation of the heap).
 */
const synSentStates = new WeakMap<TcpSettings, TcpClientState[]>();

function synSent(retries: number, s: TcpSettings): TcpClientState {
  let states = synSentStates.get(s);
  if (states === undefined) {
    states = [];
    synSentStates.set(s, states);
  }
  return (states[retries] ??= Object.freeze({ phase: 'syn-sent', retries, rto: s.initialRto * 2 ** retries }));
}

/**
 * `state` in another phase, shared as the syn-sent states are: one value per (state, phase), so
 * 10^6 connections timing out (or connecting) from the same state allocate one state, not 10^6.
 */
const inPhase = new Map<TcpClientPhase, WeakMap<TcpClientState, TcpClientState>>();

function withPhase(state: TcpClientState, phase: TcpClientPhase): TcpClientState {
  let byState = inPhase.get(phase);
  if (byState === undefined) inPhase.set(phase, (byState = new WeakMap()));
  let next = byState.get(state);
  if (next === undefined) byState.set(state, (next = Object.freeze({ ...state, phase })));
  return next;
}

/** Opens a connection: the first SYN and its retransmission deadline. */
export function tcpOpen(now: number, s: TcpSettings): TcpStep {
  return {
    state: synSent(0, s),
    send: F_SYN,
    deadline: now + s.initialRto,
    event: null,
  };
}

/** The retransmission timer fired. */
export function tcpOnTimer(state: TcpClientState, now: number, s: TcpSettings): TcpStep {
  if (state.phase !== 'syn-sent') return { state, send: 0, deadline: null, event: null };
  if (state.retries >= s.synRetries) {
    return { state: withPhase(state, 'timed-out'), send: 0, deadline: null, event: 'timeout' };
  }
  const rto = state.rto * 2;
  const shared = synSent(state.retries + 1, s);
  const next = shared.rto === rto ? shared : { phase: 'syn-sent' as const, retries: state.retries + 1, rto };
  return { state: next, send: F_SYN, deadline: now + rto, event: null };
}

/** A segment arrived for the client. */
export function tcpClientOnSegment(state: TcpClientState, flags: number): TcpStep {
  const none = { state, send: 0, deadline: null, event: null } as const;
  if (flags & F_RST) {
    if (state.phase === 'refused' || state.phase === 'timed-out' || state.phase === 'closed') return none;
    if (state.phase === 'syn-sent') return { state: withPhase(state, 'refused'), send: 0, deadline: null, event: 'refused' };
    return { state: withPhase(state, 'closed'), send: 0, deadline: null, event: 'closed' };
  }
  switch (state.phase) {
    case 'syn-sent':
      if ((flags & (F_SYN | F_ACK)) === (F_SYN | F_ACK)) {
        return { state: withPhase(state, 'established'), send: F_ACK, deadline: null, event: 'connected' };
      }
      return none;
    case 'established':
      // A duplicate SYN-ACK (the answer to a retransmitted SYN) is re-ACKed and ignored.
      if (flags & F_SYN) return { state, send: F_ACK, deadline: null, event: null };
      if (flags & F_FIN) return { state: withPhase(state, 'closed'), send: F_ACK, deadline: null, event: 'closed' };
      if (flags & F_ACK) return { state, send: 0, deadline: null, event: 'data-acked' };
      return none;
    case 'fin-wait':
      if (flags & F_FIN) return { state: withPhase(state, 'closed'), send: F_ACK, deadline: null, event: 'closed' };
      return none;
    default:
      return none;
  }
}

/** The client sends one data segment (only when established). */
export function tcpSendData(state: TcpClientState): number {
  return state.phase === 'established' ? F_DATA | F_ACK : 0;
}

/** The client closes: FIN from an established connection. */
export function tcpClose(state: TcpClientState): TcpStep {
  if (state.phase !== 'established') return { state, send: 0, deadline: null, event: null };
  return { state: withPhase(state, 'fin-wait'), send: F_FIN | F_ACK, deadline: null, event: null };
}

/**
 * The server's answer to an admitted segment: SYN-ACK or RST to a SYN, ACK to data,
 * FIN-ACK to a FIN, nothing to a bare ACK. Servers keep no per-connection state here.
 */
export function tcpServerReply(flags: number, listening: boolean): number {
  if (flags & F_RST) return 0;
  // A SYN-ACK that no connection of ours is waiting for (its connect gave up, or it is not
  // ours) is answered with RST, as RFC 9293 §3.10.7.2 answers any ACK in LISTEN; answering it
  // as a SYN, two hosts listening on each other's ports would trade SYN-ACKs for ever.
  if (flags & F_SYN) return flags & F_ACK ? F_RST : listening ? F_SYN | F_ACK : F_RST;
  if (!listening) return F_RST;
  if (flags & F_FIN) return F_FIN | F_ACK;
  if (flags & F_DATA) return F_ACK;
  return 0;
}
