/**
 * test/core/delayline: timers held in a line, only the earliest in the event heap.
 *
 * Owns: that a DelayLine's timers run exactly where events scheduled with Simulator.at when
 * they were added would (same times, same order among equal times, same events counted),
 * under random interleavings of other events, adds, holds, fills and cancels (a differential
 * property); that a held place runs nothing until filled;
 * that it refuses times out of order or in the past; reserve/atReserved's own contract.
 * Does not own: the kernel's order itself (simulator.test.ts).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Simulator } from '../../src/core/simulator.ts';
import { DelayLine } from '../../src/core/delayline.ts';

/** What a timer facility must offer the driver: the line, or plain events as the reference. */
interface Timers {
  add(time: number, arg: number): number;
  hold(time: number): number;
  fill(ticket: number, arg: number): boolean;
  cancel(ticket: number): void;
}

/** The reference: each timer its own event, scheduled when added; the same refusals as a line. */
class PlainTimers implements Timers {
  private last = -Infinity;
  private ids: number[] = [];
  private pending = 0;
  private readonly done = new Set<number>();
  /** Arguments of held tickets once filled (undefined: held, not filled). */
  private readonly args = new Map<number, number | undefined>();
  constructor(
    private readonly sim: Simulator,
    private readonly handler: (arg: number) => void,
  ) {}
  add(time: number, arg: number): number {
    const ticket = this.hold(time);
    if (ticket >= 0) this.args.set(ticket, arg);
    return ticket;
  }
  hold(time: number): number {
    if (time < this.sim.now || (this.pending > 0 && time < this.last)) return -1;
    const ticket = this.ids.length;
    this.pending++;
    this.last = time;
    this.args.set(ticket, undefined);
    this.ids.push(
      this.sim.at(time, () => {
        this.done.add(ticket);
        this.pending--;
        const arg = this.args.get(ticket);
        if (arg !== undefined) this.handler(arg);
      }),
    );
    return ticket;
  }
  fill(ticket: number, arg: number): boolean {
    if (this.done.has(ticket) || !this.args.has(ticket) || this.args.get(ticket) !== undefined) return false;
    this.args.set(ticket, arg);
    return true;
  }
  cancel(ticket: number): void {
    if (ticket < 0 || ticket >= this.ids.length || this.done.has(ticket)) return;
    this.done.add(ticket);
    this.pending--;
    this.sim.cancel(this.ids[ticket]);
  }
}

/** One step of the driver, taken by each event as it runs. */
interface Step {
  /** Delay of a plain event to schedule (ties are likely: small values). */
  plain: number;
  /** Delay of a timer to add, or -1 for none. */
  timer: number;
  /** Whether the timer is only held (its argument given later by a fill), not added. */
  held: boolean;
  /** Which earlier ticket to fill (index into the tickets so far, modulo), or -1. */
  fill: number;
  /** Which earlier ticket to cancel (index into the tickets so far, modulo), or -1. */
  cancel: number;
}

function drive(steps: readonly Step[], lineOf: (sim: Simulator, handler: (arg: number) => void) => Timers) {
  const sim = new Simulator({ seed: 'delayline' });
  const log: string[] = [];
  const tickets: number[] = [];
  let next = 0;
  let labels = 0;
  const act = (what: string) => {
    log.push(`${sim.now} ${what}`);
    if (next >= steps.length) return;
    const s = steps[next++];
    if (s.plain >= 0) {
      const label = labels++;
      sim.schedule(s.plain, () => act(`plain ${label}`));
    }
    if (s.timer >= 0) {
      const label = labels++;
      const t = s.held ? timers.hold(sim.now + s.timer) : timers.add(sim.now + s.timer, label);
      log.push(`${sim.now} ${s.held ? 'hold' : 'add'} ${label} -> ${t >= 0 ? 'ok' : 'refused'}`);
      if (t >= 0) tickets.push(t);
    }
    if (s.fill >= 0 && tickets.length > 0) {
      const label = labels++;
      log.push(`${sim.now} fill ${label} -> ${timers.fill(tickets[s.fill % tickets.length], label)}`);
    }
    if (s.cancel >= 0 && tickets.length > 0) timers.cancel(tickets[s.cancel % tickets.length]);
  };
  const timers = lineOf(sim, (arg) => act(`timer ${arg}`));
  sim.at(0, () => act('start'));
  sim.at(0, () => act('start2'));
  sim.run();
  return { log, now: sim.now, events: sim.eventsRun, pending: sim.pending };
}

