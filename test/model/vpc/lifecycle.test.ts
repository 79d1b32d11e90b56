/**
 * test/model/vpc/lifecycle: the VPC lifecycle (domain-vpc.md §2; §12 inv. 10, 11): stop keeps
 * every private IP and EIP and releases only eth0's public IP; start gives a new public IP,
 * never a released one; terminate releases private IPs and deletes the interfaces, the EIPs stay
 * allocated; EIPs on (ENI, private IP): one per private IP, moving between holders, eth0's public
 * IP released and restored; every change is pure (the input world is left as it was).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import {
  applyVpcChange,
  associateAddress,
  disassociateAddress,
  launchVpcInstance,
  startVpcInstance,
  stopVpcInstance,
  terminateVpcInstance,
  type VpcChange,
} from '../../../src/model/vpc/changes.ts';
import { allInterfaces, getElasticIp, getInstance, getInterface, privateHolder, publicHolder, WorldError, type VpcWorld } from '../../../src/model/vpc/world.ts';
import { isReservedInSubnet } from '../../../src/model/vpc/addressing.ts';
import { createVpcWorld } from '../../../src/model/vpc/build.ts';
import type { Ip } from '../../../src/net/ipv4.ts';
import { cidr, ip, twoTier, twoTierInput } from './fixtures.ts';

const EIP = ip('198.51.100.7');
const publicOf = (w: VpcWorld, eni: string): Ip | null => getInterface(w, eni)!.addresses[0].publicIp;

describe('stop and start (§2)', () => {
  it('stop keeps private IPs and EIPs, releases the public IP; start gives a new one', () => {
    const w = twoTier();
    const before = publicOf(w, 'bastion')!;
    const stopped = stopVpcInstance(w, 'bastion');
    expect(getInstance(stopped, 'bastion')!.state).toBe('stopped');
    expect(getInterface(stopped, 'bastion')!.addresses[0]).toMatchObject({ privateIp: ip('10.0.1.4'), publicIp: null });
    expect(publicHolder(stopped, before)).toBeUndefined();
    expect(privateHolder(stopped, 'app', ip('10.0.1.4'))).toMatchObject({ eni: 'bastion' });
    const started = startVpcInstance(stopped, 'bastion');
    const after = publicOf(started, 'bastion')!;
    expect(after).not.toBeNull();
    expect(after).not.toBe(before);
    expect(publicHolder(started, after)).toMatchObject({ eni: 'bastion', elastic: false });
  });
  it('an EIP survives stop and start, and eth0 gets no public IP beside it', () => {
    const w = startVpcInstance(stopVpcInstance(twoTier(), 'web'), 'web');
    expect(getInterface(w, 'web')!.addresses[0]).toMatchObject({ elasticIp: ip('203.0.113.10'), publicIp: null });
    expect(publicHolder(w, ip('203.0.113.10'))).toMatchObject({ eni: 'web' });
  });
  it('a stopped instance keeps its groups; stop twice and start twice change nothing more', () => {
    const s = stopVpcInstance(twoTier(), 'db');
    expect(getInterface(s, 'db')!.groups).toEqual(['db']);
    expect(stopVpcInstance(s, 'db')).toBe(s);
    const r = startVpcInstance(s, 'db');
    expect(startVpcInstance(r, 'db')).toBe(r);
  });
});

describe('terminate (§2)', () => {
  it('releases the private IPs, deletes the interfaces; EIPs stay allocated, unassociated', () => {
    const w = terminateVpcInstance(twoTier(), 'web');
    expect(getInstance(w, 'web')).toMatchObject({ state: 'terminated', interfaces: [] });
    expect(getInterface(w, 'web')).toBeUndefined();
    expect(privateHolder(w, 'app', ip('10.0.1.20'))).toBeUndefined();
    expect(getElasticIp(w, ip('203.0.113.10'))).toEqual({ ip: ip('203.0.113.10'), region: 'us-east-1', eni: null, privateIp: null });
    expect(publicHolder(w, ip('203.0.113.10'))).toBeUndefined();
    expect(() => startVpcInstance(w, 'web')).toThrow(/terminated/);
  });
  it('a released private IP is not drawn again by a later launch', () => {
    const w = terminateVpcInstance(twoTier(), 'bastion');
    const l = launchVpcInstance(w, { id: 'new', state: 'running', services: [], interfaces: [{ id: 'new', subnet: 'public-a' }] });
    expect(getInterface(l, 'new')!.addresses[0].privateIp).not.toBe(ip('10.0.1.4'));
  });
});

describe('Elastic IPs on (ENI, private IP)', () => {
  it('associating with eth0 releases its public IP; disassociating gives a new one', () => {
    const w = twoTier();
    const old = publicOf(w, 'bastion')!;
    const a = associateAddress(w, EIP, 'bastion');
    expect(getInterface(a, 'bastion')!.addresses[0]).toMatchObject({ elasticIp: EIP, publicIp: null });
    expect(publicHolder(a, old)).toBeUndefined();
    expect(getElasticIp(a, EIP)).toMatchObject({ eni: 'bastion', privateIp: ip('10.0.1.4') });
    const d = disassociateAddress(a, EIP);
    const fresh = publicOf(d, 'bastion');
    expect(fresh).not.toBeNull();
    expect(fresh).not.toBe(old);
    expect(getElasticIp(d, EIP)).toMatchObject({ eni: null });
  });
  it('an EIP on a secondary private IP of a private-subnet interface, and moving it', () => {
    const input = twoTierInput();
    const w = createVpcWorld({ ...input, instances: [...input.instances!, { id: 'multi', state: 'running', services: [], interfaces: [{ id: 'multi', subnet: 'private-a', privateIp: ip('10.0.2.40'), secondaryIps: [ip('10.0.2.41')] }] }] });
    const a = associateAddress(w, EIP, 'multi', ip('10.0.2.41'));
    expect(getInterface(a, 'multi')!.addresses.map((x) => x.elasticIp)).toEqual([null, EIP]);
    const moved = associateAddress(a, EIP, 'db');
    expect(getInterface(moved, 'multi')!.addresses.map((x) => x.elasticIp)).toEqual([null, null]);
    expect(publicHolder(moved, EIP)).toMatchObject({ eni: 'db', privateIp: ip('10.0.2.30') });
    expect(() => associateAddress(w, EIP, 'multi', ip('10.0.2.99'))).toThrow(/does not hold/);
  });
  it('one EIP per private IP: a second one replaces the first, which stays allocated', () => {
    const w = associateAddress(twoTier(), EIP, 'web');
    expect(getInterface(w, 'web')!.addresses[0].elasticIp).toBe(EIP);
    expect(getElasticIp(w, ip('203.0.113.10'))).toMatchObject({ eni: null });
    expect(publicHolder(w, ip('203.0.113.10'))).toBeUndefined();
  });
  it('a NAT gateway\'s EIP cannot be associated with an interface', () => {
    expect(() => associateAddress(twoTier(), ip('203.0.113.20'), 'db')).toThrow(/NAT gateway nat/);
  });
});

// Properties: random lifecycle sequences.
const arbStep = fc.oneof(
  fc.record({ kind: fc.constantFrom<'stop' | 'start'>('stop', 'start'), instance: fc.constantFrom('web', 'db', 'bastion') }),
  fc.record({ kind: fc.constant<'associate'>('associate'), elasticIp: fc.constantFrom(EIP, ip('198.51.100.8')), interface: fc.constantFrom('bastion', 'db') }),
  fc.record({ kind: fc.constant<'disassociate'>('disassociate'), elasticIp: fc.constantFrom(EIP, ip('198.51.100.8'), ip('203.0.113.10')) }),
) as fc.Arbitrary<VpcChange>;

function addressBook(w: VpcWorld): { privates: Map<string, Ip[]>; eips: Map<string, (Ip | null)[]> } {
  const privates = new Map<string, Ip[]>();
  const eips = new Map<string, (Ip | null)[]>();
  for (const eni of allInterfaces(w)) {
    privates.set(eni.id, eni.addresses.map((a) => a.privateIp));
    eips.set(eni.id, eni.addresses.map((a) => a.elasticIp));
  }
  return { privates, eips };
}

describe('lifecycle properties (§12 inv. 10, 11)', () => {
  it('stop and start keep every private IP and EIP and change a plain public IP', () => {
    fc.assert(
      fc.property(fc.array(arbStep, { maxLength: 12 }), fc.constantFrom('web', 'db', 'bastion'), (steps, target) => {
        let w = twoTier();
        for (const s of steps) w = applyVpcChange(w, s);
        const before = addressBook(w);
        const pub = publicOf(w, target);
        const wasRunning = getInstance(w, target)!.state === 'running';
        const after = startVpcInstance(stopVpcInstance(w, target), target);
        expect(addressBook(after)).toEqual(before);
        const pub2 = publicOf(after, target);
        if (wasRunning && pub !== null) expect(pub2).not.toBe(pub);
      }),
    );
  });

  it('the address indexes always agree with the interfaces: every address held once, an EIP by one private IP', () => {
    fc.assert(
      fc.property(fc.array(arbStep, { maxLength: 16 }), (steps) => {
        let w = twoTier();
        for (const s of steps) w = applyVpcChange(w, s);
        const seenPublic = new Set<Ip>();
        for (const eni of allInterfaces(w)) {
          const vpc = w.subnets[eni.subnet].vpc;
          for (const a of eni.addresses) {
            expect(privateHolder(w, vpc, a.privateIp)).toEqual({ kind: 'eni', eni: eni.id, privateIp: a.privateIp });
            for (const p of [a.publicIp, a.elasticIp]) {
              if (p === null) continue;
              expect(seenPublic.has(p)).toBe(false);
              seenPublic.add(p);
              expect(publicHolder(w, p)).toMatchObject({ eni: eni.id, privateIp: a.privateIp });
            }
            if (a.elasticIp !== null) expect(getElasticIp(w, a.elasticIp)).toMatchObject({ eni: eni.id, privateIp: a.privateIp });
            expect(a.publicIp === null || a.elasticIp === null).toBe(true);
          }
          const inst = getInstance(w, eni.instance!)!;
          if (inst.state !== 'running') expect(eni.addresses[0].publicIp).toBeNull();
        }
        for (const e of Object.values(w.eips)) if (e.eni === null) expect(publicHolder(w, e.ip)).toBeUndefined();
      }),
    );
  });

  it('every change is pure: the input world is left exactly as it was', () => {
    fc.assert(
      fc.property(fc.array(arbStep, { minLength: 1, maxLength: 6 }), (steps) => {
        let w = twoTier();
        for (const s of steps) {
          const copy = structuredClone(w);
          const next = applyVpcChange(w, s);
          expect(isDeepStrictEqual(w, copy)).toBe(true);
          w = next;
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('address properties under launches and terminations (§12 inv. 11)', () => {
  const input = twoTierInput();
  const base = createVpcWorld({ ...input, subnets: [...input.subnets, { id: 'tiny', vpc: 'app', zone: 'us-east-1a', cidr: cidr('10.0.9.0/28'), mapPublicIpOnLaunch: true }] });
  const arbOp = fc.oneof(
    fc.record({ op: fc.constant<'launch'>('launch'), subnet: fc.constantFrom('tiny', 'tiny', 'private-a', 'tools-a') }),
    fc.record({ op: fc.constant<'terminate'>('terminate'), pick: fc.nat() }),
    fc.record({ op: fc.constant<'cycle'>('cycle'), pick: fc.nat() }),
  );
  it('no interface holds a reserved address, none is held twice in a VPC, every holder agrees; a full subnet refuses clearly', () => {
    fc.assert(
      fc.property(fc.array(arbOp, { maxLength: 30 }), (ops) => {
        let w = base;
        let n = 0;
        const launched: string[] = [];
        for (const o of ops) {
          if (o.op === 'launch') {
            const id = `x${n++}`;
            try {
              w = launchVpcInstance(w, { id, state: 'running', services: [], interfaces: [{ id, subnet: o.subnet }] });
              launched.push(id);
            } catch (e) {
              expect(e).toBeInstanceOf(WorldError);
              expect(String(e)).toMatch(/has no free address/);
            }
          } else if (launched.length > 0) {
            const i = o.pick % launched.length;
            const id = launched[i];
            if (o.op === 'terminate') {
              w = terminateVpcInstance(w, id);
              launched.splice(i, 1);
            } else w = startVpcInstance(stopVpcInstance(w, id), id);
          }
        }
        const seen = new Set<string>();
        for (const eni of allInterfaces(w)) {
          const subnet = w.subnets[eni.subnet];
          for (const a of eni.addresses) {
            expect(isReservedInSubnet(subnet.cidr, a.privateIp)).toBe(false);
            const key = `${subnet.vpc}/${a.privateIp}`;
            expect(seen.has(key)).toBe(false);
            seen.add(key);
            expect(privateHolder(w, subnet.vpc, a.privateIp)).toMatchObject({ eni: eni.id });
          }
        }
      }),
    );
  });
});
