/**
 * core/delayline: timers added in the order they fall due, with only the earliest of them in
 * the event heap.
 *
 * Owns: a FIFO of pending timers (time, reserved sequence number, one numeric argument) whose
 * times never decrease in the order they were added: the timers of one fixed delay (a
 * connection's first retransmission timeout, say). Each timer takes its sequence number from
 * the simulator when it is added (Simulator.reserve) but enters the event heap only when it
 * becomes the earliest live one (Simulator.atReserved), so it runs exactly where an event
 * scheduled when it was added would have: same time, same place among events of equal time.
 * A cancelled timer is only marked; if it was the one in the heap, the next live one takes its
 * place. So at 10^6 timers pending, the heap holds one of them, and timers cancelled before
 * they fall due (most: a connection answered, or a denied connect fast-forwarded) never
 * enter it at all.
 * A place may also be held before its argument is known (hold, then fill or cancel): it keeps
 * its time and sequence number from the moment it was held, so a timer whose time is fixed
 * early but which may or may not be needed later (a fast-forwarded connect's timeout) can
 * still come in time order. A held place that falls due unfilled runs nothing.
 * Does not own: what a timer does (its handler), or timers whose times come out of order
 * (add() refuses them; the caller schedules those with Simulator.at).
 */
import type { EventId, Simulator } from './simulator.ts';

export class DelayLine {
  /** Ring buffer of entries, by ticket & mask; tickets are numbered from 0 as added.
   * live: 0 gone (ran or cancelled), 1 pending, 2 held (pending, no argument yet). */
  private times = new Float64Array(64);
  private seqs = new Float64Array(64);
  private args = new Float64Array(64);
  private live = new Uint8Array(64);
  private mask = 63;
  /** Tickets [head, tail) are in the ring; entries before `head` are gone. */
  private head = 0;
  private tail = 0;
  /** The kernel event of the earliest live entry, and its ticket; -1 when none is scheduled. */
  private armedEvent: EventId = -1;
  private armedTicket = -1;
  private readonly onFire = (ticket: number): void => this.fire(ticket);

  constructor(
    private readonly sim: Simulator,
    private readonly handler: (arg: number) => void,
  ) {}

  /** Entries not yet run or cancelled (held ones included). */
  get size(): number {
    let n = 0;
    for (let t = this.head; t < this.tail; t++) n += this.live[t & this.mask] === 0 ? 0 : 1;
    return n;
  }

  /**
   * Schedules handler(arg) at `time` and returns its ticket (for cancel), or -1 without
   * scheduling anything when `time` is earlier than the last time added to the line still
   * pending, or earlier than now.
   */
  add(time: number, arg: number): number {
    return this.put(time, arg, 1);
  }

  /**
   * Holds a place at `time` whose argument is not known yet, and returns its ticket, or -1
   * as add() does. fill() gives it its argument; cancel() gives it up. Until filled it runs
   * nothing, even when it falls due.
   */
  hold(time: number): number {
    return this.put(time, 0, 2);
  }

  /** Gives the held place of `ticket` its argument; false (and nothing done) if it is not held. */
  fill(ticket: number, arg: number): boolean {
    if (ticket < this.head || ticket >= this.tail) return false;
    const i = ticket & this.mask;
    if (this.live[i] !== 2) return false;
    this.args[i] = arg;
    this.live[i] = 1;
    return true;
  }

  /** Whether add() or hold() would take `time` now (not -1). */
  accepts(time: number): boolean {
    time = Math.round(time);
    return time >= this.sim.now && !(this.tail > this.head && time < this.times[(this.tail - 1) & this.mask]);
  }

  private put(time: number, arg: number, live: number): number {
    if (!this.accepts(time)) return -1;
    time = Math.round(time);
    if (this.tail - this.head > this.mask) this.grow();
    const ticket = this.tail++;
    const i = ticket & this.mask;
    const seq = this.sim.reserve();
    this.times[i] = time;
    this.seqs[i] = seq;
    this.args[i] = arg;
    this.live[i] = live;
    if (this.armedEvent === -1) this.armNext();
    return ticket;
  }

  /** Cancels the timer of `ticket` (a no-op if it already ran or was cancelled). */
  cancel(ticket: number): void {
    if (ticket < this.head || ticket >= this.tail) return;
    const i = ticket & this.mask;
    if (this.live[i] === 0) return;
    this.live[i] = 0;
    if (ticket === this.armedTicket) {
      this.sim.cancel(this.armedEvent);
      this.armedEvent = -1;
      this.armedTicket = -1;
      this.armNext();
    }
  }

  private fire(ticket: number): void {
    const i = ticket & this.mask;
    const arg = this.args[i];
    const filled = this.live[i] === 1;
    this.live[i] = 0;
    this.armedEvent = -1;
    this.armedTicket = -1;
    // The next one enters the heap before the handler runs: it precedes, in (time, seq) order,
    // anything the handler schedules.
    this.armNext();
    if (filled) this.handler(arg);
  }

  /** Drops dead entries at the head and schedules the first live one, if any. */
  private armNext(): void {
    const live = this.live;
    const mask = this.mask;
    while (this.head < this.tail && live[this.head & mask] === 0) this.head++;
    if (this.head === this.tail) return;
    const i = this.head & mask;
    this.armedTicket = this.head;
    this.armedEvent = this.sim.atReserved(this.times[i], this.seqs[i], this.onFire, this.head);
  }

  private grow(): void {
    const cap = (this.mask + 1) * 2;
    const times = new Float64Array(cap);
    const seqs = new Float64Array(cap);
    const args = new Float64Array(cap);
    const live = new Uint8Array(cap);
    for (let t = this.head; t < this.tail; t++) {
      const from = t & this.mask;
      const to = t & (cap - 1);
      times[to] = this.times[from];
      seqs[to] = this.seqs[from];
      args[to] = this.args[from];
      live[to] = this.live[from];
    }
    this.times = times;
    this.seqs = seqs;
    this.args = args;
    this.live = live;
    this.mask = cap - 1;
  }
}
