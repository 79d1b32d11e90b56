/**
 * scenario/load/timeline: the timeline replayed statically, in time order.
 *
 * Owns: a walk of the entries sorted by time (file order for equal times) that tracks each
 * group's rules, each instance's lifecycle, Elastic IP holders and connect ids, so that what
 * cannot happen at its time (a revoke of a rule not held then, a start of a terminated
 * instance, a transfer on a closed connection) is an input error with a precise path; and
 * each action's fields. Rule changes are rule-changes.ts's, expectations expect.ts's.
 */
import { formatPath } from '../diagnostics.ts';
import { formatIp, type Ip } from '../../net/ipv4.ts';
import { DEFAULT_GROUP, groupKey, type InstanceSpec, type SecurityGroup } from '../../model/types.ts';
import { ADDRESS_KINDS, LAUNCH_FIELDS, closest, describeValue, isProblem, listOf, parseAddressSyntax, type ActionKey } from '../schema.ts';
import type { Action, AddressSpec, Nanos, TimelineEntry } from '../spec.ts';
import { checkIpField, claimEipRegion, describeClaim } from './addresses.ts';
import { MAX_SEND_COUNT, idOf, latestRepetition, type ConnectTrack, type EntryDoc } from './entries.ts';
import { checkExpectation } from './expect.ts';
import { checkInstanceSpec } from './hosts.ts';
import { entryRef, formatTime } from './messages.ts';
import { hostNameProblem } from './names.ts';
import { ruleChange, type GroupRules } from './rule-changes.ts';
import type { ScenarioState } from './state.ts';
import { absent, type Checker, type Obj, type Path } from './structure.ts';


type Lifecycle = 'running' | 'stopped' | 'terminated';

interface InstanceTrack {
  region?: string;
  state: Lifecycle;
  /** Where the instance was terminated, for messages. */
  terminatedBy?: string;
}


class TimelineRun {
  private readonly instances = new Map<string, InstanceTrack>();
  private readonly rules = new Map<string, GroupRules>();
  /** Which instance holds each Elastic IP now (null: held by none). */
  private readonly eipHolder = new Map<Ip, string | null>();
  /** Connect ids seen so far in time order, and where each was closed. */
  private readonly connects = new Map<string, ConnectTrack>();
  /** Every id of the timeline: its entry and action. */
  private readonly ids = new Map<string, EntryDoc>();
  private now: Nanos = 0;

  constructor(
    private readonly c: Checker,
    private readonly state: ScenarioState,
    groups: readonly SecurityGroup[],
    instances: readonly InstanceSpec[],
    entries: readonly EntryDoc[],
  ) {
    for (const region of state.names.regions.keys()) {
      const key = groupKey(DEFAULT_GROUP, region);
      this.rules.set(key, { region, rules: [{ rule: { protocol: 'all', source: { kind: 'group', group: key } }, origin: `the default group's self-reference` }] });
    }
    for (const g of groups) {
      this.rules.set(g.key, {
        region: g.region,
        rules: g.ingress.map((rule, i) => ({ rule, origin: formatPath(['groups', g.name, 'ingress', i]) })),
      });
    }
    // Declared groups that failed their own checks still exist for the timeline (no cascades).
    for (const [name, decl] of state.names.groups) {
      if (decl.region !== undefined && !this.rules.has(groupKey(name, decl.region))) {
        this.rules.set(groupKey(name, decl.region), { region: decl.region, rules: [] });
      }
    }
    for (const spec of instances) {
      this.instances.set(spec.name, { region: spec.region, state: spec.state });
      if (spec.elasticIp !== undefined) this.eipHolder.set(spec.elasticIp, spec.name);
    }
    for (const [name, host] of state.names.hosts) {
      // Declared instances whose spec was invalid: present, state as written if readable.
      if (host.kind === 'instance' && !host.launch && !this.instances.has(name)) this.instances.set(name, { state: 'running' });
    }
    for (const e of entries) if (e.id !== undefined) this.ids.set(e.id, e);
  }

  run(entries: readonly EntryDoc[]): TimelineEntry[] {
    const sorted = [...entries].sort((a, b) => a.at - b.at || a.index - b.index);
    const out: TimelineEntry[] = [];
    for (const e of sorted) {
      this.now = e.at;
      const action = e.action ? this.action(e) : undefined;
      const expect = checkExpectation(this.c, e, (v, at) => this.address(v, at));
      if (e.action === 'connect' && e.id !== undefined) this.connects.set(e.id, { entry: e });
      if (action) {
        out.push({
          at: e.at,
          ...(e.id !== undefined ? { id: e.id } : {}),
          index: e.index,
          action,
          ...(expect ? { expect } : {}),
          ...(e.repeat ? { repeat: e.repeat } : {}),
        });
      }
    }
    return out;
  }

