/**
 * test/props/models: model-based (fc.commands) tests of sgsim's dynamics.
 *
 * Owns: small fixed worlds, a model of what should happen in each (rules in force, tracked
 * connections and their idle time, lifecycles and Elastic IP holders, changes still
 * propagating), and commands that both update the model and write the matching timeline
 * entries into a Script. The "real system" is one scenario run of the Script once the
 * commands are done: each traffic entry carries the model's prediction as `expect` (judged by
 * runScenario itself, so a counterexample file replays with `sgsim run`), and checks that need
 * several flows (address uniqueness, never-reused addresses) run over the report afterwards.
 * Verdict logic comes from the oracle's plain rule matcher (oracle.ts), never from src.
 */
import fc from 'fast-check';
import type { FlowReport, RunReport } from '../../src/scenario/run.ts';
import type { Action, AddressSpec, Expectation, ScenarioSpec, TimelineEntry } from '../../src/scenario/spec.ts';
import type { Rule } from '../../src/model/types.ts';
import type { Ip } from '../../src/net/ipv4.ts';
import { ip, sec, settingsWith, sameRuleP } from './arbitraries.ts';
import { judge, type Packet } from './oracle.ts';
import { describeFlow, dotted, isPrivate } from './observe.ts';

// ---------------------------------------------------------------------------------------------
// Script: the timeline the commands write

type Check = (f: FlowReport) => string | null;

export class Script {
  /** Current time, seconds. */
  now = 0;
  readonly entries: TimelineEntry[] = [];
  flows = 0;
  readonly checks: { flow: number; check: Check }[] = [];
  readonly after: ((report: RunReport) => string[])[] = [];

  add(action: Action, o: { id?: string; expect?: Expectation; check?: Check } = {}): number {
    const index = this.entries.length;
    this.entries.push({ at: sec(this.now), ...(o.id !== undefined ? { id: o.id } : {}), index, action, ...(o.expect ? { expect: o.expect } : {}) });
    if (!['connect', 'send', 'ping', 'transfer'].includes(action.kind)) return -1;
    const flow = this.flows++;
    if (o.check) this.checks.push({ flow, check: o.check });
    return flow;
  }

  advance(seconds: number): void {
    this.now += seconds;
  }
}

/** Everything that does not hold in a report: failed expectations, flow checks, run checks. */
export function verifyScript(script: Script, report: RunReport): string[] {
  const problems: string[] = [];
  for (const f of report.flows) {
    if (f.ok === false) problems.push(`${describeFlow(f)}: expected ${JSON.stringify(f.expected)}, differs in ${JSON.stringify(f.mismatches)}`);
  }
  for (const { flow, check } of script.checks) {
    const f = report.flows[flow];
    const p = f ? check(f) : `flow #${flow} missing`;
    if (p) problems.push(`${f ? describeFlow(f) : ''}: ${p}`);
  }
  for (const a of script.after) problems.push(...a(report));
  return problems;
}

/** Runs commands against a fresh model and script; returns the script (for the run and for files). */
export function play<M extends object>(init: () => M, cmds: Iterable<fc.Command<M, Script>>): { model: M; script: Script } {
  const model = init();
  const script = new Script();
  fc.modelRun(() => ({ model, real: script }), cmds);
  return { model, script };
}

// ---------------------------------------------------------------------------------------------
// World 1: a receiver, its rules, tracked connections and new flows

const R_PRIV = ip(10, 0, 0, 10);
const R_PUB = ip(54, 0, 0, 10);
const S_PRIV = ip(10, 0, 1, 20);
const S_PUB = ip(54, 0, 1, 20);
const T_PRIV = ip(10, 1, 0, 30);
const T_PUB = ip(54, 1, 0, 30);
const X_IP = ip(198, 51, 100, 7);

const cidr = (base: Ip, prefix: number): Rule['source'] => ({ kind: 'cidr', cidr: { base, prefix } });
const tcp = (from: number, to: number, source: Rule['source']): Rule => ({ protocol: 'tcp', ports: { from, to }, source });
const udp = (from: number, to: number, source: Rule['source']): Rule => ({ protocol: 'udp', ports: { from, to }, source });
const icmp = (type: number, code: number, source: Rule['source']): Rule => ({ protocol: 'icmp', icmp: { type, code }, source });
const all = (source: Rule['source']): Rule => ({ protocol: 'all', source });
const group = (g: string): Rule['source'] => ({ kind: 'group', group: g });

