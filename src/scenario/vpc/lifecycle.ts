/**
 * scenario/vpc/lifecycle: instances' lifecycle and Elastic IPs in the timeline.
 *
 * Owns: `launch` (the vpc instance form with a new `name`), `stop` / `start` / `terminate`
 * (domain-vpc.md §2: stop keeps private IPs and EIPs; terminate releases the private IPs and
 * disassociates the EIPs, which stay allocated; nothing is done to a terminated instance),
 * `associate` (`{ elasticIp, instance | interface, privateIp? }`: an instance means its eth0;
 * the private IP must be the ENI's; an EIP another ENI holds moves; the one already on that
 * private IP is replaced; a NAT gateway's or a public IP cannot be taken) and `disassociate`.
 * Does not own: the instance spec's checks (hosts.ts).
 */
import { formatIp, type Ip } from '../../net/ipv4.ts';
import { formatPath } from '../diagnostics.ts';
import { absent, type Path } from './checker.ts';
import { checkPublic, claimPublic, releasePrivate } from './addresses.ts';
import { checkInstance, recordInstance } from './hosts.ts';
import { nameProblem } from './context.ts';
import { entryRef, formatTime, type EntryDoc, type Replay } from './replay.ts';
import { INSTANCE_FIELDS } from './vocabulary.ts';
import type { VpcAction } from './spec.ts';

export function lifecycleAction(r: Replay, kind: 'launch' | 'stop' | 'start' | 'terminate' | 'associate' | 'disassociate', e: EntryDoc, path: Path): VpcAction | undefined {
  switch (kind) {
    case 'launch':
      return launch(r, e, path);
    case 'stop':
    case 'start':
    case 'terminate': {
      const name = r.liveInstance(e.body, path, kind);
      if (name === undefined) return undefined;
      const track = r.instances.get(name)!;
      if (kind === 'start') track.state = 'running';
      else if (kind === 'stop') track.state = 'stopped';
      else {
        track.state = 'terminated';
        track.terminatedBy = entryRef(e.index, e.at);
        for (const eni of track.spec?.interfaces ?? []) {
          for (const ip of [eni.privateIp, ...eni.secondaryIps]) if (ip !== undefined) releasePrivate(r.ctx, eni.vpc, ip);
          for (const [ip, holder] of r.eips) if (holder?.eni === eni.name) r.eips.set(ip, null);
        }
      }
      return { kind, instance: name };
    }
    case 'associate':
      return associate(r, path, e);
    case 'disassociate':
      return disassociate(r, path, e);
  }
}

function launch(r: Replay, e: EntryDoc, path: Path): VpcAction | undefined {
  const { ctx } = r;
  const o = ctx.c.mapping(e.body, path, ['name', ...INSTANCE_FIELDS], 'an instance spec with its name ({ name, subnet, groups, … } or { name, interfaces, … })');
  if (!o) return undefined;
  const name = absent(o.name) ? (ctx.c.error([...path, 'name'], 'name is required (a new instance name)'), undefined) : ctx.c.string(o.name, [...path, 'name'], 'an instance name');
  if (name === undefined) return undefined;
  const info = ctx.names.get(name);
  if (!info) {
    ctx.c.error([...path, 'name'], nameProblem(name) ?? `"${name}" cannot be launched`);
    return undefined;
  }
  if (info.kind !== 'instance') {
    ctx.c.error([...path, 'name'], `"${name}" is already declared at ${formatPath(info.path)} (all names but groups' share one namespace); a launch needs a new name`);
    return undefined;
  }
  const ownLaunch = info.launch?.index === e.index;
  if (!ownLaunch || r.instances.has(name)) {
    ctx.c.error([...path, 'name'], `"${name}" already exists (${info.launch && !ownLaunch ? entryRef(info.launch.index, info.launch.at) : formatPath(info.path)}); a launch needs a new name`);
    return undefined;
  }
  const spec = checkInstance(ctx, o, path, name);
  // Exists from now on even if its spec was invalid (so later uses do not cascade).
  r.instances.set(name, { state: spec?.state ?? 'running', ...(spec ? { spec } : {}) });
  if (!spec) return undefined;
  recordInstance(ctx, spec);
  for (const eni of spec.interfaces) {
    for (const b of eni.elasticIps) {
      for (const [ip, holder] of r.eips) {
        if (holder?.eni === eni.name && (holder.privateIp ?? -1) === (b.privateIp ?? -1)) r.eips.set(ip, null);
      }
    }
  }
  r.addInstance(spec);
  return { kind: 'launch', instance: spec };
}

