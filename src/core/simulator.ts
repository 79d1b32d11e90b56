/**
 * core/simulator: the discrete-event kernel.
 *
 * Owns: simulated time (integer nanoseconds), scheduling handlers at a time or after a delay,
 * lazy cancellation (mark and skip, as ns-3; the cancelled events are dropped from the queue
 * in one pass once they are most of it), running until idle, until a time or until
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

/**
 * An EventId is `slot * SEQ_SPAN + (seq mod SEQ_SPAN)`: exact below 2^53 for every slot below
 * MAX_SLOTS (2^24 * 2^29 = 2^53). The sequence bits tell a pending event from an earlier one
 * that used its slot: cancel() of an id whose event has run is a no-op unless 2^29 (about
 * 5 * 10^8) events were scheduled between them and the slot's new event is exactly that many
 * later. (2^22 slots with 31 bits before: a count of 2^22 datagrams or timers at once crashed.)
 */
const SEQ_SPAN = 2 ** 29;
const SEQ_MASK = SEQ_SPAN - 1;
/** Pending events at once (16,777,216: a run of 10^7 repetitions, each waiting, fits). */
const MAX_SLOTS = 2 ** 24;
/** The largest `capacity` (room made before the first growth); growth goes on to MAX_SLOTS. */
const MAX_INITIAL_CAPACITY = 2 ** 22;

export interface SimulatorOptions {
  seed?: string;
  scheduler?: Scheduler;
  /**
   * Room for this many pending events before the first growth (default 1024). Growing is
   * cheap and automatic; a run that knows its size (a benchmark holding H timers) avoids it,
   * and a heap that never grows stays specialised by V8 (scheduler.ts).
   */
  capacity?: number;
  /**
   * Cancelled events the queue may hold before they are dropped from it in one pass, when
   * they are also more than half of it (default 1024; tests set 0). Cancelling is lazy (the
   * event is marked, and skipped when popped), so without this a run that cancels timers due
   * far ahead (a connect answered long before its timeout) would hold each until its time.
   */
  compactAfter?: number;
}

/**
 * The event slots: each pending event's handler, its two numbers and its sequence bits, with a
 * stack of free slots, as closures over fixed arrays (the event heap's trick, scheduler.ts:
 * while a process holds one, V8 compiles them specialised to it). The Simulator swaps in a
 * larger one when every slot is taken.
 */
interface SlotCore {
  readonly capacity: number;
  /** Slots handed out at least once; the next never-used slot. */
  used: number;
  freeCount: number;
  /** Events cancelled and not yet skipped. */
  cancelledCount: number;
  /** Stores an event; returns its slot, or -1 when every slot is taken. */
  put(handler: Handler, a: number, b: number, low: number): number;
  /** The event in `slot` leaves the queue: frees the slot; returns its handler, or undefined if it was cancelled. */
  take(slot: number): Handler | undefined;
  argA(slot: number): number;
  argB(slot: number): number;
  /** Marks the event in `slot` with sequence bits `low` cancelled; false if it is not pending. */
  cancel(slot: number, low: number): boolean;
  isCancelled(slot: number): boolean;
  copyTo(other: SlotArrays): void;
}

interface SlotArrays {
  readonly handlers: (Handler | undefined)[];
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly seq: Int32Array;
  readonly cancelled: Uint8Array;
  readonly free: Int32Array;
}

function slotCore(capacity: number, from: SlotCore | null): SlotCore {
  const arrays: SlotArrays = {
    handlers: new Array<Handler | undefined>(capacity).fill(undefined),
    a: new Float64Array(capacity),
    b: new Float64Array(capacity),
    seq: new Int32Array(capacity),
    cancelled: new Uint8Array(capacity),
    free: new Int32Array(capacity),
  };
  if (from !== null) from.copyTo(arrays);
  const { handlers, a: argA, b: argB, seq: slotSeq, cancelled, free } = arrays;
  const c: SlotCore = {
    capacity,
    used: from === null ? 0 : from.used,
    freeCount: from === null ? 0 : from.freeCount,
    cancelledCount: from === null ? 0 : from.cancelledCount,
    put(handler: Handler, a: number, b: number, low: number): number {
      let slot: number;
      if (c.freeCount > 0) slot = free[--c.freeCount];
      else if (c.used < capacity) slot = c.used++;
      else return -1;
      handlers[slot] = handler;
      argA[slot] = a;
      argB[slot] = b;
      slotSeq[slot] = low;
      return slot;
    },
    take(slot: number): Handler | undefined {
      const handler = handlers[slot];
      handlers[slot] = undefined;
      free[c.freeCount++] = slot;
      if (cancelled[slot] === 1) {
        cancelled[slot] = 0;
        c.cancelledCount--;
        return undefined;
      }
      return handler;
    },
    argA(slot: number): number {
      return argA[slot];
    },
    argB(slot: number): number {
      return argB[slot];
    },
    cancel(slot: number, low: number): boolean {
      if (slot >= c.used || handlers[slot] === undefined) return false;
      if (slotSeq[slot] !== low || cancelled[slot] === 1) return false;
      cancelled[slot] = 1;
      c.cancelledCount++;
      return true;
    },
    isCancelled(slot: number): boolean {
      return cancelled[slot] === 1;
    },
    copyTo(o: SlotArrays): void {
      for (let i = 0; i < c.used; i++) o.handlers[i] = handlers[i];
      o.a.set(argA);
      o.b.set(argB);
      o.seq.set(slotSeq);
      o.cancelled.set(cancelled);
      o.free.set(free);
    },
  };
  return c;
}

export class Simulator {
  /** Current simulated time, integer nanoseconds. */
  now = 0;
  /** Events run so far (cancelled events are not counted). */
  eventsRun = 0;
  /** Events a model accounted for without running them (see elide()); not in eventsRun. */
  eventsElided = 0;

