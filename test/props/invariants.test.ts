/**
 * test/props/invariants: every invariant of domain.md §9 as its own property.
 *
 * Owns: one `it` per invariant (union and order independence, monotonicity, default deny,
 * outbound never blocked, cross-region from a public address, group rules never admit
 * public-path traffic, same group without a rule, destination port only, replies pass, revoke
 * keeps tracked flows but blocks new ones, Elastic IP uniqueness and lifecycle, determinism,
 * silent drops, one primary explanation code), the stateful ones as model-based tests
 * (models.ts), and a property for each src bug they found, named after it, now fixed (there is
 * no known open bug: one found would get an `it.fails` here, naming it, until fixed).
 * Counterexamples are written by checkProperty (replay.ts) as runnable scenario files.
 */
import { describe, it } from 'vitest';
import fc from 'fast-check';
import { runScenario, type FlowReport } from '../../src/scenario/run.ts';
import type { AddressSpec, Expectation, ScenarioSpec, TimelineEntry } from '../../src/scenario/spec.ts';
import type { InstanceSpec, Rule } from '../../src/model/types.ts';
import type { Ip } from '../../src/net/ipv4.ts';
import {
  EPHEMERAL,
  UNHELD_IPS,
  buildSpec,
  defaultKey,
  initialRules,
  prefixArb,
  rawWorldArb,
  ruleArb,
  ruleFromRaw,
  rulesEverHeld,
  sameRuleP,
  sec,
  settingsWith,
  shifted,
  specArb,
  trafficPortArb,
  withEntries,
  withGroupRules,
  maskOf,
  type WorldOptions,
} from './arbitraries.ts';
import { OracleWorld, judge, matches, type Packet } from './oracle.ts';
import {
  ADMISSION_CODES,
  DENIAL_CODES,
  FAILURE_CODES,
  admitted,
  deliveriesAtReceiver,
  describeFlow,
  eventsOf,
  flowEntries,
  instanceSpecs,
  isPrivate,
  observe,
  parseDotted,
  rulesBefore,
  dotted,
  safeRun,
} from './observe.ts';
import {
  lifecycleCommands,
  lifecycleSpec,
  newLifecycleModel,
  initialRules1,
  initialRules2,
  newPropagationModel,
  newTrackedModel,
  play,
  propagationCommands,
  propagationSpec,
  trackedCommands,
  trackedSpec,
  verifyRounds,
  verifyScript,
} from './models.ts';
import { checkProperty, firstDifference, TIMEOUT } from './replay.ts';

/** Outcome-level view of a flow, compared between two runs. */
function verdictOf(f: FlowReport): string {
  return JSON.stringify([f.outcome, f.path ?? null, f.redirected ?? null, f.source ?? null, f.explanation.code]);
}

function fail(problems: readonly string[]): void {
  if (problems.length) throw new Error(problems.slice(0, 12).join('\n'));
}

/** A deterministic shuffle (Fisher-Yates over a small LCG seeded by `seed`). */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = (seed >>> 0) || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Every instance spec (declared or launched) rewritten by `f`. */
function mapInstances(spec: ScenarioSpec, f: (i: InstanceSpec) => InstanceSpec): ScenarioSpec {
  return {
    ...spec,
    instances: spec.instances.map(f),
    timeline: spec.timeline.map((e) => (e.action.kind === 'launch' ? { ...e, action: { ...e.action, instance: f(e.action.instance) } } : e)),
  };
}

/** The host an address spec names when it names an external host (by name or address). */
function externalTarget(spec: ScenarioSpec, to: AddressSpec): string | null {
  if (to.kind === 'external') return to.host;
  if (to.kind === 'ip') return spec.external.find((e) => e.ip === to.ip)?.name ?? null;
  return null;
}

/** Groups whose initial rules can be written in a scenario file (declared, and region 0's default). */
function editableGroups(spec: ScenarioSpec): string[] {
  const keys = spec.groups.map((g) => g.key);
  const d0 = defaultKey(spec.regions[0].name);
  if (!keys.includes(d0)) keys.push(d0);
  return keys;
}

/** A world with its groups' rules and its instances' group lists shuffled (seeded). */
function shuffled(spec: ScenarioSpec, seed: number): ScenarioSpec {
  return mapInstances({ ...spec, groups: spec.groups.map((g, i) => ({ ...g, ingress: shuffle(g.ingress, seed + i) })) }, (i) => ({
    ...i,
    groups: shuffle(i.groups, seed ^ i.name.length),
  }));
}

function orderIndependence(name: string, options: WorldOptions, runs: number): void {
  checkProperty(
    name,
    fc.tuple(specArb(options), fc.integer({ min: 1, max: 0x7fffffff })),
    ([spec, seed]) => {
      const a = safeRun(spec).flows;
      const b = safeRun(shuffled(spec, seed)).flows;
      fail(a.flatMap((f, i) => (verdictOf(f) === verdictOf(b[i]) ? [] : [`${describeFlow(f)}\n  after shuffling: ${describeFlow(b[i])}`])));
    },
    {
      runs,
      files: ([spec, seed]) => [
        { spec, note: 'the original order' },
        { spec: shuffled(spec, seed), note: 'the same world with groups and rules shuffled' },
      ],
    },
  );
}

const GENERIC: WorldOptions = { declare: 'some', lifecycle: true, eips: 'any', launch: true, transfers: true, ruleChanges: true };

