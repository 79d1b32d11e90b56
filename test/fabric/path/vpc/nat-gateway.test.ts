/**
 * test/fabric/path/vpc/nat-gateway: the NAT gateway hop alone — its port choice, its protocol
 * and source checks, and inbound packets with and without a mapping (domain-vpc.md §4).
 */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { natInbound, natOutbound, remapPort, NAT_PORT_HIGH, NAT_PORT_LOW } from '../../../../src/fabric/path/vpc/nat-gateway.ts';
import { PATHS, worldOf } from './fixtures.ts';

const world = worldOf(PATHS);
const nat = world.natGateways.nat;
const packet = { protocol: 6, source: 0x0a00020a, destination: 0xc0000250, sport: 40000, dport: 443, key: 443 };

describe('NAT gateway', () => {
  test('the remapped port is always in 1024-65535, and the same flow gets the same port', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 1, max: 65535 }), (source, sport) => {
        const p = remapPort(nat, { ...packet, source, sport });
        expect(p).toBeGreaterThanOrEqual(NAT_PORT_LOW);
        expect(p).toBeLessThanOrEqual(NAT_PORT_HIGH);
        expect(remapPort(nat, { ...packet, source, sport })).toBe(p);
      }),
    );
  });

  test('outbound: the source becomes the NAT gateway\'s address, the destination is kept', () => {
    const out = natOutbound(world, nat, packet);
    expect(out.verdict.kind).toBe('rewrite');
    if (out.verdict.kind !== 'rewrite') return;
    expect(out.verdict.packet).toMatchObject({ source: nat.privateIp, destination: packet.destination, dport: 443 });
    expect(out.mapping).toMatchObject({ insideIp: packet.source, insidePort: 40000 });
  });

  test('outbound: other protocols (PROTOCOL_RESTRICTION) and sources outside its VPC (NGW_REQUIRES_SOURCE_IN_VPC) are refused', () => {
    expect(natOutbound(world, nat, { ...packet, protocol: 47 }).verdict).toMatchObject({ kind: 'drop', code: 'PROTOCOL_RESTRICTION' });
    expect(natOutbound(world, nat, { ...packet, source: 0x0a01010a }).verdict).toMatchObject({ kind: 'drop', code: 'NGW_REQUIRES_SOURCE_IN_VPC' });
  });

  test('inbound: only the answer of a mapping is translated back; anything else is SIM_NAT_NO_MAPPING', () => {
    const out = natOutbound(world, nat, packet);
    if (out.verdict.kind !== 'rewrite' || out.mapping === null) throw new Error('no mapping');
    const sent = out.verdict.packet;
    const answer = { protocol: 6, source: sent.destination, destination: sent.source, sport: sent.dport, dport: sent.sport, key: sent.sport };
    expect(natInbound(nat, answer, [out.mapping])).toMatchObject({ kind: 'rewrite', packet: { destination: packet.source, dport: 40000 } });
    expect(natInbound(nat, { ...answer, source: 0x08080808 }, [out.mapping])).toMatchObject({ kind: 'drop', code: 'SIM_NAT_NO_MAPPING' });
    expect(natInbound(nat, answer, [])).toMatchObject({ kind: 'drop', code: 'SIM_NAT_NO_MAPPING' });
  });
});
