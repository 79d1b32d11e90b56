/**
 * fabric/denials: denials kept as numbers until someone reads them.
 *
 * Owns: the log of the denials the fabric defers (DenialLog): for each, the receiver's groups
 * as they were (its Receiver), the two hosts, and the packet's protocol, key, addresses, path
 * and the sender's groups, as rows of typed arrays; and making a row into the PacketDenial the
 * fabric would have built at once (explain), when a flow's explanation is first read
 * (flows.ts Flow). Everything a denial is decided from is kept by value or by reference to
 * something that never changes (a Receiver is replaced, not changed, when rules change; a
 * host's name and group list never change), so the denial made later is the one the fabric
 * would have made then. Only denials with no pending rule change and no expired conntrack
 * entry are deferred (those carry more context; the fabric builds them at once).
 * Does not own: deciding (policy/), or when to defer (Fabric.arrive).
 */
import type { Ip } from '../net/ipv4.ts';
import type { Receiver } from '../policy/index.ts';
import { PacketDenial, type Denial } from '../policy/evaluate.ts';
import type { DeferredExplanations, Explanation } from './flows.ts';

export class DenialLog implements DeferredExplanations {
  private receiver: (Receiver | null)[] = [];
  private senderGroups: (readonly string[] | null)[] = [];
  private to = new Int32Array(1024);
  private from = new Int32Array(1024);
  private proto = new Int32Array(1024);
  private key = new Int32Array(1024);
  private src = new Float64Array(1024);
  private dst = new Float64Array(1024);
  private privatePath = new Uint8Array(1024);
  private count = 0;

  /** `names`: a host's name by its number (names never change). */
  constructor(private readonly names: (host: number) => string) {}

  /** Rows logged so far. */
  get size(): number {
    return this.count;
  }

  add(receiver: Receiver, to: number, from: number, proto: number, key: number, src: Ip, dst: Ip, privatePath: boolean, senderGroups: readonly string[] | null): number {
    const i = this.count++;
    if (i === this.to.length) this.grow();
    this.receiver.push(receiver);
    this.senderGroups.push(senderGroups);
    this.to[i] = to;
    this.from[i] = from;
    this.proto[i] = proto;
    this.key[i] = key;
    this.src[i] = src;
    this.dst[i] = dst;
    this.privatePath[i] = privatePath ? 1 : 0;
    return i;
  }

  /** The denial of row `i`, as Fabric.deny would have built it when it was logged. */
  explain(i: number): Explanation {
    if (!(i >= 0 && i < this.count)) throw new RangeError(`no denial ${i} in the log`);
    const r = this.receiver[i]!;
    const denial: Denial = new PacketDenial(
      r.groups,
      r.flats,
      this.proto[i],
      this.key[i],
      this.src[i],
      this.privatePath[i] === 1,
      this.senderGroups[i],
      this.names(this.to[i]),
      this.names(this.from[i]),
      this.dst[i],
      null,
      null,
    );
    return denial as Explanation;
  }

  private grow(): void {
    const n = this.to.length * 2;
    const widen = <T extends Int32Array | Float64Array | Uint8Array>(a: T, b: T): T => {
      b.set(a);
      return b;
    };
    this.to = widen(this.to, new Int32Array(n));
    this.from = widen(this.from, new Int32Array(n));
    this.proto = widen(this.proto, new Int32Array(n));
    this.key = widen(this.key, new Int32Array(n));
    this.src = widen(this.src, new Float64Array(n));
    this.dst = widen(this.dst, new Float64Array(n));
    this.privatePath = widen(this.privatePath, new Uint8Array(n));
  }
}