describe('domain.md §9 invariants', () => {
  it(
    'union and order independence: shuffling groups on an instance and rules in groups never changes any outcome',
    () => orderIndependence('union and order independence', { ...GENERIC, propagationDelay: 'random' }, 200),
    TIMEOUT,
  );

  it(
    'union and order independence on group-heavy worlds (several rules naming the same group, members talking)',
    () =>
      orderIndependence(
        'union and order independence on group-heavy worlds',
        { ...GENERIC, groupSourceWeight: 6, rulesPerGroup: 6, regions: { min: 1, max: 1 }, toKinds: ['private', 'private', 'public'] },
        200,
      ),
    TIMEOUT,
  );

  it(
    'monotonicity: adding a rule never turns an admitted flow into a dropped one',
    () => {
      const arb = fc.tuple(specArb({ ...GENERIC, propagationDelay: 'random' }), fc.nat(), ruleArb(3), fc.nat());
      const add = ([spec, g, raw, pos]: [ScenarioSpec, number, Parameters<typeof ruleFromRaw>[2], number]): ScenarioSpec | null => {
        const keys = editableGroups(spec);
        const key = keys[g % keys.length];
        const rule = ruleFromRaw(spec, key, raw);
        if (rulesEverHeld(spec, key).some((r) => sameRuleP(r, rule))) return null;
        const rules = initialRules(spec).get(key)!;
        const at = pos % (rules.length + 1);
        return withGroupRules(spec, key, [...rules.slice(0, at), rule, ...rules.slice(at)]);
      };
      checkProperty(
        'monotonicity',
        arb,
        (value) => {
          const more = add(value);
          fc.pre(more !== null);
          const before = safeRun(value[0]).flows;
          const after = safeRun(more!).flows;
          fail(before.flatMap((f, i) => (admitted(f) && !admitted(after[i]) ? [`${describeFlow(f)}\n  with the extra rule: ${describeFlow(after[i])}`] : [])));
        },
        { files: (value) => [{ spec: value[0], note: 'without the rule' }, ...(add(value) ? [{ spec: add(value)!, note: 'with one more rule' }] : [])] },
      );
    },
    TIMEOUT,
  );

  it(
    'default deny: a new flow reaches an instance only through a rule in force that matches it',
    () => {
      checkProperty(
        'default deny',
        specArb({ ...GENERIC, propagationDelay: 0 }),
        (spec) => {
          const { report, trace } = observe(spec);
          const insts = instanceSpecs(spec);
          const problems: string[] = [];
          for (const { flow: f, entry, position } of flowEntries(spec, report)) {
            if (entry.action.kind === 'transfer') continue; // rides a tracked connection
            const first = deliveriesAtReceiver(trace, f)[0];
            if (!first || !insts.has(first.host as string)) continue; // nothing arrived, or an external host
            const receiver = insts.get(first.host as string)!;
            const sender = insts.get(f.from);
            const rules = rulesBefore(spec, position);
            const p: Packet = {
              protocol: f.protocol as Packet['protocol'],
              port: f.port ?? 0,
              icmpType: 8,
              icmpCode: 0,
              source: parseDotted(f.source!),
              privatePath: f.path === 'private',
              senderGroups: sender ? sender.groups : null,
            };
            const v = judge(receiver.groups, (k) => rules.get(k) ?? [], p);
            if (first.by !== 'ALLOWED_BY_RULE') problems.push(`${describeFlow(f)}: a new flow entered ${receiver.name} by ${String(first.by)}, not by a rule`);
            else if (!v.admitted) problems.push(`${describeFlow(f)}: admitted by ${receiver.name} though no rule of its groups (${receiver.groups.join(', ')}) matches`);
            const named = f.explanation.rule;
            if (named && f.explanation.code === 'ALLOWED_BY_RULE') {
              const rule = rules.get(f.explanation.group === 'default' ? defaultKey(receiver.region) : f.explanation.group!)?.find((r) => sameRuleP(r, parseRuleReport(named, receiver.region)));
              if (!rule || !matches(rule, p)) problems.push(`${describeFlow(f)}: the rule it names (${JSON.stringify(named)}) is not a rule in force that matches it`);
            }
          }
          fail(problems);
        },
        { files: (spec) => [{ spec }] },
      );
    },
    TIMEOUT,
  );

  it(
    'outbound is never blocked: instance to external host always gets through; replies to its own requests come back',
    () => {
      checkProperty(
        'outbound is never blocked',
        specArb({ ...GENERIC, externals: { min: 1, max: 2 }, propagationDelay: 'random' }),
        (spec) => {
          const { report, trace } = observe(spec);
          const insts = instanceSpecs(spec);
          const problems: string[] = [];
          for (const { flow: f, entry } of flowEntries(spec, report)) {
            const a = entry.action;
            if ((a.kind !== 'connect' && a.kind !== 'send' && a.kind !== 'ping') || !insts.has(a.from) || f.explanation.code === 'SOURCE_NOT_RUNNING') continue;
            const ext = externalTarget(spec, a.to);
            if (ext !== null) {
              const host = spec.external.find((e) => e.name === ext)!;
              const listening = a.kind === 'connect' && host.services.some((s) => s.protocol === 'tcp' && s.ports.from <= a.port && a.port <= s.ports.to);
              const want = a.kind === 'connect' ? (listening ? 'connected' : 'refused') : a.kind === 'send' ? 'delivered' : 'replied';
              if (f.outcome !== want) problems.push(`${describeFlow(f)}: outbound to ${ext} should be ${want}`);
              if (f.path !== 'public' || f.redirected) problems.push(`${describeFlow(f)}: outbound to ${ext} goes over the public path, not redirected`);
              if (f.source === undefined || isPrivate(f.source)) problems.push(`${describeFlow(f)}: ${ext} must see a public source`);
            }
            // Replies to the instance's own requests: once the request got in, the answer comes back.
            if (deliveriesAtReceiver(trace, f).length > 0 && !admitted(f)) problems.push(`${describeFlow(f)}: the request was delivered but its answer never came back`);
          }
          fail(problems);
        },
        { files: (spec) => [{ spec }] },
      );
    },
    TIMEOUT,
  );

  it(
    'cross-region traffic always reaches the receiver from a public address (path public, source the sender\'s EIP or public IP)',
    () => {
      checkProperty(
        'cross-region traffic always reaches the receiver from a public address',
        specArb({ declare: 'all', terminate: true, eips: 'free', launch: true, regions: { min: 2, max: 3 }, instances: { min: 2, max: 6 }, toKinds: ['private', 'public', 'dns', 'eip', 'ip'] }),
        (spec) => {
          const report = safeRun(spec);
          const insts = instanceSpecs(spec);
          // Public addresses over time: declared, then changed only by associating a free EIP.
          const publicOf = new Map<string, Ip>();
          const regionOfPrivate = new Map<string, string>();
          for (const i of insts.values()) regionOfPrivate.set(dotted(i.privateIp!), i.region);
          const declare = (i: InstanceSpec): void => void publicOf.set(i.name, i.elasticIp ?? i.publicIp!);
          spec.instances.forEach(declare);
          const problems: string[] = [];
          let n = 0;
          for (const e of spec.timeline) {
            const a = e.action;
            if (a.kind === 'launch') declare(a.instance);
            if (a.kind === 'associate') publicOf.set(a.instance, a.elasticIp);
            if (!['connect', 'send', 'ping', 'transfer'].includes(a.kind)) continue;
            const f = report.flows[n++];
            const sender = insts.get(f.from);
            if (!sender || f.destination === undefined || f.source === undefined) continue;
            const receiverRegion = regionOfPrivate.get(f.destination);
            if (receiverRegion === undefined || receiverRegion === sender.region) continue;
            if (f.path !== 'public') problems.push(`${describeFlow(f)}: cross-region traffic on the ${f.path} path`);
            if (isPrivate(f.source)) problems.push(`${describeFlow(f)}: cross-region traffic seen from a private address`);
            if (f.source !== dotted(publicOf.get(f.from)!)) problems.push(`${describeFlow(f)}: seen from ${f.source}, but ${f.from}'s public address is ${dotted(publicOf.get(f.from)!)}`);
            if (a.kind !== 'transfer' && f.redirected !== isPrivate(f.to)) problems.push(`${describeFlow(f)}: addressed to ${f.to}, redirected must be ${isPrivate(f.to)}`);
          }
          fail(problems);
        },
        { files: (spec) => [{ spec }] },
      );
    },
    TIMEOUT,
  );

  it(
    'group rules never admit public-path traffic',
    () => {
      checkProperty(
        'group rules never admit public-path traffic',
        fc.oneof(
          specArb({ ...GENERIC, groupSourceWeight: 5, regions: { min: 1, max: 2 } }),
          specArb({ ...GENERIC, groupSourceWeight: 5, cidrSourceWeight: 0, regions: { min: 1, max: 2 } }),
        ),
        (spec) => {
          const report = safeRun(spec);
          const groupOnly = [...initialRules(spec).values(), ...spec.timeline.flatMap((e) => (e.action.kind === 'authorize' ? [[e.action.rule]] : []))].every((rs) =>
            rs.every((r) => r.source.kind === 'group'),
          );
          const problems: string[] = [];
          for (const f of report.flows) {
            if (f.path !== 'public') continue;
            const r = f.explanation.rule;
            if (r && 'group' in r.from) problems.push(`${describeFlow(f)}: admitted over the public path by a group rule (${JSON.stringify(r)})`);
            // With only group rules, nothing new reaches an instance over the public path.
            if (groupOnly && isPrivate(f.destination) && admitted(f) && f.explanation.code !== 'TRACKED_CONNECTION') {
              problems.push(`${describeFlow(f)}: only group rules exist, yet public-path traffic was admitted`);
            }
          }
          fail(problems);
        },
        { files: (spec) => [{ spec }] },
      );
    },
    TIMEOUT,
  );

  it(
    'same group without a rule is no connectivity',
    () => {
      const sameGroup = (spec: ScenarioSpec): ScenarioSpec => {
        const first = new Map<string, string>();
        for (const g of spec.groups) if (!g.key.startsWith('default/') && !first.has(g.region)) first.set(g.region, g.key);
        const emptied = { ...spec, groups: spec.groups.filter((g) => !g.key.startsWith('default/')).map((g) => ({ ...g, ingress: [] })) };
        return mapInstances(emptied, (i) => ({ ...i, groups: [first.get(i.region)!] }));
      };
      checkProperty(
        'same group without a rule is no connectivity',
        specArb({ ...GENERIC, ruleChanges: false, toKinds: ['private', 'public', 'dns', 'eip', 'ip'] }).map(sameGroup),
        (spec) => {
          const report = safeRun(spec);
          const problems: string[] = [];
          const target = new Map<string, AddressSpec>();
          for (const { flow: f, entry } of flowEntries(spec, report)) {
            const a = entry.action;
            const to = a.kind === 'transfer' ? target.get(a.connection) : 'to' in a ? a.to : undefined;
            if (a.kind === 'connect' && entry.id) target.set(entry.id, a.to);
            if (!to || externalTarget(spec, to) !== null) continue;
            if (admitted(f)) problems.push(`${describeFlow(f)}: got through, though every instance is in one group that has no rule`);
            else if (!['SG_HAS_NO_RULES', 'NO_ROUTE_TO_DESTINATION', 'SOURCE_NOT_RUNNING', 'CONNECTION_NOT_OPEN'].includes(f.explanation.code)) {
              problems.push(`${describeFlow(f)}: the group has no rules, so the reason is SG_HAS_NO_RULES`);
            }
          }
          fail(problems);
        },
        { files: (spec) => [{ spec }] },
      );
    },
    TIMEOUT,
  );

  it(
    'destination port only: the source port never matters',
    () => {
      // Variant 1: the same flows leave from other source ports (and echo ids) when each host
      // first sends a few datagrams and pings nowhere. Variant 2: rules that cover exactly the
      // ephemeral source-port range change no verdict (generated destination ports avoid it).
      const arb = fc.tuple(specArb({ ...GENERIC, propagationDelay: 'random' }), fc.array(fc.nat({ max: 4 }), { minLength: 10, maxLength: 10 }));
      const variants = ([spec, counts]: [ScenarioSpec, number[]]): [ScenarioSpec, ScenarioSpec, ScenarioSpec] => {
        const base = shifted(spec, sec(200));
        const hosts = [...spec.instances.map((i) => i.name), ...spec.external.map((e) => e.name)];
        const dummies: Omit<TimelineEntry, 'index'>[] = hosts.flatMap((h, i) =>
          Array.from({ length: counts[i % counts.length] }, (_, k) => ({
            at: 0,
            action: k % 2 === 0 ? { kind: 'send' as const, from: h, to: { kind: 'ip' as const, ip: UNHELD_IPS[0] }, port: 9, count: 1 } : { kind: 'ping' as const, from: h, to: { kind: 'ip' as const, ip: UNHELD_IPS[0] } },
          })),
        );
        let ephemeral = base;
        for (const key of editableGroups(base)) {
          const anywhere: Rule['source'] = { kind: 'cidr', cidr: { base: 0, prefix: 0 } };
          const candidates: Rule[] = [
            { protocol: 'tcp', ports: { from: EPHEMERAL.from, to: EPHEMERAL.to }, source: anywhere },
            { protocol: 'udp', ports: { from: EPHEMERAL.from, to: EPHEMERAL.to }, source: anywhere },
          ];
          const extra = candidates.filter((r) => !rulesEverHeld(base, key).some((x) => sameRuleP(x, r)));
          ephemeral = withGroupRules(ephemeral, key, [...initialRules(ephemeral).get(key)!, ...extra]);
        }
        return [base, withEntries(base, dummies), ephemeral];
      };
      checkProperty(
        'destination port only',
        arb,
        (value) => {
          const [base, moved, ephemeral] = variants(value);
          const a = safeRun(base).flows;
          const b = safeRun(moved).flows;
          const c = safeRun(ephemeral).flows;
          const offset = b.length - a.length;
          const problems: string[] = [];
          a.forEach((f, i) => {
            if (verdictOf(f) !== verdictOf(b[i + offset])) problems.push(`${describeFlow(f)}\n  from other source ports: ${describeFlow(b[i + offset])}`);
            const g = c[i];
            const sameOutcome = f.outcome === g.outcome && (f.source ?? null) === (g.source ?? null);
            // Extra rules may turn SG_HAS_NO_RULES into ENI_SG_RULES_MISMATCH, nothing else.
            const codes = new Set([f.explanation.code, g.explanation.code]);
            const sameCode = codes.size === 1 || (codes.has('SG_HAS_NO_RULES') && codes.has('ENI_SG_RULES_MISMATCH'));
            if (!sameOutcome || !sameCode) problems.push(`${describeFlow(f)}\n  with rules for the source ports 32768-60999: ${describeFlow(g)}`);
          });
          fail(problems);
        },
        { files: (value) => variants(value).map((spec, i) => ({ spec, note: ['the flows', 'the same flows from other source ports', 'with rules covering only the source ports'][i] })) },
      );
    },
    TIMEOUT,
  );

  it(
    'replies of admitted flows always pass (latency jitter at its default)',
    () => {
      checkProperty(
        'replies of admitted flows always pass',
        specArb({ ...GENERIC, jitter: 0.1, propagationDelay: 'random' }),
        (spec) => {
          const { report, trace } = observe(spec);
          const problems: string[] = [];
          for (const f of report.flows) {
            if (deliveriesAtReceiver(trace, f).length === 0) continue;
            const want = f.action === 'connect' ? ['connected', 'refused'] : f.action === 'ping' ? ['replied'] : ['delivered'];
            if (!want.includes(f.outcome)) problems.push(`${describeFlow(f)}: the request reached its receiver, so the flow must be ${want.join(' or ')}`);
          }
          fail(problems);
        },
        { files: (spec) => [{ spec }] },
      );
    },
    TIMEOUT,
  );

  it(
    'revoking a rule never cuts a tracked flow before its idle timeout, but blocks the next new flow',
    () => {
      checkProperty(
        'revoking a rule never cuts a tracked flow before its idle timeout',
        revokeCaseArb(),
        (c) => {
          fc.pre(c !== null);
          const report = safeRun(c!.spec);
          fail(report.flows.filter((f) => f.ok === false).map((f) => `${describeFlow(f)}: expected ${JSON.stringify(f.expected)}`));
        },
        { files: (c) => (c ? [{ spec: c.spec, note: c.note }] : []) },
      );
    },
    TIMEOUT,
  );

  it(
    'EIP uniqueness and lifecycle: after associate/disassociate/stop/start, no two running instances hold one address, and an EIP\'s holder alone is seen with it',
    () => {
      checkProperty(
        'EIP uniqueness and lifecycle',
        lifecycleCommands(),
        (cmds) => {
          const { model, script } = play(newLifecycleModel, cmds);
          const report = safeRun(lifecycleSpec(script));
          fail([...verifyScript(script, report), ...verifyRounds(model, report)]);
        },
        { runs: 150, files: (cmds) => [{ spec: lifecycleSpec(play(newLifecycleModel, cmds).script), note: `commands: ${[...cmds].map(String).join(', ')}` }] },
      );
    },
    TIMEOUT,
  );

  it(
    'determinism: the same spec and seed give a byte-identical report and trace',
    () => {
      checkProperty(
        'determinism',
        fc.tuple(specArb({ ...GENERIC, declare: 'none', jitter: 0.1, propagationDelay: 'random' }), fc.string({ maxLength: 6 })),
        ([spec, seed]) => {
          const problems: string[] = [];
          const a = observe(spec, seed);
          const b = observe(spec, seed);
          const report = firstDifference(JSON.stringify(a.report), JSON.stringify(b.report));
          // Tracing observes; it must not change the run.
          const untraced = firstDifference(JSON.stringify(a.report), JSON.stringify(runScenario(spec, { seed })));
          if (untraced) problems.push(`the report differs when the run is not traced; ${untraced}`);
          const trace = firstDifference(a.trace.map((e) => JSON.stringify(e)).join('\n'), b.trace.map((e) => JSON.stringify(e)).join('\n'));
          fail([...problems, ...(report ? [`the reports differ; ${report}`] : []), ...(trace ? [`the traces differ; ${trace}`] : [])]);
        },
        { runs: 100, files: ([spec, seed]) => [{ spec: { ...spec, seed } }] },
      );
    },
    TIMEOUT,
  );

  it(
    'a silent drop sends nothing back',
    () => {
      checkProperty(
        'a silent drop sends nothing back',
        specArb({ ...GENERIC, jitter: 0.1, propagationDelay: 'random' }),
        (spec) => {
          const { report, trace } = observe(spec);
          const problems: string[] = [];
          trace.forEach((e, i) => {
            if (e.ev !== 'drop' || !DENIAL_CODES.includes(e.code as string)) return;
            for (let j = i + 1; j < trace.length && trace[j].tNs === e.tNs; j++) {
              const s = trace[j];
              if (s.ev === 'send' && s.host === e.host && s.dst === e.src) problems.push(`at ${e.tNs}ns ${String(e.host)} dropped a packet from ${String(e.src)} (${String(e.code)}) and answered it: ${JSON.stringify(s)}`);
            }
          });
          for (const f of report.flows) {
            if (admitted(f) || !DENIAL_CODES.includes(f.explanation.code)) continue;
            const answers = eventsOf(trace, f.index).filter((e) => e.ev === 'send' && e.host !== f.from);
            if (answers.length) problems.push(`${describeFlow(f)}: dropped, yet its receiver sent ${JSON.stringify(answers[0])}`);
          }
          fail(problems);
        },
        { files: (spec) => [{ spec }] },
      );
    },
    TIMEOUT,
  );

  it(
    'every drop has exactly one primary explanation code',
    () => {
      checkProperty(
        'every drop has exactly one primary explanation code',
        fc.oneof(
          specArb({ ...GENERIC, jitter: 0.1, propagationDelay: 'random' }),
          specArb({ ...GENERIC, propagationDelay: 'random', spacingS: 7 }).map((s) => ({ ...s, settings: settingsWith({ conntrack: { tcpEstablished: sec(20), udp: sec(10), icmp: sec(10) }, propagationDelay: s.settings.propagationDelay }) })),
        ),
        (spec) => {
          const report = safeRun(spec);
          const problems: string[] = [];
          for (const f of report.flows) {
            const { code, blockers = [] } = f.explanation;
            const say = (what: string): void => void problems.push(`${describeFlow(f)}: ${what}`);
            if (admitted(f)) {
              if (!ADMISSION_CODES.has(code)) say(`an admitted flow explained by ${code}`);
              if (blockers.length) say('an admitted flow lists blockers');
              continue;
            }
            if (!FAILURE_CODES.has(code)) say(`unknown failure code ${code}`);
            if (new Set(blockers).size !== blockers.length) say('a blocker is listed twice');
            if (blockers.includes(code)) say('the primary code is repeated among the blockers');
            if (!DENIAL_CODES.includes(code)) {
              if (blockers.length) say(`${code} is not a security-group denial, yet blockers are listed`);
              continue;
            }
            const all = [code, ...blockers];
            if (all.some((b) => !DENIAL_CODES.includes(b))) say('a blocker is not a denial code');
            const rank = all.map((b) => DENIAL_CODES.indexOf(b));
            if (rank.some((r, i) => i > 0 && r <= rank[i - 1])) say('causes are not listed primary first (SIM_PROPAGATION_PENDING, SIM_CONNTRACK_EXPIRED, SG_REFERENCES_NOT_PRESERVED, then the base)');
            const bases = all.filter((b) => b === 'ENI_SG_RULES_MISMATCH' || b === 'SG_HAS_NO_RULES');
            if (bases.length !== 1 || all[all.length - 1] !== bases[0]) say('the base cause (ENI_SG_RULES_MISMATCH or SG_HAS_NO_RULES) must appear once, last');
          }
          fail(problems);
        },
        { files: (spec) => [{ spec }] },
      );
    },
    TIMEOUT,
  );
});

