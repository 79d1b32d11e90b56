/**
 * scenario/vpc/hosts: instances, their network interfaces, and external hosts.
 *
 * Owns: an instance (the flat form, one ENI bearing the instance's name, or `interfaces` in
 * device order, all in one zone), an ENI (its subnet; groups of its VPC, 1 to
 * `limits.groupsPerInterface`; a primary and secondary private IPs inside the subnet, not
 * reserved, not held twice in the VPC; `publicIp` auto|none|<ip> on eth0 only, auto following
 * the subnet's `mapPublicIp` for a lone ENI and none with several; Elastic IPs per (ENI,
 * private IP), at most one per private IP; `sourceDestCheck`), `services`, `state`,
 * `ephemeralPorts`; external hosts (`ip`, public unless `via` a VPN gateway, `services`,
 * `ephemeralPorts`). A `launch` reuses `checkInstance`.
 * Does not own: groups (groups.ts), the address ledger (addresses.ts).
 */
import { formatIp, type Ip } from '../../net/ipv4.ts';
import type { Service } from '../../model/types.ts';
import { isProblem, parseService } from '../schema.ts';
import { absent, entriesOf, isPlainObject, type Obj, type Path } from './checker.ts';
import { checkPublic, claimPrivate, claimPublic, subnetAddressProblem } from './addresses.ts';
import { interfaceNames, reference, type Ctx } from './context.ts';
import { checkEniGroups } from './groups.ts';
import { checkEphemeralPorts } from './settings.ts';
import { EIP_FIELDS, ENI_FIELDS, EXTERNAL_FIELDS, INSTANCE_FIELDS, INTERFACE_FIELDS } from './vocabulary.ts';
import type { ElasticIpBinding, InterfaceSpec, VpcInstanceSpec } from './spec.ts';

export function checkServices(ctx: Ctx, v: unknown, path: Path): Service[] {
  if (absent(v)) return [];
  const out: Service[] = [];
  ctx.c.list(v, path, 'services (e.g. [tcp/22, udp/53])')?.forEach((s, i) => {
    const svc = parseService(s);
    if (isProblem(svc)) ctx.c.error([...path, i], svc.error);
    else out.push(svc);
  });
  return out;
}

/** A private address of an ENI: in its subnet, not reserved, not held twice in the VPC. */
function privateAddress(ctx: Ctx, v: unknown, path: Path, eni: string, subnet: string | undefined, what: string): Ip | undefined {
  const ip = ctx.c.ip(v, path, what);
  const s = subnet === undefined ? undefined : ctx.subnets.get(subnet);
  if (ip === undefined || !s) return undefined;
  const why = subnetAddressProblem(ip, s);
  if (why) {
    ctx.c.error(path, why);
    return undefined;
  }
  return claimPrivate(ctx, s.vpc, ip, { owner: eni, what, path }) ? ip : undefined;
}

/** A public address an ENI holds (a public IP or an Elastic IP): public, held once. */
export function publicAddress(ctx: Ctx, v: unknown, path: Path, owner: string, what: 'public IP' | 'Elastic IP'): Ip | undefined {
  const ip = ctx.c.ip(v, path, what === 'public IP' ? 'a public IP' : 'an Elastic IP');
  if (ip === undefined || !checkPublic(ctx, ip, path, what === 'public IP' ? 'a public IP' : 'an Elastic IP')) return undefined;
  return claimPublic(ctx, ip, { owner, what, path, ...(what === 'Elastic IP' ? { eip: 'instance' as const } : {}) }) ? ip : undefined;
}

interface EniContext {
  readonly instance: string;
  readonly device: number;
  readonly count: number;
  readonly running: boolean;
  /** The zone of eth0, once known. */
  zone?: string;
}

