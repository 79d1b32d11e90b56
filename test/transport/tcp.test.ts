/**
 * test/transport/tcp: the sans-I/O TCP state machine — open, SYN retransmission with
 * exponential backoff to a timeout (127 s with Linux defaults), the client's reaction to
 * SYN-ACK / RST / FIN, close, and the server's stateless reply.
 */
import { describe, expect, it } from 'vitest';
import {
  F_ACK,
  F_DATA,
  F_FIN,
  F_RST,
  F_SYN,
  describeFlags,
  tcpClientOnSegment,
  tcpClose,
  tcpOnTimer,
  tcpOpen,
  tcpSendData,
  tcpServerReply,
} from '../../src/transport/tcp.ts';
import type { TcpClientState, TcpSettings, TcpStep } from '../../src/transport/tcp.ts';

const S = 1_000_000_000;
const DEFAULTS: TcpSettings = { synRetries: 6, initialRto: 1 * S };

const state = (phase: TcpClientState['phase'], retries = 0, rto = S): TcpClientState => ({ phase, retries, rto });

/** Runs the timer until it stops asking, returning every step. */
function runToTimeout(start: number, s: TcpSettings): TcpStep[] {
  const steps = [tcpOpen(start, s)];
  for (let i = 0; i < 100; i++) {
    const last = steps[steps.length - 1];
    if (last.deadline === null) break;
    steps.push(tcpOnTimer(last.state, last.deadline, s));
  }
  return steps;
}

describe('tcpOpen', () => {
  it('sends a SYN and sets the first deadline one initial RTO away', () => {
    expect(tcpOpen(10 * S, DEFAULTS)).toEqual({
      state: { phase: 'syn-sent', retries: 0, rto: S },
      send: F_SYN,
      deadline: 11 * S,
      event: null,
    });
  });
});

describe('tcpOnTimer', () => {
  it('doubles the RTO at each retransmission: deadlines 1, 3, 7, 15, 31, 63, 127 s; timeout at 127 s', () => {
    const steps = runToTimeout(0, DEFAULTS);
    expect(steps.map((s) => s.deadline)).toEqual([1, 3, 7, 15, 31, 63, 127, null].map((x) => (x === null ? null : x * S)));
    expect(steps.map((s) => s.send)).toEqual([F_SYN, F_SYN, F_SYN, F_SYN, F_SYN, F_SYN, F_SYN, 0]);
    expect(steps.map((s) => s.state.retries)).toEqual([0, 1, 2, 3, 4, 5, 6, 6]);
    expect(steps.map((s) => s.state.rto)).toEqual([1, 2, 4, 8, 16, 32, 64, 64].map((x) => x * S));
    const last = steps[steps.length - 1];
    expect(last.event).toBe('timeout');
    expect(last.state.phase).toBe('timed-out');
    expect(steps.slice(0, -1).every((s) => s.event === null && s.state.phase === 'syn-sent')).toBe(true);
  });

  it('with defaults, the timeout is reported 127 s after the open, after 1 SYN + 6 retransmissions', () => {
    const steps = runToTimeout(5 * S, DEFAULTS);
    const synCount = steps.filter((s) => s.send === F_SYN).length;
    expect(synCount).toBe(7);
    // The timeout step is produced by the timer that fired at the previous deadline.
    expect(steps[steps.length - 2].deadline! - 5 * S).toBe(127 * S);
  });

  it('honours other settings: 2 retries with a 3 s RTO time out after 3+6+12 = 21 s', () => {
    const s: TcpSettings = { synRetries: 2, initialRto: 3 * S };
    const steps = runToTimeout(0, s);
    expect(steps.map((x) => x.deadline)).toEqual([3 * S, 9 * S, 21 * S, null]);
    expect(steps[3].event).toBe('timeout');
  });

  it('0 retries: the first timer is the timeout', () => {
    const s: TcpSettings = { synRetries: 0, initialRto: S };
    const open = tcpOpen(0, s);
    expect(tcpOnTimer(open.state, S, s)).toEqual({
      state: { phase: 'timed-out', retries: 0, rto: S },
      send: 0,
      deadline: null,
      event: 'timeout',
    });
  });

  it('does nothing outside syn-sent', () => {
    for (const phase of ['established', 'fin-wait', 'closed', 'refused', 'timed-out'] as const) {
      const st = state(phase);
      expect(tcpOnTimer(st, 5 * S, DEFAULTS)).toEqual({ state: st, send: 0, deadline: null, event: null });
    }
  });
});

