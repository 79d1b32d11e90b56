/**
 * test/model/world: building a world (default groups, deterministic distinct addresses,
 * declared ones kept) and every change as a pure function: the input world is left exactly as
 * it was (deep-equal to a structuredClone taken before) and the output differs, with the
 * classic lifecycle of domain.md §4 (stop / start / terminate, EIP associate / disassociate).
 */
import { describe, expect, it } from 'vitest';
import { applyPatches } from 'immer';
import {
  SHARD_COUNT,
  WorldError,
  allInstances,
  applyChange,
  applyChangeWithPatches,
  associate,
  authorize,
  changeRules,
  createWorld,
  disassociate,
  getElasticIp,
  getGroup,
  getInstance,
  launch,
  revoke,
  shardOf,
  start,
  stop,
  terminate,
} from '../../src/model/world.ts';
import type { World, WorldInput } from '../../src/model/world.ts';
import { defaultGroup } from '../../src/model/types.ts';
import type { Instance, InstanceSpec, Rule, SecurityGroup } from '../../src/model/types.ts';
import { isClassicPrivate, parseIp } from '../../src/net/ipv4.ts';
import { PRIVATE_POOL_BASE, PUBLIC_POOL_BASE, drawAddress, hashString } from '../../src/model/addresses.ts';
import { isDeepStrictEqual } from 'node:util';

function ip(text: string): number {
  const v = parseIp(text);
  if (typeof v !== 'number') throw new Error(v.error);
  return v;
}

const US = 'us-east-1';
const EU = 'eu-west-1';
const EIP_C = ip('54.9.9.9');
const EIP_E = ip('54.8.8.8');
const FREE_EIP = ip('54.7.7.7');

const webRule: Rule = { protocol: 'tcp', ports: { from: 80, to: 80 }, source: { kind: 'cidr', cidr: { base: 0, prefix: 0 } } };
const sshRule: Rule = {
  protocol: 'tcp',
  ports: { from: 22, to: 22 },
  source: { kind: 'cidr', cidr: { base: ip('1.2.3.4'), prefix: 32 } },
  description: 'admin ssh',
};
const web: SecurityGroup = { key: 'web', name: 'web', region: US, ingress: [webRule] };

function spec(name: string, extra: Partial<InstanceSpec> = {}): InstanceSpec {
  return { name, region: US, zone: 'us-east-1a', groups: ['web'], services: [], state: 'running', ...extra };
}

function input(extra: Partial<WorldInput> = {}): WorldInput {
  return {
    seed: 'world-seed',
    regions: [
      { name: US, zones: ['us-east-1a', 'us-east-1b'] },
      { name: EU, zones: ['eu-west-1a'] },
    ],
    groups: [web],
    instances: [
      spec('a'),
      spec('b', { privateIp: ip('10.1.2.3'), publicIp: ip('54.1.2.3') }),
      spec('c', { elasticIp: EIP_C }),
      spec('d', { state: 'stopped' }),
      spec('e', { region: EU, zone: 'eu-west-1a', groups: ['default/eu-west-1'], elasticIp: EIP_E }),
    ],
    external: [{ name: 'admin', ip: ip('1.2.3.4'), services: [] }],
    ...extra,
  };
}

function inst(w: World, name: string): Instance {
  const i = getInstance(w, name);
  if (!i) throw new Error(`no instance ${name}`);
  return i;
}

/** Every address any instance holds, and every EIP. */
function heldAddresses(w: World): number[] {
  const out: number[] = [];
  for (const i of allInstances(w)) for (const a of [i.privateIp, i.publicIp, i.elasticIp]) if (a !== null) out.push(a);
  return out;
}

/**
 * Applies `f` and checks purity: the input equals a structuredClone taken before, and the
 * output differs from it.
 */
function pure(w: World, f: (w: World) => World): World {
  const before = structuredClone(w);
  const next = f(w);
  expect(w).toEqual(before);
  expect(isDeepStrictEqual(w, before)).toBe(true);
  expect(next).not.toBe(w);
  expect(next).not.toEqual(before);
  return next;
}

