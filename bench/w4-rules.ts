/**
 * bench/w4-rules: W4, "rule evaluation" (bench/README.md): ingress decisions per
 * second for one receiver whose groups hold 1, 100, 1,000 and 10,000 rules, through sgsim's
 * compiled index (CompiledReceiver: all the receiver's groups in one index, as the fabric uses it) and through a plain linear scan of the same rules
 * written here (deliberately not imported from src, so the baseline cannot share a bug or a
 * speed-up with the code it judges).
 *
 *   node --import tsx bench/w4-rules.ts [--rules N] [--decisions D] [--quick] [--seed S]
 *                                       [--impl sgsim|linear-scan]
 *
 * Owns: generating the rules (mixed protocols, single ports, narrow and wide port ranges, CIDRs
 * of every prefix length 0..32, group references; deterministic from the seed) and a fixed
 * array of random packets (mixed protocols, sources near and far from the rules' CIDRs, ports,
 * private-path packets with sender groups); the linear scan; checking that both give the same
 * packed admission (group position and rule index, not only the verdict) for every packet,
 * aborting otherwise; and one JSON line per size:
 *   {"workload":"W4","impl":"sgsim","variant":"rules=N","rules":N,"decisions":D,
 *    "decisions_per_s":..,"linear_decisions_per_s":..,"ratio":..,"admitted":..,
 *    "compile_s":..,"peak_rss_mb":..}
 * Without --rules every size runs in turn (one line each, the 10,000-rule line last). With
 * `--impl linear-scan` the line says impl "linear-scan" and its decisions_per_s is the linear
 * scan's (both are still measured and checked), so a registry that runs one process per
 * implementation can compare the two.
 * Does not own: the index (src/policy/index.ts) or the verdict's definition (src/policy/match.ts).
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import seedrandom from 'seedrandom';
import { CompiledReceiver } from '../src/policy/index.ts';
import { admitReceiver } from '../src/policy/evaluate.ts';
import type { IngressView } from '../src/policy/match.ts';
import type { Rule, SecurityGroup } from '../src/model/types.ts';
import type { PortRange } from '../src/net/protocol.ts';
import { emitResult, peakRssMb, positiveInt, round, secondsSince } from './common.ts';

const TCP = 6;
const UDP = 17;
const ICMP = 1;
const SENDER_GROUP_POOL = 64;

export const W4_SIZES = [1, 100, 1_000, 10_000] as const;

export interface W4Params {
  rules: number;
  /** Timed decisions of the compiled index. */
  decisions: number;
  /** Packets in the fixed array (each judged by both, then compared). */
  packets: number;
  /** Wall-clock budget of the timed linear scan, seconds (at least one pass over the array). */
  linearBudgetS: number;
  seed: string;
}

export interface W4Outcome {
  rules: number;
  groups: number;
  decisions: number;
  decisionsPerS: number;
  linearDecisions: number;
  linearDecisionsPerS: number;
  admitted: number;
  compileS: number;
}

// ---------------------------------------------------------------------------------------------
// Rules and packets

type Rng = () => number;

