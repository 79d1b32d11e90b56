/**
 * testing/interpret: `buildSpec`, the pure interpreter that turns a blueprint (testing/blueprint)
 * into a valid, normalized ScenarioSpec (the shape scenario/load produces), and `specArb`.
 *
 * Owns: tracking the world while the timeline is written — the rules each group holds, every
 * instance's lifecycle, Elastic IP holders, connection ids — so that every revoke names a rule
 * held at that time, every authorize a rule absent, every associate a running instance, and so
 * on. Choices that would be invalid at their point in time are dropped (the blueprint still
 * shrinks).
 */
import type fc from 'fast-check';
import { EIPS_PER_REGION, EPHEMERAL, EXTERNAL_IPS, REGION_NAMES, UNHELD_IPS, eipPool, ip, sec } from './plan.ts';
import { rawWorldArb, withDefaults, type RawInstance, type RawWorld, type WorldOptions } from './blueprint.ts';
import { buildRule, buildServices, defaultKey, sameRuleP, settingsWith, standardDefaultRule } from './transform.ts';
import type { Action, AddressSpec, ExternalSpec, InstanceSpec, Ip, Region, Rule, ScenarioSpec, SecurityGroup, TimelineEntry } from '../index.ts';

/** Valid scenario specs (see the module comment). */
export function specArb(options: WorldOptions = {}): fc.Arbitrary<ScenarioSpec> {
  return rawWorldArb(options).map((raw) => buildSpec(raw, options));
}


interface ITrack {
  readonly name: string;
  readonly region: string;
  readonly regionIndex: number;
  state: 'running' | 'stopped' | 'terminated';
  /** Addresses known to the interpreter (declared ones, while still held). */
  priv: Ip | null;
  pub: Ip | null;
  eip: Ip | null;
}

