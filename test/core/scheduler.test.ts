/**
 * test/core/scheduler: the Scheduler contract, one suite run over every implementation (as
 * ns-3's scheduler test suite), plus a differential property: BinaryHeapScheduler must return
 * exactly what the trivially correct SortedListScheduler returns.
 *
 * Owns: the behaviour every Scheduler promises — order by (time, seq), FIFO among equal times
 * (seq order), size / peekTime (Infinity when empty), growth past the initial capacity,
 * lastTime / lastSeq, and removeWhere (the others keep their order). Does not own: cancellation or handlers (see simulator.test.ts).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BinaryHeapScheduler, SortedListScheduler } from '../../src/core/scheduler.ts';
import type { Scheduler } from '../../src/core/scheduler.ts';

/** Every implementation, built with a given initial capacity (ignored by those without one). */
const implementations: [name: string, make: (capacity?: number) => Scheduler][] = [
  ['BinaryHeapScheduler', (capacity) => new BinaryHeapScheduler(capacity)],
  ['SortedListScheduler', () => new SortedListScheduler()],
];

/** Removes everything, returning [time, seq, payload] triples in removal order. */
function drain(s: Scheduler): [number, number, number][] {
  const out: [number, number, number][] = [];
  while (s.size > 0) {
    const payload = s.removeNext();
    out.push([s.lastTime, s.lastSeq, payload]);
  }
  return out;
}

describe.each(implementations)('Scheduler contract: %s', (_name, make) => {
  it('is empty when new: size 0 and peekTime Infinity', () => {
    const s = make();
    expect(s.size).toBe(0);
    expect(s.peekTime()).toBe(Infinity);
  });

  it('returns to empty (size 0, peekTime Infinity) after removing everything', () => {
    const s = make();
    s.insert(5, 0, 1);
    s.insert(3, 1, 2);
    s.removeNext();
    s.removeNext();
    expect(s.size).toBe(0);
    expect(s.peekTime()).toBe(Infinity);
  });

  it('orders by time, whatever the insertion order', () => {
    const s = make();
    const times = [50, 10, 40, 0, 30, 20, 70, 60];
    times.forEach((t, i) => s.insert(t, i, t + 1000));
    expect(s.size).toBe(times.length);
    expect(s.peekTime()).toBe(0);
    const out = drain(s);
    expect(out.map(([t]) => t)).toEqual([0, 10, 20, 30, 40, 50, 60, 70]);
    expect(out.map(([, , p]) => p)).toEqual([1000, 1010, 1020, 1030, 1040, 1050, 1060, 1070]);
  });

  it('runs equal times in FIFO (seq) order', () => {
    const s = make();
    for (let i = 0; i < 20; i++) s.insert(7, i, i);
    expect(drain(s).map(([, , p]) => p)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('orders equal times by seq even when seqs arrive out of order', () => {
    const s = make();
    s.insert(7, 5, 105);
    s.insert(7, 3, 103);
    s.insert(7, 9, 109);
    s.insert(7, 4, 104);
    expect(drain(s).map(([, seq, p]) => [seq, p])).toEqual([
      [3, 103],
      [4, 104],
      [5, 105],
      [9, 109],
    ]);
  });

  it('puts time before seq: a later seq at an earlier time comes first', () => {
    const s = make();
    s.insert(10, 0, 1);
    s.insert(5, 1, 2);
    s.insert(10, 2, 3);
    s.insert(5, 3, 4);
    expect(drain(s).map(([t, seq, p]) => [t, seq, p])).toEqual([
      [5, 1, 2],
      [5, 3, 4],
      [10, 0, 1],
      [10, 2, 3],
    ]);
  });

  it('keeps peekTime at the minimum and size exact through inserts and removals', () => {
    const s = make();
    s.insert(30, 0, 0);
    expect([s.size, s.peekTime()]).toEqual([1, 30]);
    s.insert(10, 1, 1);
    expect([s.size, s.peekTime()]).toEqual([2, 10]);
    s.insert(20, 2, 2);
    expect([s.size, s.peekTime()]).toEqual([3, 10]);
    expect(s.removeNext()).toBe(1);
    expect([s.size, s.peekTime()]).toEqual([2, 20]);
    s.insert(20, 3, 3); // ties with the head, later seq
    expect(s.removeNext()).toBe(2);
    expect(s.removeNext()).toBe(3);
    expect([s.size, s.peekTime()]).toEqual([1, 30]);
  });

  it('reports lastTime and lastSeq of the event removed last', () => {
    const s = make();
    s.insert(100, 41, 1);
    s.insert(100, 40, 2);
    s.insert(250, 7, 3);
    expect(s.removeNext()).toBe(2);
    expect([s.lastTime, s.lastSeq]).toEqual([100, 40]);
    expect(s.removeNext()).toBe(1);
    expect([s.lastTime, s.lastSeq]).toEqual([100, 41]);
    s.insert(100, 42, 4); // an event at "now", as a handler scheduling with delay 0 makes
    expect(s.removeNext()).toBe(4);
    expect([s.lastTime, s.lastSeq]).toEqual([100, 42]);
    expect(s.removeNext()).toBe(3);
    expect([s.lastTime, s.lastSeq]).toEqual([250, 7]);
  });

  it('grows past its initial capacity without losing or reordering events', () => {
    for (const capacity of [1, 2, 3, 16]) {
      const s = make(capacity);
      const n = 1000;
      // A deterministic shuffle of times with many ties: t = (i * 37) mod 101.
      for (let i = 0; i < n; i++) s.insert((i * 37) % 101, i, i);
      expect(s.size).toBe(n);
      const out = drain(s);
      expect(out).toHaveLength(n);
      const expected = Array.from({ length: n }, (_, i) => [(i * 37) % 101, i, i] as [number, number, number]).sort(
        (x, y) => x[0] - y[0] || x[1] - y[1],
      );
      expect(out).toEqual(expected);
    }
  });

  it('grows again after being drained and refilled', () => {
    const s = make(4);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 100; i++) s.insert(100 - i, round * 100 + i, i);
      const out = drain(s);
      expect(out.map(([t]) => t)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    }
  });

  it('keeps integer nanosecond times exact up to 2^53', () => {
    const s = make();
    const big = 2 ** 52;
    s.insert(big + 1, 0, 1);
    s.insert(big, 1, 2);
    s.insert(2 ** 53 - 1, 2, 3);
    expect(drain(s).map(([t, , p]) => [t, p])).toEqual([
      [big, 2],
      [big + 1, 1],
      [2 ** 53 - 1, 3],
    ]);
  });

  it('removeWhere drops the events named, asks once per event, and keeps the order of the rest', () => {
    const s = make(4);
    for (let i = 0; i < 40; i++) s.insert((i * 7) % 13, i, i);
    const asked: number[] = [];
    s.removeWhere!((p) => {
      asked.push(p);
      return p % 2 === 1;
    });
    expect(asked.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(s.size).toBe(20);
    const out = drain(s);
    const kept = Array.from({ length: 20 }, (_, k) => 2 * k).map((i): [number, number, number] => [(i * 7) % 13, i, i]);
    kept.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(out).toEqual(kept);
    s.removeWhere!(() => true);
    expect(s.size).toBe(0);
    expect(s.peekTime()).toBe(Infinity);
  });

  it('carries payloads over the whole non-negative int32 range unchanged', () => {
    const s = make();
    const payloads = [0, 1, 2 ** 22, 2 ** 31 - 1];
    payloads.forEach((p, i) => s.insert(i, i, p));
    expect(drain(s).map(([, , p]) => p)).toEqual(payloads);
  });
});

/** An operation of the differential property: insert at a time, or remove the next event. */
type Op = { kind: 'insert'; time: number } | { kind: 'remove' } | { kind: 'drop'; r: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  // A small time range forces many ties, which is where FIFO mistakes hide.
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 20 }).map((time): Op => ({ kind: 'insert', time })) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 1e9 }).map((time): Op => ({ kind: 'insert', time })) },
  { weight: 3, arbitrary: fc.constant<Op>({ kind: 'remove' }) },
  // Drop the payloads with this remainder modulo 3 (the simulator drops its cancelled events).
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 }).map((r): Op => ({ kind: 'drop', r })) },
);