function elasticIpField(r: Replay, o: Record<string, unknown>, path: Path): Ip | undefined {
  const raw = r.ctx.c.required(o, 'elasticIp', path, 'the Elastic IP');
  const ip = raw === undefined ? undefined : r.ctx.c.ip(raw, [...path, 'elasticIp'], 'an Elastic IP');
  if (ip === undefined || !checkPublic(r.ctx, ip, [...path, 'elasticIp'], 'an Elastic IP')) return undefined;
  const prior = r.ctx.publicClaims.get(ip);
  if (prior && prior.eip !== 'instance') {
    r.ctx.c.error([...path, 'elasticIp'], `${formatIp(ip)} is ${prior.owner}'s ${prior.what} (${formatPath(prior.path)}); ${prior.eip === 'nat' ? 'a NAT gateway keeps its Elastic IP' : 'it is not an Elastic IP'}`);
    return undefined;
  }
  return ip;
}

function associate(r: Replay, path: Path, e: EntryDoc): VpcAction | undefined {
  const { ctx } = r;
  const o = ctx.c.mapping(e.body, path, ['elasticIp', 'instance', 'interface', 'privateIp'], 'associate fields ({ elasticIp, instance | interface, privateIp })');
  if (!o) return undefined;
  const ip = elasticIpField(r, o, path);
  const eni = r.targetEni(o, path, 'associate an Elastic IP with', 'eth0');
  let privateIp: Ip | undefined;
  const track = eni === undefined ? undefined : r.enis.get(eni);
  if (!absent(o.privateIp)) {
    privateIp = ctx.c.ip(o.privateIp, [...path, 'privateIp'], 'a private IP');
    if (privateIp === undefined) return undefined;
    if (track && privateIp !== track.primary && !track.secondary.includes(privateIp)) {
      ctx.c.error([...path, 'privateIp'], `${formatIp(privateIp)} is not one of ${eni}'s private IPs at ${formatTime(r.now)} (its privateIp and secondaryIps)`);
      return undefined;
    }
    if (track && privateIp === track.primary) privateIp = undefined;
  }
  if (ip === undefined || eni === undefined || !track) return undefined;
  const first = ctx.publicClaims.get(ip);
  const home = first === undefined ? undefined : ctx.enis.get(first.owner)?.vpc;
  const region = (vpc: string | undefined): string | undefined => (vpc === undefined ? undefined : ctx.vpcs.get(vpc)?.region);
  if (region(home) !== undefined && region(track.vpc) !== undefined && region(home) !== region(track.vpc)) {
    ctx.c.error([...path, 'elasticIp'], `Elastic IP ${formatIp(ip)} belongs to region ${region(home)} (${formatPath(first!.path)}), but ${eni} is in ${region(track.vpc)} (an Elastic IP belongs to one region)`);
    return undefined;
  }
  if (!ctx.publicClaims.has(ip)) claimPublic(ctx, ip, { owner: eni, what: 'Elastic IP', path: [...path, 'elasticIp'], eip: 'instance' });
  for (const [other, holder] of r.eips) {
    if (other !== ip && holder?.eni === eni && (holder.privateIp ?? -1) === (privateIp ?? -1)) r.eips.set(other, null);
  }
  r.eips.set(ip, { eni, ...(privateIp !== undefined ? { privateIp } : {}) });
  return { kind: 'associate', elasticIp: ip, interface: eni, ...(privateIp !== undefined ? { privateIp } : {}) };
}

function disassociate(r: Replay, path: Path, e: EntryDoc): VpcAction | undefined {
  const o = r.ctx.c.mapping(e.body, path, ['elasticIp'], 'disassociate fields ({ elasticIp })');
  if (!o) return undefined;
  const ip = elasticIpField(r, o, path);
  if (ip === undefined) return undefined;
  if (!r.eips.has(ip)) {
    r.ctx.c.error([...path, 'elasticIp'], `${formatIp(ip)} is not an Elastic IP at ${formatTime(r.now)} (no interface declares it or has been associated with it)`);
    return undefined;
  }
  r.eips.set(ip, null); // disassociating an EIP no one holds is a no-op
  return { kind: 'disassociate', elasticIp: ip };
}