describe('stateful models (fc.commands)', () => {
  it(
    'model: rule changes during a run against tracked connections and new flows',
    () => {
      const T = 432_000;
      checkProperty(
        'model: rule changes against tracked connections and new flows',
        fc.tuple(initialRules1, trackedCommands(0)),
        ([initial, cmds]) => {
          const { script } = play(() => newTrackedModel(T, initial), cmds);
          fail(verifyScript(script, safeRun(trackedSpec(T, initial, script))));
        },
        {
          runs: 150,
          files: ([initial, cmds]) => [{ spec: trackedSpec(T, initial, play(() => newTrackedModel(T, initial), cmds).script), note: `commands: ${[...cmds].map(String).join(', ')}` }],
        },
      );
    },
    TIMEOUT,
  );

  it(
    'model: idle expiry — after idling past tcpEstablished a transfer is judged anew (SIM_CONNTRACK_EXPIRED when no rule admits it)',
    () => {
      checkProperty(
        'model: idle expiry',
        fc.integer({ min: 5, max: 300 }).chain((T) => fc.tuple(fc.constant(T), initialRules1, trackedCommands(2 * T))),
        ([T, initial, cmds]) => {
          const { script } = play(() => newTrackedModel(T, initial), cmds);
          fail(verifyScript(script, safeRun(trackedSpec(T, initial, script))));
        },
        {
          runs: 150,
          files: ([T, initial, cmds]) => [
            { spec: trackedSpec(T, initial, play(() => newTrackedModel(T, initial), cmds).script), note: `T=${T}s; commands: ${[...cmds].map(String).join(', ')}` },
          ],
        },
      );
    },
    TIMEOUT,
  );

  it(
    'model: propagation delay — flows inside the window see the old rules, with SIM_PROPAGATION_PENDING when the pending rule would admit',
    () => {
      checkProperty(
        'model: propagation delay',
        fc.integer({ min: 1, max: 60 }).chain((D) => fc.tuple(fc.constant(D), initialRules2, propagationCommands(D))),
        ([D, initial, cmds]) => {
          const { script } = play(() => newPropagationModel(D, initial), cmds);
          fail(verifyScript(script, safeRun(propagationSpec(D, initial, script))));
        },
        {
          runs: 150,
          files: ([D, initial, cmds]) => [
            { spec: propagationSpec(D, initial, play(() => newPropagationModel(D, initial), cmds).script), note: `D=${D}s; commands: ${[...cmds].map(String).join(', ')}` },
          ],
        },
      );
    },
    TIMEOUT,
  );
});

