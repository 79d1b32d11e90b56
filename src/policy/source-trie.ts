/**
 * policy/source-trie: the CIDR rules of one receiver and protocol, as a binary trie over
 * source-address bits (part of the compiled index, policy/compiled.ts).
 *
 * Owns: `SourceTrie` — built rule by rule, sealed into typed arrays with one merged segment
 * table per prefix-ending node, and a direct table of its first levels for large tries.
 * Does not own: group-referencing rules (policy/compiled.ts), the tables (policy/segments.ts).
 */
import { NONE, SegmentTable, packTables, searchPacked, type Item } from './segments.ts';

/** Bits of the source address a trie resolves in one step (SourceTrie.buildDirect): the
 * trie's size rounded down to a power of two (so the table costs 8 bytes a node, a third of
 * the trie's own), within these bounds. */
const DIRECT_MIN_BITS = 8;
const DIRECT_MAX_BITS = 16;

/**
 * A binary trie over source-address bits. Each node that ends some CIDR rule holds one
 * segment table merging its own rules with those of every shorter prefix above it, so a lookup
 * walks the address's bits to the deepest such node and does one binary search. Sealed, the
 * trie is typed arrays: children by node, and every table in one arena as (start, best)
 * pairs, so a lookup follows no object. A trie of 256 nodes or more also gets a table of its
 * first b levels (b = log2 of its size, 8 to 16), by the address's top b bits: the node there
 * and the deepest table on the way, so a lookup starts b levels down (the walk through those
 * levels, a dependent load each, was most of a large receiver's lookup).
 */
export class SourceTrie {
  private child0: number[] = [-1];
  private child1: number[] = [-1];
  private own: (Item[] | null)[] = [null];
  private depth = 0;
  // Sealed:
  private c0 = new Int32Array(0);
  private c1 = new Int32Array(0);
  /** Per node, where its table starts in `seg` (-1: none). */
  private tableAt = new Int32Array(0);
  /** The tables: at each one's start its segment count n, then n (start key, best rule) pairs. */
  private seg = new Int32Array(0);
  /** For a trie of 256 nodes or more: by the address's top `directBits` bits, the node at that
   * depth (-1: none) and the deepest table from the root to there (-1: none). */
  private directBits = 0;
  private directNode: Int32Array | null = null;
  private directTable: Int32Array | null = null;

  add(base: number, prefix: number, item: Item): void {
    let node = 0;
    for (let i = 0; i < prefix; i++) {
      const bit = (base >>> (31 - i)) & 1;
      const children = bit ? this.child1 : this.child0;
      let next = children[node];
      if (next < 0) {
        next = this.child0.length;
        this.child0.push(-1);
        this.child1.push(-1);
        this.own.push(null);
        children[node] = next;
      }
      node = next;
    }
    if (prefix > this.depth) this.depth = prefix;
    (this.own[node] ??= []).push(item);
  }

  /** Builds the merged tables (depth-first, carrying the items of the prefixes above). */
  seal(): void {
    const n = this.child0.length;
    const tables: SegmentTable[] = [];
    const nodes: number[] = [];
    const stack: { node: number; inherited: Item[] }[] = [{ node: 0, inherited: [] }];
    while (stack.length > 0) {
      const { node, inherited } = stack.pop()!;
      let items = inherited;
      const own = this.own[node];
      if (own) {
        items = inherited.concat(own);
        tables.push(SegmentTable.build(items));
        nodes.push(node);
      }
      if (this.child0[node] >= 0) stack.push({ node: this.child0[node], inherited: items });
      if (this.child1[node] >= 0) stack.push({ node: this.child1[node], inherited: items });
    }
    this.own = [];
    this.c0 = Int32Array.from(this.child0);
    this.c1 = Int32Array.from(this.child1);
    this.child0 = [];
    this.child1 = [];
    const { seg, at } = packTables(tables);
    this.seg = seg;
    this.tableAt = new Int32Array(n).fill(-1);
    for (let k = 0; k < nodes.length; k++) this.tableAt[nodes[k]] = at[k];
    const bits = Math.min(DIRECT_MAX_BITS, Math.floor(Math.log2(n)));
    if (bits >= DIRECT_MIN_BITS) this.buildDirect(bits);
  }

  private buildDirect(bits: number): void {
    const size = 1 << bits;
    const nodes = new Int32Array(size).fill(-1);
    const tables = new Int32Array(size).fill(-1);
    // Depth-first to depth `bits`: a missing child fills its whole range of top bits at once.
    const visit = (node: number, depth: number, prefix: number, best: number): void => {
      if (this.tableAt[node] >= 0) best = this.tableAt[node];
      if (depth === bits) {
        nodes[prefix] = node;
        tables[prefix] = best;
        return;
      }
      for (let bit = 0; bit < 2; bit++) {
        const child = bit === 1 ? this.c1[node] : this.c0[node];
        const v = prefix * 2 + bit;
        if (child >= 0) visit(child, depth + 1, v, best);
        else {
          const shift = bits - depth - 1;
          tables.fill(best, v << shift, (v + 1) << shift);
        }
      }
    };
    visit(0, 0, 0, -1);
    this.directBits = bits;
    this.directNode = nodes;
    this.directTable = tables;
  }

  lookup(source: number, key: number): number {
    const tableAt = this.tableAt;
    let table: number;
    let node: number;
    let i: number;
    const direct = this.directNode;
    if (direct !== null) {
      const top = source >>> (32 - this.directBits);
      table = this.directTable![top];
      node = direct[top];
      i = node < 0 ? this.depth : this.directBits;
    } else {
      table = tableAt[0];
      node = 0;
      i = 0;
    }
    const c0 = this.c0;
    const c1 = this.c1;
    for (; i < this.depth; i++) {
      node = ((source >>> (31 - i)) & 1) === 1 ? c1[node] : c0[node];
      if (node < 0) break;
      const t = tableAt[node];
      if (t >= 0) table = t;
    }
    return table < 0 ? NONE : searchPacked(this.seg, table, key);
  }
}
