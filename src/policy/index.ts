/**
 * policy/index: security groups compiled for the hot path.
 *
 * Owns: an index over all the groups of one receiver that answers "the canonical rule admitting
 * this packet" without scanning the rules. Per protocol, CIDR rules live in a binary trie over
 * source-address bits, group rules in buckets by referenced group. Each trie node ending a
 * prefix, and each bucket, is a segment table over the 16-bit match key (port, or icmp
 * type<<8|code) holding, for every elementary interval, the lowest rule rank covering it; a
 * lookup is a walk down the source bits and a binary search. Cost: (≤ 32 trie steps + one
 * search) + (sender's groups × one search), whatever the number of rules. And `Receiver`: the
 * groups of one receiver matched by a plain scan until they have decided enough packets to be
 * worth compiling (most receivers of a large world see only a few); the scan reads each group's
 * rules flattened into numbers (`FlatRules`), not the rule objects. And `RuleArena`: flattened
 * groups laid out in one shared array, for a caller that keeps their offsets (the fabric, in
 * its per-host rows) and scans them without reading an object.
 * Does not own: the meaning of a rule (policy/match.ts is the definition this must agree with).
 */
import { ALL_PORTS, ICMP, TCP, UDP, icmpKeyRange, type PortRange } from '../net/protocol.ts';
import { maskOf } from '../net/ipv4.ts';
import type { Rule, SecurityGroup } from '../model/types.ts';

const NONE = 0x7fffffff;

/** Elementary intervals of the key space with the lowest rule index covering each. */
export class SegmentTable {
  constructor(
    readonly starts: Int32Array,
    readonly best: Int32Array,
  ) {}

  /** Lowest rule index covering `key`, or NONE. */
  lookup(key: number): number {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= key) lo = mid;
      else hi = mid - 1;
    }
    return this.best[lo];
  }

  static build(items: readonly { range: PortRange; rule: number }[]): SegmentTable {
    const points = new Set<number>([0]);
    for (const it of items) {
      points.add(it.range.from);
      if (it.range.to < 65535) points.add(it.range.to + 1);
    }
    const starts = Int32Array.from([...points].sort((a, b) => a - b));
    const best = new Int32Array(starts.length).fill(NONE);
    // Paint segments in rule order; each segment takes the first (lowest) rule that covers it.
    // `next[i]` skips painted segments (path-halving union-find), so building is near-linear.
    const next = Int32Array.from({ length: starts.length + 1 }, (_, i) => i);
    const find = (i: number): number => {
      while (next[i] !== i) {
        next[i] = next[next[i]];
        i = next[i];
      }
      return i;
    };
    const sorted = [...items].sort((a, b) => a.rule - b.rule);
    for (const it of sorted) {
      const first = segmentOf(starts, it.range.from);
      const last = segmentOf(starts, it.range.to);
      for (let i = find(first); i <= last; i = find(i)) {
        best[i] = it.rule;
        next[i] = i + 1;
      }
    }
    return new SegmentTable(starts, best);
  }
}

function segmentOf(starts: Int32Array, key: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= key) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

// ---------------------------------------------------------------------------------------------
// One index for all the groups of a receiver

/** A rule bucket item: the rule's rank among all the receiver's rules, and its key range. */
interface Item {
  readonly range: PortRange;
  readonly rule: number;
}

/**
 * Segment tables packed into one Int32Array, each as its segment count n then n (start key,
 * best rule) pairs; returns the arena and where each table starts in it. Lookups then follow
 * no object (searchPacked).
 */
function packTables(tables: readonly SegmentTable[]): { seg: Int32Array<ArrayBuffer>; at: number[] } {
  let size = 0;
  for (const t of tables) size += 1 + 2 * t.starts.length;
  const seg = new Int32Array(size);
  const at: number[] = [];
  let i = 0;
  for (const t of tables) {
    at.push(i);
    seg[i++] = t.starts.length;
    for (let k = 0; k < t.starts.length; k++) {
      seg[i++] = t.starts[k];
      seg[i++] = t.best[k];
    }
  }
  return { seg, at };
}

/** SegmentTable.lookup on the table packed at `at` in `seg` (packTables). */
function searchPacked(seg: Int32Array, at: number, key: number): number {
  let lo = 0;
  let hi = seg[at] - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (seg[at + 1 + 2 * mid] <= key) lo = mid;
    else hi = mid - 1;
  }
  return seg[at + 2 + 2 * lo];
}

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
class SourceTrie {
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

class ReceiverProtocolIndex {
  constructor(
    readonly trie: SourceTrie | null,
    /** Where each referenced group's segment table starts in `refSeg` (packTables). */
    readonly groupRefs: ReadonlyMap<string, number> | null,
    private readonly refSeg: Int32Array,
  ) {}