describe('BinaryHeapScheduler against the SortedListScheduler reference', () => {
  it('returns the same payloads in the same order for any interleaving of insert/removeNext', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(opArb, { maxLength: 400 }), (capacity, ops) => {
        const heap = new BinaryHeapScheduler(capacity);
        const ref = new SortedListScheduler();
        let seq = 0;
        let payload = 0;
        const fromHeap: number[] = [];
        const fromRef: number[] = [];
        const step = () => {
          expect(heap.size).toBe(ref.size);
          expect(heap.peekTime()).toBe(ref.peekTime());
        };
        for (const op of ops) {
          if (op.kind === 'insert') {
            heap.insert(op.time, seq, payload);
            ref.insert(op.time, seq, payload);
            seq++;
            payload++;
          } else if (op.kind === 'drop') {
            const before = heap.size;
            const seen: number[] = [];
            heap.removeWhere((p) => (seen.push(p), p % 3 === op.r));
            ref.removeWhere((p) => p % 3 === op.r);
            expect(seen.length).toBe(before); // each event asked once
          } else if (ref.size > 0) {
            fromHeap.push(heap.removeNext());
            fromRef.push(ref.removeNext());
            expect([heap.lastTime, heap.lastSeq]).toEqual([ref.lastTime, ref.lastSeq]);
          }
          step();
        }
        while (ref.size > 0) {
          fromHeap.push(heap.removeNext());
          fromRef.push(ref.removeNext());
          expect([heap.lastTime, heap.lastSeq]).toEqual([ref.lastTime, ref.lastSeq]);
        }
        step();
        expect(fromHeap).toEqual(fromRef);
      }),
      { numRuns: 300, seed: 20261126 },
    );
  });
});

describe('regressions: BinaryHeapScheduler growth from zero capacity', () => {
  // BUG: grow() doubles the capacity, so a heap created with capacity 0 "grows" to 0 and every
  // typed-array write is silently dropped; size counts events that are not there.
  it('BinaryHeapScheduler(0) keeps its events', () => {
    const s = new BinaryHeapScheduler(0);
    s.insert(5, 0, 42);
    expect(s.peekTime()).toBe(5);
    expect(s.removeNext()).toBe(42);
  });
});
