/**
 * test/fabric/path/vpc/plan: traceVpc on each row of domain-vpc.md §9's paths table, and the
 * behaviours of §3-§11 a timeless trace shows (replies through stateless NACLs, NAT inbound,
 * peering non-transitivity, group identity, blackholes, stopped hosts, the blocked path).
 */
import { describe, expect, test } from 'vitest';
import { traceVpc, VpcFlowError } from '../../../../src/fabric/path/vpc/plan.ts';
import { NAT_PORT_HIGH, NAT_PORT_LOW } from '../../../../src/fabric/path/vpc/nat-gateway.ts';
import { reportHop } from '../../../../src/fabric/path/vpc/hop.ts';
import { hopsOf, PATHS, TWO_TIER, worldOf } from './fixtures.ts';

const paths = worldOf(PATHS);
const twoTier = worldOf(TWO_TIER);

describe('the paths table (domain-vpc.md §9)', () => {
  test('same subnet → private: SG↑A, SG↓B only, never the route table or a NACL; group references match', () => {
    const t = traceVpc(paths, { from: 'web', to: 'web2.private', protocol: 'tcp', port: 80 });
    expect(t.outcome).toBe('connected');
    expect(hopsOf(t.forward)).toEqual(['sg-egress:web', 'sg-ingress:web2', 'host:web2']);
    expect(hopsOf(t.reverse)).toEqual(['sg-egress:web2', 'sg-ingress:web', 'host:web']);
    expect(t.explanation).toMatchObject({ code: 'ALLOWED_BY_RULE', group: 'web' });
    expect(t.source).toBe('10.0.1.10');
    expect(t.path).toBe('private');
  });

  test('same VPC → private: SG↑A, RT(A) local, NACL↑A, NACL↓B, SG↓B; the reply routed from B by its own table', () => {
    const t = traceVpc(paths, { from: 'web', to: 'db.private', protocol: 'tcp', port: 5432 });
    expect(t.outcome).toBe('connected');
    expect(hopsOf(t.forward)).toEqual(['sg-egress:web', 'route-table:pub-rt', 'nacl-out:app-default', 'nacl-in:app-default', 'sg-ingress:db', 'host:db']);
    expect(hopsOf(t.reverse)).toEqual(['sg-egress:db', 'route-table:priv-rt', 'nacl-out:app-default', 'nacl-in:app-default', 'sg-ingress:web', 'host:web']);
    expect(t.forward[1].answer).toMatchObject({ kind: 'admit', by: { route: { destination: '10.0.0.0/16', target: 'local' } } });
    expect(t.reverse.map((h) => h.verdict)).toEqual(['tracked', 'allow', 'allow', 'allow', 'tracked', 'allow']);
    expect(t.source).toBe('10.0.1.10');
  });

  test('region → B public/EIP: out by the IGW (SNAT), in by the IGW (DNAT); the source seen is A public', () => {
    const t = traceVpc(paths, { from: 'web2', to: 'web.public', protocol: 'tcp', port: 443 });
    expect(t.outcome).toBe('connected');
    expect(t.path).toBe('public');
    expect(hopsOf(t.forward)).toEqual(['sg-egress:web2', 'route-table:pub-rt', 'nacl-out:app-default', 'igw:igw', 'igw:igw', 'nacl-in:app-default', 'sg-ingress:web', 'host:web']);
    expect(t.rewrites.slice(0, 2).map((r) => `${r.kind} ${r.from}→${r.to}`)).toEqual([`snat 10.0.1.11→${t.source}`, 'dnat 203.0.113.10→10.0.1.10']);
    expect(t.source).not.toBe('10.0.1.11');
  });

  test('private subnet → internet: SG↑A, RT(A)→nat, NACL↑A, NACL↓N, NAT, RT(N)→igw, NACL↑N, IGW; seen as the NAT EIP with a new port', () => {
    const t = traceVpc(paths, { from: 'db', to: 'updates', protocol: 'tcp', port: 443 });
    expect(t.outcome).toBe('connected');
    expect(t.nat).toBe(true);
    expect(t.source).toBe('203.0.113.20');
    expect(hopsOf(t.forward)).toEqual(['sg-egress:db', 'route-table:priv-rt', 'nacl-out:app-default', 'nacl-in:app-default', 'nat:nat', 'route-table:pub-rt', 'nacl-out:app-default', 'igw:igw', 'host:updates']);
    const nat = t.forward[4].answer;
    expect(nat.kind === 'rewrite' && nat.notes).toEqual(['NGW_SOURCE_ADDRESS_REASSIGN', 'REMAP_EPHEMERAL_PORT']);
    const port = Number(t.rewrites[0].to.split(':')[1]);
    expect(port).toBeGreaterThanOrEqual(NAT_PORT_LOW);
    expect(port).toBeLessThanOrEqual(NAT_PORT_HIGH);
    // The answer: the IGW and the NAT reverse their translations, back to the client's own port.
    expect(hopsOf(t.reverse)).toEqual(['igw:igw', 'nacl-in:app-default', 'nat:nat', 'route-table:pub-rt', 'nacl-out:app-default', 'nacl-in:app-default', 'sg-ingress:db', 'host:db']);
    expect(t.rewrites.at(-1)).toMatchObject({ hop: 'nat', kind: 'dnat', to: '10.0.2.10:32768' });
  });

  test('private subnet → an address no host declares: the packet leaves the network (exited)', () => {
    const t = traceVpc(paths, { from: 'db', to: '8.8.8.8', protocol: 'icmp' });
    expect(t.outcome).toBe('exited');
    expect(t.nat).toBe(true);
    expect(t.reverse).toEqual([]);
  });

  test('internet → B public/EIP: IGW (DNAT), NACL↓B, SG↓B; the source seen is the client', () => {
    const t = traceVpc(paths, { from: 'client', to: 'web.public', protocol: 'tcp', port: 443 });
    expect(t.outcome).toBe('connected');
    expect(t.path).toBe('public');
    expect(t.source).toBe('198.51.100.7');
    expect(hopsOf(t.forward)).toEqual(['igw:igw', 'nacl-in:app-default', 'sg-ingress:web', 'host:web']);
    expect(hopsOf(t.reverse)).toEqual(['sg-egress:web', 'route-table:pub-rt', 'nacl-out:app-default', 'igw:igw', 'host:client']);
  });

  test('peer → private: SG↑A, RT(A)→pcx, NACL↑A, pcx, NACL↓B, SG↓B; group references match in the same region', () => {
    const t = traceVpc(paths, { from: 'web', to: 'tool.private', protocol: 'tcp', port: 22 });
    expect(t.outcome).toBe('connected');
    expect(hopsOf(t.forward)).toEqual(['sg-egress:web', 'route-table:pub-rt', 'nacl-out:app-default', 'pcx:app-tools', 'nacl-in:tools-default', 'sg-ingress:tool', 'host:tool']);
    expect(t.explanation).toMatchObject({ code: 'ALLOWED_BY_RULE', group: 'tool' });
    expect(t.source).toBe('10.0.1.10');
  });

  test('via TGW → private: the attachment NACLs and the TGW table between NACL↑A and NACL↓B', () => {
    const t = traceVpc(paths, { from: 'hub1', to: 'db.private', protocol: 'tcp', port: 5432 });
    expect(t.outcome).toBe('connected');
    expect(hopsOf(t.forward)).toEqual(['sg-egress:hub1', 'route-table:hub-rt', 'nacl-out:hub-default', 'tgw:tgw', 'nacl-in:hub-default', 'tgw:tgw', 'sg-ingress:db', 'host:db']);
    expect(t.forward[5].answer).toMatchObject({ kind: 'admit', by: { route: { destination: '10.0.0.0/16', target: 'app-att' } } });
  });

  test('a source in a zone without a TGW attachment subnet never reaches the TGW (TGW_ROUTE_AZ_RESTRICTION)', () => {
    const t = traceVpc(paths, { from: 'dbb', to: 'hub1', protocol: 'tcp', port: 5432 });
    expect(t.explanation).toMatchObject({ code: 'TGW_ROUTE_AZ_RESTRICTION', kind: 'tgw', complete: false });
  });

  test('other region, no peering → private: dropped at A\'s IGW', () => {
    const t = traceVpc(paths, { from: 'web', to: 'eu1.private', protocol: 'tcp', port: 22 });
    expect(t.outcome).toBe('timeout');
    expect(t.explanation).toMatchObject({ code: 'IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS', kind: 'igw', name: 'igw', complete: false });
    expect(t.reverse).toEqual([]);
  });

  test('internet → private: NO_ROUTE_TO_DESTINATION', () => {
    const t = traceVpc(paths, { from: 'client', to: 'db.private', protocol: 'tcp', port: 5432 });
    expect(t.outcome).toBe('timeout');
    expect(t.explanation.code).toBe('NO_ROUTE_TO_DESTINATION');
    expect(t.source).toBeNull();
  });

  test('internet → a public IP nobody holds: NO_ROUTE_TO_DESTINATION', () => {
    const t = traceVpc(paths, { from: '198.51.100.9', to: '10.0.9.9', protocol: 'icmp' });
    expect(t.explanation.code).toBe('NO_ROUTE_TO_DESTINATION');
  });
});