function checkEni(ctx: Ctx, o: Obj, path: Path, name: string, ec: EniContext): InterfaceSpec | undefined {
  const { c } = ctx;
  const before = c.count;
  const raw = c.required(o, 'subnet', path, 'the subnet of the network interface');
  const subnetName = raw === undefined ? undefined : reference(ctx, raw, [...path, 'subnet'], ['subnet'], 'subnet');
  const subnet = subnetName === undefined ? undefined : ctx.subnets.get(subnetName);
  if (subnet && ec.zone !== undefined && subnet.zone !== ec.zone) {
    c.error([...path, 'subnet'], `subnet ${subnet.name} is in zone ${subnet.zone}, but ${ec.instance}'s first interface is in ${ec.zone} (an instance's interfaces are in one zone)`);
  } else if (subnet && ec.zone === undefined) ec.zone = subnet.zone;
  const holder = name === ec.instance ? `instance ${name}` : `network interface ${name}`;
  const groups = checkEniGroups(ctx, o.groups, [...path, 'groups'], subnet?.vpc, holder);
  const privateIp = absent(o.privateIp) ? undefined : privateAddress(ctx, o.privateIp, [...path, 'privateIp'], name, subnet?.name, 'private IP');
  const secondaryIps: Ip[] = [];
  if (!absent(o.secondaryIps)) {
    c.list(o.secondaryIps, [...path, 'secondaryIps'], 'secondary private IPs')?.forEach((x, i) => {
      const ip = privateAddress(ctx, x, [...path, 'secondaryIps', i], name, subnet?.name, 'secondary private IP');
      if (ip !== undefined) secondaryIps.push(ip);
    });
  }
  let publicIp: InterfaceSpec['publicIp'] = 'none';
  const pp = [...path, 'publicIp'];
  const pv = o.publicIp;
  if (!absent(pv) && pv !== 'auto' && pv !== 'none') {
    if (ec.device > 0) c.error(pp, `a public IP goes on eth0 only (${name} is eth${ec.device}); remove publicIp or write none`);
    else if (!ec.running) c.error(pp, `a stopped instance has no public IP (remove publicIp, or make ${ec.instance} running)`);
    else {
      const ip = typeof pv === 'string' && /^[\d.]+$/.test(pv.trim()) ? publicAddress(ctx, pv, pp, name, 'public IP') : undefined;
      if (ip !== undefined) publicIp = ip;
      else if (!(typeof pv === 'string' && /^[\d.]+$/.test(pv.trim()))) c.error(pp, `expected auto, none or a public IPv4 address, got ${typeof pv === 'string' ? JSON.stringify(pv) : String(pv)}`);
    }
  } else if (pv !== 'none' && ec.device === 0 && ec.count === 1 && subnet?.mapPublicIp) publicIp = 'assign';
  const elasticIps = checkElasticIps(ctx, o.elasticIp, [...path, 'elasticIp'], name, privateIp, secondaryIps);
  if (typeof publicIp === 'number' && elasticIps && elasticIps.length > 0) {
    c.error([...path, 'elasticIp'], 'publicIp and elasticIp are not declared together on eth0 (an Elastic IP on eth0 releases its public IP)');
  }
  const sourceDestCheck = c.boolean(o, 'sourceDestCheck', path, true);
  const label = c.text(o, 'label', path);
  if (c.count > before || !subnet || !groups || !elasticIps) return undefined;
  return {
    name, instance: ec.instance, device: ec.device, subnet: subnet.name, vpc: subnet.vpc, zone: subnet.zone,
    ...(privateIp !== undefined ? { privateIp } : {}), secondaryIps, publicIp, elasticIps, groups, sourceDestCheck,
    ...(label !== undefined ? { label } : {}),
  };
}