  // -- names at a time ----------------------------------------------------------------------

  private knownHosts(): string {
    return listOf(this.state.names.hosts.keys()) || 'none';
  }

  private unknownHost(path: Path, name: string, what = 'host'): void {
    const hint = closest(name, this.state.names.hosts.keys());
    this.c.error(path, `unknown ${what} "${name}" (known: ${this.knownHosts()}${hint ? `; did you mean ${hint}?` : ''})`);
  }

  /** Whether an instance exists at this point of the run; reports a use before its launch. */
  private launched(name: string, path: Path): boolean {
    if (this.instances.has(name)) return true;
    const launch = this.state.names.hosts.get(name)?.launch;
    this.c.error(
      path,
      launch
        ? `instance ${name} does not exist yet at ${formatTime(this.now)}: it is launched by ${entryRef(launch.index, launch.at)}`
        : `instance ${name} does not exist at ${formatTime(this.now)}`,
    );
    return false;
  }

  /** `from`: the name of an instance or external host (not an address). */
  private sender(v: unknown, path: Path): string | undefined {
    if (absent(v)) {
      this.c.error(path, 'from is required (the sending instance or external host)');
      return undefined;
    }
    const s = this.c.string(v, path, 'the sending host');
    if (s === undefined) return undefined;
    const syntax = parseAddressSyntax(s);
    if (!isProblem(syntax) && syntax.kind === 'named' && syntax.suffix === undefined) {
      const host = this.state.names.hosts.get(s);
      if (!host) {
        this.unknownHost(path, s);
        return undefined;
      }
      if (host.kind === 'instance' && !this.launched(s, path)) return undefined;
      return s;
    }
    const named = !isProblem(syntax) && syntax.kind === 'named' ? syntax.host : undefined;
    this.c.error(
      path,
      named && this.state.names.hosts.has(named)
        ? `from names the sending host, not an address: write "${named}"`
        : `from names the sending host (an instance or external host: ${this.knownHosts()}), not an address`,
    );
    return undefined;
  }

  /** An address spec (`to`, `expect.source`). */
  private address(v: unknown, path: Path): AddressSpec | undefined {
    const syntax = parseAddressSyntax(v);
    if (isProblem(syntax)) {
      this.c.error(path, syntax.error);
      return undefined;
    }
    if (syntax.kind === 'ip') return { kind: 'ip', ip: syntax.ip };
    const { host, suffix } = syntax;
    const info = this.state.names.hosts.get(host);
    const choices = `${host}.private, ${host}.public, ${host}.eip or ${host}.dns`;
    if (!info) {
      this.unknownHost(path, host);
      return undefined;
    }
    if (info.kind === 'external') {
      if (suffix === undefined) return { kind: 'external', host };
      this.c.error(path, `${host} is an external host with one address: write "${host}"`);
      return undefined;
    }
    if (suffix === undefined) {
      this.c.error(path, `"${host}" is an instance; say which address: ${choices}`);
      return undefined;
    }
    if (!(ADDRESS_KINDS as readonly string[]).includes(suffix)) {
      this.c.error(path, `unknown address kind "${suffix}" in "${String(v)}" (expected ${choices})`);
      return undefined;
    }
    if (!this.launched(host, path)) return undefined;
    return { kind: suffix as 'private' | 'public' | 'eip' | 'dns', instance: host };
  }

  /** An instance named by a lifecycle action or associate, which must exist now. */
  private instanceRef(v: unknown, path: Path, verb: string): { name: string; track: InstanceTrack } | undefined {
    if (absent(v)) {
      this.c.error(path, `name the instance to ${verb}`);
      return undefined;
    }
    const name = this.c.string(v, path, 'an instance name');
    if (name === undefined) return undefined;
    const host = this.state.names.hosts.get(name);
    if (!host) {
      this.unknownHost(path, name, 'instance');
      return undefined;
    }
    if (host.kind === 'external') {
      this.c.error(path, `${name} is an external host; only instances can be told to ${verb}`);
      return undefined;
    }
    if (!this.launched(name, path)) return undefined;
    return { name, track: this.instances.get(name)! };
  }

  private port(o: Obj, path: Path): number | undefined {
    if (absent(o.port)) {
      this.c.error([...path, 'port'], 'port is required (the destination port, 0 to 65535)');
      return undefined;
    }
    return this.c.integer(o.port, [...path, 'port'], 0, 65535, 'port');
  }