/** A way to reach the receiver r: who sends, to which address, and how it arrives. */
interface Way {
  readonly from: string;
  readonly to: AddressSpec;
  readonly path: 'private' | 'public';
  readonly redirected: boolean;
  readonly source: Ip;
  readonly senderGroups: readonly string[] | null;
}

const WAYS_1: readonly Way[] = [
  { from: 's', to: { kind: 'private', instance: 'r' }, path: 'private', redirected: false, source: S_PRIV, senderGroups: ['H'] },
  { from: 's', to: { kind: 'public', instance: 'r' }, path: 'public', redirected: false, source: S_PUB, senderGroups: ['H'] },
  { from: 's', to: { kind: 'dns', instance: 'r' }, path: 'private', redirected: false, source: S_PRIV, senderGroups: ['H'] },
  { from: 't', to: { kind: 'private', instance: 'r' }, path: 'public', redirected: true, source: T_PUB, senderGroups: ['default/eu-west-1'] },
  { from: 't', to: { kind: 'public', instance: 'r' }, path: 'public', redirected: false, source: T_PUB, senderGroups: ['default/eu-west-1'] },
  { from: 'x', to: { kind: 'public', instance: 'r' }, path: 'public', redirected: false, source: X_IP, senderGroups: null },
  { from: 'x', to: { kind: 'dns', instance: 'r' }, path: 'public', redirected: false, source: X_IP, senderGroups: null },
];

const RULES_1: readonly Rule[] = [
  tcp(22, 22, cidr(ip(198, 51, 100, 0), 24)),
  tcp(80, 80, cidr(0, 0)),
  tcp(22, 80, cidr(ip(10, 0, 0, 0), 8)),
  tcp(0, 65535, cidr(S_PUB, 32)),
  tcp(443, 443, cidr(ip(54, 1, 0, 0), 16)),
  all(group('H')),
  tcp(22, 22, group('G')),
  all(cidr(S_PRIV, 32)),
  udp(0, 65535, cidr(0, 0)),
  icmp(-1, -1, cidr(0, 0)),
  tcp(81, 65535, cidr(0, 0)),
  tcp(21, 23, group('H')),
];

const PORTS_1 = [22, 80, 22, 80, 443, 8080, 21] as const;
const LISTENING_1 = new Set([22, 80]);

function packetOf(way: Way, protocol: Packet['protocol'], port: number): Packet {
  return { protocol, port, icmpType: 8, icmpCode: 0, source: way.source, privatePath: way.path === 'private', senderGroups: way.senderGroups };
}

export function world1(tcpEstablishedS: number, initial: readonly Rule[] = [], extraSettings: { propagationDelayS?: number } = {}): Omit<ScenarioSpec, 'timeline'> {
  return {
    version: 1,
    name: 'model: one receiver, its rules and tracked flows',
    platform: 'classic',
    seed: '1',
    settings: settingsWith({ jitter: 0, conntrack: { tcpEstablished: sec(tcpEstablishedS) }, propagationDelay: sec(extraSettings.propagationDelayS ?? 0) }),
    regions: [
      { name: 'us-east-1', zones: ['us-east-1a', 'us-east-1b'] },
      { name: 'eu-west-1', zones: ['eu-west-1a'] },
    ],
    groups: [
      { key: 'G', name: 'G', region: 'us-east-1', ingress: [...initial] },
      { key: 'H', name: 'H', region: 'us-east-1', ingress: [] },
    ],
    instances: [
      {
        name: 'r',
        region: 'us-east-1',
        zone: 'us-east-1a',
        groups: ['G'],
        privateIp: R_PRIV,
        publicIp: R_PUB,
        services: [
          { protocol: 'tcp', ports: { from: 22, to: 22 } },
          { protocol: 'tcp', ports: { from: 80, to: 80 } },
          { protocol: 'udp', ports: { from: 0, to: 65535 } },
        ],
        state: 'running',
      },
      { name: 's', region: 'us-east-1', zone: 'us-east-1b', groups: ['H'], privateIp: S_PRIV, publicIp: S_PUB, services: [], state: 'running' },
      { name: 't', region: 'eu-west-1', zone: 'eu-west-1a', groups: ['default/eu-west-1'], privateIp: T_PRIV, publicIp: T_PUB, services: [], state: 'running' },
    ],
    external: [{ name: 'x', ip: X_IP, services: [] }],
  };
}

