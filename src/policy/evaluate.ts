/**
 * policy/evaluate: the ingress verdict of a receiver's security groups, and its reasons.
 *
 * Owns: the union over the receiver's groups (domain.md §2: admitted when any rule of any of
 * its groups matches; order never changes the verdict) through the compiled index, the
 * canonical choice of which rule to name (the first group in the instance's order that has a
 * match, and its lowest-numbered matching rule), the explanation of a denial in AWS
 * Reachability Analyzer's vocabulary (domain.md §7): the primary code and every other blocker
 * (PacketDenial), and of an admission (RuleAdmission); both write their message when it is
 * first read. A settled world's denials, made as literals, are policy/settled-denial.ts.
 * Does not own: connection tracking (conntrack/), routing or NAT (fabric/).
 */
import { formatIp } from '../net/ipv4.ts';
import { ICMP, TCP, formatIcmp, formatPorts, protocolName } from '../net/protocol.ts';
import { groupDisplayName, type Rule, type SecurityGroup } from '../model/types.ts';
import { FlatRules, firstSenderGroupRule, type CompiledReceiver } from './index.ts';
import { coversSource, coversTraffic, ruleMatches, type IngressView } from './match.ts';

export type DenialCode =
  | 'SG_HAS_NO_RULES'
  | 'ENI_SG_RULES_MISMATCH'
  | 'SG_REFERENCES_NOT_PRESERVED'
  | 'SIM_PROPAGATION_PENDING'
  | 'SIM_CONNTRACK_EXPIRED';

export interface Admission {
  /** Position of the group in the receiver's list. */
  readonly groupPosition: number;
  readonly group: SecurityGroup;
  readonly ruleIndex: number;
  readonly rule: Rule;
}

export interface Denial {
  readonly code: DenialCode;
  /** The other causes, primary excluded, most specific first. */
  readonly blockers: readonly DenialCode[];
  readonly message: string;
}

/** Fast path over a receiver's groups compiled together: packed admission or -1. */
export function admitReceiver(receiver: CompiledReceiver, view: IngressView): number {
  return receiver.match(view.protocol, view.key, view.source, view.privatePath ? view.senderGroups : null);
}

/** The admission a packed value names, among `groups` (the receiver's, in order). */
export function admissionOf(groups: readonly SecurityGroup[], packed: number): Admission {
  const groupPosition = Math.floor(packed / 0x1000000);
  const ruleIndex = packed % 0x1000000;
  const group = groups[groupPosition];
  return { groupPosition, group, ruleIndex, rule: group.ingress[ruleIndex] };
}

/** The same verdict by a plain scan of the rules (the definition; used for checks and explanations). */
export function admitLinear(groups: readonly SecurityGroup[], view: IngressView): Admission | null {
  for (let g = 0; g < groups.length; g++) {
    const rules = groups[g].ingress;
    for (let r = 0; r < rules.length; r++) {
      if (ruleMatches(rules[r], view)) return { groupPosition: g, group: groups[g], ruleIndex: r, rule: rules[r] };
    }
  }
  return null;
}

export interface DenialContext {
  /** The receiver's name, for messages. */
  readonly receiver: string;
  /** The sender's name, for messages. */
  readonly sender: string;
  /** The destination address as the receiver sees it. */
  readonly destination: number;
  /** The rules in force once pending changes propagate would admit the packet. */
  readonly pendingWouldAdmit?: { readonly group: string; readonly effectiveAtNs: number } | null;
  /** The packet belonged to a tracked flow that idled out. */
  readonly conntrackExpired?: { readonly idleNs: number; readonly timeoutNs: number } | null;
}

/**
 * The explanation of a packet a rule admitted (code ALLOWED_BY_RULE, the admitting group's key
 * and the rule), its message written when first read: the fabric makes one per admitted
 * request, and reports read few. `message` is a getter on the class; toJSON gives
 * { code, group, rule, message } as a plain explanation would.
 */
export class RuleAdmission {
  readonly code = 'ALLOWED_BY_RULE' as const;
  #group: string | null;
  #rule: Rule | null;
  /** Where the group and rule are found when first read (a world that no longer changes):
   * the directory, and the receiving host and its admission (packed, as admissionOf reads it). */
  #directory: HostDirectory | null = null;
  #host = 0;
  #packed = 0;
  #message: string | null = null;

  /** The admitting group (its key) and rule; or, in a world that no longer changes, null and
   * null and where to find them when first read (HostDirectory.groupsAt(host), `packed`). */
  constructor(group: string, rule: Rule);
  constructor(group: null, rule: null, directory: HostDirectory, host: number, packed: number);
  constructor(group: string | null, rule: Rule | null, directory: HostDirectory | null = null, host = 0, packed = 0) {
    this.#group = group;
    this.#rule = rule;
    if (directory !== null) {
      this.#directory = directory;
      this.#host = host;
      this.#packed = packed;
    }
  }