const step = fc.record({
  plain: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 4 })),
  timer: fc.oneof(fc.constant(-1), fc.constantFrom(0, 3, 3, 3, 5)),
  held: fc.boolean(),
  fill: fc.oneof(fc.constant(-1), fc.constant(-1), fc.nat(50)),
  cancel: fc.oneof(fc.constant(-1), fc.nat(50)),
});

describe('DelayLine', () => {
  it('runs timers exactly as events scheduled when they were added (differential, random interleavings)', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 120 }), (steps) => {
        const line = drive(steps, (sim, h) => new DelayLine(sim, h));
        const plain = drive(steps, (sim, h) => new PlainTimers(sim, h));
        expect(line).toEqual(plain);
      }),
      { numRuns: 400 },
    );
  });

  it('holds one event in the heap however many timers wait', () => {
    const sim = new Simulator();
    const fired: number[] = [];
    const line = new DelayLine(sim, (a) => fired.push(a));
    for (let i = 0; i < 1000; i++) line.add(1000 + i, i);
    expect(sim.pending).toBe(1);
    expect(line.size).toBe(1000);
    for (let i = 0; i < 1000; i += 2) line.cancel(i);
    expect(line.size).toBe(500);
    expect(sim.pending).toBe(2); // the cancelled head stays in the heap until skipped
    sim.run();
    expect(fired).toEqual(Array.from({ length: 500 }, (_, k) => 2 * k + 1));
    expect(sim.eventsRun).toBe(500);
    expect(line.size).toBe(0);
  });

  it('a held place runs nothing until filled, keeps its place among equal times, and fills once', () => {
    const sim = new Simulator();
    const seen: string[] = [];
    const line = new DelayLine(sim, (a) => seen.push(`timer ${a}`));
    const held = line.hold(10);
    sim.at(10, () => seen.push('plain after'));
    const unfilled = line.hold(20);
    expect(line.size).toBe(2);
    expect(sim.pending).toBe(2); // the held place is in the heap: it is the earliest
    expect(line.fill(held, 7)).toBe(true);
    expect(line.fill(held, 8)).toBe(false); // filled already
    expect(line.fill(99, 1)).toBe(false); // never issued
    expect(line.hold(15)).toBe(-1); // out of order, as add
    sim.run();
    expect(seen).toEqual(['timer 7', 'plain after']);
    expect(line.fill(unfilled, 3)).toBe(false); // it fell due unfilled: gone
    expect(sim.eventsRun).toBe(3);
    const c = line.hold(30);
    line.cancel(c);
    expect(line.fill(c, 4)).toBe(false);
    sim.run();
    expect(seen).toEqual(['timer 7', 'plain after']);
  });

  it('refuses a time earlier than the last one pending, or in the past, and schedules nothing', () => {
    const sim = new Simulator();
    const line = new DelayLine(sim, () => {});
    expect(line.add(100, 0)).toBe(0);
    expect(line.add(99, 1)).toBe(-1);
    expect(line.add(100, 2)).toBe(1);
    sim.run();
    expect(sim.now).toBe(100);
    expect(line.add(50, 3)).toBe(-1);
    expect(line.add(60_000, 4)).toBe(2);
    expect(line.size).toBe(1);
  });

  it('takes a time earlier than a cancelled or finished timer once none is pending', () => {
    const sim = new Simulator();
    const fired: number[] = [];
    const line = new DelayLine(sim, (a) => fired.push(a));
    const t = line.add(500, 0);
    line.cancel(t);
    // Nothing pending: any time from now on is in order.
    expect(line.add(400, 1)).toBeGreaterThanOrEqual(0);
    const u = line.add(600, 2);
    line.cancel(u);
    // The cancelled 600 is behind a pending timer, still in the line: it is conservative and refuses.
    expect(line.add(550, 3)).toBe(-1);
    sim.run();
    expect(line.add(10, 4)).toBe(-1); // in the past
    expect(line.add(sim.now, 5)).toBeGreaterThanOrEqual(0);
    sim.run();
    expect(fired).toEqual([1, 5]);
  });

  it('ignores cancelling a ticket that ran, was cancelled or never existed', () => {
    const sim = new Simulator();
    const fired: number[] = [];
    const line = new DelayLine(sim, (a) => fired.push(a));
    const a = line.add(10, 1);
    const b = line.add(20, 2);
    sim.run(15);
    line.cancel(a);
    line.cancel(b);
    line.cancel(b);
    line.cancel(99);
    line.cancel(-1);
    sim.run();
    expect(fired).toEqual([1]);
  });

  it('counts a full ring once (size)', () => {
    const sim = new Simulator();
    const line = new DelayLine(sim, () => {});
    for (let i = 0; i < 64; i++) line.add(10 + i, i); // exactly the first ring's 64 entries
    expect(line.size).toBe(64);
    line.add(200, 64); // the 65th grows it
    expect(line.size).toBe(65);
  });

  it('a stale or never-issued ticket cancels nothing, even where the ring reuses its place', () => {
    const sim = new Simulator();
    const fired: number[] = [];
    const line = new DelayLine(sim, (a) => fired.push(a));
    const old: number[] = [];
    for (let i = 0; i < 10; i++) old.push(line.add(1 + i, i));
    sim.run(); // tickets 0..9 ran
    for (let i = 10; i < 70; i++) line.add(100 + i, i); // tickets 10..69: 64..69 take 0..9's places
    for (const t of old) line.cancel(t);
    line.cancel(84); // never issued; its place is live ticket 20's
    line.cancel(10 + 64 * 5);
    sim.run();
    expect(fired).toEqual(Array.from({ length: 70 }, (_, i) => i));
  });

  it('a stale or never-issued ticket fills nothing, even where the ring reuses its place for a held one', () => {
    const sim = new Simulator();
    const fired: number[] = [];
    const line = new DelayLine(sim, (a) => fired.push(a));
    const old = line.hold(1); // ticket 0, held
    line.cancel(old);
    for (let i = 0; i < 64; i++) line.add(2 + i, i); // tickets 1..64: ticket 64 takes ticket 0's place
    sim.run(); // all ran: the line is empty, head = tail = 65
    const held = line.hold(1000); // ticket 65, in ticket 1's place
    for (let i = 0; i < 63; i++) line.hold(1001 + i); // tickets 66..128: 128 takes 64's (and 0's) place
    expect(line.fill(old, 99)).toBe(false); // ran long ago; its place now holds ticket 128
    expect(line.fill(1, 98)).toBe(false); // ran; its place holds ticket 65
    expect(line.fill(129, 97)).toBe(false); // never issued
    expect(line.fill(held, 7)).toBe(true);
    sim.run();
    expect(fired).toEqual([...Array.from({ length: 64 }, (_, i) => i), 7]);
  });

  it('grows past its first ring without losing order', () => {
    const sim = new Simulator();
    const fired: number[] = [];
    const line = new DelayLine(sim, (a) => fired.push(a));
    sim.at(5, () => {
      for (let i = 0; i < 300; i++) line.add(10 + Math.floor(i / 7), i);
    });
    for (let i = 0; i < 50; i++) line.add(7, 1000 + i); // 50 timers before the burst
    sim.run();
    expect(fired).toEqual([...Array.from({ length: 50 }, (_, i) => 1000 + i), ...Array.from({ length: 300 }, (_, i) => i)]);
  });
});