interface Conn {
  readonly id: string;
  readonly way: Way;
  readonly port: number;
  readonly connected: boolean;
  /** Last time (s) a packet of the connection passed the receiver. */
  lastSeen: number;
}

export interface TrackedModel {
  /** Rules of G, the receiver's only group, in force (propagation delay 0). */
  rules: Rule[];
  conns: Conn[];
  /** tcp established idle timeout, seconds. */
  readonly T: number;
}

const expectOf = (way: Way, outcome: Expectation['outcome'], code: string): Expectation => ({
  outcome,
  path: way.path,
  redirected: way.redirected,
  source: { kind: 'ip', ip: way.source },
  code,
});

/** A transfer travels to the connection's address after any redirect: never redirected itself. */
const dataExpectOf = (way: Way, outcome: Expectation['outcome'], code: string): Expectation => ({ ...expectOf(way, outcome, code), redirected: false });

class Authorize1 implements fc.Command<TrackedModel, Script> {
  constructor(readonly k: number) {}
  check(m: Readonly<TrackedModel>): boolean {
    return !m.rules.some((r) => sameRuleP(r, RULES_1[this.k]));
  }
  run(m: TrackedModel, s: Script): void {
    s.add({ kind: 'authorize', group: 'G', rule: RULES_1[this.k] });
    m.rules.push(RULES_1[this.k]);
    s.advance(1);
  }
  toString(): string {
    return `authorize(G, rule ${this.k})`;
  }
}

class Revoke1 implements fc.Command<TrackedModel, Script> {
  constructor(readonly pick: number) {}
  check(m: Readonly<TrackedModel>): boolean {
    return m.rules.length > 0;
  }
  run(m: TrackedModel, s: Script): void {
    const [rule] = m.rules.splice(this.pick % m.rules.length, 1);
    s.add({ kind: 'revoke', group: 'G', rule });
    s.advance(1);
  }
  toString(): string {
    return `revoke(G, #${this.pick})`;
  }
}

class Connect1 implements fc.Command<TrackedModel, Script> {
  constructor(
    readonly w: number,
    readonly port: number,
  ) {}
  check(): boolean {
    return true;
  }
  run(m: TrackedModel, s: Script): void {
    const way = WAYS_1[this.w];
    const v = judge(['G'], () => m.rules, packetOf(way, 'tcp', this.port));
    const id = `c${m.conns.length + 1}`;
    const open = v.admitted && LISTENING_1.has(this.port);
    const expect = v.admitted ? expectOf(way, open ? 'connected' : 'refused', open ? 'ALLOWED_BY_RULE' : 'CONNECTION_REFUSED') : expectOf(way, 'timeout', v.code);
    s.add({ kind: 'connect', from: way.from, to: way.to, port: this.port }, { id, expect });
    m.conns.push({ id, way, port: this.port, connected: open, lastSeen: s.now });
    // A refused or connected flow is decided within milliseconds; a dropped SYN retries for 127 s.
    s.advance(v.admitted ? 1 : 130);
  }
  toString(): string {
    return `connect(${WAYS_1[this.w].from} -> r.${(WAYS_1[this.w].to as { kind: string }).kind}:${this.port})`;
  }
}

