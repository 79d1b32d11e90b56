/**
 * core/random: named, seeded random streams.
 *
 * Owns: deterministic pseudo-random numbers. Each stream is derived from the run's seed and
 * its own name, so adding draws to one stream (say, latency jitter) never shifts another
 * (say, address assignment). Built on seedrandom's Alea generator. Also keyed draws
 * (`keyedUniform`): a number that depends only on a key and two counters, for randomness that
 * must not depend on the order in which independent things draw.
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

/** Mixes 32 bits (the murmur3 finaliser with the constants of "lowbias32"). */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Uniform in [0, 1), determined by (key, a, b) alone: the b-th draw of sequence a under key.
 * A counter-based generator: no state, so draws in one sequence never shift another's. Keys
 * come from a named stream (`Math.floor(stream.next() * 2 ** 32)`), so they follow the seed.
 */
export function keyedUniform(key: number, a: number, b: number): number {
  return mix32(key ^ mix32(Math.imul(a, 0x9e3779b9) ^ mix32(b + 0x632be5ab))) / 4294967296;
}
