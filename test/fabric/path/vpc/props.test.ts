/**
 * test/fabric/path/vpc/props: the invariants of domain-vpc.md §12 that a timeless trace shows
 * (1-8, 14, 15), each its own property on random small VPC worlds (arbitraries.ts). NACL
 * verdicts are checked against an evaluator written here from the doc (lowest number first,
 * `*` denies), not policy/nacl.ts.
 */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { cidrContains, parseIp } from '../../../../src/net/ipv4.ts';
import { createVpcWorld, type VpcWorldInput } from '../../../../src/model/vpc/build.ts';
import type { NaclEntry, VpcSecurityGroup } from '../../../../src/model/vpc/types.ts';
import { getInstance, getInterface, networkAclOfSubnet, subnetOf, type VpcWorld } from '../../../../src/model/vpc/world.ts';
import { traceVpc, type VpcFlow, type VpcTrace } from '../../../../src/fabric/path/vpc/plan.ts';
import type { VpcHop } from '../../../../src/fabric/path/vpc/hop.ts';
import { flowArb, worldArb, type WorldCase } from './arbitraries.ts';

const RUNS = { numRuns: 150 };
const caseAndFlow = worldArb.chain((c) => fc.tuple(fc.constant(c), flowArb(c)));
const ADMITTED = new Set(['connected', 'refused', 'replied', 'delivered']);

function ipOf(text: string): number {
  const v = parseIp(text);
  if (typeof v !== 'number') throw new Error(text);
  return v;
}

const RFC1918 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((t) => {
  const [a, p] = t.split('/');
  return { base: ipOf(a), prefix: Number(p) };
});
const isPrivate = (ip: number) => RFC1918.some((c) => cidrContains(c, ip));

function rebuilt(c: WorldCase, change: (input: VpcWorldInput) => VpcWorldInput): VpcWorld {
  return createVpcWorld(change(c.input));
}

function senderEniOf(world: VpcWorld, flow: VpcFlow) {
  const inst = getInstance(world, flow.from);
  return inst === undefined ? undefined : getInterface(world, inst.interfaces[0]);
}

function receiverEniOf(world: VpcWorld, flow: VpcFlow) {
  const m = typeof flow.to === 'string' ? /^(.*)\.private$/.exec(flow.to) : null;
  const inst = m === null ? undefined : getInstance(world, m[1]);
  return inst === undefined ? undefined : getInterface(world, inst.interfaces[0]);
}