describe('regressions: src bugs found by these properties, now fixed', () => {
  // B2 (src/fabric/fabric.ts, Fabric.applyChange case 'launch'): launching an instance with an
  // Elastic IP another instance holds moves the EIP in the world (model/world.ts takeElasticIp
  // gives the former holder a new public IP), but the fabric only adds the new instance and
  // never re-syncs the former holder (the 'associate' case does). The former holder keeps
  // sending from the EIP — now someone else's address — and its new public IP reaches nobody.
  // When it talks to the new holder's UDP or TCP service, each answer goes to the EIP, i.e. back
  // to the new holder itself, which answers again: the run never ends (see
  // test/regressions/b2-launch-takes-held-eip-never-settles.yaml). Fixed: the 'launch' case now
  // re-syncs the former holder, as 'associate' does.
  // Domain §4: "An EIP belongs to one region and one instance at a time"; associating an EIP
  // another instance holds moves it and the former holder gets a new public IP.
  it(
    'B2: launching with an Elastic IP another instance holds moves it; the former holder is seen from its new public IP and reachable at it',
    () => {
      checkProperty(
        'B2: launching with a held Elastic IP moves it',
        launchHeldEipArb(),
        (c) => {
          const report = safeRun(c.spec);
          const problems = report.flows.filter((f) => f.ok === false).map((f) => `${describeFlow(f)}: expected ${JSON.stringify(f.expected)}`);
          const out = report.flows.find((f) => f.id === 'former-out');
          if (out?.source === dotted(c.eip)) problems.push(`${describeFlow(out)}: the former holder still sends from ${dotted(c.eip)}, which ${c.holder} now holds`);
          fail(problems);
        },
        { runs: 30, knownBug: 'B2', files: (c) => [{ spec: c.spec, note: c.note }] },
      );
    },
    TIMEOUT,
  );
});

