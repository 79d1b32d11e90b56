/**
 * test/conntrack/table: ConnTrackTable — MISS / slot / EXPIRED, the idle timeout per protocol
 * and state, expiredIdle / expiredTimeout, revival of an expired entry, RST, remove, clearHost,
 * growth with 50,000 entries, and a differential property against a Map-based model (random
 * track / remove / clearHost sequences exercise tombstones and rehashing).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ConnTrackTable,
  EXPIRED,
  INBOUND,
  MISS,
  OUTBOUND,
} from '../../src/conntrack/table.ts';
import { F_ACK as ACK, F_FIN as FIN, F_RST as RST, F_SYN as SYN } from '../../src/net/protocol.ts';
import type { ConntrackTimeouts } from '../../src/conntrack/table.ts';
import { ICMP, TCP, UDP } from '../../src/net/protocol.ts';

const S = 1_000_000_000;
const TIMEOUTS: ConntrackTimeouts = {
  tcpEstablished: 432_000 * S,
  tcpHandshake: 120 * S,
  udp: 30 * S,
  udpStream: 180 * S,
  icmp: 30 * S,
};
const REMOTE = 0xc0a80101; // 192.168.1.1: above 2^31, stored unsigned

function table(capacity?: number): ConnTrackTable {
  return new ConnTrackTable(TIMEOUTS, capacity);
}

describe('lookup', () => {
  it('answers MISS (-1) for an unknown flow and EXPIRED is -2', () => {
    expect(MISS).toBe(-1);
    expect(EXPIRED).toBe(-2);
    const t = table();
    expect(t.lookup(1, TCP, REMOTE, 80, 40000, 0)).toBe(MISS);
    expect(t.size).toBe(0);
  });

  it('finds a tracked flow by its exact key: host, protocol, remote, local port, remote port', () => {
    const t = table();
    const slot = t.track(1, TCP, REMOTE, 80, 40000, 0, INBOUND, SYN);
    expect(slot).toBeGreaterThanOrEqual(0);
    expect(t.lookup(1, TCP, REMOTE, 80, 40000, 0)).toBe(slot);
    expect(t.size).toBe(1);
    expect(t.lookup(2, TCP, REMOTE, 80, 40000, 0)).toBe(MISS);
    expect(t.lookup(1, UDP, REMOTE, 80, 40000, 0)).toBe(MISS);
    expect(t.lookup(1, TCP, REMOTE + 1, 80, 40000, 0)).toBe(MISS);
    expect(t.lookup(1, TCP, REMOTE, 81, 40000, 0)).toBe(MISS);
    expect(t.lookup(1, TCP, REMOTE, 80, 40001, 0)).toBe(MISS);
    // Swapped ports are another flow.
    expect(t.lookup(1, TCP, REMOTE, 40000, 80, 0)).toBe(MISS);
  });

  it('treats the remote address as unsigned (signed and unsigned forms are one flow)', () => {
    const t = table();
    const slot = t.track(1, UDP, REMOTE | 0, 53, 5353, 0, OUTBOUND);
    expect(REMOTE | 0).toBeLessThan(0);
    expect(t.lookup(1, UDP, REMOTE, 53, 5353, 0)).toBe(slot);
    expect(t.lookup(1, UDP, REMOTE | 0, 53, 5353, 0)).toBe(slot);
  });

  it('ports 0 and 65535 are distinct keys', () => {
    const t = table();
    const a = t.track(1, TCP, REMOTE, 0, 65535, 0, OUTBOUND);
    const b = t.track(1, TCP, REMOTE, 65535, 0, 0, OUTBOUND);
    expect(a).not.toBe(b);
    expect(t.lookup(1, TCP, REMOTE, 0, 65535, 0)).toBe(a);
    expect(t.lookup(1, TCP, REMOTE, 65535, 0, 0)).toBe(b);
    expect(t.size).toBe(2);
  });
});

describe('timeouts', () => {
  it('tcp with one direction seen: handshake timeout (120 s); alive at the deadline, EXPIRED 1 ns after', () => {
    const t = table();
    const slot = t.track(1, TCP, REMOTE, 40000, 80, 5 * S, OUTBOUND, SYN);
    expect(t.deadlineOf(slot)).toBe(125 * S);
    expect(t.lookup(1, TCP, REMOTE, 40000, 80, 125 * S)).toBe(slot);
    expect(t.lookup(1, TCP, REMOTE, 40000, 80, 125 * S + 1)).toBe(EXPIRED);
    expect(t.expiredIdle).toBe(120 * S + 1);
    expect(t.expiredTimeout).toBe(120 * S);
    // Still counted until tracked anew or removed.
    expect(t.size).toBe(1);
  });

  it('tcp retransmitted SYNs in one direction stay at the handshake timeout', () => {
    const t = table();
    const slot = t.track(1, TCP, REMOTE, 40000, 80, 0, OUTBOUND, SYN);
    t.track(1, TCP, REMOTE, 40000, 80, 1 * S, OUTBOUND, SYN);
    t.track(1, TCP, REMOTE, 40000, 80, 3 * S, OUTBOUND, SYN);
    expect(t.deadlineOf(slot)).toBe(123 * S);
  });

  it('tcp after both directions: established timeout (432,000 s)', () => {
    const t = table();
    const slot = t.track(1, TCP, REMOTE, 40000, 80, 0, OUTBOUND, SYN);
    t.touch(slot, 1 * S, INBOUND, SYN | ACK);
    expect(t.deadlineOf(slot)).toBe(1 * S + 432_000 * S);
    expect(t.lookup(1, TCP, REMOTE, 40000, 80, 432_001 * S)).toBe(slot);
    expect(t.lookup(1, TCP, REMOTE, 40000, 80, 432_001 * S + 1)).toBe(EXPIRED);
    expect(t.expiredTimeout).toBe(432_000 * S);
    expect(t.expiredIdle).toBe(432_000 * S + 1);
  });

  it('tcp after FIN both ways: back to the handshake timeout', () => {
    const t = table();
    const slot = t.track(1, TCP, REMOTE, 40000, 80, 0, OUTBOUND, SYN);
    t.touch(slot, 1, INBOUND, SYN | ACK);
    t.touch(slot, 2, OUTBOUND, FIN | ACK);
    expect(t.deadlineOf(slot)).toBe(2 + 432_000 * S); // one FIN: still established
    t.touch(slot, 3, INBOUND, FIN | ACK);
    expect(t.deadlineOf(slot)).toBe(3 + 120 * S);
  });

  it('udp: 30 s; still 30 s after one exchange; 180 s (stream) after more than two packets both ways', () => {
    const t = table();
    const slot = t.track(1, UDP, REMOTE, 5000, 53, 0, OUTBOUND);
    expect(t.deadlineOf(slot)).toBe(30 * S);
    t.touch(slot, 1 * S, INBOUND);
    expect(t.deadlineOf(slot)).toBe(31 * S);
    t.touch(slot, 2 * S, OUTBOUND);
    expect(t.deadlineOf(slot)).toBe(182 * S);
  });

  it('udp one-way stays at 30 s however many packets', () => {
    const t = table();
    let slot = -1;
    for (let i = 0; i < 10; i++) slot = t.track(1, UDP, REMOTE, 5000, 53, i * S, OUTBOUND);
    expect(t.deadlineOf(slot)).toBe(39 * S);
    expect(t.lookup(1, UDP, REMOTE, 5000, 53, 39 * S)).toBe(slot);
    expect(t.lookup(1, UDP, REMOTE, 5000, 53, 39 * S + 1)).toBe(EXPIRED);
    expect(t.expiredIdle).toBe(30 * S + 1);
    expect(t.expiredTimeout).toBe(30 * S);
  });

  it('icmp: 30 s whatever the directions', () => {
    const t = table();
    const slot = t.track(1, ICMP, REMOTE, 7, 0, 0, OUTBOUND);
    expect(t.deadlineOf(slot)).toBe(30 * S);
    t.touch(slot, 1 * S, INBOUND);
    t.touch(slot, 2 * S, OUTBOUND);
    t.touch(slot, 3 * S, INBOUND);
    expect(t.deadlineOf(slot)).toBe(33 * S);
  });

  it('uses the configured timeouts', () => {
    const t = new ConnTrackTable({ tcpEstablished: 7, tcpHandshake: 3, udp: 2, udpStream: 5, icmp: 4 });
    const tcp = t.track(1, TCP, 1, 1, 1, 100, OUTBOUND, SYN);
    expect(t.deadlineOf(tcp)).toBe(103);
    t.touch(tcp, 101, INBOUND, SYN | ACK);
    expect(t.deadlineOf(tcp)).toBe(108);
    expect(t.deadlineOf(t.track(1, UDP, 1, 1, 1, 100, OUTBOUND))).toBe(102);
    expect(t.deadlineOf(t.track(1, ICMP, 1, 1, 0, 100, OUTBOUND))).toBe(104);
  });
});

describe('revival, RST, remove, clearHost', () => {
  it('track revives an expired entry with fresh state (an expired established flow restarts at handshake)', () => {
    const t = table();
    const slot = t.track(1, TCP, REMOTE, 80, 40000, 0, INBOUND, SYN);
    t.touch(slot, 1, OUTBOUND, SYN | ACK);
    expect(t.deadlineOf(slot)).toBe(1 + 432_000 * S);
    const later = 500_000 * S;
    expect(t.lookup(1, TCP, REMOTE, 80, 40000, later)).toBe(EXPIRED);
    const revived = t.track(1, TCP, REMOTE, 80, 40000, later, INBOUND, ACK);
    expect(revived).toBe(slot);
    expect(t.size).toBe(1);
    expect(t.deadlineOf(revived)).toBe(later + 120 * S); // only one direction seen since revival
    expect(t.lookup(1, TCP, REMOTE, 80, 40000, later)).toBe(revived);
  });

  it('a revived udp entry counts its packets afresh', () => {
    const t = table();
    const slot = t.track(1, UDP, REMOTE, 1, 2, 0, OUTBOUND);
    t.touch(slot, 1, INBOUND);
    t.touch(slot, 2, OUTBOUND); // stream: 180 s
    const later = 2 + 180 * S + 1;
    expect(t.lookup(1, UDP, REMOTE, 1, 2, later)).toBe(EXPIRED);
    t.track(1, UDP, REMOTE, 1, 2, later, INBOUND);
    expect(t.deadlineOf(slot)).toBe(later + 30 * S);
    t.touch(slot, later + 1, OUTBOUND);
    expect(t.deadlineOf(slot)).toBe(later + 1 + 30 * S); // two packets: not yet a stream
  });

  it('tracking a live entry does not reset it', () => {
    const t = table();
    const slot = t.track(1, TCP, REMOTE, 1, 2, 0, OUTBOUND, SYN);
    t.track(1, TCP, REMOTE, 1, 2, 1, INBOUND, SYN | ACK);
    t.track(1, TCP, REMOTE, 1, 2, 2, OUTBOUND, ACK);
    expect(t.deadlineOf(slot)).toBe(2 + 432_000 * S);
    expect(t.size).toBe(1);
  });

  it('an RST removes the entry (on touch and on track)', () => {
    const t = table();
    const slot = t.track(1, TCP, REMOTE, 1, 2, 0, OUTBOUND, SYN);
    t.touch(slot, 1, INBOUND, RST);
    expect(t.lookup(1, TCP, REMOTE, 1, 2, 1)).toBe(MISS);
    expect(t.size).toBe(0);
    t.track(1, TCP, REMOTE, 3, 4, 0, INBOUND, RST | ACK);
    expect(t.lookup(1, TCP, REMOTE, 3, 4, 0)).toBe(MISS);
    expect(t.size).toBe(0);
    // A new flow on the same key after RST starts from scratch.
    const again = t.track(1, TCP, REMOTE, 1, 2, 5, OUTBOUND, SYN);
    expect(t.lookup(1, TCP, REMOTE, 1, 2, 5)).toBe(again);
    expect(t.size).toBe(1);
  });

  it('remove forgets one flow; removing an unknown flow is a no-op', () => {
    const t = table();
    t.track(1, UDP, REMOTE, 1, 2, 0, OUTBOUND);
    const other = t.track(1, UDP, REMOTE, 1, 3, 0, OUTBOUND);
    t.remove(1, UDP, REMOTE, 1, 2);
    expect(t.lookup(1, UDP, REMOTE, 1, 2, 0)).toBe(MISS);
    expect(t.lookup(1, UDP, REMOTE, 1, 3, 0)).toBe(other);
    expect(t.size).toBe(1);
    t.remove(1, UDP, REMOTE, 1, 2);
    t.remove(9, UDP, REMOTE, 1, 3);
    expect(t.size).toBe(1);
  });

  it('clearHost forgets every flow of one host and only those', () => {
    const t = table();
    for (let p = 0; p < 100; p++) {
      t.track(1, TCP, REMOTE, 80, p, 0, INBOUND, SYN);
      t.track(2, TCP, REMOTE, 80, p, 0, INBOUND, SYN);
    }
    expect(t.size).toBe(200);
    t.clearHost(1);
    expect(t.size).toBe(100);
    for (let p = 0; p < 100; p++) {
      expect(t.lookup(1, TCP, REMOTE, 80, p, 0)).toBe(MISS);
      expect(t.lookup(2, TCP, REMOTE, 80, p, 0)).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('trackMany (fast-forwarded packets)', () => {
  it('leaves the entry as count track() calls would: deadline from the last, packets counted', () => {
    const a = table();
    const b = table();
    a.track(1, UDP, REMOTE, 5000, 53, 0, OUTBOUND);
    b.track(1, UDP, REMOTE, 5000, 53, 0, OUTBOUND);
    for (const t of [1, 2]) a.track(1, UDP, REMOTE, 5000, 53, t * S, OUTBOUND);
    b.trackMany(1, UDP, REMOTE, 5000, 53, 2 * S, OUTBOUND, 0, 2);
    // an answer: both directions seen and more than 2 packets make it a udp stream (180 s)
    for (const x of [a, b]) x.track(1, UDP, REMOTE, 5000, 53, 3 * S, INBOUND);
    const sa = a.lookup(1, UDP, REMOTE, 5000, 53, 3 * S);
    const sb = b.lookup(1, UDP, REMOTE, 5000, 53, 3 * S);
    expect(a.deadlineOf(sa)).toBe(183 * S);
    expect(b.deadlineOf(sb)).toBe(a.deadlineOf(sa));
  });

  it('creates a missing entry, and keeps a later time that another packet left meanwhile', () => {
    const t = table();
    t.trackMany(1, TCP, REMOTE, 40000, 22, 63 * S, OUTBOUND, SYN, 6);
    expect(t.deadlineOf(t.lookup(1, TCP, REMOTE, 40000, 22, 63 * S))).toBe(183 * S);
    t.track(1, TCP, REMOTE, 40000, 22, 100 * S, OUTBOUND, SYN);
    t.trackMany(1, TCP, REMOTE, 40000, 22, 90 * S, OUTBOUND, SYN, 2);
    expect(t.deadlineOf(t.lookup(1, TCP, REMOTE, 40000, 22, 100 * S))).toBe(220 * S);
    t.trackMany(1, TCP, REMOTE, 40000, 22, 99 * S, OUTBOUND, SYN, 0); // nothing to account for
    expect(t.size).toBe(1);
  });
});

describe('growth', () => {
  it('keeps 50,000 entries findable through rehashes, with their deadlines', () => {
    const t = table(16);
    const N = 50_000;
    const slots = new Map<number, number>();
    for (let i = 0; i < N; i++) t.track(i % 97, i % 2 ? TCP : UDP, 0x0a000000 + i, i & 0xffff, (i * 7) & 0xffff, i, OUTBOUND);
    expect(t.size).toBe(N);
    for (let i = 0; i < N; i++) {
      const s = t.lookup(i % 97, i % 2 ? TCP : UDP, 0x0a000000 + i, i & 0xffff, (i * 7) & 0xffff, i);
      if (s < 0) throw new Error(`entry ${i} lost: ${s}`);
      if (t.deadlineOf(s) !== i + (i % 2 ? 120 * S : 30 * S)) throw new Error(`entry ${i} deadline ${t.deadlineOf(s)}`);
      slots.set(s, i);
    }
    expect(slots.size).toBe(N);
    // Remove every third, then all the rest remain and the removed miss.
    for (let i = 0; i < N; i += 3) t.remove(i % 97, i % 2 ? TCP : UDP, 0x0a000000 + i, i & 0xffff, (i * 7) & 0xffff);
    expect(t.size).toBe(N - Math.ceil(N / 3));
    for (let i = 0; i < N; i++) {
      const s = t.lookup(i % 97, i % 2 ? TCP : UDP, 0x0a000000 + i, i & 0xffff, (i * 7) & 0xffff, i);
      if (i % 3 === 0 ? s !== MISS : s < 0) throw new Error(`entry ${i}: ${s}`);
    }
  });

  it('churn of insert/remove on a small table (tombstones) never loses a live entry', () => {
    const t = table(4);
    const live = new Set<number>();
    for (let i = 0; i < 20_000; i++) {
      t.track(1, UDP, i, 1, 1, 0, OUTBOUND);
      live.add(i);
      if (i >= 8) {
        t.remove(1, UDP, i - 8, 1, 1);
        live.delete(i - 8);
      }
    }
    expect(t.size).toBe(8);
    for (const r of live) expect(t.lookup(1, UDP, r, 1, 1, 0)).toBeGreaterThanOrEqual(0);
    expect(t.lookup(1, UDP, 0, 1, 1, 0)).toBe(MISS);
  });
});

// ------------------------------------------------------------------------------------------
// Differential property: the table against a Map of keys to deadlines.

type Key = readonly [host: number, proto: number, remote: number, localPort: number, remotePort: number];
type Cmd =
  | { op: 'track'; key: Key; dt: number; dir: number }
  | { op: 'remove'; key: Key }
  | { op: 'clearHost'; host: number }
  | { op: 'lookup'; key: Key; dt: number };

const key: fc.Arbitrary<Key> = fc.tuple(
  fc.integer({ min: 0, max: 3 }),
  fc.constantFrom(UDP, ICMP),
  fc.constantFrom(0, 1, 0x0a000001, 0xffffffff, 0x80000000),
  fc.integer({ min: 0, max: 3 }).map((p) => [0, 1, 443, 65535][p]),
  fc.integer({ min: 0, max: 2 }).map((p) => [0, 53, 65535][p]),
);
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('track' as const), key, dt: fc.integer({ min: 0, max: 40 }), dir: fc.constantFrom(OUTBOUND, INBOUND) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('remove' as const), key }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('clearHost' as const), host: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('lookup' as const), key, dt: fc.integer({ min: 0, max: 40 }) }) },
);

describe('ConnTrackTable against a Map model (property)', () => {
  it('random track / remove / clearHost / lookup sequences agree', () => {
    // udp and icmp only, with small timeouts: udp 10, stream 25, icmp 15.
    const timeouts: ConntrackTimeouts = { tcpEstablished: 100, tcpHandshake: 50, udp: 10, udpStream: 25, icmp: 15 };
    fc.assert(
      fc.property(fc.array(cmd, { maxLength: 300 }), fc.integer({ min: 1, max: 64 }), (cmds, capacity) => {
        const t = new ConnTrackTable(timeouts, capacity);
        const model = new Map<string, { host: number; deadline: number; last: number; dirs: number; packets: number }>();
        const k = (x: Key): string => `${x[0]}|${x[1]}|${x[2] >>> 0}|${x[3]}|${x[4]}`;
        let now = 0;
        for (const c of cmds) {
          if (c.op === 'track') {
            now += c.dt;
            const [host, proto, remote, lp, rp] = c.key;
            let e = model.get(k(c.key));
            if (!e || now > e.deadline) e = { host, deadline: 0, last: 0, dirs: 0, packets: 0 };
            e.dirs |= c.dir;
            e.packets++;
            e.last = now;
            const both = e.dirs === (OUTBOUND | INBOUND);
            e.deadline = now + (proto === ICMP ? timeouts.icmp : both && e.packets > 2 ? timeouts.udpStream : timeouts.udp);
            model.set(k(c.key), e);
            const slot = t.track(host, proto, remote, lp, rp, now, c.dir);
            expect(t.deadlineOf(slot)).toBe(e.deadline);
          } else if (c.op === 'remove') {
            model.delete(k(c.key));
            t.remove(...c.key);
          } else if (c.op === 'clearHost') {
            for (const [mk, e] of model) if (e.host === c.host) model.delete(mk);
            t.clearHost(c.host);
          } else {
            now += c.dt;
            const e = model.get(k(c.key));
            const got = t.lookup(...c.key, now);
            if (!e) expect(got).toBe(MISS);
            else if (now > e.deadline) {
              expect(got).toBe(EXPIRED);
              expect(t.expiredIdle).toBe(now - e.last);
              expect(t.expiredTimeout).toBe(e.deadline - e.last);
            } else {
              expect(got).toBeGreaterThanOrEqual(0);
              expect(t.deadlineOf(got)).toBe(e.deadline);
            }
          }
          expect(t.size).toBe(model.size);
        }
        // Finally every model entry is still present and nothing else is.
        for (const [mk, e] of model) {
          const [host, proto, remote, lp, rp] = mk.split('|').map(Number);
          const got = t.lookup(host, proto, remote, lp, rp, now);
          if (now > e.deadline) expect(got).toBe(EXPIRED);
          else expect(got).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 500 },
    );
  });
});
