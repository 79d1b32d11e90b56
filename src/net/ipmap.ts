/**
 * net/ipmap: a map from IPv4 addresses (uint32) to non-negative integers (host ids).
 *
 * Owns: an open-addressing hash table with linear probing over two typed arrays, deletion by
 * backward shift (no tombstones), doubling when half full. A lookup is usually one cache line,
 * where a Map of 10^6 numeric keys walks a bucket chain of heap objects; the fabric asks one for
 * every packet it routes.
 * Does not own: what the numbers mean (fabric/).
 */

const EMPTY = -1;

export class IpMap {
  private keys: Uint32Array;
  private values: Int32Array;
  private mask: number;
  private count = 0;

  constructor(expected = 16) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.keys = new Uint32Array(cap);
    this.values = new Int32Array(cap).fill(EMPTY);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  private slotOf(ip: number): number {
    let h = Math.imul(ip, 0x9e3779b1);
    h ^= h >>> 15;
    return h & this.mask;
  }

  /** The slot holding `ip`, or -1. */
  private find(ip: number): number {
    const keys = this.keys;
    const values = this.values;
    const mask = this.mask;
    let i = this.slotOf(ip);
    for (;;) {
      if (values[i] === EMPTY) return -1;
      if (keys[i] === ip) return i;
      i = (i + 1) & mask;
    }
  }

  /** The value stored for `ip`, or -1. */
  get(ip: number): number {
    const i = this.find(ip >>> 0);
    return i < 0 ? EMPTY : this.values[i];
  }

  /** Stores `value` (>= 0) for `ip`, replacing any. */
  set(ip: number, value: number): void {
    if (!(value >= 0 && value <= 0x7fffffff && Number.isInteger(value))) throw new RangeError(`IpMap values are int32 >= 0, got ${value}`);
    ip >>>= 0;
    let i = this.slotOf(ip);
    for (;;) {
      const v = this.values[i];
      if (v === EMPTY) break;
      if (this.keys[i] === ip) {
        this.values[i] = value;
        return;
      }
      i = (i + 1) & this.mask;
    }
    this.keys[i] = ip;
    this.values[i] = value;
    if (++this.count * 2 > this.mask + 1) this.grow();
  }

  /** Removes `ip`; true if it was there. */
  delete(ip: number): boolean {
    const i = this.find(ip >>> 0);
    if (i < 0) return false;
    const keys = this.keys;
    const values = this.values;
    const mask = this.mask;
    // Backward-shift deletion: move later entries of the probe run into the hole when their
    // home slot does not lie (cyclically) between the hole and them.
    let hole = i;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (values[j] === EMPTY) break;
      const home = this.slotOf(keys[j]);
      const between = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!between) {
        keys[hole] = keys[j];
        values[hole] = values[j];
        hole = j;
      }
    }
    values[hole] = EMPTY;
    this.count--;
    return true;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const cap = (this.mask + 1) * 2;
    this.keys = new Uint32Array(cap);
    this.values = new Int32Array(cap).fill(EMPTY);
    this.mask = cap - 1;
    this.count = 0;
    for (let i = 0; i < oldValues.length; i++) if (oldValues[i] !== EMPTY) this.set(oldKeys[i], oldValues[i]);
  }
}