class Transfer1 implements fc.Command<TrackedModel, Script> {
  constructor(
    readonly pick: number,
    readonly openOnly: boolean,
  ) {}
  check(m: Readonly<TrackedModel>): boolean {
    return m.conns.length > 0;
  }
  run(m: TrackedModel, s: Script): void {
    const open = m.conns.filter((c) => c.connected);
    const pool = this.openOnly && open.length > 0 ? open : m.conns;
    const c = pool[this.pick % pool.length];
    const action: Action = { kind: 'transfer', connection: c.id };
    if (!c.connected) {
      s.add(action, { expect: { outcome: 'dropped' }, check: (f) => (f.explanation.code === 'CONNECTION_NOT_OPEN' ? null : 'expected CONNECTION_NOT_OPEN') });
    } else if (s.now - c.lastSeen <= m.T) {
      s.add(action, { expect: dataExpectOf(c.way, 'delivered', 'TRACKED_CONNECTION') });
      c.lastSeen = s.now;
    } else {
      // Idled out: the segment is judged as new traffic by the rules in force.
      const v = judge(['G'], () => m.rules, packetOf(c.way, 'tcp', c.port));
      if (v.admitted) {
        s.add(action, { expect: dataExpectOf(c.way, 'delivered', 'ALLOWED_BY_RULE') });
        c.lastSeen = s.now;
      } else s.add(action, { expect: dataExpectOf(c.way, 'dropped', 'SIM_CONNTRACK_EXPIRED') });
    }
    s.advance(1);
  }
  toString(): string {
    return `transfer(#${this.pick}${this.openOnly ? ' of the open ones' : ''})`;
  }
}

class Wait implements fc.Command<object, Script> {
  constructor(readonly seconds: number) {}
  check(): boolean {
    return true;
  }
  run(_m: object, s: Script): void {
    s.advance(this.seconds);
  }
  toString(): string {
    return `wait(${this.seconds}s)`;
  }
}

/** Commands of world 1; `waitUpTo` > 0 adds idle periods (seconds). */
export function trackedCommands(waitUpTo: number): fc.Arbitrary<Iterable<fc.Command<TrackedModel, Script>>> {
  const connect = fc.tuple(fc.nat({ max: WAYS_1.length - 1 }), fc.constantFrom(...PORTS_1)).map(([w, p]) => new Connect1(w, p));
  const transfer = fc.tuple(fc.nat(), fc.boolean()).map(([p, o]) => new Transfer1(p, o));
  const arbs: fc.Arbitrary<fc.Command<TrackedModel, Script>>[] = [
    fc.nat({ max: RULES_1.length - 1 }).map((k) => new Authorize1(k)),
    fc.nat().map((p) => new Revoke1(p)),
    connect,
    connect,
    transfer,
    transfer,
  ];
  if (waitUpTo > 0) arbs.push(fc.integer({ min: 1, max: waitUpTo }).map((d) => new Wait(d) as fc.Command<TrackedModel, Script>));
  return fc.commands(arbs, { maxCommands: 30, size: 'medium' });
}

/** Rules G may start with (indices into the rule pool). */
export const initialRules1: fc.Arbitrary<number[]> = fc.subarray(RULES_1.map((_, i) => i), { maxLength: 4 });

export function trackedSpec(T: number, initial: readonly number[], script: Script): ScenarioSpec {
  return { ...world1(T, initial.map((i) => RULES_1[i])), timeline: script.entries };
}

export function newTrackedModel(T: number, initial: readonly number[]): TrackedModel {
  return { rules: initial.map((i) => RULES_1[i]), conns: [], T };
}

// ---------------------------------------------------------------------------------------------
// World 2: rule changes that take time to propagate

const WAYS_2: readonly Way[] = [WAYS_1[0], WAYS_1[1], WAYS_1[5]];

const RULES_2: readonly Rule[] = [
  icmp(8, -1, cidr(0, 0)),
  icmp(-1, -1, group('H')),
  all(cidr(S_PRIV, 32)),
  udp(53, 53, cidr(ip(198, 51, 100, 0), 24)),
  udp(0, 65535, group('H')),
  icmp(0, 0, cidr(0, 0)),
  all(cidr(S_PUB, 32)),
  udp(80, 80, cidr(0, 0)),
  all(group('G')),
];

export interface PropagationModel {
  readonly D: number;
  /** Every rule change so far: time (s) and the change. */
  readonly changes: { t: number; kind: 'authorize' | 'revoke'; rule: Rule }[];
}