  get group(): string {
    if (this.#group === null) this.#find();
    return this.#group!;
  }

  get rule(): Rule {
    if (this.#rule === null) this.#find();
    return this.#rule!;
  }

  #find(): void {
    const adm = admissionOf(this.#directory!.groupsAt(this.#host), this.#packed);
    this.#group = adm.group.key;
    this.#rule = adm.rule;
    this.#directory = null;
  }

  get message(): string {
    return (this.#message ??= `admitted by group ${groupDisplayName(this.group)}: ${describeRule(this.rule)}`);
  }

  toJSON(): { code: 'ALLOWED_BY_RULE'; group: string; rule: Rule; message: string } {
    return { code: this.code, group: this.group, rule: this.rule, message: this.message };
  }
}

export function describeTraffic(protocol: number, key: number): string {
  if (protocol === ICMP) return `icmp ${formatIcmp({ type: key >> 8, code: key & 255 })}`;
  return `${protocolName(protocol)}/${key}`;
}

/**
 * A rule in words. `report` (reports and explanations): `tcp/22 from 1.2.3.4/32 ("admin")`,
 * `all traffic from group A`. `file` (the loader's messages, which quote a rule as the file
 * writes its fields, protocol then ports, description left out as it never tells rules apart):
 * `tcp 22 from 1.2.3.4/32`, `all from group A`.
 */
export function describeRule(rule: Rule, notation: 'report' | 'file' = 'report'): string {
  const file = notation === 'file';
  const what =
    rule.protocol === 'all'
      ? file ? 'all' : 'all traffic'
      : rule.protocol === 'icmp'
        ? `icmp ${formatIcmp(rule.icmp ?? { type: -1, code: -1 })}`
        : `${rule.protocol}${file ? ' ' : '/'}${formatPorts(rule.ports ?? { from: 0, to: 65535 })}`;
  const from =
    rule.source.kind === 'cidr'
      ? `${formatIp(rule.source.cidr.base)}/${rule.source.cidr.prefix}`
      : `group ${groupDisplayName(rule.source.group)}`;
  return `${what} from ${from}${rule.description && !file ? ` ("${rule.description}")` : ''}`;
}

/** Why the receiver's groups deny the packet: primary code first, then the rest. */
export function explainDenial(groups: readonly SecurityGroup[], view: IngressView, ctx: DenialContext): Denial {
  const flats = groups.map(FlatRules.of);
  return new PacketDenial(
    groups,
    flats.some((f) => f.count > 0),
    lostGroupRule(flats, view.protocol, view.key, view.privatePath, view.senderGroups),
    view.protocol,
    view.key,
    view.source,
    view.privatePath,
    view.senderGroups,
    ctx.receiver,
    ctx.sender,
    ctx.destination,
    ctx.pendingWouldAdmit ?? null,
    ctx.conntrackExpired ?? null,
  );
}

/**
 * For PacketDenial's `lost`: the group rule that would have admitted a packet over the public
 * path had it kept its sender's group identity (firstSenderGroupRule), or -1 (the private path
 * keeps it; a sender with no groups, -1).
 */
export function lostGroupRule(flats: readonly FlatRules[], protocol: number, key: number, privatePath: boolean, senderGroups: readonly string[] | null): number {
  return !privatePath && senderGroups !== null ? firstSenderGroupRule(flats, protocol, key, senderGroups) : -1;
}

const ONLY_MISMATCH: readonly DenialCode[] = Object.freeze(['ENI_SG_RULES_MISMATCH']);
const ONLY_NO_RULES: readonly DenialCode[] = Object.freeze(['SG_HAS_NO_RULES']);

/** What a denial's message is written from. */
interface DenialFacts {
  readonly groups: readonly SecurityGroup[];
  readonly view: IngressView;
  readonly ctx: DenialContext;
  readonly lost: { readonly group: SecurityGroup; readonly rule: Rule } | null;
}

/**
 * Why the receiver's groups deny a packet (explainDenial with the packet and its context as
 * plain arguments: the fabric's hot path, one object per denied connect, and a large run keeps
 * 10^5-10^6 of them). Its codes are decided at once; its message is written when first read: a
 * large run denies far more packets than anyone reads reasons for.
 * `code` and `blockers` are own fields; `message` is a getter on the class, and toJSON gives
 * { code, message, blockers } (the order the reports print them), so JSON sees a plain
 * explanation; spreading a denial does not copy its message (read it by name).
 * Kept small on purpose (docs/performance.md, seventh round): the facts the message is written
 * from are fields of the denial itself, all immutable (the groups are frozen snapshots), the
 * traffic packed in one small integer, and what only a few denials have (a pending change, an
 * expired flow, a rule that lost its group identity) in one object that most leave null.
 */
export class PacketDenial implements Denial {
  readonly code: DenialCode;
  readonly blockers: readonly DenialCode[];
  // Addresses are stored as int32 (`| 0`), fields start null: V8 then keeps them tagged, so an
  // address that fits a small integer costs no number object of its own.
  /** The receiver's groups, or what holds them, or the directory to find them in (read when
   * the message is written); null once it is. */
  #groups: readonly SecurityGroup[] | GroupsHolder | HostDirectory | null;
  /** protocol << 17 | key << 1 | privatePath. */
  #traffic: number;
  #source: number | null = null;
  #destination: number | null = null;
  /** undefined: the directory's, when the message is written. */
  #senderGroups: readonly string[] | null | undefined;
  /** Names, or host numbers in the directory. */
  #receiver: string | number;
  #sender: string | number;
  #rare: RareFacts | null = null;
  #message = '';

  /**
   * The codes are decided from `hasRules` (whether any of the groups has a rule) and `lost`
   * (firstSenderGroupRule's answer for a packet that came over the public path from an
   * instance, else -1), which the caller finds from the flattened rules (FlatRules, or their
   * RuleArena layout): shared and compact, where the rule objects of a large world are cold.
   * With a HostDirectory for `groups` (a world that no longer changes), `receiver` and `sender`
   * are host numbers in it, and `senderGroups` may be undefined (the directory's): the denial
   * reads the hosts only if its message is written.
   */
  constructor(
    groups: readonly SecurityGroup[] | GroupsHolder | HostDirectory,
    hasRules: boolean,
    lost: number,
    protocol: number,
    key: number,
    source: number,
    privatePath: boolean,
    senderGroups: readonly string[] | null | undefined,
    receiver: string | number,
    sender: string | number,
    destination: number,
    pendingWouldAdmit: DenialContext['pendingWouldAdmit'],
    conntrackExpired: DenialContext['conntrackExpired'],
  ) {
    this.#groups = groups;
    this.#traffic = (protocol << 17) | (key << 1) | (privatePath ? 1 : 0);
    this.#source = source | 0;
    this.#destination = destination | 0;
    this.#senderGroups = senderGroups;
    this.#receiver = receiver;
    this.#sender = sender;
    const base: DenialCode = hasRules ? 'ENI_SG_RULES_MISMATCH' : 'SG_HAS_NO_RULES';
    let codes: readonly DenialCode[] = base === 'ENI_SG_RULES_MISMATCH' ? ONLY_MISMATCH : ONLY_NO_RULES;
    if (pendingWouldAdmit || conntrackExpired || lost >= 0) {
      const extra: DenialCode[] = [];
      if (pendingWouldAdmit) extra.push('SIM_PROPAGATION_PENDING');
      if (conntrackExpired) extra.push('SIM_CONNTRACK_EXPIRED');
      let lostRule: RareFacts['lost'] = null;
      if (lost >= 0) {
        const group = groupsIn(groups, receiver)[Math.floor(lost / 0x1000000)];
        lostRule = { group, rule: group.ingress[lost % 0x1000000] };
        extra.push('SG_REFERENCES_NOT_PRESERVED');
      }
      this.#rare = { pending: pendingWouldAdmit ?? null, expired: conntrackExpired ?? null, lost: lostRule };
      codes = [...extra, base];
    }
    this.code = codes[0];
    this.blockers = codes.length > 1 ? codes.slice(1) : NO_BLOCKERS;
  }

  /** The sentence for the primary code, written on first read. */
  get message(): string {
    const held = this.#groups;
    if (held !== null) {
      const groups = groupsIn(held, this.#receiver);
      let senderGroups = this.#senderGroups;
      let receiver = this.#receiver;
      let sender = this.#sender;
      if (isDirectory(held)) {
        if (senderGroups === undefined) senderGroups = held.senderGroupsOf(sender as number);
        receiver = held.nameOf(receiver as number);
        sender = held.nameOf(sender as number);
      }
      const t = this.#traffic;
      const rare = this.#rare;
      const view: IngressView = { protocol: t >>> 17, key: (t >>> 1) & 0xffff, source: this.#source! >>> 0, privatePath: (t & 1) === 1, senderGroups: senderGroups ?? null };
      const ctx: DenialContext = { receiver: receiver as string, sender: sender as string, destination: this.#destination! >>> 0, pendingWouldAdmit: rare?.pending, conntrackExpired: rare?.expired };
      this.#message = denialMessage(this.code, { groups, view, ctx, lost: rare?.lost ?? null });
      this.#groups = null;
      this.#senderGroups = null;
      this.#rare = null;
    }
    return this.#message;
  }

  toJSON(): Denial {
    return { code: this.code, message: this.message, blockers: this.blockers };
  }
}

/**
 * What holds a receiver's groups (a policy/index.ts Receiver): a denial may keep it instead of
 * the groups, so that making the denial reads nothing behind it.
 */
export interface GroupsHolder {
  readonly groups: readonly SecurityGroup[];
}

/**
 * Hosts by number, for the denials of a world that no longer changes (the fabric's, after its
 * last change, with none propagating): such a denial keeps the numbers of its hosts, not what
 * they hold, and reads them only when its message is written: they are then what they were.
 */
export interface HostDirectory {
  nameOf(host: number): string;
  /** The groups in force at the host (its receiver's). */
  groupsAt(host: number): readonly SecurityGroup[];
  /** The host's group keys as a sender: null when its packets carry none (not running, outside AWS). */
  senderGroupsOf(host: number): readonly string[] | null;
}

function isDirectory(g: readonly SecurityGroup[] | GroupsHolder | HostDirectory): g is HostDirectory {
  return typeof (g as HostDirectory).groupsAt === 'function';
}

function groupsIn(g: readonly SecurityGroup[] | GroupsHolder | HostDirectory, receiver: string | number): readonly SecurityGroup[] {
  if (Array.isArray(g)) return g as readonly SecurityGroup[];
  return isDirectory(g) ? g.groupsAt(receiver as number) : (g as GroupsHolder).groups;
}

/** The facts of a denial that few denials have (PacketDenial). */
interface RareFacts {
  readonly pending: DenialContext['pendingWouldAdmit'];
  readonly expired: DenialContext['conntrackExpired'];
  readonly lost: DenialFacts['lost'];
}

/** No blocker besides the primary code (shared: policy/settled-denial.ts uses it too). */
export const NO_BLOCKERS: readonly DenialCode[] = Object.freeze([]);

/** The sentence for a denial's primary code. */
function denialMessage(code: DenialCode, { groups, view, ctx, lost }: DenialFacts): string {
  const names = groups.map((g) => groupDisplayName(g.key)).join(', ');
  const seen = `${describeTraffic(view.protocol, view.key)} from ${formatIp(view.source)} to ${formatIp(ctx.destination)}`;
  switch (code) {
    case 'SIM_PROPAGATION_PENDING': {
      const p = ctx.pendingWouldAdmit!;
      return `a rule change to group ${groupDisplayName(p.group)} that would admit ${seen} is still propagating (in force at ${formatSeconds(p.effectiveAtNs)})`;
    }
    case 'SIM_CONNTRACK_EXPIRED': {
      const c = ctx.conntrackExpired!;
      return `the tracked connection idled out (${formatSeconds(c.idleNs)} idle, timeout ${formatSeconds(c.timeoutNs)}) and no rule of ${ctx.receiver}'s groups (${names}) admits ${seen} anew`;
    }
    case 'SG_REFERENCES_NOT_PRESERVED':
      return `group ${groupDisplayName(lost!.group.key)} admits ${describeRule(lost!.rule)}, but ${ctx.sender}'s packet came over the public path (${seen}), where NAT drops group identity; use ${ctx.receiver}'s private address`;
    case 'SG_HAS_NO_RULES':
      return `${ctx.receiver}'s groups (${names}) have no ingress rules, so nothing is admitted (${seen})`;
    case 'ENI_SG_RULES_MISMATCH':
      return `no rule of ${ctx.receiver}'s groups (${names}) admits ${seen}${nearMiss(groups, view)}`;
  }
}

/** A short hint naming a rule that covers the traffic but not the source, if any. */
function nearMiss(groups: readonly SecurityGroup[], view: IngressView): string {
  for (const g of groups) {
    for (const r of g.ingress) {
      if (coversTraffic(r, view.protocol, view.key) && !coversSource(r, view)) {
        return `; closest: group ${groupDisplayName(g.key)} admits ${describeRule(r)}`;
      }
    }
  }
  const tcpOrUdp = view.protocol === TCP ? 'tcp' : view.protocol === ICMP ? 'icmp' : 'udp';
  return `; no rule covers ${tcpOrUdp === 'icmp' ? 'this icmp type' : `${tcpOrUdp} port ${view.key}`}`;
}

/**
 * A time or duration in ns as s, ms or us (the largest unit it reaches): to three decimals of
 * that unit for reports (measured, jittered times), or `exact` for times a person wrote, which
 * messages quote back without rounding (`1.0005s`).
 */
export function formatSeconds(ns: number, exact = false): string {
  const shown = (v: number): number => (exact ? v : +v.toFixed(3));
  const s = ns / 1e9;
  if (s >= 1 || s === 0) return `${shown(s)}s`;
  const ms = ns / 1e6;
  if (ms >= 1) return `${shown(ms)}ms`;
  return `${shown(ns / 1e3)}us`;
}
