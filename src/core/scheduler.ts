/**
 * core/scheduler: the future event set.
 *
 * Owns: ordering pending events by (time, sequence) — time first, then insertion order (FIFO
 * among equal times, as ns-3's (ts, uid) and SimPy's (time, priority, eid)). A scheduler holds
 * three numbers per event (time, seq, payload) and knows nothing of what an event does.
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
}

/** A binary min-heap kept in parallel typed arrays (no object per event). */
export class BinaryHeapScheduler implements Scheduler {
  private times: Float64Array;
  private seqs: Float64Array;
  private payloads: Int32Array;
  private n = 0;
  lastTime = 0;
  lastSeq = 0;

  constructor(initialCapacity = 1024) {
    this.times = new Float64Array(initialCapacity);
    this.seqs = new Float64Array(initialCapacity);
    this.payloads = new Int32Array(initialCapacity);
  }

  get size(): number {
    return this.n;
  }

  insert(time: number, seq: number, payload: number): void {
    if (this.n === this.times.length) this.grow();
    const times = this.times;
    const seqs = this.seqs;
    const payloads = this.payloads;
    let i = this.n++;
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
  }

  peekTime(): number {
    return this.n === 0 ? Infinity : this.times[0];
  }

  removeNext(): number {
    const times = this.times;
    const seqs = this.seqs;
    const payloads = this.payloads;
    const top = payloads[0];
    this.lastTime = times[0];
    this.lastSeq = seqs[0];
    const n = --this.n;
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
  }

  private grow(): void {
    const cap = Math.max(16, this.times.length * 2);
    const t = new Float64Array(cap);
    t.set(this.times);
    const s = new Float64Array(cap);
    s.set(this.seqs);
    const p = new Int32Array(cap);
    p.set(this.payloads);
    this.times = t;
    this.seqs = s;
    this.payloads = p;
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
}
