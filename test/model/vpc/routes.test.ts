/**
 * test/model/vpc/routes: route selection (domain-vpc.md §3, "How route priority works"): a
 * subnet's table is its explicit one else the main one; longest prefix wins; for one prefix a
 * static CIDR route (local included) beats a prefix list, which beats a propagated route; tied
 * prefix lists go by the lowest id; blackholes and gone targets are BAD_STATE_ROUTE; no route is
 * none; traffic inside one subnet never leaves it. Properties: the answer does not depend on the
 * order of the routes, and a new route changes next hops only inside its prefix (§12 inv. 9).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareRoutes, crossesSubnetBoundary, leavesSubnet, lookupRoute, lookupRouteFromSubnet, selectRoute } from '../../../src/model/vpc/routes.ts';
import { routeTableOfSubnet, subnetOf, subnetsOfRouteTable } from '../../../src/model/vpc/world.ts';
import { associateRouteTable, createRoute, disassociateRouteTable, setMainRouteTable, terminateVpcInstance } from '../../../src/model/vpc/changes.ts';
import type { Route, RouteTable } from '../../../src/model/vpc/types.ts';
import { cidrContains, maskOf, type Cidr } from '../../../src/net/ipv4.ts';
import { cidr, ip, twoTier } from './fixtures.ts';

const route = (dest: string, target: Route['target'], extra: Partial<Route> = {}): Route => ({
  destination: dest.startsWith('pl-') ? { kind: 'prefixList', prefixList: dest } : { kind: 'cidr', cidr: cidr(dest) },
  target,
  state: 'active',
  origin: 'static',
  ...extra,
});
const igw = { kind: 'igw', id: 'igw' } as const;
const vgw = { kind: 'vgw', id: 'vgw' } as const;
const local = { kind: 'local', id: 'local' } as const;
const lists = { 'pl-a': { id: 'pl-a', cidrs: [cidr('172.16.0.0/24')] }, 'pl-b': { id: 'pl-b', cidrs: [cidr('172.16.0.0/24'), cidr('172.17.0.0/16')] } };

describe('the route table of a subnet', () => {
  it('is the explicitly associated one, else the VPC main table', () => {
    const w = twoTier();
    expect(routeTableOfSubnet(w, 'public-a').id).toBe('public-rt');
    expect(routeTableOfSubnet(w, 'tools-a').id).toBe('tools-main');
    const w2 = disassociateRouteTable(w, 'public-a');
    expect(routeTableOfSubnet(w2, 'public-a').id).toBe('app-main');
  });
  it('replacing the main table changes only implicitly associated subnets (§12 inv. 9)', () => {
    const w = disassociateRouteTable(twoTier(), 'private-a');
    expect(subnetsOfRouteTable(w, 'app-main')).toEqual(['private-a']);
    const w2 = setMainRouteTable(w, 'app', 'public-rt');
    expect(routeTableOfSubnet(w2, 'private-a').id).toBe('public-rt');
    expect(routeTableOfSubnet(w2, 'public-a').id).toBe('public-rt');
    expect(subnetsOfRouteTable(w2, 'public-rt')).toEqual(['private-a', 'public-a']);
    const w3 = associateRouteTable(w2, 'private-a', 'private-rt');
    expect(routeTableOfSubnet(w3, 'private-a').id).toBe('private-rt');
  });
  it('every table has a local route per VPC block', () => {
    const w = twoTier();
    expect(lookupRouteFromSubnet(w, 'public-a', ip('10.0.2.30'))).toMatchObject({ kind: 'route', route: { target: { kind: 'local' } } });
    expect(lookupRouteFromSubnet(w, 'tools-a', ip('10.1.9.9'))).toMatchObject({ kind: 'route', route: { target: { kind: 'local' } } });
    expect(lookupRouteFromSubnet(w, 'tools-a', ip('8.8.8.8'))).toEqual({ kind: 'none' });
  });
});

describe('route selection', () => {
  it('the longest prefix wins', () => {
    const w = twoTier();
    expect(lookupRouteFromSubnet(w, 'public-a', ip('10.1.0.9'))).toMatchObject({ kind: 'route', route: { target: { kind: 'pcx', id: 'app-tools' } } });
    expect(lookupRouteFromSubnet(w, 'public-a', ip('8.8.8.8'))).toMatchObject({ kind: 'route', route: { target: igw } });
  });
  it('for one prefix: static CIDR beats prefix list beats propagated', () => {
    const rs = [route('172.16.0.0/24', vgw, { origin: 'propagated' }), route('pl-a', { kind: 'nat', id: 'nat' }), route('172.16.0.0/24', igw)];
    expect(selectRoute(rs, ip('172.16.0.1'), lists)?.route.target).toEqual(igw);
    expect(selectRoute(rs.slice(0, 2), ip('172.16.0.1'), lists)?.route.target).toEqual({ kind: 'nat', id: 'nat' });
  });
  it('a prefix list counts once per CIDR, each with its own length; tied lists go by the lowest id', () => {
    const rs = [route('pl-b', igw), route('pl-a', { kind: 'nat', id: 'nat' }), route('172.16.0.0/16', vgw)];
    expect(selectRoute(rs, ip('172.16.0.1'), lists)?.route.destination).toEqual({ kind: 'prefixList', prefixList: 'pl-a' });
    expect(selectRoute(rs, ip('172.17.3.3'), lists)).toMatchObject({ route: { destination: { prefixList: 'pl-b' } }, matched: cidr('172.17.0.0/16') });
    expect(selectRoute(rs, ip('172.16.9.1'), lists)?.route.target).toEqual(vgw);
  });
  it('the local route wins a tie with a propagated route or a prefix list of its prefix', () => {
    const rs = [route('10.0.0.0/16', vgw, { origin: 'propagated' }), route('10.0.0.0/16', local)];
    expect(selectRoute(rs, ip('10.0.5.5'), {})?.route.target).toEqual(local);
    const pl = { 'pl-v': { id: 'pl-v', cidrs: [cidr('10.0.0.0/16')] } };
    expect(selectRoute([route('pl-v', igw), route('10.0.0.0/16', local)], ip('10.0.5.5'), pl)?.route.target).toEqual(local);
  });
  it('a blackhole route, or one to a gone or inactive target, is a blackhole (BAD_STATE_ROUTE)', () => {
    const w = twoTier({ peerings: [{ id: 'app-tools', requester: 'app', accepter: 'tools', status: 'pending', dnsResolution: [] }] });
    expect(lookupRouteFromSubnet(w, 'public-a', ip('10.1.0.9'))).toMatchObject({ kind: 'blackhole', reason: 'peering app-tools is pending' });
    const t: RouteTable = { id: 't', vpc: 'app', routes: [route('0.0.0.0/0', { kind: 'igw', id: 'igw-gone' }), route('192.0.2.0/24', igw, { state: 'blackhole' }), route('198.51.100.0/24', { kind: 'nat', id: 'nat-x' })] };
    expect(lookupRoute(w, t, ip('8.8.8.8'))).toMatchObject({ kind: 'blackhole', reason: 'internet gateway igw-gone does not exist' });
    expect(lookupRoute(w, t, ip('192.0.2.1'))).toMatchObject({ kind: 'blackhole', reason: 'the route is a blackhole' });
    expect(lookupRoute(w, t, ip('198.51.100.1'))).toMatchObject({ kind: 'blackhole' });
    const tools: RouteTable = { id: 't2', vpc: 'tools', routes: [route('0.0.0.0/0', igw)] };
    expect(lookupRoute(w, tools, ip('8.8.8.8'))).toMatchObject({ kind: 'blackhole', reason: 'internet gateway igw is not attached to tools' });
  });
});

describe('subnet boundary (§3, §6; §12 inv. 2)', () => {
  it('a private IP of the same subnet stays inside; anything else leaves', () => {
    const s = subnetOf(twoTier(), 'public-a');
    expect(crossesSubnetBoundary(s, ip('10.0.1.77'))).toBe(false);
    expect(crossesSubnetBoundary(s, ip('10.0.2.30'))).toBe(true);
    expect(crossesSubnetBoundary(s, ip('203.0.113.10'))).toBe(true);
  });
});

// Properties over random tables.
const TARGETS: Route['target'][] = [igw, vgw, { kind: 'nat', id: 'nat' }, { kind: 'pcx', id: 'app-tools' }, { kind: 'eni', id: 'web' }];
const arbCidr: fc.Arbitrary<Cidr> = fc.record({ base: fc.integer({ min: 0, max: 0xffffffff }), prefix: fc.constantFrom(0, 8, 12, 16, 20, 24, 28, 32) }).map((x) => ({ base: (x.base & 0xac1fffff & maskOf(x.prefix)) >>> 0, prefix: x.prefix }));
const arbRoute: fc.Arbitrary<Route> = fc.record({
  dest: fc.oneof(arbCidr.map((c): Route['destination'] => ({ kind: 'cidr', cidr: c })), fc.constantFrom<Route['destination']>({ kind: 'prefixList', prefixList: 'pl-a' }, { kind: 'prefixList', prefixList: 'pl-b' })),
  target: fc.constantFrom(...TARGETS),
  origin: fc.constantFrom<Route['origin']>('static', 'propagated'),
}).map((r) => ({ destination: r.dest, target: r.target, state: 'active', origin: r.dest.kind === 'prefixList' ? 'static' : r.origin }));
/** A table as AWS allows it: one static route per destination. */
const arbRoutes = fc.uniqueArray(arbRoute, { maxLength: 10, selector: (r) => `${r.origin}:${r.destination.kind === 'cidr' ? `${r.destination.cidr.base}/${r.destination.cidr.prefix}` : r.destination.prefixList}` });
const arbIp = fc.oneof(fc.integer({ min: 0, max: 0xffffffff }).map((x) => (x & 0xac1fffff) >>> 0), fc.constantFrom(ip('172.16.0.9'), ip('172.17.1.1')));

