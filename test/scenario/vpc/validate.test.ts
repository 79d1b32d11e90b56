/**
 * Tests of scenario/vpc: the format's two-tier example and the other valid fixtures validate
 * and normalize as the format says; every invalid fixture (one problem each) gets exactly the
 * diagnostic its header names (path and message); problems are all listed, in file order; no
 * document makes the validator throw.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { validateVpcScenario, DEFAULT_VPC_SETTINGS, type VpcScenarioSpec } from '../../../src/scenario/vpc/index.ts';
import { formatDiagnostic, type Diagnostic } from '../../../src/scenario/diagnostics.ts';
import { NS_PER_S } from '../../../src/scenario/spec.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const read = (dir: string, f: string): string => readFileSync(join(FIXTURES, dir, f), 'utf8');
const ip = (a: number, b: number, c: number, d: number): number => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

function specOf(text: string, file = 'test.yaml'): VpcScenarioSpec {
  const r = validateVpcScenario(parseYaml(text), file);
  if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  return r.spec;
}
function problems(text: string): Diagnostic[] {
  const r = validateVpcScenario(parseYaml(text), 'test.yaml');
  return r.ok ? [] : r.diagnostics;
}

describe('valid fixtures', () => {
  for (const f of readdirSync(join(FIXTURES, 'valid')).sort()) {
    it(`${f} validates`, () => {
      expect(() => specOf(read('valid', f), f)).not.toThrow();
    });
  }

  it('two-tier.yaml is the example scenario-format-vpc.md holds today', () => {
    // ../shared beside the clone (CI, /work/main); a git worktree one level deeper sees it at ../../shared.
    const repo = join(import.meta.dirname, '../../..');
    const doc = [join(repo, '../shared/docs/scenario-format-vpc.md'), join(repo, '../../shared/docs/scenario-format-vpc.md')].find((p) => existsSync(p));
    if (doc === undefined) return;
    const block = /```yaml\n([\s\S]*?)```/.exec(readFileSync(doc, 'utf8'))?.[1];
    expect(read('valid', 'two-tier.yaml')).toBe(block);
  });

  it('the two-tier example normalizes with the format\'s defaults and implicit objects', () => {
    const spec = specOf(read('valid', 'two-tier.yaml'), 'two-tier.yaml');
    expect(spec.platform).toBe('vpc');
    expect(spec.name).toBe('two-tier');
    expect(spec.settings).toEqual(DEFAULT_VPC_SETTINGS);
    expect(spec.vpcs.map((v) => [v.name, v.dns])).toEqual([
      ['app', { support: true, hostnames: true }],
      ['tools', { support: true, hostnames: false }],
    ]);
    expect(spec.subnets.map((s) => [s.name, s.zone, s.routeTable, s.networkAcl, s.mapPublicIp])).toEqual([
      ['public-a', 'us-east-1a', 'public-rt', 'app-default', true],
      ['private-a', 'us-east-1a', 'private-rt', 'private-acl', false],
      ['tools-a', 'us-east-1a', 'tools-main', 'tools-default', false],
    ]);
    expect(spec.routeTables.map((t) => [t.name, t.main, t.implicit])).toEqual([
      ['public-rt', false, false], ['private-rt', false, false], ['tools-main', true, false], ['app-main', true, true],
    ]);
    const implicitAcl = spec.networkAcls.find((a) => a.name === 'app-default')!;
    expect(implicitAcl.ingress).toEqual([{ number: 100, action: 'allow', protocol: 'all', cidr: { base: 0, prefix: 0 } }]);
    expect(spec.networkAcls.find((a) => a.name === 'private-acl')!.egress).toHaveLength(1);
    expect(spec.peerings).toEqual([{ name: 'app-tools', requester: 'app', accepter: 'tools', status: 'active', dnsResolution: [], crossRegion: false }]);
    const web = spec.groups.find((g) => g.key === 'web')!;
    expect(web.ingress[1].peer).toEqual({ kind: 'group', group: 'monitor', stale: false });
    expect(spec.groups.find((g) => g.key === 'bastion')!.egress).toEqual([{ protocol: 'all', peer: { kind: 'cidr', cidr: { base: 0, prefix: 0 } } }]);
    expect(spec.groups.find((g) => g.key === 'default/app')).toMatchObject({ implicit: true, ingress: [{ protocol: 'all', peer: { kind: 'group', group: 'default/app' } }] });
    const eni = (name: string) => spec.instances.find((i) => i.name === name)!.interfaces[0];
    expect(eni('bastion')).toMatchObject({ name: 'bastion', subnet: 'public-a', publicIp: 'assign', groups: ['bastion'], sourceDestCheck: true });
    expect(eni('web')).toMatchObject({ privateIp: ip(10, 0, 1, 20), elasticIps: [{ ip: ip(203, 0, 113, 10) }] });
    expect(eni('db').publicIp).toBe('none');
    expect(spec.natGateways).toEqual([{ name: 'nat', subnet: 'public-a', vpc: 'app', elasticIp: ip(203, 0, 113, 20) }]);
    expect(spec.timeline.map((e) => e.action.kind)).toEqual(['connect', 'connect', 'connect', 'add-nacl-entry', 'connect', 'connect']);
    expect(spec.timeline[0].expect).toEqual({ outcome: 'connected', path: 'public', hops: [{ name: 'igw' }, { kind: 'sg-ingress', name: 'bastion' }] });
    expect(spec.timeline[1].expect?.blockedBy).toEqual({ mode: 'primary', hops: [{ kind: 'nacl-out', name: 'private-acl' }] });
    expect(spec.timeline[2].expect).toMatchObject({ nat: true, source: { kind: 'nat', nat: 'nat', address: 'public' }, blockedBy: { mode: 'all' } });
    expect(spec.timeline[3]).toMatchObject({ at: 200 * NS_PER_S, action: { acl: 'private-acl', direction: 'egress', entry: { number: 120, ports: { from: 32768, to: 60999 } } } });
  });

  it('keeps private addresses apart by VPC: overlapping VPCs may hold the same address', () => {
    const spec = specOf(read('valid', 'overlapping-vpcs.yaml'));
    expect(spec.instances.map((i) => i.interfaces[0].privateIp)).toEqual([ip(10, 0, 1, 10), ip(10, 0, 1, 10)]);
  });

  it('reads an import\'s shape: ids, labels, blackholes to gone targets, stale references, prefix lists, NACLs sorted by number', () => {
    const spec = specOf(read('valid', 'imported.yaml'));
    expect(spec.vpcs[0]).toMatchObject({ account: '111122223333', isDefault: true, dns: { support: true, hostnames: true }, label: 'prod' });
    const rt = spec.routeTables.find((t) => t.name === 'rtb-00000001')!;
    expect(rt.routes[3]).toEqual({ destination: { kind: 'cidr', cidr: { base: ip(100, 64, 0, 0), prefix: 10 } }, target: { kind: 'nat', name: 'nat-0123456789abcdef0' }, state: 'blackhole', propagated: false });
    expect(rt.routes[4].destination).toEqual({ kind: 'prefixList', prefixList: 'pl-00000c0d' });
    expect(spec.subnets.map((s) => s.routeTable)).toEqual(['rtb-00000001', 'rtb-00000001']);
    const acl = spec.networkAcls.find((a) => a.name === 'acl-00000001')!;
    expect(acl.ingress.map((e) => [e.number, e.protocol])).toEqual([[100, 'udp'], [150, 47], [200, 'all']]);
    expect(spec.networkAcls.map((a) => a.name)).toEqual(['acl-00000001']);
    const sg = spec.groups.find((g) => g.key === 'sg-00000001')!;
    expect(sg.egress).toEqual([]);
    expect(sg.ingress[2].peer).toEqual({ kind: 'group', group: 'sg-0deadbeef', stale: true });
    const i = spec.instances[0];
    expect(i.state).toBe('stopped');
    expect(i.interfaces.map((e) => [e.name, e.device, e.publicIp, e.sourceDestCheck])).toEqual([['eni-00000001', 0, 'none', true], ['eni-00000002', 1, 'none', false]]);
    expect(i.interfaces[0].elasticIps).toEqual([{ ip: ip(52, 1, 1, 10) }, { ip: ip(52, 1, 1, 11), privateIp: ip(10, 20, 1, 11) }]);
    expect(spec.external.find((x) => x.name === 'office')).toMatchObject({ via: 'vgw-0000000b', ephemeralPorts: { from: 49152, to: 65535 } });
  });

  it('replays every timeline action of the format', () => {
    const spec = specOf(read('valid', 'changes.yaml'));
    expect(spec.timeline.map((e) => e.action.kind)).toEqual([
      'connect', 'transfer', 'close', 'connect', 'authorize', 'revoke', 'authorize', 'add-nacl-entry', 'replace-nacl-entry',
      'remove-nacl-entry', 'associate-nacl', 'add-route', 'replace-route', 'remove-route', 'associate-route-table',
      'disassociate-route-table', 'set-main-route-table', 'modify-instance-groups', 'modify-instance-groups', 'associate',
      'associate', 'disassociate', 'stop', 'start', 'launch', 'send', 'terminate', 'ping', 'connect',
    ]);
    const byKind = (k: string) => spec.timeline.find((e) => e.action.kind === k)!.action;
    expect(byKind('authorize')).toMatchObject({ group: 'web', direction: 'egress', rule: { peer: { kind: 'group', group: 'api' } } });
    expect(spec.timeline[6].action).toMatchObject({ group: 'default/app', direction: 'ingress' });
    expect(byKind('modify-instance-groups')).toEqual({ kind: 'modify-instance-groups', interface: 'api-eth1', groups: ['api'] });
    expect(spec.timeline[19].action).toEqual({ kind: 'associate', elasticIp: ip(198, 51, 100, 30), interface: 'api-eth0', privateIp: ip(10, 0, 3, 11) });
    expect(spec.timeline[20].action).toEqual({ kind: 'associate', elasticIp: ip(198, 51, 100, 30), interface: 'web' });
    expect(byKind('launch')).toMatchObject({ instance: { name: 'worker', interfaces: [{ name: 'worker', privateIp: ip(10, 0, 3, 40) }] } });
    expect(spec.timeline[28]).toMatchObject({ repeat: { every: 10_000_000, count: 3 }, expect: { outcome: 'exited', nat: false } });
    expect(spec.transitGateways[0].attachments[0]).toEqual({ kind: 'vpc', name: 'hub-app', vpc: 'app', subnets: ['app-a'], routeTable: 'hub-rt', propagate: ['hub-rt'], sgReferencing: true });
    expect(spec.instances.find((i) => i.name === 'api')!.interfaces.map((e) => e.name)).toEqual(['api-eth0', 'api-eth1']);
    expect(spec.settings.limits.naclEntries).toBe(30);
  });
});

describe('invalid fixtures: one problem each, at the exact path with the exact message', () => {
  for (const f of readdirSync(join(FIXTURES, 'invalid')).sort()) {
    it(f.replace(/\.yaml$/, ''), () => {
      const text = read('invalid', f);
      const path = /^# path: (.*)$/m.exec(text)?.[1];
      const message = /^# message: (.*)$/m.exec(text)?.[1];
      expect(path, 'the fixture names its path').toBeDefined();
      const r = validateVpcScenario(parseYaml(text), f);
      expect(r.ok).toBe(false);
      expect(r.ok ? [] : r.diagnostics).toEqual([{ file: f, path, message }]);
    });
  }
  it('there are at least 25 of them', () => {
    expect(readdirSync(join(FIXTURES, 'invalid')).length).toBeGreaterThanOrEqual(25);
  });
});

const BASE = read('valid', 'two-tier.yaml');

describe('behaviours the format leaves to AWS', () => {
  it('lets vpc be left out when the scenario has one VPC', () => {
    const spec = specOf(`version: 1
platform: vpc
vpcs: { main: { region: eu-west-1, cidr: 10.0.0.0/16 } }
subnets: { a: { cidr: 10.0.0.0/24 } }
groups: { g: { ingress: [{ protocol: tcp, ports: 22, from: { group: default } }] } }
routeTables: { rt: { subnets: [a] } }
networkAcls: { acl: { subnets: [a] } }
instances: { h: { subnet: a, groups: [g] } }
`);
    expect(spec.subnets[0]).toMatchObject({ vpc: 'main', zone: 'eu-west-1a', routeTable: 'rt', networkAcl: 'acl' });
    expect(spec.groups[0].ingress[0].peer).toEqual({ kind: 'group', group: 'default/main', stale: false });
    expect(spec.networkAcls[0]).toMatchObject({ name: 'acl', ingress: [], egress: [] });
  });

  it('asks for vpc with several VPCs', () => {
    expect(problems(BASE.replace('monitor: { vpc: tools }', 'monitor: {}'))).toEqual([
      { file: 'test.yaml', path: 'groups.monitor.vpc', message: 'vpc is required with several VPCs (known: app, tools)' },
    ]);
  });

  it('gives several interfaces no automatic public IP, and a lone one its subnet\'s', () => {
    const spec = specOf(BASE.replace('prom: { subnet: tools-a, groups: [monitor] }',
      'prom: { subnet: tools-a, groups: [monitor] }\n  twin: { interfaces: [{ subnet: public-a }, { subnet: public-a }] }\n  solo: { interfaces: [{ subnet: public-a }] }'));
    const twin = spec.instances.find((i) => i.name === 'twin')!;
    expect(twin.interfaces.map((e) => [e.name, e.publicIp])).toEqual([['twin-eth0', 'none'], ['twin-eth1', 'none']]);
    expect(spec.instances.find((i) => i.name === 'solo')!.interfaces.map((e) => [e.name, e.publicIp])).toEqual([['solo', 'assign']]);
  });

  it('admits a group reference over a transit gateway in ingress rules only where referencing is on', () => {
    const tgw = (on: boolean) => BASE.replace('peerings: { app-tools: { requester: app, accepter: tools } }',
      `transitGateways: { hub: { region: us-east-1, sgReferencing: ${on}, attachments: { a1: { vpc: app, subnets: [private-a] }, a2: { vpc: tools, subnets: [tools-a] } } } }\npeerings: { app-tools: { requester: app, accepter: tools, status: deleted } }`);
    expect(problems(tgw(true))).toEqual([]);
    expect(problems(tgw(false)).map((d) => d.path)).toEqual(['groups.web.ingress[1].from.group']);
  });

  it('allows a route more specific than local only for a whole subnet through a middlebox', () => {
    const route = (target: string, cidr = '10.0.2.0/24') => BASE.replace('routes: [{ destination: 0.0.0.0/0, target: nat }]', `routes: [{ destination: 0.0.0.0/0, target: nat }, { destination: ${cidr}, target: ${target} }]`);
    expect(problems(route('nat'))).toEqual([]);
    expect(problems(route('web'))).toEqual([]);
    expect(problems(route('igw')).map((d) => d.path)).toEqual(['routeTables.private-rt.routes[1].destination']);
    expect(problems(route('nat', '10.0.2.0/25')).map((d) => d.path)).toEqual(['routeTables.private-rt.routes[1].destination']);
  });

  it('refuses a route to an instance before its launch', () => {
    const text = BASE.replace('routes: [{ destination: 0.0.0.0/0, target: nat }]', 'routes: [{ destination: 0.0.0.0/0, target: appliance }]')
      + '  - { at: 300s, launch: { name: appliance, subnet: private-a, sourceDestCheck: false } }\n';
    expect(problems(text)).toEqual([
      { file: 'test.yaml', path: 'routeTables.private-rt.routes[0].target', message: 'instance appliance does not exist at the start: it is launched by timeline[6]' },
    ]);
  });

  it('lets a blackhole route keep a target nobody declares, and takes its kind from its id', () => {
    const spec = specOf(BASE.replace('routes: [{ destination: 0.0.0.0/0, target: nat }]', 'routes: [{ destination: 0.0.0.0/0, target: pcx-0123abcd, state: blackhole }, { destination: 172.16.0.0/12, state: blackhole }]'));
    expect(spec.routeTables.find((t) => t.name === 'private-rt')!.routes.map((r) => r.target)).toEqual([{ kind: 'pcx', name: 'pcx-0123abcd' }, undefined]);
  });

  it('counts NACL entries and group rules against the limits', () => {
    const entries = Array.from({ length: 21 }, (_, i) => `{ number: ${i + 1}, action: allow, protocol: all, cidr: 0.0.0.0/0 }`).join(', ');
    expect(problems(BASE.replace('egress: [{ number: 100, action: allow, protocol: tcp, ports: 443, cidr: 0.0.0.0/0 }]', `egress: [${entries}]`))).toEqual([
      { file: 'test.yaml', path: 'networkAcls.private-acl.egress', message: '21 egress entries; the limit is 20 per direction (settings.limits.naclEntries)' },
    ]);
  });

  it('keeps an Elastic IP in its region when it moves', () => {
    const text = BASE.replace('tools: { region: us-east-1, cidr: 10.1.0.0/16 }', 'tools: { region: eu-west-1, cidr: 10.1.0.0/16 }')
      .replace('tools-a:   { vpc: tools, cidr: 10.1.1.0/24 }', 'tools-a:   { vpc: tools, zone: eu-west-1a, cidr: 10.1.1.0/24 }')
      .replace('monitor: { vpc: tools }', 'monitor: { vpc: tools }\n  mon2: { vpc: app }')
      .replace('ports: 9100, from: { group: monitor } }', 'ports: 9100, from: { group: mon2 } }')
      .replace('peerings: { app-tools: { requester: app, accepter: tools } }', 'peerings: { app-tools: { requester: app, accepter: tools } }')
      + '  - { at: 300s, associate: { elasticIp: 203.0.113.10, instance: prom } }\n';
    expect(problems(text)).toEqual([
      { file: 'test.yaml', path: 'timeline[6].associate.elasticIp', message: 'Elastic IP 203.0.113.10 belongs to region us-east-1 (instances.web.elasticIp), but prom is in eu-west-1 (an Elastic IP belongs to one region)' },
    ]);
  });

  it('catches a full subnet', () => {
    const text = BASE.replace('tools-a:   { vpc: tools, cidr: 10.1.1.0/24 }', 'tools-a:   { vpc: tools, cidr: 10.1.1.0/28 }')
      .replace('prom: { subnet: tools-a, groups: [monitor] }', 'prom: { subnet: tools-a, groups: [monitor], secondaryIps: [10.1.1.4, 10.1.1.5, 10.1.1.6, 10.1.1.7, 10.1.1.8, 10.1.1.9, 10.1.1.10, 10.1.1.11, 10.1.1.12, 10.1.1.13, 10.1.1.14] }');
    expect(problems(text)).toEqual([
      { file: 'test.yaml', path: 'subnets.tools-a.cidr', message: 'subnet tools-a (10.1.1.0/28) has 11 assignable addresses, but its network interfaces and NAT gateways hold 12' },
    ]);
  });
});

describe('complete validation', () => {
  it('collects every problem, in file order', () => {
    const text = BASE
      .replace('tools: { region: us-east-1, cidr: 10.1.0.0/16 }', 'tools: { region: us-east-1, cidr: 10.1.0.0/12 }')
      .replace('{ number: 110, action: allow', '{ number: 100, action: allow')
      .replace('privateIp: 10.0.2.30', 'privateIp: 10.0.2.0')
      .replace('to: db.private, port: 5432 }, expect: { outcome: timeout', 'to: db, port: 5432 }, expect: { outcome: timeout');
    expect(problems(text).map((d) => d.path)).toEqual([
      'vpcs.tools.cidr',
      'networkAcls.private-acl.ingress[1].number',
      'instances.db.privateIp',
      'timeline[1].connect.to',
    ]);
  });

  it('reports a later action that refers to what an earlier one removed, at the later entry', () => {
    const text = `${BASE}  - { at: 203s, remove-nacl-entry: { acl: private-acl, direction: egress, number: 120 } }\n  - { at: 204s, replace-nacl-entry: { acl: private-acl, direction: egress, entry: { number: 120, action: deny, protocol: all, cidr: 0.0.0.0/0 } } }\n`;
    expect(problems(text)).toEqual([
      { file: 'test.yaml', path: 'timeline[7].replace-nacl-entry.entry.number', message: 'private-acl has no egress entry 120 at 204s to replace (use add-nacl-entry)' },
    ]);
  });
});

describe('robustness', () => {
  const baseDoc = parseYaml(read('valid', 'changes.yaml')) as unknown;
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]): void => {
    paths.push(path);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(baseDoc, []);
  const mutate = (doc: unknown, path: (string | number)[], value: unknown): unknown => {
    if (path.length === 0) return value;
    const copy = structuredClone(doc) as Record<string | number, unknown>;
    let cur = copy;
    for (const seg of path.slice(0, -1)) cur = cur[seg] as Record<string | number, unknown>;
    cur[path[path.length - 1]] = value;
    return copy;
  };

  it('never throws, whatever replaces any part of a valid scenario', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(paths.length - 1), fc.jsonValue({ maxDepth: 3 })), { minLength: 1, maxLength: 4 }), (edits) => {
        let doc = baseDoc;
        for (const [i, value] of edits) {
          try {
            doc = mutate(doc, paths[i], value);
          } catch {
            // the path no longer exists after an earlier edit
          }
        }
        const r = validateVpcScenario(doc, 'fuzz.yaml');
        if (!r.ok) for (const d of r.diagnostics) expect(d.message.length).toBeGreaterThan(0);
      }),
      { numRuns: 400, seed: 20261208 },
    );
  });

  it('never throws on arbitrary documents', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (doc) => {
        expect(validateVpcScenario(doc, 'fuzz.json').ok).toBe(false);
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('gives one spec for the YAML and the JSON of a document', () => {
    const doc = parseYaml(read('valid', 'changes.yaml'));
    const viaJson = JSON.parse(JSON.stringify(doc));
    const a = validateVpcScenario(doc, 'changes.yaml');
    const b = validateVpcScenario(viaJson, 'changes.yaml');
    expect(b).toEqual(a);
  });
});

describe('hostile documents', () => {
  it('refuses a cycle or a document nested too deep, without recursing', () => {
    const doc: Record<string, unknown> = { version: 1, platform: 'vpc', vpcs: {} };
    (doc.vpcs as Record<string, unknown>).loop = doc;
    const r = validateVpcScenario(doc, '<builder>');
    expect(r).toEqual({ ok: false, diagnostics: [{ file: '<builder>', path: 'vpcs.loop', message: expect.stringContaining('cycle') }] });
  });

  it('shows hidden characters of names escaped', () => {
    const r = validateVpcScenario(parseYaml(BASE.replace('monitor: { vpc: tools }', 'monitor: { vpc: "to\u202eols" }')), 'test.yaml');
    expect(r.ok ? [] : r.diagnostics.map((d) => d.message)).toEqual([expect.stringContaining('unknown vpc "to\\u202eols"')]);
  });
});