describe('createWorld', () => {
  it('gives every region its default group and keeps declared groups', () => {
    const w = createWorld(input());
    expect(Object.keys(w.groups).sort()).toEqual(['default/eu-west-1', 'default/us-east-1', 'web']);
    expect(getGroup(w, 'default/us-east-1')).toEqual(defaultGroup(US));
    expect(getGroup(w, 'default/eu-west-1')).toEqual(defaultGroup(EU));
    expect(getGroup(w, 'web')).toBe(web);
    expect(Object.keys(w.regions).sort()).toEqual([EU, US]);
  });

  it('a declared default group replaces the standard one for its region only', () => {
    const custom: SecurityGroup = { key: 'default/us-east-1', name: 'default', region: US, ingress: [webRule] };
    const w = createWorld(input({ groups: [web, custom] }));
    expect(getGroup(w, 'default/us-east-1')).toBe(custom);
    expect(getGroup(w, 'default/eu-west-1')).toEqual(defaultGroup(EU));
  });

  it('keeps declared addresses and states', () => {
    const w = createWorld(input());
    expect(inst(w, 'b')).toEqual({
      name: 'b',
      region: US,
      zone: 'us-east-1a',
      groups: ['web'],
      services: [],
      state: 'running',
      privateIp: ip('10.1.2.3'),
      publicIp: ip('54.1.2.3'),
      elasticIp: null,
    });
    expect(inst(w, 'd')).toMatchObject({ state: 'stopped', privateIp: null, publicIp: null, elasticIp: null });
  });

  it('an instance declared with an EIP has no dynamic public IP and holds the EIP', () => {
    const w = createWorld(input());
    expect(inst(w, 'c')).toMatchObject({ state: 'running', publicIp: null, elasticIp: EIP_C });
    expect(isClassicPrivate(inst(w, 'c').privateIp!)).toBe(true);
    expect(getElasticIp(w, EIP_C)).toEqual({ ip: EIP_C, region: US, instance: 'c' });
    expect(getElasticIp(w, EIP_E)).toEqual({ ip: EIP_E, region: EU, instance: 'e' });
    expect(Object.keys(w.eips).sort()).toEqual([String(EIP_E), String(EIP_C)].sort());
  });

  it('draws private IPs in 10/8 and public IPs in 54/8 for what is not declared', () => {
    const a = inst(createWorld(input()), 'a');
    expect(a.privateIp! >>> 24).toBe(10);
    expect(a.publicIp! >>> 24).toBe(54);
    expect(a.elasticIp).toBeNull();
  });

  it('assigns addresses deterministically: the same input gives an equal world; another seed other addresses', () => {
    const w1 = createWorld(input());
    const w2 = createWorld(input());
    expect(w1).toEqual(w2);
    const w3 = createWorld(input({ seed: 'other-seed' }));
    expect(inst(w3, 'a').privateIp).not.toBe(inst(w1, 'a').privateIp);
    expect(inst(w3, 'a').publicIp).not.toBe(inst(w1, 'a').publicIp);
    expect(inst(w3, 'b').privateIp).toBe(ip('10.1.2.3'));
  });

  it('counts the draws in the pools (stopped and declared instances draw nothing)', () => {
    const w = createWorld(input());
    // a: private + public; c: private only (it has an EIP); e: private only; b declared; d stopped.
    const key = hashString('world-seed');
    let nextPrivate = 0;
    const privates: number[] = [];
    for (let i = 0; i < 3; i++) {
      const d = drawAddress(PRIVATE_POOL_BASE, nextPrivate, key, w.reserved);
      privates.push(d.ip);
      nextPrivate = d.next;
    }
    const pub = drawAddress(PUBLIC_POOL_BASE, 0, key ^ 0x5bd1e995, w.reserved);
    expect(w.pools).toEqual({ key, nextPrivate, nextPublic: pub.next });
    expect([inst(w, 'a').privateIp, inst(w, 'c').privateIp, inst(w, 'e').privateIp]).toEqual(privates);
    expect(inst(w, 'a').publicIp).toBe(pub.ip);
    expect([...w.reserved].sort()).toEqual([ip('10.1.2.3'), ip('54.1.2.3'), EIP_C, EIP_E, ip('1.2.3.4')].sort());
  });

  it('assigns distinct addresses to many instances, across regions', () => {
    const many: InstanceSpec[] = [];
    for (let i = 0; i < 2000; i++) many.push(spec(`i${i}`, i % 2 ? { region: EU, zone: 'eu-west-1a', groups: [] } : {}));
    const w = createWorld(input({ instances: many }));
    const addrs = heldAddresses(w);
    expect(addrs.length).toBe(4000);
    expect(new Set(addrs).size).toBe(4000);
  });

  it('never draws an address that is declared or reserved', () => {
    const plain = createWorld(input({ instances: [spec('a'), spec('z')] }));
    const aPrivate = inst(plain, 'a').privateIp!;
    const aPublic = inst(plain, 'a').publicIp!;
    // Declared on another instance: a must get other addresses.
    const declared = createWorld(
      input({ instances: [spec('a'), spec('x', { privateIp: aPrivate, publicIp: aPublic })] }),
    );
    expect(inst(declared, 'a').privateIp).not.toBe(aPrivate);
    expect(inst(declared, 'a').publicIp).not.toBe(aPublic);
    expect(inst(declared, 'a').privateIp).toBe(inst(plain, 'z').privateIp);
    // Reserved for later: same.
    const reserved = createWorld(input({ instances: [spec('a')], reserved: [aPrivate, aPublic] }));
    expect(inst(reserved, 'a').privateIp).not.toBe(aPrivate);
    expect(inst(reserved, 'a').publicIp).not.toBe(aPublic);
    expect(reserved.reserved.has(aPrivate)).toBe(true);
    // External host addresses are reserved too.
    const ext = createWorld(input({ instances: [spec('a')], external: [{ name: 'x', ip: aPublic, services: [] }] }));
    expect(inst(ext, 'a').publicIp).not.toBe(aPublic);
  });

  it('rejects an instance declared twice', () => {
    expect(() => createWorld(input({ instances: [spec('a'), spec('a')] }))).toThrow(WorldError);
    expect(() => createWorld(input({ instances: [spec('a'), spec('a')] }))).toThrow('instance a is declared twice');
  });

  it('shards instances by name hash and lists them deterministically', () => {
    const w = createWorld(input());
    expect(w.instances.length).toBe(SHARD_COUNT);
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      expect(shardOf(name)).toBe(hashString(name) % SHARD_COUNT);
      expect(w.instances[shardOf(name)][name]).toBe(getInstance(w, name));
    }
    const names = [...allInstances(w)].map((i) => i.name);
    expect(names.slice().sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    const expected = ['a', 'b', 'c', 'd', 'e'].sort((x, y) => shardOf(x) - shardOf(y) || x.localeCompare(y));
    expect(names).toEqual(expected);
    expect(getInstance(w, 'nobody')).toBeUndefined();
  });
});