describe('route selection properties', () => {
  it('the answer does not depend on the order of the routes', () => {
    fc.assert(
      fc.property(arbRoutes.chain((rs) => fc.tuple(fc.constant(rs), fc.shuffledSubarray(rs, { minLength: rs.length, maxLength: rs.length }))), arbIp, ([rs, shuffled], dst) => {
        expect(selectRoute(shuffled, dst, lists)).toEqual(selectRoute(rs, dst, lists));
      }),
    );
  });

  it('the chosen route contains the destination, and no route with a longer containing prefix exists', () => {
    fc.assert(
      fc.property(arbRoutes, arbIp, (rs, dst) => {
        const chosen = selectRoute(rs, dst, lists);
        const prefixes = rs.flatMap((r) => (r.destination.kind === 'cidr' ? [r.destination.cidr] : lists[r.destination.prefixList as 'pl-a'].cidrs)).filter((c) => cidrContains(c, dst));
        if (chosen === null) {
          expect(prefixes).toEqual([]);
          return;
        }
        expect(cidrContains(chosen.matched, dst)).toBe(true);
        expect(Math.max(...prefixes.map((c) => c.prefix))).toBe(chosen.matched.prefix);
        for (const r of rs) {
          const cs = r.destination.kind === 'cidr' ? [r.destination.cidr] : lists[r.destination.prefixList as 'pl-a'].cidrs;
          if (cs.some((c) => c.prefix === chosen.matched.prefix && cidrContains(c, dst))) expect(compareRoutes(chosen.route, r)).toBeLessThanOrEqual(0);
        }
      }),
    );
  });

  it('a new route changes next hops only inside its prefix (§12 inv. 9)', () => {
    const arbNew = fc.record({ c: arbCidr.filter((c) => c.prefix >= 8), target: fc.constantFrom(...TARGETS) });
    fc.assert(
      fc.property(arbNew, fc.array(arbIp, { minLength: 1, maxLength: 10 }), ({ c, target }, dsts) => {
        const w = twoTier();
        const taken = w.routeTables['public-rt'].routes.some((r) => r.destination.kind === 'cidr' && r.destination.cidr.base === c.base && r.destination.cidr.prefix === c.prefix);
        if (taken || cidrContains(cidr('10.0.0.0/16'), c.base)) return;
        const w2 = createRoute(w, 'public-rt', { destination: { kind: 'cidr', cidr: c }, target: target.kind === 'eni' ? { kind: 'eni', id: 'web' } : target });
        for (const d of dsts) {
          if (cidrContains(c, d)) continue;
          expect(lookupRouteFromSubnet(w2, 'public-a', d)).toEqual(lookupRouteFromSubnet(w, 'public-a', d));
        }
      }),
    );
  });
});