  lookup(key: number, source: number, senderGroups: readonly string[] | null): number {
    let best = this.trie === null ? NONE : this.trie.lookup(source, key);
    const refs = this.groupRefs;
    if (senderGroups !== null && refs !== null) {
      for (let i = 0; i < senderGroups.length; i++) {
        const at = refs.get(senderGroups[i]);
        if (at !== undefined) {
          const r = searchPacked(this.refSeg, at, key);
          if (r < best) best = r;
        }
      }
    }
    return best;
  }
}

/**
 * All the security groups of one receiver, compiled together: the union of their rules in one
 * index per protocol. Rules are ranked by (group position, rule index), so the lowest rank that
 * matches is the canonical rule to name (policy/evaluate.ts). Instances with the same groups
 * share one CompiledReceiver.
 */
export class CompiledReceiver {
  private constructor(
    readonly groups: readonly SecurityGroup[],
    /** Packed admission (groupPosition * 2^24 + ruleIndex) of each rank. */
    private readonly packedOfRank: Float64Array,
    private readonly tcp: ReceiverProtocolIndex,
    private readonly udp: ReceiverProtocolIndex,
    private readonly icmp: ReceiverProtocolIndex,
  ) {}

  /** Packed admission of the canonical admitting rule, or -1. */
  match(protocol: number, key: number, source: number, senderGroups: readonly string[] | null): number {
    const idx = protocol === TCP ? this.tcp : protocol === UDP ? this.udp : protocol === ICMP ? this.icmp : null;
    if (idx === null) return -1;
    const r = idx.lookup(key, source, senderGroups);
    return r === NONE ? -1 : this.packedOfRank[r];
  }

  static compile(groups: readonly SecurityGroup[]): CompiledReceiver {
    const total = groups.reduce((n, g) => n + g.ingress.length, 0);
    const packedOfRank = new Float64Array(total);
    const per = { tcp: [] as [Rule, Item][], udp: [] as [Rule, Item][], icmp: [] as [Rule, Item][] };
    let rank = 0;
    groups.forEach((group, g) => {
      group.ingress.forEach((rule, index) => {
        packedOfRank[rank] = g * 0x1000000 + index;
        if (rule.protocol === 'all') {
          for (const p of ['tcp', 'udp', 'icmp'] as const) per[p].push([rule, { range: ALL_PORTS, rule: rank }]);
        } else if (rule.protocol === 'icmp') {
          per.icmp.push([rule, { range: icmpKeyRange(rule.icmp ?? { type: -1, code: -1 }), rule: rank }]);
        } else {
          per[rule.protocol].push([rule, { range: rule.ports ?? ALL_PORTS, rule: rank }]);
        }
        rank++;
      });
    });
    return new CompiledReceiver(groups, packedOfRank, buildReceiverProtocol(per.tcp), buildReceiverProtocol(per.udp), buildReceiverProtocol(per.icmp));
  }
}

function buildReceiverProtocol(entries: readonly [Rule, Item][]): ReceiverProtocolIndex {
  let trie: SourceTrie | null = null;
  const byGroup = new Map<string, Item[]>();
  for (const [rule, item] of entries) {
    if (rule.source.kind === 'cidr') {
      trie ??= new SourceTrie();
      trie.add(rule.source.cidr.base, rule.source.cidr.prefix, item);
    } else {
      let list = byGroup.get(rule.source.group);
      if (!list) byGroup.set(rule.source.group, (list = []));
      list.push(item);
    }
  }
  trie?.seal();
  const names = [...byGroup.keys()];
  const { seg, at } = packTables(names.map((g) => SegmentTable.build(byGroup.get(g)!)));
  const refs = byGroup.size === 0 ? null : new Map(names.map((g, k) => [g, at[k]]));
  return new ReceiverProtocolIndex(trie, refs, seg);
}

// ---------------------------------------------------------------------------------------------
// One group's rules as numbers, for a plain scan

/** Int32s per rule in FlatRules.data: protocol (0: all), key from, key to, mask, base, ref. */
const STRIDE = 6;

/**
 * One group's ingress rules, in order, flattened into one Int32Array: per rule its protocol
 * number (0 for `all`), the key range it covers (ports, or icmp type<<8|code), and its source:
 * a CIDR as (mask, base) with ref -1, or the referenced group as an index into `refs`. A scan
 * of these reads a few cache lines per group; a scan of the rule objects follows four pointers
 * per rule, and in a large world (10^5 rules) each of them is a cache miss. Same meaning as
 * policy/match.ts (the property tests compare them).
 */
export class FlatRules {
  private constructor(
    readonly data: Int32Array,
    /** Referenced group names, by the ref a rule carries. */
    readonly refs: readonly string[],
  ) {}

