/**
 * core/simulator: the discrete-event kernel.
 *
 * Owns: simulated time (integer nanoseconds), scheduling handlers at a time or after a delay,
 * lazy cancellation (mark and skip, as ns-3), running until idle, until a time or until
 * stopped, counting events, and the run's named random streams. One Simulator per run; no
 * module-level state.
 * Does not own: anything about networks. Handlers are plain functions called with two numeric
 * arguments, so the hot path allocates no closure or record per event.
 */
import { BinaryHeapScheduler, type Scheduler } from './scheduler.ts';
import { RandomStreams, type RandomStream } from './random.ts';

/** An event handler. `a` and `b` are the numbers given when it was scheduled. */
export type Handler = (a: number, b: number) => void;

/** Identifies a scheduled event for cancel(): its slot and the low bits of its sequence number. */
export type EventId = number;

const SEQ_SPAN = 2 ** 31;
/** Pending events at once; EventIds stay exact integers below 2^53. */
const MAX_SLOTS = 2 ** 22;

export interface SimulatorOptions {
  seed?: string;
  scheduler?: Scheduler;
  /**
   * Room for this many pending events before the first growth (default 1024). Growing is
   * cheap and automatic; a run that knows its size (a benchmark holding H timers) avoids it,
   * and a heap that never grows stays specialised by V8 (scheduler.ts).
   */
  capacity?: number;
}

export class Simulator {
  /** Current simulated time, integer nanoseconds. */
  now = 0;
  /** Events run so far (cancelled events are not counted). */
  eventsRun = 0;

  private readonly scheduler: Scheduler;
  private readonly randoms: RandomStreams;
  private nextSeq = 0;
  private handlers: (Handler | undefined)[] = [];
  private argA: Float64Array;
  private argB: Float64Array;
  /** Low 31 bits of the sequence number of the event in each slot. */
  private slotSeq: Int32Array;
  private cancelledSlot: Uint8Array;
  private freeSlots: Int32Array;
  private freeCount = 0;
  private stopped = false;

  constructor(options: SimulatorOptions = {}) {
    if (options.capacity !== undefined && !(options.capacity >= 1 && options.capacity <= MAX_SLOTS)) {
      throw new RangeError(`capacity must be between 1 and ${MAX_SLOTS}, got ${options.capacity}`);
    }
    const capacity = Math.max(16, Math.ceil(options.capacity ?? 1024));
    this.argA = new Float64Array(capacity);
    this.argB = new Float64Array(capacity);
    this.slotSeq = new Int32Array(capacity);
    this.cancelledSlot = new Uint8Array(capacity);
    this.freeSlots = new Int32Array(capacity);
    this.scheduler = options.scheduler ?? new BinaryHeapScheduler(capacity);
    this.randoms = new RandomStreams(options.seed ?? '0');
  }

  get seed(): string {
    return this.randoms.seed;
  }

  /** Events scheduled and not yet run (cancelled ones still count until they are skipped). */
  get pending(): number {
    return this.scheduler.size;
  }

  /** A named random stream of this run. */
  random(name: string): RandomStream {
    return this.randoms.stream(name);
  }

  /** Runs `handler(a, b)` after `delay` ns (rounded to an integer; negative is an error). */
  schedule(delay: number, handler: Handler, a = 0, b = 0): EventId {
    return this.at(this.now + delay, handler, a, b);
  }

  /** Runs `handler(a, b)` at absolute time `time` (not in the past). */
  at(time: number, handler: Handler, a = 0, b = 0): EventId {
    time = Math.round(time);
    if (!(time >= this.now)) throw new RangeError(`cannot schedule at ${time} ns: now is ${this.now} ns`);
    let slot: number;
    if (this.freeCount > 0) slot = this.freeSlots[--this.freeCount];
    else {
      slot = this.handlers.length;
      if (slot === this.argA.length) this.growSlots();
      this.handlers.push(undefined);
    }
    const seq = this.nextSeq++;
    this.handlers[slot] = handler;
    this.argA[slot] = a;
    this.argB[slot] = b;
    const low = seq & 0x7fffffff; // seq mod 2^31, exact for any integer below 2^53
    this.slotSeq[slot] = low;
    this.scheduler.insert(time, seq, slot);
    return slot * SEQ_SPAN + low;
  }

  /** Cancels a scheduled event; it is skipped when its time comes. Returns false if it already ran. */
  cancel(id: EventId): boolean {
    const slot = Math.floor(id / SEQ_SPAN);
    if (slot >= this.handlers.length || this.handlers[slot] === undefined) return false;
    if (this.slotSeq[slot] !== (id & 0x7fffffff) || this.cancelledSlot[slot] === 1) return false;
    this.cancelledSlot[slot] = 1;
    return true;
  }

  /** Stops run() after the current event. */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Runs events in (time, seq) order until none is left, `stop()` is called, or the next event
   * lies after `until` (then `now` advances to `until`). Returns the number of events run.
   */
  run(until = Infinity): number {
    const scheduler = this.scheduler;
    const handlers = this.handlers;
    const start = this.eventsRun;
    this.stopped = false;
    while (!this.stopped && scheduler.size > 0) {
      if (scheduler.peekTime() > until) break;
      const slot = scheduler.removeNext();
      const handler = handlers[slot]!;
      handlers[slot] = undefined;
      this.freeSlots[this.freeCount++] = slot;
      // Read the field each time: a handler may grow (replace) the slot arrays.
      if (this.cancelledSlot[slot] === 1) {
        this.cancelledSlot[slot] = 0;
        continue;
      }
      this.now = scheduler.lastTime;
      this.eventsRun++;
      handler(this.argA[slot], this.argB[slot]);
    }
    if (!this.stopped && until !== Infinity && until > this.now) this.now = until;
    return this.eventsRun - start;
  }

  private growSlots(): void {
    const cap = this.argA.length * 2;
    if (cap > MAX_SLOTS) throw new RangeError(`more than ${MAX_SLOTS} events pending at once`);
    const c = new Uint8Array(cap);
    c.set(this.cancelledSlot);
    this.cancelledSlot = c;
    const a = new Float64Array(cap);
    a.set(this.argA);
    const b = new Float64Array(cap);
    b.set(this.argB);
    const s = new Int32Array(cap);
    s.set(this.slotSeq);
    const f = new Int32Array(cap);
    f.set(this.freeSlots);
    this.freeSlots = f;
    this.argA = a;
    this.argB = b;
    this.slotSeq = s;
  }
}