describe('authorize / revoke', () => {
  it('authorize appends the rule, purely', () => {
    const w = createWorld(input());
    const next = pure(w, (x) => authorize(x, 'web', sshRule));
    expect(getGroup(next, 'web')!.ingress).toEqual([webRule, sshRule]);
    expect(getGroup(w, 'web')!.ingress).toEqual([webRule]);
  });

  it('revoke removes the rule whatever its description, purely', () => {
    const w = authorize(createWorld(input()), 'web', sshRule);
    const next = pure(w, (x) => revoke(x, 'web', { ...sshRule, description: 'something else' }));
    expect(getGroup(next, 'web')!.ingress).toEqual([webRule]);
  });

  it('authorizing a duplicate (description ignored) throws WorldError', () => {
    const w = createWorld(input());
    expect(() => authorize(w, 'web', { ...webRule, description: 'again' })).toThrow(WorldError);
    expect(() => authorize(w, 'web', webRule)).toThrow('group web already has this rule');
  });

  it('revoking a missing rule throws WorldError', () => {
    const w = createWorld(input());
    expect(() => revoke(w, 'web', sshRule)).toThrow(WorldError);
    expect(() => revoke(w, 'web', sshRule)).toThrow('group web has no such rule to revoke');
  });

  it('an unknown group throws WorldError', () => {
    const w = createWorld(input());
    expect(() => authorize(w, 'nope', sshRule)).toThrow('unknown group nope');
    expect(() => revoke(w, 'nope', sshRule)).toThrow(WorldError);
  });

  it('changeRules is pure and keeps the other rules in order', () => {
    const g: SecurityGroup = { key: 'g', name: 'g', region: US, ingress: [webRule, sshRule] };
    const before = structuredClone(g);
    const revoked = changeRules(g, { kind: 'revoke', rule: webRule });
    expect(g).toEqual(before);
    expect(revoked.ingress).toEqual([sshRule]);
    expect(changeRules(revoked, { kind: 'authorize', rule: webRule }).ingress).toEqual([sshRule, webRule]);
  });
});