  /** Number of rules. */
  get count(): number {
    return this.data.length / STRIDE;
  }

  static of(group: SecurityGroup): FlatRules {
    const rules = group.ingress;
    const data = new Int32Array(rules.length * STRIDE);
    const refs: string[] = [];
    for (let r = 0; r < rules.length; r++) {
      const rule = rules[r];
      const i = r * STRIDE;
      let range: PortRange = ALL_PORTS;
      if (rule.protocol === 'icmp') range = icmpKeyRange(rule.icmp ?? { type: -1, code: -1 });
      else if (rule.protocol !== 'all') range = rule.ports ?? ALL_PORTS;
      data[i] = rule.protocol === 'all' ? 0 : rule.protocol === 'tcp' ? TCP : rule.protocol === 'udp' ? UDP : ICMP;
      data[i + 1] = range.from;
      data[i + 2] = rule.protocol === 'all' ? 0x7fffffff : range.to;
      if (rule.source.kind === 'cidr') {
        // cidrContains: (ip & mask) >>> 0 === base, compared here as int32s.
        data[i + 3] = maskOf(rule.source.cidr.prefix) | 0;
        data[i + 4] = rule.source.cidr.base | 0;
        data[i + 5] = -1;
      } else {
        data[i + 5] = refs.length;
        refs.push(rule.source.group);
      }
    }
    return new FlatRules(data, refs);
  }
}

/** Whether the rule at `i` of flattened rules `d` covers the traffic (policy/match.ts coversTraffic). */
function coversFlat(d: Int32Array, i: number, protocol: number, key: number): boolean {
  const p = d[i];
  return (p === 0 || p === protocol) && key >= d[i + 1] && key <= d[i + 2];
}

/**
 * The canonical admission by a plain scan of flattened groups (`flats[g]` is
 * FlatRules.of(groups[g])): the same answer as CompiledReceiver.match, without an index and
 * without reading a rule object: the packed (group position, rule index) of the first rule, in
 * group then rule order, that covers the packet, or -1. `senderGroups` as for match: null
 * unless the packet came over the private path from a running instance.
 */
export function matchFlat(flats: readonly FlatRules[], protocol: number, key: number, source: number, senderGroups: readonly string[] | null): number {
  for (let g = 0; g < flats.length; g++) {
    const d = flats[g].data;
    const p = scanAdmits(d, 0, d.length, g, protocol, key, source, senderGroups, flats[g].refs, true);
    if (p >= 0) return p;
  }
  return -1;
}

/**
 * One group's rules, flattened, at d[start, end): the packed (g, rule index) of the first that
 * covers the packet, or -1. A group reference is resolved through `refs` (FlatRules.refs, or
 * RuleArena's numbering). `cidrs` false: CIDR rules never match, so the answer is the first
 * group rule naming one of `senderGroups` (firstSenderGroupRule: the rule a public-path packet
 * lost). The one scan of a group by group names: matchFlat, firstSenderGroupRule and
 * RuleArena's match and firstSenderGroupRule all use it (scanNumbered is its twin for senders
 * whose groups are numbers).
 */
function scanAdmits(d: Int32Array, start: number, end: number, g: number, protocol: number, key: number, source: number, senderGroups: readonly string[] | null, refs: readonly string[], cidrs: boolean): number {
  for (let i = start; i < end; i += STRIDE) {
    if (!coversFlat(d, i, protocol, key)) continue;
    const ref = d[i + 5];
    if (ref < 0 ? cidrs && (source & d[i + 3]) === d[i + 4] : senderGroups !== null && holds(senderGroups, refs[ref])) {
      return g * 0x1000000 + (i - start) / STRIDE;
    }
  }
  return -1;
}

/**
 * Whether the sender's group keys hold `key`: `keys.includes(key)` as a loop the compiler
 * inlines (includes was a builtin call per group-referencing rule scanned: 3% of W3's loop).
 */
function holds(keys: readonly string[], key: string): boolean {
  for (let i = 0; i < keys.length; i++) if (keys[i] === key) return true;
  return false;
}

/**
 * The first group-referencing rule, in group then rule order, that covers the traffic and names
 * a group in `senderGroups` (packed as matchFlat's answer), or -1: the rule that would admit a
 * packet had it kept its sender's group identity (policy/evaluate.ts's SG_REFERENCES_NOT_PRESERVED).
 */
export function firstSenderGroupRule(flats: readonly FlatRules[], protocol: number, key: number, senderGroups: readonly string[]): number {
  for (let g = 0; g < flats.length; g++) {
    const refs = flats[g].refs;
    if (refs.length === 0) continue;
    const d = flats[g].data;
    const p = scanAdmits(d, 0, d.length, g, protocol, key, 0, senderGroups, refs, false);
    if (p >= 0) return p;
  }
  return -1;
}

/**
 * Whether a sender whose groups are numbers in RuleArena's numbering (`count` of them, 0 to 2:
 * `g0`, `g1`) holds the group numbered `ref`.
 */
function holdsNumbered(ref: number, count: number, g0: number, g1: number): boolean {
  return count > 0 && (ref === g0 || (count > 1 && ref === g1));
}

/**
 * scanAdmits for a sender whose groups are numbers (holdsNumbered), over RuleArena's data: the
 * arena's scan of the settled path (the sender's numbers are in its row: no string is read).
 */
function scanNumbered(d: Int32Array, start: number, end: number, g: number, protocol: number, key: number, source: number, count: number, g0: number, g1: number, cidrs: boolean): number {
  for (let i = start; i < end; i += STRIDE) {
    if (!coversFlat(d, i, protocol, key)) continue;
    const ref = d[i + 5];
    if (ref < 0 ? cidrs && (source & d[i + 3]) === d[i + 4] : holdsNumbered(ref, count, g0, g1)) return g * 0x1000000 + (i - start) / STRIDE;
  }
  return -1;
}

/**
 * Flattened groups (FlatRules) laid out one after another in one shared Int32Array, so that
 * whoever keeps a group's offset (the fabric keeps its hosts' groups' offsets in its per-host
 * row of numbers) scans its rules without reading an object: reaching them through a
 * `Receiver` costs a chain of dependent loads (the receiver, its array of groups, each
 * `FlatRules`, its `Int32Array`, that array's buffer), each a cache miss in a large world
 * (docs/performance.md, seventh round). At a group's offset: the number of int32s that follow,
 * then its rules as in FlatRules.data, except that a group reference is the referenced group's
 * number here (`names`). A receiver's answer is its groups' answers in its order, as
 * matchFlat and firstSenderGroupRule give them (property tests compare them). Append-only;
 * `clear` starts it over (the caller adds again what it still uses, and forgets every offset).
 */
export class RuleArena {
  private data = new Int32Array(4096);
  private used = 0;
  /** Group names by the number a reference carries here. */
  private readonly names: string[] = [];
  private readonly numbers = new Map<string, number>();