describe('behaviours', () => {
  test('a NACL without the answers\' ephemeral ports drops the reply at its outbound rules (the format\'s web-db flow)', () => {
    const t = traceVpc(twoTier, { from: 'web', to: 'db.private', protocol: 'tcp', port: 5432 });
    expect(t.outcome).toBe('timeout');
    expect(t.explanation).toEqual({
      code: 'SUBNET_ACL_RESTRICTION',
      direction: 'reply',
      kind: 'nacl-out',
      name: 'private-acl',
      blockers: [],
      complete: true,
      blockedPath: [{ direction: 'reply', index: 2, kind: 'nacl-out', name: 'private-acl', code: 'SUBNET_ACL_RESTRICTION' }],
    });
    expect(t.reverse[2]).toMatchObject({ subnet: 'private-a', verdict: 'deny', answer: { by: { entry: 32767 } } });
    expect(hopsOf(t.forward)).toEqual(['sg-egress:web', 'route-table:public-rt', 'nacl-out:app-default', 'nacl-in:private-acl', 'sg-ingress:db', 'host:db']);
    expect(t.deciding).toEqual({ direction: 'reply', index: 2, kind: 'nacl-out', name: 'private-acl' });
  });

  test('the answer of a flow out through the NAT gateway meets the private subnet\'s inbound NACL (the format\'s db → updates)', () => {
    const t = traceVpc(twoTier, { from: 'db', to: 'updates', protocol: 'tcp', port: 443 });
    expect(t).toMatchObject({ outcome: 'timeout', nat: true, source: '203.0.113.20' });
    expect(t.explanation.blockedPath.map((b) => `${b.direction} ${b.kind}:${b.name}`)).toEqual(['reply nacl-in:private-acl']);
  });

  test('a NAT gateway refuses what comes in without a mapping (SIM_NAT_NO_MAPPING)', () => {
    const t = traceVpc(paths, { from: 'client', to: '203.0.113.20', protocol: 'tcp', port: 443 });
    expect(t.outcome).toBe('timeout');
    expect(t.explanation).toMatchObject({ code: 'SIM_NAT_NO_MAPPING', kind: 'nat', name: 'nat' });
  });

  test('peering is not transitive: app reaches far over tools\' peering only if the packet crossed one peering (PCX_REQUIRES_ADDRESS_IN_VPC_CIDR)', () => {
    const there = traceVpc(paths, { from: 'web', to: 'far1.private', protocol: 'tcp', port: 22 });
    expect(there.explanation).toMatchObject({ code: 'PCX_REQUIRES_ADDRESS_IN_VPC_CIDR', kind: 'pcx', name: 'app-tools', complete: false });
    const back = traceVpc(paths, { from: 'far1', to: 'web.private', protocol: 'tcp', port: 443 });
    expect(back.explanation).toMatchObject({ code: 'PCX_REQUIRES_ADDRESS_IN_VPC_CIDR', kind: 'pcx', name: 'tools-far' });
    const direct = traceVpc(paths, { from: 'tool', to: 'far1.private', protocol: 'tcp', port: 22 });
    expect(direct.outcome).toBe('connected');
  });

  test('a group reference does not match past a NAT gateway or an IGW (SG_REFERENCES_NOT_PRESERVED)', () => {
    const viaNat = traceVpc(paths, { from: 'worker', to: 'web.public', protocol: 'tcp', port: 80 });
    expect(viaNat).toMatchObject({ nat: true, path: 'public', source: '203.0.113.20' });
    expect(viaNat.explanation).toMatchObject({ code: 'SG_REFERENCES_NOT_PRESERVED', kind: 'sg-ingress', name: 'web' });
    const viaIgw = traceVpc(paths, { from: 'web2', to: 'web.public', protocol: 'tcp', port: 80 });
    expect(viaIgw.explanation.code).toBe('SG_REFERENCES_NOT_PRESERVED');
    // The same rule admits the same sender over the private path.
    expect(traceVpc(paths, { from: 'web2', to: 'web.private', protocol: 'tcp', port: 80 }).outcome).toBe('connected');
  });

  test('a blackhole route drops with BAD_STATE_ROUTE, and nothing further is judged', () => {
    const t = traceVpc(paths, { from: 'db', to: '10.7.0.5', protocol: 'tcp', port: 22 });
    expect(hopsOf(t.forward)).toEqual(['sg-egress:db', 'route-table:priv-rt!BAD_STATE_ROUTE']);
    expect(t.explanation).toMatchObject({ code: 'BAD_STATE_ROUTE', complete: false });
  });

  test('a stopped destination keeps its address; the packet drops at its ENI with BAD_STATE, and it answers nothing', () => {
    const t = traceVpc(paths, { from: 'web', to: 'dbstop.private', protocol: 'tcp', port: 5432 });
    expect(t.outcome).toBe('timeout');
    expect(t.explanation).toMatchObject({ code: 'BAD_STATE', kind: 'eni', name: 'dbstop', complete: false });
    expect(t.reverse).toEqual([]);
  });

  test('a stopped sender sends nothing (SOURCE_NOT_RUNNING)', () => {
    const t = traceVpc(paths, { from: 'dbstop', to: 'db.private', protocol: 'tcp', port: 5432 });
    expect(hopsOf(t.forward)).toEqual(['eni:dbstop!SOURCE_NOT_RUNNING']);
  });

  test('a host that does not listen answers with a reset: refused, admitted by the rule', () => {
    const t = traceVpc(paths, { from: 'client', to: 'web2.public', protocol: 'tcp', port: 443 });
    expect(t.outcome).toBe('refused');
    expect(t.explanation.code).toBe('CONNECTION_REFUSED');
    expect(t.reverse.length).toBeGreaterThan(0);
  });

  test('UDP is delivered without an answer; ICMP echo is answered', () => {
    expect(traceVpc(paths, { from: 'db', to: 'hub1.private', protocol: 'udp', port: 53 }).outcome).toBe('delivered');
    const ping = traceVpc(paths, { from: 'web', to: 'web2.private', protocol: 'icmp' });
    expect(ping.outcome).toBe('timeout'); // web2's groups admit no ICMP
    expect(ping.explanation.code).toBe('ENI_SG_RULES_MISMATCH');
    expect(traceVpc(paths, { from: 'hub1', to: 'db.private', protocol: 'icmp' }).explanation.code).toBe('ENI_SG_RULES_MISMATCH');
    expect(traceVpc(paths, { from: 'db', to: 'hub1.private', protocol: 'icmp' }).outcome).toBe('replied');
  });

  test('the blocked path lists every blocker both ways in hop order; hops past a blocker are hypothetical', () => {
    const t = traceVpc(twoTier, { from: 'web', to: 'db.private', protocol: 'tcp', port: 22 });
    expect(t.explanation.blockedPath.map((b) => `${b.direction} ${b.kind}:${b.name} ${b.code}`)).toEqual([
      'request sg-egress:web ENI_SG_RULES_MISMATCH',
      'request sg-ingress:db ENI_SG_RULES_MISMATCH',
      'reply nacl-out:private-acl SUBNET_ACL_RESTRICTION',
    ]);
    expect(t.explanation).toMatchObject({ code: 'ENI_SG_RULES_MISMATCH', blockers: ['SUBNET_ACL_RESTRICTION'], complete: true });
    expect(t.forward[0].hypothetical).toBe(false);
    expect(t.forward.slice(1).every((h) => h.hypothetical)).toBe(true);
    expect(t.reverse.every((h) => h.hypothetical)).toBe(true);
  });

  test('an unknown sender or destination is an error of the question, not a trace', () => {
    expect(() => traceVpc(paths, { from: 'nobody', to: 'db', protocol: 'tcp', port: 1 })).toThrow(VpcFlowError);
    expect(() => traceVpc(paths, { from: 'web', to: 'nothing.private', protocol: 'tcp', port: 1 })).toThrow(VpcFlowError);
  });

  test('the same question gives the same trace', () => {
    const a = traceVpc(paths, { from: 'db', to: 'updates', protocol: 'tcp', port: 443 });
    expect(JSON.stringify(traceVpc(paths, { from: 'db', to: 'updates', protocol: 'tcp', port: 443 }))).toBe(JSON.stringify(a));
  });
});