describe('regressions', () => {
  // Bug B1, fixed in src while these properties were written: ICMP tracking was keyed by
  // addresses and echo id only, so when A had pinged B, B's own echo *request* to A with the
  // same echo id (both hosts count echo ids from 1) hit A's entry: admitted as
  // TRACKED_CONNECTION inside the 30 s icmp timeout although A's groups have no rule, and blamed
  // on SIM_CONNTRACK_EXPIRED after it. Domain: replies pass (§5), a new inbound flow needs a rule
  // (§2, §9 default deny), SIM_CONNTRACK_EXPIRED is for a tracked flow that idled out (§7).
  it(
    'B1: a ping in the reverse direction is a new flow, judged by the receiver\'s rules',
    () => {
      checkProperty(
        'B1: a ping in the reverse direction is a new flow',
        reversePingArb(),
        (c) => {
          fc.pre(c !== null);
          const report = safeRun(c!.spec);
          fail(report.flows.filter((f) => f.ok === false).map((f) => `${describeFlow(f)}: expected ${JSON.stringify(f.expected)}`));
        },
        { runs: 50, files: (c) => (c ? [{ spec: c.spec, note: c.note }] : []) },
      );
    },
    TIMEOUT,
  );
});

// ---------------------------------------------------------------------------------------------
// Case builders