  /** Int32s in use. */
  get size(): number {
    return this.used;
  }

  /** Int32s a group takes. */
  static sizeOf(flat: FlatRules): number {
    return 1 + flat.data.length;
  }

  /** Lays out one group's rules; returns their offset. */
  add(flat: FlatRules): number {
    const d = flat.data;
    const need = 1 + d.length;
    if (this.used + need > this.data.length) {
      const grown = new Int32Array(Math.max(this.data.length * 2, this.used + need));
      grown.set(this.data.subarray(0, this.used));
      this.data = grown;
    }
    const a = this.data;
    const at = this.used;
    a[at] = d.length;
    a.set(d, at + 1);
    for (let i = 0; i < d.length; i += STRIDE) {
      const ref = d[i + 5];
      if (ref >= 0) a[at + 1 + i + 5] = this.numberOf(flat.refs[ref]);
    }
    this.used = at + need;
    return at;
  }

  /** Forgets every layout (offsets handed out so far are no longer valid). */
  clear(): void {
    this.data = new Int32Array(4096);
    this.used = 0;
  }

  /**
   * The number a group's name has here (given on first ask, never changed, `clear` included):
   * what a reference to it carries, and what a sender's groups are compared with by the
   * *Numbered scans (a sender of up to two groups: its numbers in its row, no strings read).
   */
  numberOf(name: string): number {
    let n = this.numbers.get(name);
    if (n === undefined) {
      n = this.names.length;
      this.names.push(name);
      this.numbers.set(name, n);
    }
    return n;
  }

  /** Rules of the group at `at`. */
  count(at: number): number {
    return this.data[at] / STRIDE;
  }