describe('launch', () => {
  it('adds a running instance with fresh addresses, purely', () => {
    const w = createWorld(input());
    const next = pure(w, (x) => launch(x, spec('n')));
    const n = inst(next, 'n');
    expect(n).toMatchObject({ name: 'n', state: 'running', elasticIp: null });
    expect(isClassicPrivate(n.privateIp!)).toBe(true);
    expect(n.publicIp! >>> 24).toBe(54);
    expect(heldAddresses(w)).not.toContain(n.privateIp);
    expect(heldAddresses(w)).not.toContain(n.publicIp);
    expect(next.pools.nextPrivate).toBeGreaterThan(w.pools.nextPrivate);
    expect(next.pools.nextPublic).toBeGreaterThan(w.pools.nextPublic);
    expect(getInstance(w, 'n')).toBeUndefined();
  });

  it('launching a stopped instance draws nothing', () => {
    const w = createWorld(input());
    const next = launch(w, spec('n', { state: 'stopped' }));
    expect(inst(next, 'n')).toMatchObject({ state: 'stopped', privateIp: null, publicIp: null, elasticIp: null });
    expect(next.pools).toEqual(w.pools);
  });

  it('launching with an EIP another instance holds moves it; the former holder gets a new public IP', () => {
    const w = createWorld(input());
    const next = pure(w, (x) => launch(x, spec('n', { elasticIp: EIP_C })));
    expect(inst(next, 'n')).toMatchObject({ elasticIp: EIP_C, publicIp: null });
    expect(inst(next, 'c').elasticIp).toBeNull();
    expect(inst(next, 'c').publicIp! >>> 24).toBe(54);
    expect(heldAddresses(w)).not.toContain(inst(next, 'c').publicIp);
    expect(getElasticIp(next, EIP_C)).toEqual({ ip: EIP_C, region: US, instance: 'n' });
  });

  it('launching a name that exists throws WorldError', () => {
    const w = createWorld(input());
    expect(() => launch(w, spec('a'))).toThrow('instance a already exists');
  });
});

describe('stop', () => {
  it('releases the private and public IP, purely', () => {
    const w = createWorld(input());
    const next = pure(w, (x) => stop(x, 'a'));
    expect(inst(next, 'a')).toMatchObject({ state: 'stopped', privateIp: null, publicIp: null, elasticIp: null });
    expect(inst(w, 'a').state).toBe('running');
  });

  it('disassociates the EIP, which stays allocated to the region', () => {
    const w = createWorld(input());
    const next = pure(w, (x) => stop(x, 'c'));
    expect(inst(next, 'c')).toMatchObject({ state: 'stopped', privateIp: null, publicIp: null, elasticIp: null });
    expect(getElasticIp(next, EIP_C)).toEqual({ ip: EIP_C, region: US, instance: null });
    expect(getElasticIp(w, EIP_C)).toEqual({ ip: EIP_C, region: US, instance: 'c' });
  });

  it('stopping a stopped instance changes nothing (same object, no patches)', () => {
    const w = createWorld(input());
    const [next, patches] = applyChangeWithPatches(w, { kind: 'stop', instance: 'd' });
    expect(next).toBe(w);
    expect(patches).toEqual([]);
  });

  it('stopping a terminated or unknown instance throws WorldError', () => {
    const w = terminate(createWorld(input()), 'a');
    expect(() => stop(w, 'a')).toThrow('instance a is terminated');
    expect(() => stop(w, 'ghost')).toThrow('unknown instance ghost');
  });
});

