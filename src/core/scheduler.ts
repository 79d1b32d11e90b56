/**
 * core/scheduler: the future event set.
 *
 * Owns: ordering pending events by (time, sequence) — time first, then insertion order (FIFO
 * among equal times, as ns-3's (ts, uid) and SimPy's (time, priority, eid)). A scheduler holds
 * three numbers per event (time, seq, payload) and knows nothing of what an event does; on
 * request, it drops the events a predicate names (the simulator's compaction of cancelled ones).
 * Does not own: cancellation (the simulator marks and skips), handlers, or time itself.
 *
 * Swappable in the manner of ns-3's Scheduler: `BinaryHeapScheduler` is the fast one;
 * `SortedListScheduler` is the trivially correct reference the contract tests compare against.
 */

export interface Scheduler {
  readonly size: number;
  insert(time: number, seq: number, payload: number): void;
  /** Time of the next event; Infinity when empty. */
  peekTime(): number;
  /** Removes the next event and returns its payload (undefined behaviour when empty). */
  removeNext(): number;
  /** Time and seq of the event removeNext() returned last. */
  readonly lastTime: number;
  readonly lastSeq: number;
  /**
   * Removes every event whose payload `drop` returns true for (called once per event, in no
   * particular order); the others keep their order. Optional: a scheduler without it keeps
   * cancelled events until they are popped.
   */
  removeWhere?(drop: (payload: number) => boolean): void;
}

/**
 * The storage and sift loops of a binary min-heap of fixed capacity, as closures over `const`
 * typed arrays. While a process holds one such heap, V8 compiles the loops specialised to it
 * (its arrays and their lengths become constants), as it does the bare heap W1 is measured
 * against; measured with callgrind on W1, that is 1,096 instructions per event instead of
 * 1,640 (docs/performance.md). BinaryHeapScheduler swaps in a larger one when full.
 */
interface HeapCore {
  size: number;
  lastTime: number;
  lastSeq: number;
  readonly capacity: number;
  insert(time: number, seq: number, payload: number): void;
  peekTime(): number;
  removeNext(): number;
  /** Copies the first `size` entries into another core's arrays (used when growing). */
  copyTo(times: Float64Array, seqs: Float64Array, payloads: Int32Array): void;
  removeWhere(drop: (payload: number) => boolean): void;
}

function heapCore(capacity: number, from: HeapCore | null): HeapCore {
  const times = new Float64Array(capacity);
  const seqs = new Float64Array(capacity);
  const payloads = new Int32Array(capacity);
  if (from !== null) from.copyTo(times, seqs, payloads);
  const h: HeapCore = {
    size: from === null ? 0 : from.size,
    lastTime: from === null ? 0 : from.lastTime,
    lastSeq: from === null ? 0 : from.lastSeq,
    capacity,
    insert(time: number, seq: number, payload: number): void {
      let i = h.size++;
      // Sift up: move parents down until the slot for the new event is found.
      while (i > 0) {
        const p = (i - 1) >> 1;
        const pt = times[p];
        if (pt < time || (pt === time && seqs[p] < seq)) break;
        times[i] = pt;
        seqs[i] = seqs[p];
        payloads[i] = payloads[p];
        i = p;
      }
      times[i] = time;
      seqs[i] = seq;
      payloads[i] = payload;
    },
    peekTime(): number {
      return h.size === 0 ? Infinity : times[0];
    },
    removeNext(): number {
      const top = payloads[0];
      h.lastTime = times[0];
      h.lastSeq = seqs[0];
      const n = --h.size;
      if (n > 0) {
        const t = times[n];
        const s = seqs[n];
        const pl = payloads[n];
        let i = 0;
        const half = n >> 1;
        // Sift down the former last element from the root.
        while (i < half) {
          let c = 2 * i + 1;
          let ct = times[c];
          let cs = seqs[c];
          const r = c + 1;
          if (r < n) {
            const rt = times[r];
            if (rt < ct || (rt === ct && seqs[r] < cs)) {
              c = r;
              ct = rt;
              cs = seqs[r];
            }
          }
          if (t < ct || (t === ct && s < cs)) break;
          times[i] = ct;
          seqs[i] = cs;
          payloads[i] = payloads[c];
          i = c;
        }
        times[i] = t;
        seqs[i] = s;
        payloads[i] = pl;
      }
      return top;
    },
    copyTo(t: Float64Array, s: Float64Array, p: Int32Array): void {
      t.set(times.subarray(0, h.size));
      s.set(seqs.subarray(0, h.size));
      p.set(payloads.subarray(0, h.size));
    },
    removeWhere(drop: (payload: number) => boolean): void {
      let n = 0;
      for (let i = 0; i < h.size; i++) {
        const pl = payloads[i];
        if (drop(pl)) continue;
        times[n] = times[i];
        seqs[n] = seqs[i];
        payloads[n] = pl;
        n++;
      }
      // Rebuilt by inserting the survivors again, in place (entry i is read before insert can
      // write there): O(n log n) once the cancelled are most of the heap, so O(log n) amortised
      // per cancel. (time, seq) is a total order, so the events come out as they would have.
      h.size = 0;
      for (let i = 0; i < n; i++) h.insert(times[i], seqs[i], payloads[i]);
    },
  };
  return h;
}

/** A binary min-heap kept in parallel typed arrays (no object per event); grows by doubling. */
export class BinaryHeapScheduler implements Scheduler {
  private core: HeapCore;

  constructor(initialCapacity = 1024) {
    this.core = heapCore(Math.max(0, Math.floor(initialCapacity)), null);
  }

  get size(): number {
    return this.core.size;
  }

  get lastTime(): number {
    return this.core.lastTime;
  }

  get lastSeq(): number {
    return this.core.lastSeq;
  }

  insert(time: number, seq: number, payload: number): void {
    if (this.core.size === this.core.capacity) this.core = heapCore(Math.max(16, this.core.capacity * 2), this.core);
    this.core.insert(time, seq, payload);
  }

  peekTime(): number {
    return this.core.peekTime();
  }

  removeNext(): number {
    return this.core.removeNext();
  }

  removeWhere(drop: (payload: number) => boolean): void {
    this.core.removeWhere(drop);
  }
}

/** The reference: a plain array kept sorted by (time, seq). O(n) insert; obviously correct. */
export class SortedListScheduler implements Scheduler {
  private items: { time: number; seq: number; payload: number }[] = [];
  lastTime = 0;
  lastSeq = 0;

  get size(): number {
    return this.items.length;
  }

  insert(time: number, seq: number, payload: number): void {
    let i = this.items.length;
    while (i > 0 && (this.items[i - 1].time > time || (this.items[i - 1].time === time && this.items[i - 1].seq > seq))) i--;
    this.items.splice(i, 0, { time, seq, payload });
  }

  peekTime(): number {
    return this.items.length === 0 ? Infinity : this.items[0].time;
  }

  removeNext(): number {
    const e = this.items.shift()!;
    this.lastTime = e.time;
    this.lastSeq = e.seq;
    return e.payload;
  }

  removeWhere(drop: (payload: number) => boolean): void {
    this.items = this.items.filter((e) => !drop(e.payload));
  }
}
