/**
 * bench/w1-common: what the W1 "hold model" implementations share (see
 * bench/README.md, W1), so both do exactly the same work.
 *
 * Owns: W1's parameters and outcome, and the delay draw d = round(-1e6 · ln(1 − u)) ns from
 * one named sgsim RandomStream — the same stream the sgsim run gets from `sim.random(...)`, so
 * both implementations see the same delays and (with the same (time, FIFO) order) end at the
 * same simulated time.
 * Does not own: the event queues (bench/w1-hold.ts for sgsim, bench/w1-bare-heap.ts for the
 * baseline).
 */
import type { RandomStream } from '../src/core/random.ts';

export interface W1Params {
  /** H: timers pending at once. */
  timers: number;
  /** E: fires in total; the run stops at the E-th. */
  events: number;
  /** The run's seed (sgsim seeds are strings; "1" for seed 1). */
  seed: string;
}

export interface W1Outcome {
  fired: number;
  /** Simulated time of the E-th fire, integer ns. */
  simEndNs: number;
  setupS: number;
  loopS: number;
}

/** The name of the random stream both implementations draw delays from. */
export const W1_STREAM = 'w1.delay';

/** Mean delay 1 ms = 1e6 ns. */
const MEAN_NS = 1e6;

/** One exponential delay with mean 1 ms, rounded to the nearest integer ns. */
export function drawDelayNs(rng: RandomStream): number {
  return Math.round(-MEAN_NS * Math.log(1 - rng.next()));
}