describe('addresses of a flow (scenario-format-vpc.md "Addresses")', () => {
  test('a bare instance name is its private IP from inside AWS and its public address from outside', () => {
    expect(traceVpc(paths, { from: 'web2', to: 'web', protocol: 'tcp', port: 443 }).path).toBe('private');
    expect(traceVpc(paths, { from: 'client', to: 'web', protocol: 'tcp', port: 443 }).path).toBe('public');
  });

  test('<nat>.public is the NAT gateway\'s EIP; <host>.eip its Elastic IP', () => {
    expect(traceVpc(paths, { from: 'client', to: 'nat.public', protocol: 'tcp', port: 443 }).explanation.code).toBe('SIM_NAT_NO_MAPPING');
    expect(traceVpc(paths, { from: 'client', to: 'web.eip', protocol: 'tcp', port: 443 }).outcome).toBe('connected');
  });

  test('<host>.dns: the private IP inside its VPC, the public address from outside, else SIM_NAME_NOT_RESOLVED with nothing sent', () => {
    expect(traceVpc(twoTier, { from: 'bastion', to: 'web.dns', protocol: 'tcp', port: 443 }).path).toBe('private');
    expect(traceVpc(twoTier, { from: 'admin', to: 'web.dns', protocol: 'tcp', port: 443 }).path).toBe('public');
    const t = traceVpc(paths, { from: 'client', to: 'web.dns', protocol: 'tcp', port: 443 }); // DNS hostnames off in app
    expect(t).toMatchObject({ outcome: 'timeout', forward: [], explanation: { code: 'SIM_NAME_NOT_RESOLVED' } });
  });
});

describe('hops as reports write them', () => {
  test('the format\'s web-db reply hop: nacl-out private-acl, subnet, deny, entry 32767, SUBNET_ACL_RESTRICTION', () => {
    const t = traceVpc(twoTier, { from: 'web', to: 'db.private', protocol: 'tcp', port: 5432 });
    expect(reportHop(t.reverse[2])).toMatchObject({ kind: 'nacl-out', name: 'private-acl', subnet: 'private-a', verdict: 'deny', entry: 32767, code: 'SUBNET_ACL_RESTRICTION' });
    expect(reportHop(t.forward[1])).toMatchObject({ kind: 'route-table', name: 'public-rt', verdict: 'allow', route: { destination: '10.0.0.0/16', target: 'local' } });
    expect(reportHop(t.forward[4])).toMatchObject({ kind: 'sg-ingress', name: 'db', verdict: 'allow', group: 'db' });
    expect(reportHop(t.reverse[0])).toMatchObject({ kind: 'sg-egress', name: 'db', verdict: 'tracked' });
  });
});
