/**
 * fabric/sockets: the client endpoints of every host, in one table.
 *
 * Owns: a map from (host id, endpoint key) to an endpoint object, where the key is
 * protocol * 65536 + local port (icmp: echo id): open addressing with linear probing over
 * typed arrays for the keys (deletion by backward shift, doubling when half full) and one
 * array for the values, with a count of endpoints per host and each entry's insertion number
 * (a host's endpoints are listed in the order they were opened, as a Map would). One table instead of a Map per
 * host: at 10^6 hosts that was 10^6 Maps to allocate and walk, and three dependent loads per
 * lookup.
 * Does not own: what an endpoint is or does (fabric/fabric.ts).
 */

export class SocketTable<T extends object> {
  private hosts: Int32Array;
  private keys: Int32Array;
  private values: (T | undefined)[];
  private seqs: Float64Array;
  private nextSeq = 0;
  private mask: number;
  private count = 0;
  /** Endpoints per host (grown as host ids appear). */
  private perHost: Int32Array;

  constructor(expected = 16) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.hosts = new Int32Array(cap).fill(-1);
    this.keys = new Int32Array(cap);
    this.values = new Array<T | undefined>(cap).fill(undefined);
    this.seqs = new Float64Array(cap);
    this.mask = cap - 1;
    this.perHost = new Int32Array(64);
  }

  get size(): number {
    return this.count;
  }

  /** Endpoints host `host` has. */
  countOf(host: number): number {
    return host < this.perHost.length ? this.perHost[host] : 0;
  }

  private slotOf(host: number, key: number): number {
    let h = Math.imul(host, 0x9e3779b1) ^ Math.imul(key, 0x85ebca77);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    return h & this.mask;
  }

  private find(host: number, key: number): number {
    const hosts = this.hosts;
    const keys = this.keys;
    const mask = this.mask;
    let i = this.slotOf(host, key);
    for (;;) {
      const h = hosts[i];
      if (h === -1) return -1;
      if (h === host && keys[i] === key) return i;
      i = (i + 1) & mask;
    }
  }

  get(host: number, key: number): T | undefined {
    const i = this.find(host, key);
    return i < 0 ? undefined : this.values[i];
  }

  /** Stores `value` for (host, key), replacing any (which keeps its place in the order). */
  set(host: number, key: number, value: T): void {
    if (!(host >= 0)) throw new RangeError(`host ids are >= 0, got ${host}`);
    this.insert(host, key, value, this.nextSeq);
  }

  private insert(host: number, key: number, value: T, seq: number): void {
    let i = this.slotOf(host, key);
    for (;;) {
      const h = this.hosts[i];
      if (h === -1) break;
      if (h === host && this.keys[i] === key) {
        this.values[i] = value;
        return;
      }
      i = (i + 1) & this.mask;
    }
    this.hosts[i] = host;
    this.keys[i] = key;
    this.values[i] = value;
    this.seqs[i] = seq;
    if (seq >= this.nextSeq) this.nextSeq = seq + 1;
    if (host >= this.perHost.length) {
      let n = this.perHost.length;
      while (n <= host) n *= 2;
      const grown = new Int32Array(n);
      grown.set(this.perHost);
      this.perHost = grown;
    }
    this.perHost[host]++;
    if (++this.count * 2 > this.mask + 1) this.grow();
  }

  /** Removes (host, key); true if it was there. */
  delete(host: number, key: number): boolean {
    const i = this.find(host, key);
    if (i < 0) return false;
    this.removeAt(i);
    return true;
  }

  /** Every endpoint of `host`, in the order they were added (a snapshot: removing while iterating is fine). O(capacity). */
  of(host: number): T[] {
    if (this.countOf(host) === 0) return [];
    const found: number[] = [];
    for (let i = 0; i <= this.mask; i++) if (this.hosts[i] === host) found.push(i);
    found.sort((a, b) => this.seqs[a] - this.seqs[b]);
    return found.map((i) => this.values[i]!);
  }

  /** Removes every endpoint of `host`. */
  clearHost(host: number): void {
    if (this.countOf(host) === 0) return;
    // Backward shifts move entries towards lower slots; rescan a slot after removing there.
    for (let i = 0; i <= this.mask && this.perHost[host] > 0; ) {
      if (this.hosts[i] === host) this.removeAt(i);
      else i++;
    }
  }

  private removeAt(i: number): void {
    const hosts = this.hosts;
    const keys = this.keys;
    const values = this.values;
    const mask = this.mask;
    this.perHost[hosts[i]]--;
    this.count--;
    let hole = i;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (hosts[j] === -1) break;
      const home = this.slotOf(hosts[j], keys[j]);
      const between = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!between) {
        hosts[hole] = hosts[j];
        keys[hole] = keys[j];
        values[hole] = values[j];
        this.seqs[hole] = this.seqs[j];
        hole = j;
      }
    }
    hosts[hole] = -1;
    values[hole] = undefined;
  }

  private grow(): void {
    const oldHosts = this.hosts;
    const oldKeys = this.keys;
    const oldValues = this.values;
    const oldSeqs = this.seqs;
    const cap = (this.mask + 1) * 2;
    this.hosts = new Int32Array(cap).fill(-1);
    this.keys = new Int32Array(cap);
    this.values = new Array<T | undefined>(cap).fill(undefined);
    this.seqs = new Float64Array(cap);
    this.mask = cap - 1;
    this.count = 0;
    this.perHost.fill(0);
    for (let i = 0; i < oldHosts.length; i++) if (oldHosts[i] !== -1) this.insert(oldHosts[i], oldKeys[i], oldValues[i]!, oldSeqs[i]);
  }
}