/** The rule a report names, as a Rule (group names back to keys). */
function parseRuleReport(r: NonNullable<FlowReport['explanation']['rule']>, region: string): Rule {
  const ports = r.ports?.split('-').map(Number);
  const icmp = r.icmp?.split(':').map(Number);
  const source: Rule['source'] =
    'cidr' in r.from
      ? { kind: 'cidr', cidr: { base: parseDotted(r.from.cidr.split('/')[0]), prefix: Number(r.from.cidr.split('/')[1]) } }
      : { kind: 'group', group: r.from.group === 'default' ? defaultKey(region) : r.from.group };
  return {
    protocol: r.protocol as Rule['protocol'],
    ...(ports ? { ports: { from: ports[0], to: ports[ports.length - 1] } } : {}),
    ...(icmp ? { icmp: { type: icmp[0], code: icmp[1] } } : {}),
    source,
  };
}

interface Case {
  readonly spec: ScenarioSpec;
  readonly note: string;
}

/** Picks a sender and a receiver of a generated world (declared addresses) and how to reach it. */
function pickPair(spec: ScenarioSpec, s: number, r: number, kind: 'private' | 'public' | 'dns') {
  const w = new OracleWorld(spec);
  const receivers = spec.instances;
  const receiver = receivers[r % receivers.length];
  const senders = [...spec.instances.map((i) => i.name), ...spec.external.map((e) => e.name)].filter((n) => n !== receiver.name);
  if (senders.length === 0) return null;
  const sender = senders[s % senders.length];
  const to: AddressSpec = { kind, instance: receiver.name };
  const from = w.host(sender);
  const dst = w.resolve(to, from);
  const route = dst === null ? null : w.route(from, dst);
  if (!route || route.receiver.kind !== 'instance' || route.receiver.i.name !== receiver.name) return null;
  return { w, receiver, sender, senderSpec: spec.instances.find((i) => i.name === sender), to, route };
}