describe('domain-vpc.md §12 on random worlds', () => {
  test('1. a NACL verdict is its lowest-numbered matching entry; the entries\' order never matters', () => {
    fc.assert(
      fc.property(caseAndFlow, ([c, flow]) => {
        const t = traceVpc(c.world, flow);
        const reversed = rebuilt(c, (i) => ({ ...i, networkAcls: (i.networkAcls ?? []).map((a) => ({ ...a, ingress: [...(a.ingress ?? [])].reverse(), egress: [...(a.egress ?? [])].reverse() })) }));
        expect(JSON.stringify(traceVpc(reversed, flow))).toBe(JSON.stringify(t));
        // Each NACL hop's entry is the doc's: the lowest-numbered match, else 32767.
        for (const h of [...t.forward, ...t.reverse]) {
          if (h.kind !== 'nacl-in' && h.kind !== 'nacl-out') continue;
          const by = h.answer.kind === 'admit' || h.answer.kind === 'drop' ? h.answer.by : undefined;
          expect(by?.entry).toBeDefined();
          const acl = networkAclOfSubnet(c.world, h.subnet!);
          const entries: readonly NaclEntry[] = h.kind === 'nacl-in' ? acl.ingress : acl.egress;
          const numbers = entries.map((e) => e.number);
          expect(by!.entry === 32767 || numbers.includes(by!.entry!)).toBe(true);
          const decided = entries.find((e) => e.number === by!.entry);
          if (decided !== undefined) expect(h.verdict).toBe(decided.action === 'allow' ? 'allow' : 'deny');
          else expect(h.verdict).toBe('deny');
        }
      }),
      RUNS,
    );
  });

  test('2. traffic between private IPs of one subnet never meets its NACL or route table', () => {
    fc.assert(
      fc.property(caseAndFlow, ([c, flow]) => {
        const a = senderEniOf(c.world, flow);
        const b = receiverEniOf(c.world, flow);
        fc.pre(a !== undefined && b !== undefined && a.subnet === b.subnet);
        const t = traceVpc(c.world, flow);
        for (const h of [...t.forward, ...t.reverse]) expect(['nacl-in', 'nacl-out', 'route-table']).not.toContain(h.kind);
      }),
      RUNS,
    );
  });

  test('3. a reply of a tracked flow passes the SGs whatever their rules, but not a NACL that denies it', () => {
    fc.assert(
      fc.property(caseAndFlow, ([c, flow]) => {
        const t = traceVpc(c.world, flow);
        fc.pre(t.reverse.length > 0);
        // Strip every group's rules but those the request used: the reply's SG hops do not change
        // for a tracked flow, and its NACL hops still judge it.
        const none = rebuilt(c, (i) => ({ ...i, groups: (i.groups ?? []).map((g) => ({ ...g, egress: [], ingress: g.ingress })) }));
        const trackedBy = (hops: readonly VpcHop[]) => hops.filter((h) => h.kind === 'sg-egress' || h.kind === 'sg-ingress').every((h) => h.verdict === 'tracked');
        if (!trackedBy(t.reverse)) return; // untracked (0.0.0.0/0 both ways): judged by rules
        const again = traceVpc(none, flow);
        if (again.reverse.length === 0) return; // the request itself no longer reaches (egress stripped)
        expect(again.reverse.filter((h) => h.kind.startsWith('sg-')).map((h) => h.verdict)).toEqual(t.reverse.filter((h) => h.kind.startsWith('sg-')).map((h) => h.verdict));
        for (const h of t.reverse) if (h.kind.startsWith('nacl') && h.verdict === 'deny') expect(t.outcome === 'timeout' || t.outcome === 'dropped').toBe(true);
        // Tracking never spares a reply its NACLs: whenever it leaves a subnet by a route, NACL↑ judges it.
        t.reverse.forEach((h, i) => {
          if (h.kind === 'route-table' && h.verdict === 'allow') expect(t.reverse[i + 1]?.kind).toBe('nacl-out');
        });
      }),
      RUNS,
    );
  });

  test('4. a new flow needs both the sender\'s egress and the receiver\'s ingress', () => {
    fc.assert(
      fc.property(caseAndFlow, ([c, flow]) => {
        const a = senderEniOf(c.world, flow);
        const b = receiverEniOf(c.world, flow);
        fc.pre(a !== undefined && b !== undefined && a.id !== b.id);
        const t = traceVpc(c.world, flow);
        if (ADMITTED.has(t.outcome)) {
          expect(t.forward.find((h) => h.kind === 'sg-egress')?.verdict).toBe('allow');
          expect(t.forward.find((h) => h.kind === 'sg-ingress')?.verdict).toBe('allow');
        }
        const strip = (keys: readonly string[], dir: 'ingress' | 'egress') =>
          rebuilt(c, (i) => ({ ...i, groups: (i.groups ?? []).map((g): VpcSecurityGroup => (keys.includes(g.key) ? { ...g, [dir]: [] } : g)) }));
        const shared = a.groups.some((g) => b.groups.includes(g));
        if (!shared) {
          expect(ADMITTED.has(traceVpc(strip(a.groups, 'egress'), flow).outcome)).toBe(false);
          expect(ADMITTED.has(traceVpc(strip(b.groups, 'ingress'), flow).outcome)).toBe(false);
        }
      }),
      RUNS,
    );
  });

  test('5. peering is not transitive: no packet crosses two peerings, or a peering then the peer\'s gateway', () => {
    fc.assert(
      fc.property(caseAndFlow, ([c, flow]) => {
        const t = traceVpc(c.world, flow);
        for (const hops of [t.forward, t.reverse]) {
          const passed = hops.filter((h) => h.verdict !== 'deny');
          const pcx = passed.findIndex((h) => h.kind === 'pcx');
          if (pcx < 0) continue;
          const after = passed.slice(pcx + 1);
          expect(after.some((h) => h.kind === 'pcx' || h.kind === 'igw' || h.kind === 'nat' || h.kind === 'vgw')).toBe(false);
        }
      }),
      RUNS,
    );
  });

  test('6. a group reference never matches traffic that crossed a NAT gateway, an IGW or an appliance', () => {
    fc.assert(
      fc.property(caseAndFlow, ([c, flow]) => {
        const t = traceVpc(c.world, flow);
        for (const hops of [t.forward, t.reverse]) {
          hops.forEach((h, i) => {
            if (h.kind !== 'sg-ingress' || h.answer.kind !== 'admit') return;
            if (!/ from group /.test(h.answer.by.rule ?? '')) return;
            expect(hops.slice(0, i).some((x) => x.kind === 'nat' || x.kind === 'igw' || (x.kind === 'eni' && x.verdict !== 'deny'))).toBe(false);
          });
        }
      }),
      { numRuns: 600 },
    );
  });

  test('7. no RFC 1918 address crosses an IGW; a packet leaving one carries a public IP, an EIP or a NAT EIP', () => {
    fc.assert(
      fc.property(caseAndFlow, ([c, flow]) => {
        const t = traceVpc(c.world, flow);
        const held = new Set<number>();
        for (const s of c.world.publicHolders) for (const k in s) held.add(Number(k));
        for (const r of t.rewrites) {
          if (!r.hop.startsWith('igw')) continue;
          const to = ipOf(r.kind === 'snat' ? r.to : r.from);
          expect(isPrivate(to)).toBe(false);
          expect(held.has(to)).toBe(true);
        }
        for (const h of [...t.forward, ...t.reverse]) {
          // Leaving by an IGW (a source translation): neither end of the packet is private.
          if (h.kind === 'igw' && h.answer.kind === 'rewrite' && h.answer.rewrites[0].kind === 'snat') {
            expect(isPrivate(h.answer.packet.source)).toBe(false);
            expect(isPrivate(h.answer.packet.destination)).toBe(false);
          }
        }
      }),
      RUNS,
    );
  });

  test('8. nothing outside opens a connection through a NAT gateway', () => {
    fc.assert(
      fc.property(worldArb, fc.constantFrom('client', '203.0.113.200'), fc.constantFrom(22, 443), (c, from, port) => {
        for (const n of Object.values(c.world.natGateways)) {
          for (const to of [n.elasticIp, n.privateIp]) {
            const t = traceVpc(c.world, { from, to, protocol: 'tcp', port });
            expect(ADMITTED.has(t.outcome)).toBe(false);
          }
        }
      }),
      { numRuns: 80 },
    );
  });

  test('14. another region\'s private address is reached only over peering or TGW peering', () => {
    fc.assert(
      fc.property(caseAndFlow, ([c, flow]) => {
        const a = senderEniOf(c.world, flow);
        const b = receiverEniOf(c.world, flow);
        fc.pre(a !== undefined && b !== undefined);
        const ra = c.world.vpcs[subnetOf(c.world, a.subnet).vpc].region;
        const rb = c.world.vpcs[subnetOf(c.world, b.subnet).vpc].region;
        fc.pre(ra !== rb);
        const t = traceVpc(c.world, flow);
        if (t.outcome !== 'timeout' && t.outcome !== 'dropped') expect(t.forward.some((h) => h.kind === 'pcx')).toBe(true);
      }),
      RUNS,
    );
  });

  test('15. a source in an AZ without a TGW attachment subnet never reaches the TGW', () => {
    fc.assert(
      fc.property(caseAndFlow, ([c, flow]) => {
        const a = senderEniOf(c.world, flow);
        fc.pre(a !== undefined);
        const tgw = c.world.transitGateways.tgw;
        const zone = subnetOf(c.world, a.subnet).zone;
        const vpc = subnetOf(c.world, a.subnet).vpc;
        const att = tgw === undefined ? undefined : Object.values(tgw.attachments).find((x) => x.kind === 'vpc' && x.vpc === vpc);
        fc.pre(att !== undefined && att.kind === 'vpc' && !att.subnets.some((s) => subnetOf(c.world, s).zone === zone));
        const t = traceVpc(c.world, flow);
        // The source as the TGW sees it: the sender, unless a NAT gateway (in its own zone) or an appliance forwarded it.
        const firstTgw = t.forward.findIndex((h) => h.kind === 'tgw');
        fc.pre(!t.forward.slice(0, Math.max(firstTgw, 0)).some((h) => h.kind === 'nat' || h.kind === 'eni'));
        if (firstTgw >= 0) expect(t.forward[firstTgw].code).toBe('TGW_ROUTE_AZ_RESTRICTION');
        expect(t.forward.filter((h) => h.kind === 'tgw' && h.verdict !== 'deny')).toEqual([]);
      }),
      RUNS,
    );
  });

  test('16. one primary code per drop: the first blocker of the blocked path; the same question, the same trace', () => {
    fc.assert(
      fc.property(caseAndFlow, ([c, flow]) => {
        const t: VpcTrace = traceVpc(c.world, flow);
        if (t.explanation.blockedPath.length > 0) expect(t.explanation.code).toBe(t.explanation.blockedPath[0].code);
        expect(JSON.stringify(traceVpc(c.world, flow))).toBe(JSON.stringify(t));
      }),
      RUNS,
    );
  });
});