function int(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

const SENDER_GROUPS: string[] = Array.from({ length: SENDER_GROUP_POOL }, (_, i) => `sg-${i}`);
const COMMON_PORTS = [22, 25, 53, 80, 123, 443, 3306, 5432, 6379, 8080, 8443, 9200, 11211, 27017];

function randomPorts(rng: Rng): PortRange {
  const u = rng();
  if (u < 0.55) {
    const p = rng() < 0.5 ? COMMON_PORTS[int(rng, COMMON_PORTS.length)] : int(rng, 65536);
    return { from: p, to: p };
  }
  if (u < 0.85) {
    const from = int(rng, 65536);
    return { from, to: Math.min(65535, from + int(rng, 64)) };
  }
  if (u < 0.97) {
    const from = int(rng, 65536);
    return { from, to: Math.min(65535, from + int(rng, 1024)) };
  }
  return { from: 0, to: 65535 };
}

/**
 * A prefix length: every length 0..32 occurs. Short prefixes (0..7, which cover a large share
 * of all addresses) are rare and get one port each, as in real groups (80/443 from 0.0.0.0/0);
 * most are /8../32, weighted towards /24../32.
 */
function randomPrefix(rng: Rng): number {
  const u = rng();
  if (u < 0.03) return int(rng, 8);
  if (u < 0.23) return 8 + int(rng, 8);
  if (u < 0.53) return 16 + int(rng, 8);
  return 24 + int(rng, 9);
}

function randomRule(rng: Rng, i: number): Rule {
  const u = rng();
  let source: Rule['source'];
  let wide = false;
  if (rng() < 0.15) source = { kind: 'group', group: SENDER_GROUPS[int(rng, SENDER_GROUP_POOL)] };
  else {
    const prefix = randomPrefix(rng);
    wide = prefix < 8;
    source = { kind: 'cidr', cidr: { base: (int(rng, 2 ** 32) & maskOf(prefix)) >>> 0, prefix } };
  }
  const description = `r${i}`;
  const ports = (): PortRange => {
    if (!wide) return randomPorts(rng);
    const p = COMMON_PORTS[int(rng, COMMON_PORTS.length)];
    return { from: p, to: p };
  };
  if (u < 0.45 || (wide && u >= 0.75)) return { protocol: 'tcp', ports: ports(), source, description };
  if (u < 0.75) return { protocol: 'udp', ports: ports(), source, description };
  if (u < 0.97) {
    const t = rng();
    const icmp = t < 0.1 ? { type: -1, code: -1 } : t < 0.5 ? { type: int(rng, 20), code: -1 } : { type: int(rng, 20), code: int(rng, 16) };
    return { protocol: 'icmp', icmp, source, description };
  }
  // `all` only from a narrow CIDR or a group: otherwise it would admit nearly everything.
  if (source.kind === 'cidr' && source.cidr.prefix < 24) {
    const prefix = 24 + int(rng, 9);
    return { protocol: 'all', source: { kind: 'cidr', cidr: { base: (source.cidr.base & maskOf(prefix)) >>> 0, prefix } }, description };
  }
  return { protocol: 'all', source, description };
}

/** The receiver's groups: `rules` rules in all, split over up to 5 groups. */
export function makeGroups(rules: number, seed: string): SecurityGroup[] {
  const rng = seedrandom.alea(`W4/rules/${seed}/${rules}`);
  const count = rules < 5 ? 1 : 5;
  const groups: SecurityGroup[] = [];
  let made = 0;
  for (let g = 0; g < count; g++) {
    const n = Math.floor((rules * (g + 1)) / count) - Math.floor((rules * g) / count);
    const ingress: Rule[] = [];
    for (let i = 0; i < n; i++) ingress.push(randomRule(rng, made++));
    groups.push({ key: `recv-${g}`, name: `recv-${g}`, region: 'us-east-1', ingress });
  }
  return groups;
}

/** A fixed array of packets: about half aimed at some rule's source and ports, half random. */
export function makePackets(groups: readonly SecurityGroup[], count: number, seed: string): IngressView[] {
  const rng = seedrandom.alea(`W4/packets/${seed}/${count}`);
  const all = groups.flatMap((g) => g.ingress);
  // Sender group sets are shared arrays, as the fabric shares each host's group list.
  const senderSets: string[][] = Array.from({ length: 256 }, () => {
    const n = 1 + int(rng, 3);
    const set = new Set<string>();
    while (set.size < n) set.add(SENDER_GROUPS[int(rng, SENDER_GROUP_POOL)]);
    return [...set];
  });
  const views: IngressView[] = [];
  for (let i = 0; i < count; i++) {
    const aimed = all.length > 0 && rng() < 0.5 ? all[int(rng, all.length)] : null;
    let protocol: number;
    let key: number;
    let source = int(rng, 2 ** 32) >>> 0;
    if (aimed) {
      protocol =
        aimed.protocol === 'tcp' ? TCP : aimed.protocol === 'udp' ? UDP : aimed.protocol === 'icmp' ? ICMP : [TCP, UDP, ICMP][int(rng, 3)];
      if (protocol === ICMP) {
        const m = aimed.protocol === 'icmp' ? aimed.icmp! : { type: -1, code: -1 };
        const type = m.type < 0 ? int(rng, 20) : m.type;
        const code = m.code < 0 ? int(rng, 16) : m.code;
        key = (type << 8) | code;
      } else {
        const r = aimed.ports ?? { from: 0, to: 65535 };
        key = r.from + int(rng, r.to - r.from + 1);
      }
      if (aimed.source.kind === 'cidr' && rng() < 0.8) {
        const { base, prefix } = aimed.source.cidr;
        source = (base | (source & ~maskOf(prefix))) >>> 0;
      }
    } else {
      const u = rng();
      protocol = u < 0.45 ? TCP : u < 0.8 ? UDP : ICMP;
      key = protocol === ICMP ? (int(rng, 20) << 8) | int(rng, 16) : rng() < 0.5 ? COMMON_PORTS[int(rng, COMMON_PORTS.length)] : int(rng, 65536);
    }
    const privatePath = rng() < 0.5;
    views.push({ protocol, key, source, privatePath, senderGroups: rng() < 0.9 ? senderSets[int(rng, senderSets.length)] : null });
  }
  return views;
}

// ---------------------------------------------------------------------------------------------
// The baseline: a plain linear scan over the same rules, flattened into arrays once.

const P_ALL = 0;

export class LinearScan {
  private readonly proto: Int32Array;
  private readonly lo: Int32Array;
  private readonly hi: Int32Array;
  /** -1 for a CIDR source, else the referenced group's interned id. */
  private readonly group: Int32Array;
  private readonly base: Uint32Array;
  private readonly mask: Uint32Array;
  /** Where each group's rules begin in the flat arrays (length groups + 1). */
  private readonly groupStart: Int32Array;
  private readonly groupIds = new Map<string, number>();
  /** Interned sender group lists, by identity of the list. */
  private readonly interned = new Map<readonly string[], Int32Array>();

  constructor(groups: readonly SecurityGroup[]) {
    const n = groups.reduce((s, g) => s + g.ingress.length, 0);
    this.proto = new Int32Array(n);
    this.lo = new Int32Array(n);
    this.hi = new Int32Array(n);
    this.group = new Int32Array(n);
    this.base = new Uint32Array(n);
    this.mask = new Uint32Array(n);
    this.groupStart = new Int32Array(groups.length + 1);
    let k = 0;
    groups.forEach((g, gi) => {
      this.groupStart[gi] = k;
      for (const r of g.ingress) {
        this.proto[k] = r.protocol === 'all' ? P_ALL : r.protocol === 'tcp' ? TCP : r.protocol === 'udp' ? UDP : ICMP;
        let range: PortRange = { from: 0, to: 65535 };
        if (r.protocol === 'tcp' || r.protocol === 'udp') range = r.ports!;
        else if (r.protocol === 'icmp') {
          const m = r.icmp ?? { type: -1, code: -1 };
          range = m.type < 0 ? range : m.code < 0 ? { from: m.type << 8, to: (m.type << 8) | 255 } : { from: (m.type << 8) | m.code, to: (m.type << 8) | m.code };
        }
        this.lo[k] = range.from;
        this.hi[k] = range.to;
        if (r.source.kind === 'cidr') {
          this.group[k] = -1;
          this.mask[k] = maskOf(r.source.cidr.prefix);
          this.base[k] = r.source.cidr.base;
        } else {
          this.group[k] = this.intern(r.source.group);
        }
        k++;
      }
    });
    this.groupStart[groups.length] = k;
  }

  private intern(name: string): number {
    let id = this.groupIds.get(name);
    if (id === undefined) this.groupIds.set(name, (id = this.groupIds.size));
    return id;
  }

  /** Interns a packet's sender groups (done once per packet array, outside the timed loop). */
  senderIds(groups: readonly string[] | null): Int32Array | null {
    if (groups === null) return null;
    let ids = this.interned.get(groups);
    if (!ids) {
      ids = Int32Array.from(groups.map((g) => this.groupIds.get(g) ?? -2));
      this.interned.set(groups, ids);
    }
    return ids;
  }

  /** Packed admission as admitReceiver gives it (group * 2^24 + rule index), or -1. */
  admit(protocol: number, key: number, source: number, sender: Int32Array | null): number {
    const { proto, lo, hi, group, base, mask, groupStart } = this;
    const groups = groupStart.length - 1;
    for (let g = 0; g < groups; g++) {
      const end = groupStart[g + 1];
      for (let i = groupStart[g]; i < end; i++) {
        const p = proto[i];
        if (p !== P_ALL && p !== protocol) continue;
        if (key < lo[i] || key > hi[i]) continue;
        const ref = group[i];
        if (ref < 0) {
          if (((source & mask[i]) >>> 0) !== base[i]) continue;
        } else {
          if (sender === null) continue;
          let member = false;
          for (let j = 0; j < sender.length; j++) if (sender[j] === ref) member = true;
          if (!member) continue;
        }
        return g * 0x1000000 + (i - groupStart[g]);
      }
    }
    return -1;
  }
}

// ---------------------------------------------------------------------------------------------
// The run

export function runW4(p: W4Params): W4Outcome {
  const groups = makeGroups(p.rules, p.seed);
  const views = makePackets(groups, p.packets, p.seed);

  const compileStart = process.hrtime.bigint();
  const compiled = CompiledReceiver.compile(groups);
  const compileS = secondsSince(compileStart);

  const linear = new LinearScan(groups);
  const n = views.length;
  const lProto = new Int32Array(n);
  const lKey = new Int32Array(n);
  const lSource = new Uint32Array(n);
  const lSender: (Int32Array | null)[] = [];
  for (let i = 0; i < n; i++) {
    const v = views[i];
    lProto[i] = v.protocol;
    lKey[i] = v.key;
    lSource[i] = v.source;
    lSender.push(v.privatePath ? linear.senderIds(v.senderGroups) : null);
  }

  // Check (also the warm-up of both): the same packed admission for every packet.
  let admitted = 0;
  for (let i = 0; i < n; i++) {
    const a = admitReceiver(compiled, views[i]);
    const b = linear.admit(lProto[i], lKey[i], lSource[i], lSender[i]);
    if (a !== b) {
      const v = views[i];
      throw new Error(
        `W4 check failed at rules=${p.rules}, packet ${i} (proto ${v.protocol}, key ${v.key}, source ${v.source}, ` +
          `private ${v.privatePath}, senders ${JSON.stringify(v.senderGroups)}): index says ${a}, linear scan says ${b}`,
      );
    }
    if (a >= 0) admitted++;
  }

  // Timed: the compiled index over the packet array, repeated to `decisions`.
  let sink = 0;
  const passes = Math.max(1, Math.round(p.decisions / n));
  const start = process.hrtime.bigint();
  for (let r = 0; r < passes; r++) {
    for (let i = 0; i < n; i++) sink += admitReceiver(compiled, views[i]) >= 0 ? 1 : 0;
  }
  const loopS = secondsSince(start);
  const decisions = passes * n;

  // Timed: the linear scan, whole passes until the budget is spent (at least one, at most as
  // many decisions as the index made).
  let linearDecisions = 0;
  let linearS = 0;
  const linStart = process.hrtime.bigint();
  while (linearDecisions < decisions) {
    for (let i = 0; i < n; i++) sink += linear.admit(lProto[i], lKey[i], lSource[i], lSender[i]) >= 0 ? 1 : 0;
    linearDecisions += n;
    linearS = secondsSince(linStart);
    if (linearS >= p.linearBudgetS) break;
  }
  const expectSink = admitted * (passes + linearDecisions / n);
  if (sink !== expectSink) throw new Error(`W4 check failed: timed passes admitted ${sink}, expected ${expectSink}`);

  return {
    rules: p.rules,
    groups: groups.length,
    decisions,
    decisionsPerS: decisions / loopS,
    linearDecisions,
    linearDecisionsPerS: linearDecisions / linearS,
    admitted,
    compileS,
  };
}

function main(): void {
  const { values } = parseArgs({
    options: {
      rules: { type: 'string' },
      decisions: { type: 'string' },
      packets: { type: 'string' },
      quick: { type: 'boolean', default: false },
      seed: { type: 'string', default: '1' },
      impl: { type: 'string', default: 'sgsim' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stderr.write(
      'usage: node --import tsx bench/w4-rules.ts [--rules N] [--decisions D] [--packets M] [--quick] [--seed 1] [--impl sgsim|linear-scan]\n' +
        '  without --rules: every size (1, 100, 1000, 10000), one JSON line each\n' +
        '  --quick: 200,000 decisions on 10,000 packets (default 2,000,000 on 50,000)\n',
    );
    return;
  }
  const impl = values.impl as string;
  if (impl !== 'sgsim' && impl !== 'linear-scan') {
    process.stderr.write(`--impl must be sgsim or linear-scan, got ${JSON.stringify(impl)}\n`);
    process.exit(2);
  }
  const quick = values.quick ?? false;
  const sizes = values.rules === undefined ? [...W4_SIZES] : [positiveInt(values.rules, 'rules', 10_000)];
  const decisions = positiveInt(values.decisions, 'decisions', quick ? 200_000 : 2_000_000);
  const packets = positiveInt(values.packets, 'packets', quick ? 10_000 : 50_000);
  for (const rules of sizes) {
    const base = { workload: 'W4', impl, variant: `rules=${rules}`, rules };
    let out: W4Outcome;
    try {
      out = runW4({ rules, decisions, packets: Math.min(packets, decisions), linearBudgetS: quick ? 0.5 : 2, seed: values.seed as string });
    } catch (e) {
      emitResult(base, (e as Error).message);
      return;
    }
    const ratio = out.decisionsPerS / out.linearDecisionsPerS;
    emitResult({
      ...base,
      groups: out.groups,
      packets: Math.min(packets, decisions),
      decisions: out.decisions,
      decisions_per_s: Math.round(impl === 'sgsim' ? out.decisionsPerS : out.linearDecisionsPerS),
      sgsim_decisions_per_s: Math.round(out.decisionsPerS),
      linear_decisions: out.linearDecisions,
      linear_decisions_per_s: Math.round(out.linearDecisionsPerS),
      ratio: round(ratio, 2),
      admitted: out.admitted,
      compile_s: round(out.compileS, 6),
      peak_rss_mb: peakRssMb(),
      node: process.version,
    });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