function revokeCaseArb(): fc.Arbitrary<Case | null> {
  return fc
    .record({
      world: rawWorldArb({ declare: 'all', timeline: { min: 0, max: 0 }, instances: { min: 2, max: 5 }, externals: { min: 0, max: 2 } }),
      sender: fc.nat(),
      receiver: fc.nat(),
      kind: fc.constantFrom<'private' | 'public' | 'dns'>('private', 'public', 'dns'),
      port: trafficPortArb,
      proto: fc.constantFrom<'tcp' | 'all'>('tcp', 'all'),
      groupRule: fc.boolean(),
      prefix: prefixArb,
      slack: fc.tuple(fc.nat({ max: 3 }), fc.nat({ max: 3 })),
      T: fc.integer({ min: 30, max: 2000 }),
      idle: fc.nat(),
      late: fc.integer({ min: 1, max: 600 }),
    })
    .map((c): Case | null => {
      const spec0 = buildSpec(c.world, { declare: 'all' });
      const pair = pickPair(spec0, c.sender, c.receiver, c.kind);
      if (!pair) return null;
      const { receiver, sender, senderSpec, to, route } = pair;
      const source: Rule['source'] =
        c.groupRule && route.path === 'private' && senderSpec
          ? { kind: 'group', group: senderSpec.groups[0] }
          : { kind: 'cidr', cidr: { base: (route.seenSource & maskOf(c.prefix)) >>> 0, prefix: c.prefix } };
      const x: Rule = {
        protocol: c.proto,
        ...(c.proto === 'tcp' ? { ports: { from: Math.max(0, c.port - c.slack[0]), to: Math.min(65535, c.port + c.slack[1]) } } : {}),
        source,
        description: 'X',
      };
      // The receiver listens on the port; its connection idles out after T seconds.
      let spec = mapInstances(spec0, (i) => (i.name === receiver.name ? { ...i, services: [...i.services, { protocol: 'tcp', ports: { from: c.port, to: c.port } }] } : i));
      spec = { ...spec, settings: settingsWith({ conntrack: { tcpEstablished: sec(c.T) } }) };
      const rules = initialRules(spec);
      const target = receiver.groups[0];
      const held = rules.get(target)!.some((r) => sameRuleP(r, x));
      const p: Packet = { protocol: 'tcp', port: c.port, icmpType: 0, icmpCode: 0, source: route.seenSource, privatePath: route.path === 'private', senderGroups: senderSpec ? senderSpec.groups : null };
      const after = new Map([...rules].map(([k, v]) => [k, k === target && !held ? [...v, x] : [...v]]));
      const revokes: { group: string; rule: Rule }[] = receiver.groups.flatMap((g) => after.get(g)!.filter((r) => matches(r, p)).map((rule) => ({ group: g, rule })));
      const d1 = c.idle % (c.T - 8);
      const tRevoke = 10;
      const tTracked = tRevoke + d1;
      const tExpired = tTracked + c.T + c.late;
      const flowExpect = (e: Expectation): Expectation => ({ ...e, path: route.path, redirected: route.redirected, source: { kind: 'ip', ip: route.seenSource } });
      // A transfer travels to the connection's address after any redirect: it is not redirected itself.
      const dataExpect = (e: Expectation): Expectation => ({ ...e, path: route.path, source: { kind: 'ip', ip: route.seenSource } });
      const entries: Omit<TimelineEntry, 'index'>[] = [
        ...(held ? [] : [{ at: 0, action: { kind: 'authorize' as const, group: target, rule: x } }]),
        { at: sec(1), id: 'c1', action: { kind: 'connect', from: sender, to, port: c.port }, expect: flowExpect({ outcome: 'connected', code: 'ALLOWED_BY_RULE' }) },
        { at: sec(2), id: 'q1', action: { kind: 'transfer', connection: 'c1' }, expect: dataExpect({ outcome: 'delivered', code: 'TRACKED_CONNECTION' }) },
        ...revokes.map((rv) => ({ at: sec(tRevoke), action: { kind: 'revoke' as const, group: rv.group, rule: rv.rule } })),
        { at: sec(tTracked), id: 'q2', action: { kind: 'transfer', connection: 'c1' }, expect: dataExpect({ outcome: 'delivered', code: 'TRACKED_CONNECTION' }) },
        { at: sec(tTracked + 1), id: 'c2', action: { kind: 'connect', from: sender, to, port: c.port }, expect: flowExpect({ outcome: 'timeout' }) },
        { at: sec(tExpired), id: 'q3', action: { kind: 'transfer', connection: 'c1' }, expect: dataExpect({ outcome: 'dropped', code: 'SIM_CONNTRACK_EXPIRED' }) },
      ];
      return {
        spec: withEntries(spec, entries),
        note: `connect, revoke every rule that admits it, transfer after ${d1}s idle (tracked), a new connect (blocked), transfer after ${c.T + c.late}s idle (past tcpEstablished ${c.T}s)`,
      };
    });
}