/** `elasticIp`: `<ip>`, `{ ip, privateIp }`, or a list of them, at most one per private IP. */
function checkElasticIps(ctx: Ctx, v: unknown, path: Path, eni: string, primary: Ip | undefined, secondary: readonly Ip[]): ElasticIpBinding[] | undefined {
  if (absent(v)) return [];
  const { c } = ctx;
  const before = c.count;
  const many = Array.isArray(v);
  const out: ElasticIpBinding[] = [];
  const taken = new Set<string>();
  (many ? (v as unknown[]) : [v]).forEach((x, i) => {
    const at = many ? [...path, i] : path;
    let ipDoc: unknown = x;
    let privateIp: Ip | undefined;
    if (isPlainObject(x)) {
      const o = c.mapping(x, at, EIP_FIELDS, 'an Elastic IP (<ip> or { ip, privateIp })')!;
      if (absent(o.ip)) {
        c.error([...at, 'ip'], 'ip is required (the Elastic IP)');
        return;
      }
      ipDoc = o.ip;
      if (!absent(o.privateIp)) {
        privateIp = c.ip(o.privateIp, [...at, 'privateIp'], 'a private IP');
        if (privateIp === undefined) return;
        if (privateIp !== primary && !secondary.includes(privateIp)) {
          c.error([...at, 'privateIp'], `${formatIp(privateIp)} is not one of ${eni}'s private IPs (its privateIp and secondaryIps)`);
          return;
        }
        if (privateIp === primary) privateIp = undefined;
      }
      ipDoc = o.ip;
      const ip = publicAddress(ctx, ipDoc, [...at, 'ip'], eni, 'Elastic IP');
      if (ip !== undefined) bind(ip, privateIp, [...at, 'ip']);
      return;
    }
    const ip = publicAddress(ctx, ipDoc, at, eni, 'Elastic IP');
    if (ip !== undefined) bind(ip, undefined, at);
  });
  function bind(ip: Ip, privateIp: Ip | undefined, at: Path): void {
    const key = privateIp === undefined ? 'primary' : String(privateIp);
    if (taken.has(key)) {
      c.error(at, `${eni}'s ${privateIp === undefined ? 'primary private IP' : formatIp(privateIp)} already holds an Elastic IP (one per private IP)`);
      return;
    }
    taken.add(key);
    out.push({ ip, ...(privateIp !== undefined ? { privateIp } : {}) });
  }
  return c.count > before ? undefined : out;
}

/** An instance spec (the `instances` section, or a `launch` without its name). */
export function checkInstance(ctx: Ctx, o: Obj, path: Path, name: string): VpcInstanceSpec | undefined {
  const { c } = ctx;
  const before = c.count;
  let running = true;
  if (!absent(o.state)) {
    if (o.state === 'stopped') running = false;
    else if (o.state !== 'running') c.error([...path, 'state'], `unknown state ${JSON.stringify(o.state)} (expected running or stopped)`);
  }
  const interfaces: InterfaceSpec[] = [];
  const names = interfaceNames(name, o);
  let ok = true;
  if (!absent(o.interfaces)) {
    for (const f of ENI_FIELDS) {
      if (!absent(o[f])) c.error([...path, f], `${f} goes in each of interfaces when interfaces is given`);
    }
    const list = c.list(o.interfaces, [...path, 'interfaces'], 'network interfaces, in device order');
    if (list && list.length === 0) c.error([...path, 'interfaces'], 'an instance has at least one network interface (eth0)');
    const ec: EniContext = { instance: name, device: 0, count: list?.length ?? 0, running };
    list?.forEach((e, k) => {
      const at = [...path, 'interfaces', k];
      const eo = c.mapping(e, at, INTERFACE_FIELDS, 'a network interface ({ name, subnet, groups, privateIp, secondaryIps, publicIp, elasticIp, sourceDestCheck })');
      const eniName = names[k];
      if (eo && !absent(eo.name) && typeof eo.name !== 'string') c.error([...at, 'name'], 'expected an interface name (a string)');
      if (!eo || eniName === undefined || (eniName !== name && ctx.names.get(eniName)?.owner !== name)) {
        ok = false;
        return;
      }
      const spec = checkEni(ctx, eo, at, eniName, { ...ec, device: k, zone: ec.zone });
      if (k === 0 && spec) ec.zone = spec.zone;
      if (spec) interfaces.push(spec);
      else ok = false;
    });
  } else {
    const spec = checkEni(ctx, o, path, name, { instance: name, device: 0, count: 1, running });
    if (spec) interfaces.push(spec);
  }
  const services = checkServices(ctx, o.services, [...path, 'services']);
  const ephemeralPorts = absent(o.ephemeralPorts) ? undefined : checkEphemeralPorts(c, o.ephemeralPorts, [...path, 'ephemeralPorts']);
  const label = c.text(o, 'label', path);
  if (c.count > before || !ok || interfaces.length === 0) return undefined;
  return {
    name, zone: interfaces[0].zone, interfaces, services, state: running ? 'running' : 'stopped',
    ...(ephemeralPorts ? { ephemeralPorts } : {}), ...(label !== undefined ? { label } : {}),
  };
}

