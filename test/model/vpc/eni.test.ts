/**
 * test/model/vpc/eni: the source/destination check (domain-vpc.md §3) and appliance targets.
 */
import { describe, expect, it } from 'vitest';
import { applianceRefusal, holdsPrivateIp, sourceDestCheckAllows, targetInterface } from '../../../src/model/vpc/eni.ts';
import { createVpcWorld } from '../../../src/model/vpc/build.ts';
import { stopVpcInstance } from '../../../src/model/vpc/changes.ts';
import { getInterface } from '../../../src/model/vpc/world.ts';
import { ip, twoTier, twoTierInput } from './fixtures.ts';

describe('source/destination check', () => {
  const w = twoTier();
  const db = getInterface(w, 'db')!;
  it('on: only its own addresses leave or arrive', () => {
    expect(holdsPrivateIp(db, ip('10.0.2.30'))).toBe(true);
    expect(sourceDestCheckAllows(db, 'egress', ip('10.0.2.30'), ip('8.8.8.8'))).toBe(true);
    expect(sourceDestCheckAllows(db, 'egress', ip('10.0.2.99'), ip('8.8.8.8'))).toBe(false);
    expect(sourceDestCheckAllows(db, 'ingress', ip('8.8.8.8'), ip('10.0.2.30'))).toBe(true);
    expect(sourceDestCheckAllows(db, 'ingress', ip('10.0.2.30'), ip('8.8.8.8'))).toBe(false);
  });
  it('off: anything passes', () => {
    expect(sourceDestCheckAllows({ ...db, sourceDestCheck: false }, 'ingress', ip('1.1.1.1'), ip('8.8.8.8'))).toBe(true);
  });
});

describe('appliance targets (Decision §3)', () => {
  const input = twoTierInput();
  const w = createVpcWorld({ ...input, instances: [...input.instances!, { id: 'fw', state: 'running', services: [], interfaces: [{ id: 'fw', subnet: 'public-a', sourceDestCheck: false }] }] });
  it('an eni or instance target names an interface', () => {
    expect(targetInterface(w, { kind: 'eni', id: 'fw' })?.id).toBe('fw');
    expect(targetInterface(w, { kind: 'instance', id: 'fw' })?.id).toBe('fw');
    expect(targetInterface(w, { kind: 'instance', id: 'gone' })).toBeUndefined();
    expect(targetInterface(w, { kind: 'igw', id: 'igw' })).toBeUndefined();
  });
  it('forwards with the check off while running; refuses with it on, or stopped', () => {
    expect(applianceRefusal(w, getInterface(w, 'fw')!)).toBeNull();
    expect(applianceRefusal(w, getInterface(w, 'db')!)).toBe('ENI_SOURCE_DEST_CHECK_RESTRICTION');
    const s = stopVpcInstance(w, 'fw');
    expect(applianceRefusal(s, getInterface(s, 'fw')!)).toBe('BAD_STATE');
  });
});