  // -- actions ------------------------------------------------------------------------------

  private action(e: EntryDoc): Action | undefined {
    const kind = e.action!;
    const path = [...e.path, kind];
    const before = this.c.count;
    const result = this.actionBody(kind, e, path);
    return this.c.count > before ? undefined : result;
  }

  private actionBody(kind: ActionKey, e: EntryDoc, path: Path): Action | undefined {
    const { c } = this;
    const v = e.body;
    switch (kind) {
      case 'connect':
      case 'send':
      case 'ping': {
        const fields = kind === 'ping' ? ['from', 'to'] : kind === 'send' ? ['from', 'to', 'port', 'count'] : ['from', 'to', 'port'];
        const o = c.mapping(v, path, fields, `${kind} fields (${fields.join(', ')})`);
        if (!o) return undefined;
        const from = this.sender(o.from, [...path, 'from']);
        let to: AddressSpec | undefined;
        if (absent(o.to)) c.error([...path, 'to'], 'to is required (an address: <instance>.private, .public, .eip, .dns, an external host, or an IPv4 address)');
        else to = this.address(o.to, [...path, 'to']);
        if (kind === 'ping') return from && to ? { kind, from, to } : undefined;
        const port = this.port(o, path);
        if (kind === 'connect') return from && to && port !== undefined ? { kind, from, to, port } : undefined;
        const count = absent(o.count) ? 1 : c.integer(o.count, [...path, 'count'], 1, MAX_SEND_COUNT, 'count');
        return from && to && port !== undefined && count !== undefined ? { kind, from, to, port, count } : undefined;
      }
      case 'transfer':
      case 'close': {
        const id = idOf(v);
        if (id === undefined) {
          c.error(path, `expected the id of an earlier connect, got ${describeValue(v)}`);
          return undefined;
        }
        const target = this.ids.get(id);
        if (!target) {
          const connectIds = [...this.ids.values()].filter((x) => x.action === 'connect').map((x) => x.id!);
          c.error(path, `no connect has id "${id}" (connect ids: ${listOf(connectIds) || 'none'})`);
          return undefined;
        }
        if (target.action !== 'connect') {
          c.error(path, `"${id}" is the id of ${target.action ? `a ${target.action}` : 'an invalid entry'} (timeline[${target.index}]), not of a connect`);
          return undefined;
        }
        const open = this.connects.get(id);
        if (!open) {
          c.error(path, `connect "${id}" comes later (${entryRef(target.index, target.at)}); ${kind} needs an earlier connect`);
          return undefined;
        }
        // It acts on the connect's latest repetition that has run (the runner keeps one
        // connection per id): a later repetition is a new connection, open again.
        const repetition = latestRepetition(open.entry, this.now);
        if (open.closed !== undefined && open.closed.repetition === repetition) {
          const which = open.entry.repeat ? ` (its repetition ${repetition}, the latest to have run at ${formatTime(this.now)})` : '';
          c.error(path, `connection "${id}"${which} is already closed by timeline[${open.closed.by}]`);
          return undefined;
        }
        if (kind === 'close') open.closed = { repetition, by: e.index };
        return { kind, connection: id };
      }
      case 'authorize':
      case 'revoke':
        return ruleChange(this.c, this.state, this.rules, this.now, kind, v, path);
      case 'launch':
        return this.launch(e, v, path);
      case 'stop':
      case 'start':
      case 'terminate': {
        const ref = this.instanceRef(v, path, kind);
        if (!ref) return undefined;
        const { name, track } = ref;
        if (track.state === 'terminated') {
          c.error(
            path,
            kind === 'terminate'
              ? `instance ${name} is already terminated (by ${track.terminatedBy})`
              : `instance ${name} is terminated (by ${track.terminatedBy}); a terminated instance cannot be ${kind === 'stop' ? 'stopped' : 'started'}`,
          );
          return undefined;
        }
        if (kind === 'start') track.state = 'running';
        else {
          // Stop and terminate both release the Elastic IP (domain.md §4, lifecycle).
          track.state = kind === 'stop' ? 'stopped' : 'terminated';
          if (kind === 'terminate') track.terminatedBy = entryRef(e.index, e.at);
          for (const [ip, holder] of this.eipHolder) if (holder === name) this.eipHolder.set(ip, null);
        }
        return { kind, instance: name };
      }
      case 'associate': {
        const o = c.mapping(v, path, ['elasticIp', 'instance'], 'associate fields ({ elasticIp, instance })');
        if (!o) return undefined;
        let ip: Ip | undefined;
        if (absent(o.elasticIp)) c.error([...path, 'elasticIp'], 'elasticIp is required');
        else ip = checkIpField(c, o.elasticIp, [...path, 'elasticIp'], 'public', 'an Elastic IP');
        if (absent(o.instance)) {
          c.error([...path, 'instance'], 'instance is required (the instance to give the Elastic IP)');
          return undefined;
        }
        const ref = this.instanceRef(o.instance, [...path, 'instance'], 'associate');
        if (ip === undefined || !ref) return undefined;
        const { name, track } = ref;
        if (track.state !== 'running') {
          c.error(
            [...path, 'instance'],
            track.state === 'terminated'
              ? `instance ${name} is terminated (by ${track.terminatedBy}); an Elastic IP can be associated only with a running instance`
              : `instance ${name} is stopped at ${formatTime(this.now)}; an Elastic IP can be associated only with a running instance`,
          );
          return undefined;
        }
        const prior = this.state.addresses.get(ip);
        if (prior && prior.field !== 'elasticIp') {
          c.error([...path, 'elasticIp'], `${formatIp(ip)} is already ${describeClaim(prior)}; it cannot also be an Elastic IP`);
          return undefined;
        }
        if (!prior) this.state.addresses.set(ip, { host: name, field: 'elasticIp', path: [...path, 'elasticIp'], associatedOnly: true });
        if (track.region !== undefined && !claimEipRegion(c, this.state, ip, track.region, name, [...path, 'elasticIp'])) return undefined;
        for (const [other, holder] of this.eipHolder) if (holder === name && other !== ip) this.eipHolder.set(other, null);
        this.eipHolder.set(ip, name); // moving it from a former holder is allowed
        return { kind, elasticIp: ip, instance: name };
      }
      case 'disassociate': {
        const o = c.mapping(v, path, ['elasticIp'], 'disassociate fields ({ elasticIp })');
        if (!o) return undefined;
        if (absent(o.elasticIp)) {
          c.error([...path, 'elasticIp'], 'elasticIp is required');
          return undefined;
        }
        const ip = checkIpField(c, o.elasticIp, [...path, 'elasticIp'], 'public', 'an Elastic IP');
        if (ip === undefined) return undefined;
        if (!this.eipHolder.has(ip)) {
          c.error(
            [...path, 'elasticIp'],
            `${formatIp(ip)} is not an Elastic IP at ${formatTime(this.now)} (no instance declares it or has been associated with it)`,
          );
          return undefined;
        }
        this.eipHolder.set(ip, null); // disassociating an EIP no one holds is a no-op
        return { kind, elasticIp: ip };
      }
    }
  }