/** Turns a blueprint into a valid spec (pure; see the module comment). */
export function buildSpec(raw: RawWorld, options: WorldOptions = {}): ScenarioSpec {
  const o = withDefaults(options);
  const regions: Region[] = raw.regions.map((r, i) => ({
    name: REGION_NAMES[i],
    zones: Array.from({ length: r.zones }, (_, z) => `${REGION_NAMES[i]}${'ab'[z]}`),
  }));
  // Group names and keys first (rules may refer to any group of their region).
  const keysByRegion: string[][] = regions.map(() => []);
  const groupRegion = new Map<string, number>();
  let gCount = 0;
  raw.regions.forEach((r, ri) => {
    for (let g = 0; g < r.groups.length; g++) {
      const name = `G${++gCount}`;
      keysByRegion[ri].push(name);
      groupRegion.set(name, ri);
    }
  });
  regions.forEach((r, ri) => {
    keysByRegion[ri].push(defaultKey(r.name));
    groupRegion.set(defaultKey(r.name), ri);
  });
  const allKeys = keysByRegion.flat();

  // Addresses.
  const claimed = new Set<Ip>();
  const externals: ExternalSpec[] = [];
  raw.externals.forEach((e, i) => {
    let k = e.ip % EXTERNAL_IPS.length;
    for (let n = 0; n < EXTERNAL_IPS.length && claimed.has(EXTERNAL_IPS[k]); n++) k = (k + 1) % EXTERNAL_IPS.length;
    if (claimed.has(EXTERNAL_IPS[k])) return;
    claimed.add(EXTERNAL_IPS[k]);
    externals.push({ name: `x${i + 1}`, ip: EXTERNAL_IPS[k], services: buildServices(e.services) });
  });

  const tracks = new Map<string, ITrack>();
  const groupsOf = new Map<string, readonly string[]>();
  const eipHolder = new Map<Ip, string | null>();
  const eipDeclared = new Set<Ip>();
  let instanceNumber = 0;

  const declares = (r: RawInstance): boolean => o.declare === 'all' || (o.declare === 'some' && r.declare);
  const materialize = (r: RawInstance, name: string, launched: boolean): InstanceSpec | null => {
    const n = instanceNumber++;
    if (n >= 240) return null;
    const ri = r.region % regions.length;
    const region = regions[ri];
    const keys = keysByRegion[ri];
    const groups: string[] = [];
    const choices = o.defaultMembership ? keys : keys.filter((k) => !k.startsWith('default/'));
    for (const g of r.groups) {
      const k = choices[g % choices.length];
      if (!groups.includes(k)) groups.push(k);
    }
    if (groups.length === 0) groups.push(o.defaultMembership ? defaultKey(region.name) : choices[0]);
    const stopped = !launched && r.stopped && o.lifecycle;
    let eip: Ip | undefined;
    if (!stopped && r.eip !== null && o.eips !== 'none') {
      const candidate = eipPool(ri)[r.eip % EIPS_PER_REGION];
      const holder = eipHolder.get(candidate);
      const free = holder === undefined || holder === null;
      // B2 guard: never launch (or declare) with an Elastic IP another instance holds.
      if (!eipDeclared.has(candidate) && free) eip = candidate;
    }
    let privateIp: Ip | undefined;
    let publicIp: Ip | undefined;
    if (!stopped && declares(r)) {
      privateIp = ip(10, ri, r.salt, 10 + n);
      if (eip === undefined) publicIp = ip(54, 10 + ri, r.salt, 10 + n);
    }
    const spec: InstanceSpec = {
      name,
      region: region.name,
      zone: region.zones[r.zone % region.zones.length],
      groups,
      ...(privateIp !== undefined ? { privateIp } : {}),
      ...(publicIp !== undefined ? { publicIp } : {}),
      ...(eip !== undefined ? { elasticIp: eip } : {}),
      services: buildServices(r.services),
      state: stopped ? 'stopped' : 'running',
    };
    if (privateIp !== undefined) claimed.add(privateIp);
    if (publicIp !== undefined) claimed.add(publicIp);
    if (eip !== undefined) {
      const former = eipHolder.get(eip);
      if (former) {
        const f = tracks.get(former)!;
        f.eip = null;
        f.pub = null; // a new dynamic public IP, unknown here
      }
      eipDeclared.add(eip);
      eipHolder.set(eip, name);
    }
    groupsOf.set(name, groups);
    tracks.set(name, {
      name,
      region: region.name,
      regionIndex: ri,
      state: stopped ? 'stopped' : 'running',
      priv: privateIp ?? null,
      pub: publicIp ?? null,
      eip: eip ?? null,
    });
    return spec;
  };

  const instances: InstanceSpec[] = [];
  raw.instances.forEach((r, i) => {
    const spec = materialize(r, `i${i + 1}`, false);
    if (spec) instances.push(spec);
  });

  // CIDR anchors: every planned address, plus the allocator's pools.
  const anchors: Ip[] = [
    ...instances.flatMap((s) => [s.privateIp, s.publicIp, s.elasticIp].filter((a): a is Ip => a !== undefined)),
    ...externals.map((e) => e.ip),
    ...regions.flatMap((_, ri) => eipPool(ri)),
    ip(10, 0, 0, 0),
    ip(54, 0, 0, 0),
    ...UNHELD_IPS,
  ];

  // Groups with their rules.
  const rules = new Map<string, Rule[]>();
  const groups: SecurityGroup[] = [];
  raw.regions.forEach((r, ri) => {
    r.groups.forEach((rawRules, gi) => {
      const key = keysByRegion[ri][gi];
      const list: Rule[] = [];
      for (const rr of rawRules) {
        const rule = buildRule(rr, keysByRegion[ri], anchors, o.anywhere);
        if (!list.some((x) => sameRuleP(x, rule))) list.push(rule);
      }
      rules.set(key, list);
      groups.push({ key, name: key, region: regions[ri].name, ingress: [...list] });
    });
  });
  regions.forEach((region, ri) => {
    const key = defaultKey(region.name);
    if (ri === 0 && raw.defaultRules !== null && o.overrideDefault) {
      const list: Rule[] = [];
      for (const rr of raw.defaultRules) {
        const rule = buildRule(rr, keysByRegion[ri], anchors, o.anywhere);
        if (!list.some((x) => sameRuleP(x, rule))) list.push(rule);
      }
      rules.set(key, list);
      groups.push({ key, name: 'default', region: region.name, ingress: [...list] });
    } else {
      rules.set(key, [standardDefaultRule(region.name)]);
    }
  });

  // The timeline.
  const timeline: TimelineEntry[] = [];
  const connects: string[] = [];
  const eipSources = new Map<Ip, string>();
  let flowCount = 0;
  let launchCount = 0;
  const spacing = sec(o.spacingS);
  const push = (action: Action, id?: string): void => {
    const index = timeline.length;
    timeline.push({ at: index * spacing, ...(id !== undefined ? { id } : {}), index, action });
  };
  const existing = (): ITrack[] => [...tracks.values()];
  const holderOf = (a: Ip): string | null => {
    for (const t of tracks.values()) if (t.state === 'running' && (t.priv === a || t.pub === a || t.eip === a)) return t.name;
    for (const e of externals) if (e.ip === a) return e.name;
    return null;
  };
  const universe: Ip[] = [
    ...anchors.filter((a) => (a & 255) !== 0),
  ];
  const guard = o.guardKnownBugs;

  for (const a of raw.timeline) {
    switch (a.kind) {
      case 'connect':
      case 'send':
      case 'ping': {
        const hosts = [...existing().map((t) => t.name), ...externals.map((e) => e.name)];
        const from = hosts[a.from % hosts.length];
        const sender = tracks.get(from);
        let to: AddressSpec;
        let receiver: string | null;
        let address: Ip | null = null; // the address used, when known
        const others = existing().filter((t) => t.name !== from);
        const otherExternals = externals.filter((e) => e.name !== from);
        let kind = a.toKind;
        if ((kind === 'private' || kind === 'public' || kind === 'eip' || kind === 'dns') && others.length === 0) kind = 'ip';
        if (kind === 'external' && otherExternals.length === 0) kind = 'ip';
        if (kind === 'external') {
          const e = otherExternals[a.to % otherExternals.length];
          to = { kind: 'external', host: e.name };
          receiver = e.name;
          address = e.ip;
        } else if (kind === 'ip') {
          address = universe[a.to % universe.length];
          to = { kind: 'ip', ip: address };
          receiver = holderOf(address);
        } else {
          const t = others[a.to % others.length];
          to = { kind, instance: t.name };
          receiver = t.state === 'running' ? t.name : null;
          const publicAddress = t.eip ?? t.pub;
          address =
            kind === 'private'
              ? t.priv
              : kind === 'public'
                ? publicAddress
                : kind === 'eip'
                  ? t.eip
                  : sender && sender.region === t.region
                    ? t.priv
                    : publicAddress;
        }
        if (receiver === from) break; // no traffic to oneself
        if (guard) {
          const srcEip = sender && sender.state === 'running' ? sender.eip : null;
          if (srcEip !== null) {
            const user = eipSources.get(srcEip);
            if (user !== undefined && user !== from) break;
            eipSources.set(srcEip, from);
          }
        }
        let port = a.port;
        const target = receiver !== null ? tracks.get(receiver) : undefined;
        if (a.edge !== null && target && a.kind !== 'ping') {
          // A port at an edge of one of the receiver's rules for this protocol.
          const proto = a.kind === 'connect' ? 'tcp' : 'udp';
          const ranges = groupsOf.get(target.name)!.flatMap((k) => rules.get(k)!.filter((r) => r.protocol === proto).map((r) => r.ports!));
          if (ranges.length > 0) {
            const r = ranges[a.edge % ranges.length];
            const edges = [r.from - 1, r.from, r.to, r.to + 1].filter((p) => p >= 0 && p <= 65535 && (p < EPHEMERAL.from || p > EPHEMERAL.to));
            if (edges.length > 0) port = edges[Math.floor(a.edge / ranges.length) % edges.length];
          }
        }
        const id = `f${++flowCount}`;
        if (a.kind === 'connect') {
          connects.push(id);
          push({ kind: 'connect', from, to, port }, id);
        } else if (a.kind === 'send') push({ kind: 'send', from, to, port, count: a.count }, id);
        else push({ kind: 'ping', from, to }, id);
        break;
      }
      case 'transfer': {
        if (connects.length === 0) break;
        const conn = connects[a.conn % connects.length];
        if (guard) {
          // The transfer's sender is the connect's sender.
          const entry = timeline.find((e) => e.id === conn)!;
          const from = (entry.action as { from: string }).from;
          const sender = tracks.get(from);
          const srcEip = sender && sender.state === 'running' ? sender.eip : null;
          if (srcEip !== null) {
            const user = eipSources.get(srcEip);
            if (user !== undefined && user !== from) break;
            eipSources.set(srcEip, from);
          }
        }
        push({ kind: 'transfer', connection: conn }, `f${++flowCount}`);
        break;
      }
      case 'authorize': {
        const key = allKeys[a.group % allKeys.length];
        const ri = groupRegion.get(key)!;
        const rule = buildRule(a.rule, keysByRegion[ri], anchors, o.anywhere);
        const list = rules.get(key)!;
        if (list.some((x) => sameRuleP(x, rule)) || list.length >= 100) break;
        list.push(rule);
        push({ kind: 'authorize', group: key, rule });
        break;
      }
      case 'revoke': {
        const key = allKeys[a.group % allKeys.length];
        const list = rules.get(key)!;
        if (list.length === 0) break;
        const [rule] = list.splice(a.pick % list.length, 1);
        push({ kind: 'revoke', group: key, rule });
        break;
      }
      case 'stop':
      case 'start':
      case 'terminate': {
        const all = existing();
        if (all.length === 0) break;
        const t = all[a.inst % all.length];
        if (t.state === 'terminated') break;
        if (a.kind === 'start') {
          if (t.state === 'running') break;
          t.state = 'running';
          t.priv = null; // new addresses, from the allocator
          t.pub = null;
        } else {
          if (a.kind === 'stop' && t.state === 'stopped') break;
          if (t.eip !== null) eipHolder.set(t.eip, null);
          t.state = a.kind === 'stop' ? 'stopped' : 'terminated';
          t.priv = null;
          t.pub = null;
          t.eip = null;
        }
        push({ kind: a.kind, instance: t.name });
        break;
      }
      case 'associate': {
        const running = existing().filter((t) => t.state === 'running');
        if (running.length === 0) break;
        const t = running[a.inst % running.length];
        const eip = eipPool(t.regionIndex)[a.eip % EIPS_PER_REGION];
        const holder = eipHolder.get(eip) ?? null;
        if (holder === t.name) break;
        if (holder !== null && o.eips !== 'any') break;
        if (holder !== null) {
          const f = tracks.get(holder)!;
          f.eip = null;
          f.pub = null;
        }
        if (t.eip !== null) eipHolder.set(t.eip, null);
        t.eip = eip;
        t.pub = null;
        eipHolder.set(eip, t.name);
        push({ kind: 'associate', elasticIp: eip, instance: t.name });
        break;
      }
      case 'disassociate': {
        const known = [...eipHolder.keys()];
        if (known.length === 0) break;
        const eip = known[a.eip % known.length];
        const holder = eipHolder.get(eip) ?? null;
        if (holder !== null) {
          const h = tracks.get(holder)!;
          h.eip = null;
          h.pub = null;
        }
        eipHolder.set(eip, null);
        push({ kind: 'disassociate', elasticIp: eip });
        break;
      }
      case 'launch': {
        const name = `l${++launchCount}`;
        const spec = materialize(a.instance, name, true);
        if (!spec) break;
        for (const addr of [spec.privateIp, spec.publicIp, spec.elasticIp]) if (addr !== undefined) universe.push(addr);
        push({ kind: 'launch', instance: spec });
        break;
      }
    }
  }

  const settings = settingsWith({ jitter: o.jitter, propagationDelay: sec(raw.propagationDelayS) });
  return {
    version: 1,
    name: 'property case',
    platform: 'classic',
    seed: '1',
    settings,
    regions,
    groups,
    instances,
    external: externals,
    timeline,
  };
}