describe('route ties and blackholes, edge by edge', () => {
  it('routes of one priority and prefix order by target, then the lower prefix-list id', () => {
    expect(compareRoutes(route('1.0.0.0/8', igw), route('1.0.0.0/8', vgw))).toBeLessThan(0);
    expect(compareRoutes(route('1.0.0.0/8', vgw), route('1.0.0.0/8', igw))).toBeGreaterThan(0);
    expect(compareRoutes(route('1.0.0.0/8', igw), route('1.0.0.0/8', igw))).toBe(0);
    expect(compareRoutes(route('pl-a', vgw), route('pl-b', igw))).toBeLessThan(0);
    expect(compareRoutes(route('pl-b', igw), route('pl-a', vgw))).toBeGreaterThan(0);
    expect(compareRoutes(route('1.0.0.0/8', vgw, { origin: 'propagated' }), route('pl-a', vgw))).toBeGreaterThan(0);
  });
  it('a route to an unknown prefix list matches nothing', () => {
    expect(selectRoute([route('pl-gone', igw)], ip('172.16.0.1'), lists)).toBeNull();
  });
  it('every kind of gone or idle target makes a blackhole; live ones do not', () => {
    const w = twoTier({ natGateways: [{ id: 'nat', subnet: 'public-a', elasticIp: ip('203.0.113.20'), state: 'deleted' }], vpnGateways: [{ id: 'vgw', vpc: 'tools' }] });
    const t = (target: Route['target']): RouteTable => ({ id: 't', vpc: 'app', routes: [route('0.0.0.0/0', target)] });
    const reason = (target: Route['target']) => {
      const r = lookupRoute(w, t(target), ip('8.8.8.8'));
      return r.kind === 'blackhole' ? r.reason : null;
    };
    expect(reason({ kind: 'vgw', id: 'vgw' })).toBe('VPN gateway vgw is not attached to app');
    expect(reason({ kind: 'vgw', id: 'vgw-x' })).toBe('VPN gateway vgw-x does not exist');
    expect(reason({ kind: 'nat', id: 'nat' })).toBe('NAT gateway nat is not available');
    expect(reason({ kind: 'pcx', id: 'pcx-x' })).toBe('peering pcx-x does not exist');
    expect(reason({ kind: 'tgw', id: 'tgw-x' })).toBe('transit gateway tgw-x does not exist');
    expect(reason({ kind: 'eni', id: 'eni-x' })).toBe('network interface eni-x does not exist');
    expect(reason({ kind: 'eni', id: 'web' })).toBeNull();
    expect(reason({ kind: 'instance', id: 'i-x' })).toBe('instance i-x does not exist');
    expect(reason({ kind: 'instance', id: 'db' })).toBeNull();
    expect(reason(local)).toBeNull();
    expect(reason(igw)).toBeNull();
    const live = twoTier({ transitGateways: [{ id: 'tgw', region: 'us-east-1', dnsSupport: true, sgReferencing: false, routeTables: {}, attachments: {} }] });
    const liveReason = (target: Route['target']) => lookupRoute(live, t(target), ip('8.8.8.8')).kind;
    expect(liveReason({ kind: 'vgw', id: 'vgw' })).toBe('route');
    expect(liveReason({ kind: 'nat', id: 'nat' })).toBe('route');
    expect(liveReason({ kind: 'nat', id: 'nat-x' })).toBe('blackhole');
    expect(liveReason({ kind: 'tgw', id: 'tgw' })).toBe('route');
    const other = twoTier({ peerings: [{ id: 'app-tools', requester: 'tools', accepter: 'app', status: 'active', dnsResolution: [] }] });
    expect(lookupRoute(other, t({ kind: 'pcx', id: 'app-tools' }), ip('8.8.8.8')).kind).toBe('route');
    const far: RouteTable = { id: 'f', vpc: 'tools', routes: [route('0.0.0.0/0', { kind: 'pcx', id: 'x' })] };
    const third = twoTier({ peerings: [{ id: 'x', requester: 'app', accepter: 'app', status: 'active', dnsResolution: [] }] });
    expect(lookupRoute(third, far, ip('8.8.8.8'))).toMatchObject({ kind: 'blackhole', reason: 'peering x does not connect tools' });
  });
  it('a terminated instance as target is a blackhole', () => {
    const w = terminateVpcInstance(twoTier(), 'db');
    expect(lookupRoute(w, { id: 't', vpc: 'app', routes: [route('0.0.0.0/0', { kind: 'instance', id: 'db' })] }, ip('8.8.8.8'))).toMatchObject({ kind: 'blackhole', reason: 'instance db does not exist' });
  });
  it('the subnet boundary by subnet id', () => {
    const w = twoTier();
    expect(leavesSubnet(w, 'private-a', ip('10.0.2.9'))).toBe(false);
    expect(leavesSubnet(w, 'private-a', ip('10.0.1.9'))).toBe(true);
  });
});