/** B2's trigger: an instance holds an EIP (by associate); a launch declares the same EIP. */
function launchHeldEipArb(): fc.Arbitrary<Case & { eip: Ip; holder: string }> {
  return fc
    .record({
      zones: fc.integer({ min: 1, max: 2 }),
      others: fc.integer({ min: 0, max: 2 }),
      zone: fc.nat(),
      eip: fc.integer({ min: 1, max: 250 }),
      narrow: fc.boolean(),
      gap: fc.integer({ min: 1, max: 300 }),
    })
    .map((c) => {
      const region = 'us-east-1';
      const zones = Array.from({ length: c.zones }, (_, i) => `${region}${'ab'[i]}`);
      const o = 0x01020304; // 1.2.3.4
      const eip = (((203 << 24) >>> 0) + (0 << 16) + (113 << 8) + c.eip) >>> 0;
      const rule: Rule = c.narrow
        ? { protocol: 'udp', ports: { from: 9, to: 9 }, source: { kind: 'cidr', cidr: { base: o, prefix: 32 } } }
        : { protocol: 'all', source: { kind: 'cidr', cidr: { base: 0, prefix: 0 } } };
      const inst = (name: string, i: number): InstanceSpec => ({ name, region, zone: zones[(c.zone + i) % zones.length], groups: ['P'], services: [], state: 'running' });
      const base: ScenarioSpec = {
        version: 1,
        name: 'launch takes a held Elastic IP',
        platform: 'classic',
        seed: '2',
        settings: settingsWith({ jitter: 0 }),
        regions: [{ name: region, zones }],
        groups: [{ key: 'P', name: 'P', region, ingress: [rule] }],
        instances: [inst('a', 0), ...Array.from({ length: c.others }, (_, i) => inst(`b${i + 1}`, i + 1))],
        external: [{ name: 'o', ip: o, services: [] }],
        timeline: [],
      };
      const t1 = 1;
      const t2 = t1 + c.gap;
      const spec = withEntries(base, [
        { at: 0, action: { kind: 'associate', elasticIp: eip, instance: 'a' } },
        { at: sec(t1), action: { kind: 'launch', instance: { ...inst('l', 1), elasticIp: eip } } },
        { at: sec(t2), id: 'former-out', action: { kind: 'send', from: 'a', to: { kind: 'external', host: 'o' }, port: 9, count: 1 }, expect: { outcome: 'delivered', path: 'public', source: { kind: 'public', instance: 'a' } } },
        { at: sec(t2 + 1), id: 'former-in', action: { kind: 'send', from: 'o', to: { kind: 'public', instance: 'a' }, port: 9, count: 1 }, expect: { outcome: 'delivered', path: 'public', code: 'ALLOWED_BY_RULE' } },
        { at: sec(t2 + 2), id: 'eip-in', action: { kind: 'send', from: 'o', to: { kind: 'ip', ip: eip }, port: 9, count: 1 }, expect: { outcome: 'delivered', path: 'public', code: 'ALLOWED_BY_RULE' } },
      ]);
      return {
        spec,
        eip,
        holder: 'l',
        note: `a held ${dotted(eip)}; launching l with it moves it to l. a must now send from its new public IP and be reachable there.`,
      };
    });
}

/** B1's trigger: A pings B, then B pings A (each its first ping) while A's groups have no rule. */
function reversePingArb(): fc.Arbitrary<Case | null> {
  return fc
    .record({
      world: rawWorldArb({ declare: 'all', timeline: { min: 0, max: 0 }, regions: { min: 1, max: 1 }, instances: { min: 2, max: 4 } }),
      a: fc.nat(),
      b: fc.nat(),
      kind: fc.constantFrom<'private' | 'public' | 'dns'>('private', 'public', 'dns'),
      gap: fc.integer({ min: 1, max: 120 }),
    })
    .map((c): Case | null => {
      let spec = buildSpec(c.world, { declare: 'all' });
      const n = spec.instances.length;
      const a = spec.instances[c.a % n];
      const b = spec.instances[(c.a + 1 + (c.b % (n - 1))) % n];
      if (a.name === b.name) return null;
      // A is alone in a group without rules: nothing may enter A unless it answers A's own traffic.
      spec = { ...spec, groups: [...spec.groups, { key: 'Z', name: 'Z', region: a.region, ingress: [] }] };
      spec = mapInstances(spec, (i) => (i.name === a.name ? { ...i, groups: ['Z'] } : i));
      return {
        spec: withEntries(spec, [
          { at: 0, id: 'a-pings-b', action: { kind: 'ping', from: a.name, to: { kind: c.kind, instance: b.name } } },
          {
            at: sec(c.gap),
            id: 'b-pings-a',
            action: { kind: 'ping', from: b.name, to: { kind: c.kind, instance: a.name } },
            expect: { outcome: 'timeout', code: 'SG_HAS_NO_RULES' },
          },
        ]),
        note: `${a.name} pinged ${b.name} ${c.gap}s earlier with echo id 1; ${b.name}'s own first ping (echo id 1) to ${a.name} is a new echo request, and ${a.name}'s group Z has no rule.`,
      };
    });
}