describe('tcpClientOnSegment', () => {
  it('SYN-ACK in syn-sent: connected, sends ACK, no deadline', () => {
    const st = state('syn-sent', 2, 4 * S);
    expect(tcpClientOnSegment(st, F_SYN | F_ACK)).toEqual({
      state: { phase: 'established', retries: 2, rto: 4 * S },
      send: F_ACK,
      deadline: null,
      event: 'connected',
    });
  });

  it('RST in syn-sent: refused, sends nothing', () => {
    expect(tcpClientOnSegment(state('syn-sent'), F_RST | F_ACK)).toEqual({
      state: { phase: 'refused', retries: 0, rto: S },
      send: 0,
      deadline: null,
      event: 'refused',
    });
  });

  it('a bare SYN or ACK in syn-sent is ignored (state kept, nothing sent)', () => {
    const st = state('syn-sent');
    for (const f of [F_SYN, F_ACK, F_FIN, F_DATA]) {
      expect(tcpClientOnSegment(st, f)).toEqual({ state: st, send: 0, deadline: null, event: null });
    }
  });

  it('FIN when established: closed, sends ACK', () => {
    expect(tcpClientOnSegment(state('established'), F_FIN | F_ACK)).toEqual({
      state: state('closed'),
      send: F_ACK,
      deadline: null,
      event: 'closed',
    });
  });

  it('RST when established: closed, sends nothing', () => {
    expect(tcpClientOnSegment(state('established'), F_RST)).toEqual({
      state: state('closed'),
      send: 0,
      deadline: null,
      event: 'closed',
    });
  });

  it('ACK when established: data-acked', () => {
    const st = state('established');
    expect(tcpClientOnSegment(st, F_ACK)).toEqual({ state: st, send: 0, deadline: null, event: 'data-acked' });
  });

  /*
   * BUG (src/transport/tcp.ts, tcpClientOnSegment, case 'established'): any segment with ACK
   * set counts as the ACK of the data segment, including a duplicate SYN|ACK. A duplicate
   * SYN-ACK arrives whenever the round trip exceeds the initial RTO (the retransmitted SYN gets
   * its own SYN-ACK), e.g. `latency.internet: 800ms, jitter: 0`: connect at 0 s, transfer at 2 s,
   * stop the server at 2.5 s — the data is dropped (the server no longer holds the address) yet
   * the transfer is reported `delivered` (explanation UNRESOLVED) when the duplicate SYN-ACK
   * lands at 2.6 s. With 400 ms latency (no duplicate) the same shape reports `dropped`.
   * Suggested fix: in 'established', before the ACK check,
   *   if (flags & F_SYN) return { state, send: F_ACK, deadline: null, event: null };
   */
  it('a duplicate SYN|ACK while established does not acknowledge data', () => {
    const st = state('established');
    const step = tcpClientOnSegment(st, F_SYN | F_ACK);
    expect(step.state).toEqual(st);
    expect(step.event).toBeNull();
  });

  it('FIN in fin-wait: closed, sends ACK; a bare ACK there is ignored', () => {
    expect(tcpClientOnSegment(state('fin-wait'), F_FIN | F_ACK)).toEqual({
      state: state('closed'),
      send: F_ACK,
      deadline: null,
      event: 'closed',
    });
    const st = state('fin-wait');
    expect(tcpClientOnSegment(st, F_ACK)).toEqual({ state: st, send: 0, deadline: null, event: null });
  });

  it('non-RST segments in closed/refused/timed-out are ignored', () => {
    for (const phase of ['closed', 'refused', 'timed-out'] as const) {
      const st = state(phase);
      for (const f of [F_SYN | F_ACK, F_ACK, F_FIN]) {
        expect(tcpClientOnSegment(st, f)).toEqual({ state: st, send: 0, deadline: null, event: null });
      }
    }
  });
});

