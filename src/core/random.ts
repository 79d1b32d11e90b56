/**
 * core/random: named, seeded random streams.
 *
 * Owns: deterministic pseudo-random numbers. Each stream is derived from the run's seed and
 * its own name, so adding draws to one stream (say, latency jitter) never shifts another
 * (say, address assignment). Built on seedrandom's Alea generator.
 * Does not own: any use of the numbers. `Math.random` never reaches simulated behaviour.
 */
import seedrandom from 'seedrandom';

export class RandomStream {
  private readonly prng: () => number;

  constructor(seed: string, name: string) {
    this.prng = seedrandom.alea(`${seed}\u0000${name}`);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.prng();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.prng() * n);
  }

  /** Exponentially distributed with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.prng());
  }
}

export class RandomStreams {
  private readonly streams = new Map<string, RandomStream>();

  constructor(readonly seed: string) {}

  stream(name: string): RandomStream {
    let s = this.streams.get(name);
    if (!s) {
      s = new RandomStream(this.seed, name);
      this.streams.set(name, s);
    }
    return s;
  }
}