describe('Simulator.reserve / atReserved', () => {
  it('runs an event in the place of its reserved number', () => {
    const sim = new Simulator();
    const seen: string[] = [];
    const seq = sim.reserve();
    sim.at(10, () => seen.push('later'));
    sim.atReserved(10, seq, () => seen.push('reserved first'));
    sim.run();
    expect(seen).toEqual(['reserved first', 'later']);
  });

  it('rejects a number that was not reserved', () => {
    const sim = new Simulator();
    expect(() => sim.atReserved(10, 0, () => {})).toThrow(RangeError);
    const seq = sim.reserve();
    expect(() => sim.atReserved(10, seq + 1, () => {})).toThrow(/not reserved/);
    expect(() => sim.atReserved(10, 0.5, () => {})).toThrow(/not reserved/);
    expect(() => sim.atReserved(10, -1, () => {})).toThrow(/sequence number -1 was not reserved/);
  });

  it('at() in the past takes no sequence number (the next event gets the one it would have)', () => {
    const sim = new Simulator();
    sim.at(10, () => {
      expect(() => sim.at(5, () => {})).toThrow(RangeError);
      expect(sim.reserve()).toBe(1);
    });
    sim.run();
  });

  it('rejects a time in the past, as at() does', () => {
    const sim = new Simulator();
    sim.at(10, () => {
      const seq = sim.reserve();
      expect(() => sim.atReserved(5, seq, () => {})).toThrow('cannot schedule at 5 ns: now is 10 ns');
    });
    sim.run();
  });
});