describe('start', () => {
  it('assigns new private and public IPs that differ from the released ones, purely', () => {
    const w0 = createWorld(input());
    const old = inst(w0, 'a');
    const stopped = stop(w0, 'a');
    const next = pure(stopped, (x) => start(x, 'a'));
    const a = inst(next, 'a');
    expect(a.state).toBe('running');
    expect(isClassicPrivate(a.privateIp!)).toBe(true);
    expect(a.publicIp! >>> 24).toBe(54);
    expect(a.privateIp).not.toBe(old.privateIp);
    expect(a.publicIp).not.toBe(old.publicIp);
    expect(heldAddresses(w0)).not.toContain(a.privateIp);
    expect(heldAddresses(w0)).not.toContain(a.publicIp);
  });

  it('does not re-associate the EIP released by stop', () => {
    const w = start(stop(createWorld(input()), 'c'), 'c');
    expect(inst(w, 'c').elasticIp).toBeNull();
    expect(inst(w, 'c').publicIp).not.toBeNull();
    expect(getElasticIp(w, EIP_C)!.instance).toBeNull();
  });

  it('a declared instance started after stop gets pool addresses, not its declared ones', () => {
    const w = start(stop(createWorld(input()), 'b'), 'b');
    expect(inst(w, 'b').privateIp).not.toBe(ip('10.1.2.3'));
    expect(inst(w, 'b').publicIp).not.toBe(ip('54.1.2.3'));
  });

  it('repeated stop/start cycles never reuse an address', () => {
    let w = createWorld(input());
    const seen = new Set(heldAddresses(w));
    for (let i = 0; i < 50; i++) {
      w = start(stop(w, 'a'), 'a');
      const a = inst(w, 'a');
      for (const x of [a.privateIp!, a.publicIp!]) {
        expect(seen.has(x)).toBe(false);
        seen.add(x);
      }
    }
  });

  it('starting a running instance changes nothing; a terminated one throws', () => {
    const w = createWorld(input());
    expect(start(w, 'a')).toBe(w);
    expect(() => start(terminate(w, 'a'), 'a')).toThrow('instance a is terminated');
  });
});

describe('terminate', () => {
  it('releases every address and the EIP, purely', () => {
    const w = createWorld(input());
    const next = pure(w, (x) => terminate(x, 'c'));
    expect(inst(next, 'c')).toMatchObject({ state: 'terminated', privateIp: null, publicIp: null, elasticIp: null });
    expect(getElasticIp(next, EIP_C)).toEqual({ ip: EIP_C, region: US, instance: null });
  });

  it('terminates a stopped instance; terminating twice changes nothing', () => {
    const w = terminate(createWorld(input()), 'd');
    expect(inst(w, 'd').state).toBe('terminated');
    expect(terminate(w, 'd')).toBe(w);
  });
});