function rulesAt(m: Readonly<PropagationModel>, upTo: number): Rule[] {
  const rules: Rule[] = [];
  for (const c of m.changes) {
    if (c.t > upTo) continue;
    if (c.kind === 'authorize') rules.push(c.rule);
    else rules.splice(rules.findIndex((r) => sameRuleP(r, c.rule)), 1);
  }
  return rules;
}

const configured = (m: Readonly<PropagationModel>): Rule[] => rulesAt(m, Infinity);

class Change2 implements fc.Command<PropagationModel, Script> {
  constructor(readonly k: number) {}
  check(): boolean {
    return true;
  }
  run(m: PropagationModel, s: Script): void {
    const rule = RULES_2[this.k];
    const held = configured(m).some((r) => sameRuleP(r, rule));
    const kind = held ? 'revoke' : 'authorize';
    s.add({ kind, group: 'G', rule });
    m.changes.push({ t: s.now, kind, rule });
    s.advance(1);
  }
  toString(): string {
    return `toggle(G, rule ${this.k})`;
  }
}

class Traffic2 implements fc.Command<PropagationModel, Script> {
  constructor(
    readonly w: number,
    readonly kind: 'ping' | 'send',
    readonly port: number,
  ) {}
  check(): boolean {
    return true;
  }
  run(m: PropagationModel, s: Script): void {
    const way = WAYS_2[this.w];
    // Rules reach filtering D seconds after the change; the packet arrives within a second.
    const inForce = rulesAt(m, s.now - m.D);
    const p = packetOf(way, this.kind === 'ping' ? 'icmp' : 'udp', this.port);
    const v = judge(['G'], () => inForce, p);
    const ok = this.kind === 'ping' ? 'replied' : 'delivered';
    const bad = this.kind === 'ping' ? 'timeout' : 'dropped';
    let expect: Expectation;
    if (v.admitted) expect = expectOf(way, ok, 'ALLOWED_BY_RULE');
    else if (judge(['G'], () => configured(m), p).admitted) expect = expectOf(way, bad, 'SIM_PROPAGATION_PENDING');
    else expect = expectOf(way, bad, v.code);
    s.add(this.kind === 'ping' ? { kind: 'ping', from: way.from, to: way.to } : { kind: 'send', from: way.from, to: way.to, port: this.port, count: 1 }, { expect });
    s.advance(1);
  }
  toString(): string {
    return `${this.kind}(${WAYS_2[this.w].from} -> r.${(WAYS_2[this.w].to as { kind: string }).kind}${this.kind === 'send' ? `:${this.port}` : ''})`;
  }
}

/** Rules G may start with (indices into the rule pool), in force from the start. */
export const initialRules2: fc.Arbitrary<number[]> = fc.subarray(RULES_2.map((_, i) => i), { maxLength: 3 });

export function newPropagationModel(D: number, initial: readonly number[]): PropagationModel {
  return { D, changes: initial.map((i) => ({ t: -Infinity, kind: 'authorize' as const, rule: RULES_2[i] })) };
}

export function propagationCommands(D: number): fc.Arbitrary<Iterable<fc.Command<PropagationModel, Script>>> {
  return fc.commands(
    [
      fc.nat({ max: RULES_2.length - 1 }).map((k) => new Change2(k)),
      fc.tuple(fc.nat({ max: WAYS_2.length - 1 }), fc.constantFrom<'ping' | 'send'>('ping', 'send'), fc.constantFrom(53, 80, 9)).map(([w, k, p]) => new Traffic2(w, k, p)),
      fc.tuple(fc.nat({ max: WAYS_2.length - 1 }), fc.constantFrom<'ping' | 'send'>('ping', 'send'), fc.constantFrom(53, 80, 9)).map(([w, k, p]) => new Traffic2(w, k, p)),
      fc.integer({ min: 1, max: 2 * D }).map((d) => new Wait(d) as fc.Command<PropagationModel, Script>),
    ],
    { maxCommands: 30, size: 'medium' },
  );
}

export function propagationSpec(D: number, initial: readonly number[], script: Script): ScenarioSpec {
  const w = world1(432_000, initial.map((i) => RULES_2[i]), { propagationDelayS: D });
  return { ...w, name: 'model: rule changes propagating', timeline: script.entries };
}

// ---------------------------------------------------------------------------------------------
// World 3: lifecycles and Elastic IPs