export function recordInstance(ctx: Ctx, spec: VpcInstanceSpec): void {
  ctx.instances.set(spec.name, spec);
  for (const eni of spec.interfaces) ctx.enis.set(eni.name, eni);
}

export function checkInstances(ctx: Ctx, v: unknown): void {
  for (const [name, value] of entriesOf(v)) {
    if (ctx.names.get(name)?.kind !== 'instance') continue;
    const path = ['instances', name];
    const o = ctx.c.mapping(value, path, INSTANCE_FIELDS, 'an instance ({ subnet, groups, privateIp, …, or interfaces: [...], services, state })');
    if (!o) continue;
    const spec = checkInstance(ctx, o, path, name);
    if (spec) recordInstance(ctx, spec);
  }
}

export function checkExternal(ctx: Ctx, v: unknown): void {
  const { c } = ctx;
  const behind = new Map<string, Map<Ip, string>>();
  for (const [name, value] of entriesOf(v)) {
    if (ctx.names.get(name)?.kind !== 'external host') continue;
    const path = ['external', name];
    const o = c.mapping(value, path, EXTERNAL_FIELDS, 'an external host ({ ip, services, via, ephemeralPorts, label })');
    if (!o) continue;
    const before = c.count;
    const via = absent(o.via) ? undefined : reference(ctx, o.via, [...path, 'via'], ['VPN gateway'], 'VPN gateway');
    let ip: Ip | undefined;
    const raw = c.required(o, 'ip', path, "the external host's address");
    if (raw !== undefined && via === undefined && absent(o.via)) {
      ip = c.ip(raw, [...path, 'ip'], "an external host's address");
      if (ip !== undefined && (!checkPublic(ctx, ip, [...path, 'ip'], 'an internet host (without via)') || !claimPublic(ctx, ip, { owner: name, what: 'address', path: [...path, 'ip'] }))) ip = undefined;
    } else if (raw !== undefined && via !== undefined) {
      ip = c.ip(raw, [...path, 'ip'], "an external host's address");
      const seen = behind.get(via) ?? new Map<Ip, string>();
      behind.set(via, seen);
      if (ip !== undefined && seen.has(ip)) c.error([...path, 'ip'], `${formatIp(ip)} is already ${seen.get(ip)}'s address behind ${via}`);
      else if (ip !== undefined) seen.set(ip, name);
    }
    const services = checkServices(ctx, o.services, [...path, 'services']);
    const ephemeralPorts = absent(o.ephemeralPorts) ? undefined : checkEphemeralPorts(c, o.ephemeralPorts, [...path, 'ephemeralPorts']);
    const label = c.text(o, 'label', path);
    if (c.count > before || ip === undefined) continue;
    ctx.external.set(name, {
      name, ip, services, ...(via !== undefined ? { via } : {}), ...(ephemeralPorts ? { ephemeralPorts } : {}), ...(label !== undefined ? { label } : {}),
    });
  }
}
