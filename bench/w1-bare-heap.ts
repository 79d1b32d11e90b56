/**
 * bench/w1-bare-heap: W1's baseline, "bare typed-array heap (pop+push)" — the limit for an
 * event core written in JS (benchmarks.md). sgsim's kernel is judged against this number
 * measured in the same `npm run bench` run.
 *
 * Owns: a minimal binary min-heap over parallel typed arrays (Float64Array time in integer ns,
 * Float64Array FIFO sequence for ties, Int32Array timer id) with a fixed capacity of H, and the
 * W1 loop on it: pop the earliest timer, count it, stop at E, else push it back at now + d.
 * No handlers, no cancel, no slots, no growth: only the work W1 needs. Same RNG stream and same delay
 * formula as the sgsim run (bench/w1-common.ts).
 * Does not own: argument parsing or output (bench/w1-hold.ts, --impl bare-heap).
 */
import { RandomStream } from '../src/core/random.ts';
import { secondsSince } from './common.ts';
import { W1_STREAM, drawDelayNs, type W1Params, type W1Outcome } from './w1-common.ts';

/**
 * Runs W1 on the bare heap. Setup (heap + first fires) is timed apart from the loop.
 *
 * The heap is closures over `const` typed arrays in this function's scope, not a class: V8
 * then knows the arrays (and their lengths) as constants when it optimizes push/pop. Written
 * as a class with typed-array fields, the same heap ran about 25% slower on Node 20 (6.6-6.9 M
 * vs 8.6 M events/s on the reference VM), and this form reproduces the 8.6 M events/s that
 * benchmarks.md publishes for "the limit for a JS core". The baseline should be that limit.
 */
export function runW1BareHeap(p: W1Params): W1Outcome {
  const setupStart = process.hrtime.bigint();
  const rng = new RandomStream(p.seed, W1_STREAM);
  const capacity = p.timers; // never more than H pending
  const time = new Float64Array(capacity);
  const seq = new Float64Array(capacity);
  const ids = new Int32Array(capacity);
  let n = 0;
  let nextSeq = 0;
  /** Time of the element pop() returned last. */
  let poppedTime = 0;

  const push = (t: number, id: number): void => {
    const s = nextSeq++;
    let i = n++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = time[parent];
      if (pt < t || (pt === t && seq[parent] < s)) break;
      time[i] = pt;
      seq[i] = seq[parent];
      ids[i] = ids[parent];
      i = parent;
    }
    time[i] = t;
    seq[i] = s;
    ids[i] = id;
  };

  /** Removes the earliest element (the heap must not be empty); returns its id. */
  const pop = (): number => {
    const top = ids[0];
    poppedTime = time[0];
    const m = --n;
    if (m > 0) {
      const t = time[m];
      const s = seq[m];
      const id = ids[m];
      const half = m >> 1;
      let i = 0;
      while (i < half) {
        let c = 2 * i + 1;
        let ct = time[c];
        let cs = seq[c];
        const r = c + 1;
        if (r < m) {
          const rt = time[r];
          const rs = seq[r];
          if (rt < ct || (rt === ct && rs < cs)) {
            c = r;
            ct = rt;
            cs = rs;
          }
        }
        if (t < ct || (t === ct && s < cs)) break;
        time[i] = ct;
        seq[i] = cs;
        ids[i] = ids[c];
        i = c;
      }
      time[i] = t;
      seq[i] = s;
      ids[i] = id;
    }
    return top;
  };

  for (let i = 0; i < p.timers; i++) push(drawDelayNs(rng), i);
  const setupS = secondsSince(setupStart);

  const events = p.events;
  let fired = 0;
  let now = 0;
  const loopStart = process.hrtime.bigint();
  while (n > 0) {
    const i = pop();
    now = poppedTime;
    fired++;
    if (fired === events) break;
    push(now + drawDelayNs(rng), i);
  }
  const loopS = secondsSince(loopStart);
  return { fired, simEndNs: now, setupS, loopS };
}