describe('associate', () => {
  it('associating a new EIP releases the dynamic public IP and records the EIP, purely', () => {
    const w = createWorld(input());
    const next = pure(w, (x) => associate(x, FREE_EIP, 'a'));
    expect(inst(next, 'a')).toMatchObject({ elasticIp: FREE_EIP, publicIp: null, privateIp: inst(w, 'a').privateIp });
    expect(getElasticIp(next, FREE_EIP)).toEqual({ ip: FREE_EIP, region: US, instance: 'a' });
    expect(getElasticIp(w, FREE_EIP)).toBeUndefined();
  });

  it('moving an EIP from another instance gives the former holder a new public IP', () => {
    const w = createWorld(input());
    const next = pure(w, (x) => associate(x, EIP_C, 'a'));
    expect(inst(next, 'a')).toMatchObject({ elasticIp: EIP_C, publicIp: null });
    const c = inst(next, 'c');
    expect(c.elasticIp).toBeNull();
    expect(c.publicIp! >>> 24).toBe(54);
    expect(heldAddresses(w)).not.toContain(c.publicIp);
    expect(c.privateIp).toBe(inst(w, 'c').privateIp);
    expect(getElasticIp(next, EIP_C)).toEqual({ ip: EIP_C, region: US, instance: 'a' });
  });

  it('associating another EIP to an instance that holds one frees the old EIP', () => {
    const w = createWorld(input());
    const next = associate(w, FREE_EIP, 'c');
    expect(inst(next, 'c')).toMatchObject({ elasticIp: FREE_EIP, publicIp: null });
    expect(getElasticIp(next, EIP_C)).toEqual({ ip: EIP_C, region: US, instance: null });
    expect(getElasticIp(next, FREE_EIP)).toEqual({ ip: FREE_EIP, region: US, instance: 'c' });
  });

  it('re-associating an EIP to its holder changes nothing', () => {
    const w = createWorld(input());
    expect(associate(w, EIP_C, 'c')).toBe(w);
  });

  it('associating a free EIP of the same region (released by stop) works', () => {
    const w = stop(createWorld(input()), 'c');
    const next = associate(w, EIP_C, 'a');
    expect(inst(next, 'a').elasticIp).toBe(EIP_C);
    expect(getElasticIp(next, EIP_C)!.instance).toBe('a');
  });

  it('associating to a stopped instance throws WorldError', () => {
    const w = createWorld(input());
    expect(() => associate(w, FREE_EIP, 'd')).toThrow(WorldError);
    expect(() => associate(w, FREE_EIP, 'd')).toThrow('instance d is not running');
    expect(() => associate(terminate(w, 'a'), FREE_EIP, 'a')).toThrow('instance a is not running');
  });

  it('associating an EIP of another region throws WorldError', () => {
    const w = createWorld(input());
    expect(() => associate(w, EIP_E, 'a')).toThrow(WorldError);
    expect(() => associate(w, EIP_E, 'a')).toThrow('Elastic IP 54.8.8.8 belongs to eu-west-1, not us-east-1');
    // The failed change left nothing behind.
    expect(getElasticIp(w, EIP_E)!.instance).toBe('e');
  });
});

describe('disassociate', () => {
  it('gives the holder a new public IP and frees the EIP, purely', () => {
    const w = createWorld(input());
    const next = pure(w, (x) => disassociate(x, EIP_C));
    const c = inst(next, 'c');
    expect(c.elasticIp).toBeNull();
    expect(c.publicIp! >>> 24).toBe(54);
    expect(heldAddresses(w)).not.toContain(c.publicIp);
    expect(getElasticIp(next, EIP_C)).toEqual({ ip: EIP_C, region: US, instance: null });
  });

  it('disassociating a free or unknown EIP changes nothing', () => {
    const w = stop(createWorld(input()), 'c');
    expect(disassociate(w, EIP_C)).toBe(w);
    expect(disassociate(w, FREE_EIP)).toBe(w);
  });
});

describe('applyChangeWithPatches', () => {
  it('returns the new world and patches that turn the old world into it', () => {
    const w = createWorld(input());
    const [next, patches] = applyChangeWithPatches(w, { kind: 'stop', instance: 'c' });
    expect(next).toEqual(applyChange(w, { kind: 'stop', instance: 'c' }));
    expect(patches.length).toBeGreaterThan(0);
    expect(patches).toContainEqual({ op: 'replace', path: ['instances', shardOf('c'), 'c', 'state'], value: 'stopped' });
    expect(patches).toContainEqual({ op: 'replace', path: ['instances', shardOf('c'), 'c', 'privateIp'], value: null });
    expect(patches).toContainEqual({ op: 'replace', path: ['eips', String(EIP_C), 'instance'], value: null });
    expect(applyPatches(w, patches)).toEqual(next);
  });

  it('patches of an authorize name the group', () => {
    const w = createWorld(input());
    const [next, patches] = applyChangeWithPatches(w, { kind: 'authorize', group: 'web', rule: sshRule });
    expect(patches.every((p) => p.path[0] === 'groups' && p.path[1] === 'web')).toBe(true);
    expect(applyPatches(w, patches)).toEqual(next);
  });

  it('a change that throws leaves the world as it was', () => {
    const w = createWorld(input());
    const before = structuredClone(w);
    expect(() => applyChangeWithPatches(w, { kind: 'associate', elasticIp: FREE_EIP, instance: 'd' })).toThrow(WorldError);
    expect(w).toEqual(before);
  });
});