describe('data and close', () => {
  it('tcpSendData sends DATA|ACK only when established', () => {
    expect(tcpSendData(state('established'))).toBe(F_DATA | F_ACK);
    for (const phase of ['syn-sent', 'fin-wait', 'closed', 'refused', 'timed-out'] as const) {
      expect(tcpSendData(state(phase))).toBe(0);
    }
  });

  it('tcpClose sends FIN|ACK from established and moves to fin-wait; elsewhere nothing', () => {
    expect(tcpClose(state('established'))).toEqual({ state: state('fin-wait'), send: F_FIN | F_ACK, deadline: null, event: null });
    const st = state('syn-sent');
    expect(tcpClose(st)).toEqual({ state: st, send: 0, deadline: null, event: null });
  });

  it('a full exchange: open, SYN-ACK, data ACKed, close, FIN from the server', () => {
    const open = tcpOpen(0, DEFAULTS);
    const server1 = tcpServerReply(open.send, true);
    expect(server1).toBe(F_SYN | F_ACK);
    const est = tcpClientOnSegment(open.state, server1);
    expect(est.event).toBe('connected');
    const data = tcpSendData(est.state);
    const server2 = tcpServerReply(data, true);
    expect(server2).toBe(F_ACK);
    expect(tcpClientOnSegment(est.state, server2).event).toBe('data-acked');
    const fin = tcpClose(est.state);
    const server3 = tcpServerReply(fin.send, true);
    expect(server3).toBe(F_FIN | F_ACK);
    const closed = tcpClientOnSegment(fin.state, server3);
    expect(closed.event).toBe('closed');
    expect(closed.send).toBe(F_ACK);
    expect(tcpServerReply(closed.send, true)).toBe(0);
  });
});

describe('tcpServerReply', () => {
  it('SYN to a listening port: SYN|ACK; to a closed port: RST', () => {
    expect(tcpServerReply(F_SYN, true)).toBe(F_SYN | F_ACK);
    expect(tcpServerReply(F_SYN, false)).toBe(F_RST);
  });

  it('data: ACK; FIN: FIN|ACK; a bare ACK: nothing (listening)', () => {
    expect(tcpServerReply(F_DATA | F_ACK, true)).toBe(F_ACK);
    expect(tcpServerReply(F_FIN | F_ACK, true)).toBe(F_FIN | F_ACK);
    expect(tcpServerReply(F_FIN | F_DATA | F_ACK, true)).toBe(F_FIN | F_ACK);
    expect(tcpServerReply(F_ACK, true)).toBe(0);
  });

  it('anything but RST to a closed port: RST', () => {
    for (const f of [F_ACK, F_DATA | F_ACK, F_FIN | F_ACK]) expect(tcpServerReply(f, false)).toBe(F_RST);
  });

  it('never answers an RST', () => {
    expect(tcpServerReply(F_RST, true)).toBe(0);
    expect(tcpServerReply(F_RST, false)).toBe(0);
    expect(tcpServerReply(F_RST | F_SYN, true)).toBe(0);
  });

  it('answers a SYN-ACK that no connect waits for with RST, listening or not (B11: never SYN-ACK back)', () => {
    expect(tcpServerReply(F_SYN | F_ACK, true)).toBe(F_RST);
    expect(tcpServerReply(F_SYN | F_ACK, false)).toBe(F_RST);
  });
});

describe('describeFlags', () => {
  it('names flags in SYN, FIN, RST, DATA, ACK order', () => {
    expect(describeFlags(F_SYN | F_ACK)).toBe('SYN|ACK');
    expect(describeFlags(F_ACK | F_DATA)).toBe('DATA|ACK');
    expect(describeFlags(F_RST)).toBe('RST');
    expect(describeFlags(F_FIN | F_ACK)).toBe('FIN|ACK');
    expect(describeFlags(0)).toBe('');
  });
});

describe('syn-sent states are shared values', () => {
  it('two connections with the same settings step through the very same state objects', () => {
    const a = tcpOpen(0, DEFAULTS);
    const b = tcpOpen(7 * S, DEFAULTS);
    expect(b.state).toBe(a.state);
    const a2 = tcpOnTimer(a.state, S, DEFAULTS);
    const b2 = tcpOnTimer(b.state, 8 * S, DEFAULTS);
    expect(b2.state).toBe(a2.state);
    expect(a2.state).toEqual({ phase: 'syn-sent', retries: 1, rto: 2 * S });
    expect(Object.isFrozen(a2.state)).toBe(true);
  });

  it('a state built by hand keeps its own RTO doubling', () => {
    const st = { phase: 'syn-sent' as const, retries: 1, rto: 5 * S };
    const next = tcpOnTimer(st, 10 * S, DEFAULTS);
    expect(next.state).toEqual({ phase: 'syn-sent', retries: 2, rto: 10 * S });
    expect(next.deadline).toBe(20 * S);
  });
});