  private launch(e: EntryDoc, v: unknown, path: Path): Action | undefined {
    const { c } = this;
    const o = c.mapping(v, path, LAUNCH_FIELDS, 'an instance spec with its name ({ name, region, zone, groups, … })');
    if (!o) return undefined;
    if (absent(o.name)) {
      c.error([...path, 'name'], 'name is required (a new instance name)');
      return undefined;
    }
    const name = c.string(o.name, [...path, 'name'], 'an instance name');
    if (name === undefined) return undefined;
    const problem = hostNameProblem(name);
    if (problem) {
      c.error([...path, 'name'], problem);
      return undefined;
    }
    const host = this.state.names.hosts.get(name)!;
    const ownLaunch = host.launch?.index === e.index;
    if (!ownLaunch || this.instances.has(name)) {
      c.error(
        [...path, 'name'],
        `"${name}" already exists (${host.launch && !ownLaunch ? entryRef(host.launch.index, host.launch.at) : formatPath(host.path)}); a launch needs a new name`,
      );
      return undefined;
    }
    const spec = checkInstanceSpec(c, o, path, name, this.state);
    // Exists from now on, even if its spec was invalid (so later uses do not cascade).
    this.instances.set(name, { region: spec?.region, state: spec?.state ?? 'running' });
    if (!spec) return undefined;
    if (spec.elasticIp !== undefined) {
      for (const [ip, holder] of this.eipHolder) if (holder === name) this.eipHolder.set(ip, null);
      this.eipHolder.set(spec.elasticIp, name);
    }
    return { kind: 'launch', instance: spec };
  }

}

export function checkTimeline(
  c: Checker,
  entries: readonly EntryDoc[],
  state: ScenarioState,
  groups: readonly SecurityGroup[],
  instances: readonly InstanceSpec[],
): TimelineEntry[] {
  return new TimelineRun(c, state, groups, instances, entries).run(entries);
}
