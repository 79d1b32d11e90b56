/**
 * policy/index: security groups compiled for the hot path.
 *
 * Owns: `Receiver` — the groups of one receiver matched by a plain scan of their flattened rules
 * until they have decided enough packets to be worth compiling (most receivers of a large
 * world see only a few), then by the compiled index. The parts it is made of, each in its
 * room, are re-exported here:
 *   policy/segments.ts     segment tables over the 16-bit match key (port, or icmp type<<8|code)
 *   policy/source-trie.ts  CIDR rules as a binary trie over source-address bits
 *   policy/compiled.ts     CompiledReceiver: one index per protocol over all a receiver's groups
 *   policy/flat.ts         FlatRules (a group's rules as numbers) and the plain scans
 *   policy/rule-arena.ts   RuleArena: flattened groups in one shared array, scanned by offset
 * Does not own: the meaning of a rule (policy/match.ts is the definition this must agree with).
 */
import type { SecurityGroup } from '../model/types.ts';
import { CompiledReceiver } from './compiled.ts';
import { FlatRules, matchFlat } from './flat.ts';

export { SegmentTable } from './segments.ts';
export { CompiledReceiver } from './compiled.ts';
export { FlatRules, matchFlat, firstSenderGroupRule } from './flat.ts';
export { RuleArena } from './rule-arena.ts';

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
   * receivers out (the fabric: fabric/fast/rule-links.ts linkRules), so that linking 10^6 hosts to 10^5 receivers
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