  private readonly scheduler: Scheduler;
  private readonly randoms: RandomStreams;
  private nextSeq = 0;
  private slots: SlotCore;
  private stopped = false;
  private readonly compactAfter: number;
  private readonly dropCancelled = (slot: number): boolean => {
    if (!this.slots.isCancelled(slot)) return false;
    this.slots.take(slot); // frees the slot and uncounts it
    return true;
  };

  constructor(options: SimulatorOptions = {}) {
    if (options.capacity !== undefined && !(options.capacity >= 1 && options.capacity <= MAX_INITIAL_CAPACITY)) {
      throw new RangeError(`capacity must be between 1 and ${MAX_INITIAL_CAPACITY}, got ${options.capacity}`);
    }
    if (options.compactAfter !== undefined && !(options.compactAfter >= 0)) {
      throw new RangeError(`compactAfter must be >= 0, got ${options.compactAfter}`);
    }
    this.compactAfter = options.compactAfter ?? 1024;
    const capacity = Math.max(16, Math.ceil(options.capacity ?? 1024));
    this.slots = slotCore(capacity, null);
    this.scheduler = options.scheduler ?? new BinaryHeapScheduler(capacity);
    this.randoms = new RandomStreams(options.seed ?? '0');
  }

  get seed(): string {
    return this.randoms.seed;
  }

  /** Events scheduled and not yet run (cancelled ones still count until they are skipped or
   * compacted away). */
  get pending(): number {
    return this.scheduler.size;
  }

  /** Events scheduled, not yet run and not cancelled: those still to run. */
  get live(): number {
    return this.scheduler.size - this.slots.cancelledCount;
  }

  /**
   * Records `n` events that a model accounted for without scheduling them, because it could
   * tell exactly what they would have done (the fabric's fast-forwarded SYN retransmissions).
   * Reports add them to eventsRun so that they count the events of the model, however run.
   */
  elide(n: number): void {
    this.eventsElided += n;
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
    return this.atSeq(time, -1, handler, a, b);
  }

  /**
   * Takes the sequence number the next event scheduled now would get, without scheduling one:
   * an event scheduled later with `atReserved` and this number runs in the place it would have
   * had if it had been scheduled now (core/delayline.ts holds timers this way).
   */
  reserve(): number {
    return this.nextSeq++;
  }

  /**
   * Schedules `handler(a, b)` at `time` with a sequence number from reserve(). The caller
   * must schedule it before any event that it precedes in (time, seq) order has run: at a
   * time after now, or at now with no event of a larger seq at now already run. A number is
   * for one event: two scheduled with one number may get equal EventIds (the first's, once
   * cancelled and compacted away, would cancel the second) and no defined order between them.
   */
  atReserved(time: number, seq: number, handler: Handler, a = 0, b = 0): EventId {
    if (!(seq >= 0 && seq < this.nextSeq && Number.isInteger(seq))) throw new RangeError(`sequence number ${seq} was not reserved`);
    return this.atSeq(time, seq, handler, a, b);
  }

  /** Schedules with sequence number `seq`, or the next one when `seq` is -1 (taken only once the time is valid). */
  private atSeq(time: number, seq: number, handler: Handler, a: number, b: number): EventId {
    time = Math.round(time);
    if (!(time >= this.now)) throw new RangeError(`cannot schedule at ${time} ns: now is ${this.now} ns`);
    if (seq < 0) seq = this.nextSeq++;
    const low = seq & SEQ_MASK; // seq mod 2^29, exact for any integer below 2^53 (ToInt32 keeps the low 32 bits)
    let slot = this.slots.put(handler, a, b, low);
    if (slot < 0) {
      this.growSlots();
      slot = this.slots.put(handler, a, b, low);
    }
    this.scheduler.insert(time, seq, slot);
    return slot * SEQ_SPAN + low;
  }

  /** Cancels a scheduled event; it is skipped when its time comes. Returns false if it already ran. */
  cancel(id: EventId): boolean {
    if (!this.slots.cancel(Math.floor(id / SEQ_SPAN), id & SEQ_MASK)) return false;
    const dead = this.slots.cancelledCount;
    if (dead > this.compactAfter && dead * 2 > this.scheduler.size) this.compact();
    return true;
  }

  /**
   * Drops the cancelled events from the queue in one pass (when they are most of it: so each
   * cancel costs O(log n) amortised, like the pop it saves). The others run exactly as before:
   * the queue's order is (time, seq), which dropping events does not change.
   */
  private compact(): void {
    this.scheduler.removeWhere?.(this.dropCancelled);
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
    const start = this.eventsRun;
    this.stopped = false;
    while (!this.stopped && scheduler.size > 0) {
      // (Run to the end, the common case, reads no time before popping: W1 0.82 → 0.84× the bare heap.)
      if (until !== Infinity && scheduler.peekTime() > until) break;
      const slot = scheduler.removeNext();
      // Read the field each time: a handler may have grown (replaced) the slots.
      const slots = this.slots;
      const handler = slots.take(slot);
      if (handler === undefined) continue; // cancelled
      this.now = scheduler.lastTime;
      this.eventsRun++;
      handler(slots.argA(slot), slots.argB(slot));
    }
    if (!this.stopped && until !== Infinity && until > this.now) this.now = until;
    return this.eventsRun - start;
  }

  private growSlots(): void {
    const cap = Math.min(this.slots.capacity * 2, MAX_SLOTS);
    if (cap <= this.slots.capacity) throw new RangeError(`more than ${MAX_SLOTS} events pending at once`);
    this.slots = slotCore(cap, this.slots);
  }
}