  /** matchFlat's answer from the group at `at`, the `g`-th of its receiver, or -1. */
  match(at: number, g: number, protocol: number, key: number, source: number, senderGroups: readonly string[] | null): number {
    const a = this.data;
    return scanAdmits(a, at + 1, at + 1 + a[at], g, protocol, key, source, senderGroups, this.names, true);
  }

  /** firstSenderGroupRule's answer from the group at `at`, the `g`-th of its receiver, or -1. */
  firstSenderGroupRule(at: number, g: number, protocol: number, key: number, senderGroups: readonly string[]): number {
    const a = this.data;
    return scanAdmits(a, at + 1, at + 1 + a[at], g, protocol, key, 0, senderGroups, this.names, false);
  }

  /** match() for a sender whose `count` (0-2) groups are numbered `g0`, `g1` here (numberOf). */
  matchNumbered(at: number, g: number, protocol: number, key: number, source: number, count: number, g0: number, g1: number): number {
    const a = this.data;
    return scanNumbered(a, at + 1, at + 1 + a[at], g, protocol, key, source, count, g0, g1, true);
  }

  /** firstSenderGroupRule() for a sender whose `count` (0-2) groups are numbered `g0`, `g1` here. */
  firstSenderGroupRuleNumbered(at: number, g: number, protocol: number, key: number, count: number, g0: number, g1: number): number {
    const a = this.data;
    return scanNumbered(a, at + 1, at + 1 + a[at], g, protocol, key, 0, count, g0, g1, false);
  }
}

/**
 * The groups of one receiver as the fabric filters with them: a plain scan of their flattened
 * rules (matchFlat), and for a receiver with more than SCAN_RULES rules, a CompiledReceiver
 * built once it has decided COMPILE_AFTER packets. Measured on generated groups
 * (docs/performance.md): a scan costs about 8 ns a rule, a compiled lookup 250-550 ns whatever
 * the rules (before the trie was packed, which made lookups 1.5-2.2× faster; SCAN_RULES and
 * COMPILE_AFTER were not tuned again), so the index is faster only past about 50 rules;
 * compiling costs about 2 us a rule, i.e. about 250 scans. So a small receiver is never compiled, and a large one once its scans
 * have cost about what compiling would (the ski-rental rule: never more than twice the better
 * choice); in a world of 10^6 instances with random traffic most receivers decide a few packets
 * and have a dozen rules. Both tiers give the same answer (test/policy/evaluate.test.ts).
 */
export class Receiver {
  static readonly COMPILE_AFTER = 256;
  static readonly SCAN_RULES = 48;
  private uses = 0;
  private compiled: CompiledReceiver | null = null;
  /**
   * Where a RuleArena holds this receiver's first and second group, valid while `laidOut`
   * equals that arena's user's count of layouts (-1: never laid out): kept here by whoever lays
   * receivers out (the fabric: Fabric.linkRules), so that linking 10^6 hosts to 10^5 receivers
   * costs no map lookup per host.
   */
  laidOut = -1;
  laidGroup0 = 0;
  laidGroup1 = 0;
  /** Rules of all the groups. */
  readonly rules: number;

  /**
   * `compileAfter`: packets scanned before compiling; 0 compiles from the first packet,
   * whatever the number of rules (tests use it to run scenarios through the index). `flats`:
   * the groups flattened (FlatRules.of each), when the caller keeps them (the fabric does, one
   * per group for all the receivers that share it).
   */
  constructor(
    readonly groups: readonly SecurityGroup[],
    private readonly compileAfter = Receiver.COMPILE_AFTER,
    readonly flats: readonly FlatRules[] = groups.map(FlatRules.of),
  ) {
    let rules = 0;
    for (let g = 0; g < flats.length; g++) rules += flats[g].count;
    this.rules = rules;
  }

  /** Packed admission of the canonical admitting rule, or -1 (as CompiledReceiver.match). */
  match(protocol: number, key: number, source: number, senderGroups: readonly string[] | null): number {
    const c = this.compiled;
    if (c !== null) return c.match(protocol, key, source, senderGroups);
    if (this.compileAfter > 0 && (this.rules <= Receiver.SCAN_RULES || ++this.uses < this.compileAfter)) {
      return matchFlat(this.flats, protocol, key, source, senderGroups);
    }
    this.compiled = CompiledReceiver.compile(this.groups);
    return this.compiled.match(protocol, key, source, senderGroups);
  }

  /** Whether the index has been built (for tests). */
  get isCompiled(): boolean {
    return this.compiled !== null;
  }
}