const INSTANCES_3 = ['a', 'b', 'c'] as const;
type Name3 = (typeof INSTANCES_3)[number];
export const EIPS_3: readonly Ip[] = [ip(203, 0, 113, 1), ip(203, 0, 113, 2), ip(203, 0, 113, 3)];
const O_IP = ip(1, 2, 3, 4);

export interface LifecycleModel {
  readonly state: Record<Name3, 'running' | 'stopped' | 'terminated'>;
  readonly holder: Map<Ip, Name3 | null>;
  readonly known: Set<Ip>;
  /** Bumped whenever the private address changes (stop, start). */
  readonly privEpoch: Record<Name3, number>;
  /** Bumped whenever the dynamic public address changes (stop, start, gaining or losing an EIP). */
  readonly pubEpoch: Record<Name3, number>;
  readonly rounds: ProbeRound[];
}

interface ProbeRound {
  readonly state: Record<Name3, 'running' | 'stopped' | 'terminated'>;
  readonly holder: Map<Ip, Name3 | null>;
  readonly privEpoch: Record<Name3, number>;
  readonly pubEpoch: Record<Name3, number>;
  /** Flow of `send X -> o` (the source o sees is X's public address). */
  readonly out: Record<Name3, number>;
  /** Flow of `send o -> X.public` (to: X's public address; destination: X's private one). */
  readonly into: Record<Name3, number>;
  /** Flow of `send o -> <eip>` per known Elastic IP. */
  readonly eips: Map<Ip, number>;
}

export function world3(): Omit<ScenarioSpec, 'timeline'> {
  return {
    version: 1,
    name: 'model: lifecycles and Elastic IPs',
    platform: 'classic',
    seed: '3',
    settings: settingsWith({ jitter: 0.1 }),
    regions: [{ name: 'us-east-1', zones: ['us-east-1a', 'us-east-1b'] }],
    groups: [{ key: 'P', name: 'P', region: 'us-east-1', ingress: [all(cidr(O_IP, 32))] }],
    instances: INSTANCES_3.map((name, i) => ({
      name,
      region: 'us-east-1',
      zone: i === 1 ? 'us-east-1b' : 'us-east-1a',
      groups: ['P'],
      ...(name === 'a' ? { elasticIp: EIPS_3[0] } : {}),
      services: [],
      state: 'running' as const,
    })),
    external: [{ name: 'o', ip: O_IP, services: [] }],
  };
}

export function newLifecycleModel(): LifecycleModel {
  return {
    state: { a: 'running', b: 'running', c: 'running' },
    holder: new Map([[EIPS_3[0], 'a']]),
    known: new Set([EIPS_3[0]]),
    privEpoch: { a: 0, b: 0, c: 0 },
    pubEpoch: { a: 0, b: 0, c: 0 },
    rounds: [],
  };
}

function heldBy(m: Readonly<LifecycleModel>, x: Name3): Ip | null {
  for (const [e, h] of m.holder) if (h === x) return e;
  return null;
}

function releaseEip(m: LifecycleModel, x: Name3): void {
  const e = heldBy(m, x);
  if (e !== null) m.holder.set(e, null);
}

class Lifecycle3 implements fc.Command<LifecycleModel, Script> {
  constructor(
    readonly kind: 'stop' | 'start' | 'terminate',
    readonly x: Name3,
  ) {}
  check(m: Readonly<LifecycleModel>): boolean {
    const st = m.state[this.x];
    return this.kind === 'start' ? st === 'stopped' : st === 'running' || (this.kind === 'terminate' && st === 'stopped');
  }
  run(m: LifecycleModel, s: Script): void {
    s.add({ kind: this.kind, instance: this.x });
    if (this.kind === 'start') m.state[this.x] = 'running';
    else {
      releaseEip(m, this.x);
      m.state[this.x] = this.kind === 'stop' ? 'stopped' : 'terminated';
    }
    m.privEpoch[this.x]++;
    m.pubEpoch[this.x]++;
    s.advance(1);
  }
  toString(): string {
    return `${this.kind}(${this.x})`;
  }
}

class Associate3 implements fc.Command<LifecycleModel, Script> {
  constructor(
    readonly e: number,
    readonly x: Name3,
  ) {}
  check(m: Readonly<LifecycleModel>): boolean {
    return m.state[this.x] === 'running' && (m.holder.get(EIPS_3[this.e]) ?? null) !== this.x;
  }
  run(m: LifecycleModel, s: Script): void {
    const e = EIPS_3[this.e];
    s.add({ kind: 'associate', elasticIp: e, instance: this.x });
    const former = m.holder.get(e) ?? null;
    if (former !== null) m.pubEpoch[former]++; // the former holder gets a new public IP
    releaseEip(m, this.x); // an instance holds one EIP: its previous one is freed
    m.holder.set(e, this.x);
    m.known.add(e);
    m.pubEpoch[this.x]++;
    s.advance(1);
  }
  toString(): string {
    return `associate(${dotted(EIPS_3[this.e])}, ${this.x})`;
  }
}

class Disassociate3 implements fc.Command<LifecycleModel, Script> {
  constructor(readonly e: number) {}
  check(m: Readonly<LifecycleModel>): boolean {
    return m.known.has(EIPS_3[this.e]);
  }
  run(m: LifecycleModel, s: Script): void {
    const e = EIPS_3[this.e];
    s.add({ kind: 'disassociate', elasticIp: e });
    const h = m.holder.get(e) ?? null;
    if (h !== null) m.pubEpoch[h]++;
    m.holder.set(e, null);
    s.advance(1);
  }
  toString(): string {
    return `disassociate(${dotted(EIPS_3[this.e])})`;
  }
}

class Probe3 implements fc.Command<LifecycleModel, Script> {
  check(): boolean {
    return true;
  }
  run(m: LifecycleModel, s: Script): void {
    const out = {} as Record<Name3, number>;
    const into = {} as Record<Name3, number>;
    const eips = new Map<Ip, number>();
    for (const x of INSTANCES_3) {
      const running = m.state[x] === 'running';
      const e = heldBy(m, x);
      out[x] = s.add(
        { kind: 'send', from: x, to: { kind: 'external', host: 'o' }, port: 9, count: 1 },
        {
          expect: running
            ? { outcome: 'delivered', path: 'public', ...(e !== null ? { source: { kind: 'ip', ip: e } } : {}) }
            : { outcome: 'dropped', code: 'SOURCE_NOT_RUNNING' },
        },
      );
      s.advance(1);
      into[x] = s.add(
        { kind: 'send', from: 'o', to: { kind: 'public', instance: x }, port: 9, count: 1 },
        { expect: running ? { outcome: 'delivered', path: 'public', code: 'ALLOWED_BY_RULE' } : { outcome: 'dropped', code: 'NO_ROUTE_TO_DESTINATION' } },
      );
      s.advance(1);
    }
    for (const e of EIPS_3) {
      if (!m.known.has(e)) continue;
      const h = m.holder.get(e) ?? null;
      const live = h !== null && m.state[h] === 'running';
      eips.set(
        e,
        s.add(
          { kind: 'send', from: 'o', to: { kind: 'ip', ip: e }, port: 9, count: 1 },
          { expect: live ? { outcome: 'delivered', path: 'public' } : { outcome: 'dropped', code: 'NO_ROUTE_TO_DESTINATION' } },
        ),
      );
      s.advance(1);
    }
    m.rounds.push({ state: { ...m.state }, holder: new Map(m.holder), privEpoch: { ...m.privEpoch }, pubEpoch: { ...m.pubEpoch }, out, into, eips });
  }
  toString(): string {
    return 'probe';
  }
}

export function lifecycleCommands(): fc.Arbitrary<Iterable<fc.Command<LifecycleModel, Script>>> {
  const name = fc.constantFrom<Name3>(...INSTANCES_3);
  return fc.commands(
    [
      fc.tuple(fc.constantFrom<'stop' | 'start'>('stop', 'start'), name).map(([k, x]) => new Lifecycle3(k, x)),
      fc.tuple(fc.constantFrom<'stop' | 'start'>('stop', 'start'), name).map(([k, x]) => new Lifecycle3(k, x)),
      name.map((x) => new Lifecycle3('terminate', x)),
      fc.tuple(fc.nat({ max: EIPS_3.length - 1 }), name).map(([e, x]) => new Associate3(e, x)),
      fc.tuple(fc.nat({ max: EIPS_3.length - 1 }), name).map(([e, x]) => new Associate3(e, x)),
      fc.nat({ max: EIPS_3.length - 1 }).map((e) => new Disassociate3(e)),
      fc.constant(new Probe3()),
      fc.constant(new Probe3()),
    ],
    { maxCommands: 25, size: 'medium' },
  );
}

/** Address checks over every probe round (domain.md §4, lifecycle). */
export function verifyRounds(m: LifecycleModel, report: RunReport): string[] {
  const problems: string[] = [];
  const everPriv = new Set<string>();
  const everPub = new Set<string>();
  const privOf = new Map<string, string>(); // `${x}@${epoch}` -> address
  const pubOf = new Map<string, string>();
  const eipText = new Set(EIPS_3.map(dotted));
  m.rounds.forEach((round, r) => {
    const privs = new Map<string, Name3>();
    const pubs = new Map<string, Name3>();
    const roundPriv = new Map<Name3, string>();
    for (const x of INSTANCES_3) {
      if (round.state[x] !== 'running') continue;
      const out = report.flows[round.out[x]];
      const into = report.flows[round.into[x]];
      if (!out || !into || out.outcome !== 'delivered' || into.outcome !== 'delivered') continue; // reported by expectations
      const pub = into.to;
      const priv = into.destination ?? '';
      roundPriv.set(x, priv);
      const say = (what: string): void => {
        problems.push(`probe round ${r + 1}, ${x}: ${what}`);
      };
      if (out.source !== pub) say(`o saw it send from ${out.source}, but its public address is ${pub}`);
      if (!isPrivate(priv)) say(`its private address ${priv} is not in 10.0.0.0/8`);
      if (isPrivate(pub)) say(`its public address ${pub} is in 10.0.0.0/8`);
      const e = heldBy({ ...m, holder: round.holder } as LifecycleModel, x);
      if (e !== null && pub !== dotted(e)) say(`it holds ${dotted(e)} but its public address is ${pub}`);
      if (e === null && eipText.has(pub)) say(`it holds no Elastic IP but its public address is the Elastic IP ${pub}`);
      if (privs.has(priv)) say(`private address ${priv} is also held by ${privs.get(priv)}`);
      if (pubs.has(pub)) say(`public address ${pub} is also held by ${pubs.get(pub)}`);
      privs.set(priv, x);
      pubs.set(pub, x);
      const pk = `${x}@${round.privEpoch[x]}`;
      if (privOf.has(pk)) {
        if (privOf.get(pk) !== priv) say(`its private address changed from ${privOf.get(pk)} to ${priv} without a stop/start`);
      } else {
        if (everPriv.has(priv)) say(`its new private address ${priv} was held before (addresses are never reused)`);
        privOf.set(pk, priv);
      }
      if (e === null) {
        const uk = `${x}@${round.pubEpoch[x]}`;
        if (pubOf.has(uk)) {
          if (pubOf.get(uk) !== pub) say(`its public address changed from ${pubOf.get(uk)} to ${pub} with no lifecycle or EIP change`);
        } else {
          if (everPub.has(pub)) say(`its new public address ${pub} was held before (addresses are never reused)`);
          pubOf.set(uk, pub);
        }
      }
    }
    for (const [x, priv] of roundPriv) {
      everPriv.add(priv);
      const into = report.flows[round.into[x]];
      if (into && !eipText.has(into.to)) everPub.add(into.to);
    }
    for (const [e, flow] of round.eips) {
      const f = report.flows[flow];
      const h = round.holder.get(e) ?? null;
      if (!f || h === null || round.state[h] !== 'running') continue;
      if (f.destination !== roundPriv.get(h)) {
        problems.push(`probe round ${r + 1}: traffic to ${dotted(e)} reached ${f.destination ?? 'nobody'}, but its holder ${h} is at ${roundPriv.get(h)}`);
      }
    }
  });
  return problems;
}

export function lifecycleSpec(script: Script): ScenarioSpec {
  return { ...world3(), timeline: script.entries };
}
