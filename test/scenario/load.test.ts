/**
 * Tests of scenario/load: the contract's example normalizes as promised, and every kind of bad
 * input gets one diagnostic with the exact field path and a message that says what is wrong.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { loadScenarioFile, loadScenarioText, parseScenarioText, validateScenario } from '../../src/scenario/load.ts';
import { ScenarioInputError, formatDiagnostic, type Diagnostic } from '../../src/scenario/diagnostics.ts';
import { DEFAULT_SETTINGS, NS_PER_MS, NS_PER_S, NS_PER_US, type ScenarioSpec } from '../../src/scenario/spec.ts';

/** The example of scenario-format.md ("Scenario file"), verbatim. */
const CONTRACT_EXAMPLE = `version: 1
name: Scenario 4 - a group added to itself
description: Members talk privately on anything; the admin reaches them on tcp/3306.
platform: classic            # only value in version 1; the default
seed: "4"                    # string or integer; default "0"
settings:                    # every key optional; the defaults are the domain's
  latency: { sameZone: 100us, crossZone: 500us, publicPath: 1ms, crossRegion: 40ms, internet: 20ms, jitter: 0.1 }
  tcp: { synRetries: 6, initialRto: 1s }
  conntrack: { tcpEstablished: 432000s, tcpHandshake: 120s, udp: 30s, udpStream: 180s, icmp: 30s }
  propagationDelay: 0s
  limits: { rulesPerGroup: 100, groupsPerRegion: 500 }
regions:
  us-east-1: { zones: [us-east-1a, us-east-1b] }   # zones default to [<region>a]
  eu-west-1: {}
groups:                       # name -> group; names are unique in a scenario
  A:
    region: us-east-1
    description: app servers
    ingress:
      - { from: { group: A } }                                  # protocol defaults to all
      - { protocol: tcp, ports: 3306, from: { cidr: 1.2.3.4/32 }, description: admin }
      - { protocol: icmp, icmp: { type: 8, code: -1 }, from: { cidr: 0.0.0.0/0 } }
instances:
  web1:
    region: us-east-1
    zone: us-east-1a          # default: the region's first zone
    groups: [A]               # default: [default] (the region's self-referencing group)
    privateIp: 10.1.0.5       # optional; otherwise assigned deterministically from the seed
    publicIp: 54.1.0.5        # optional; likewise
    services: [tcp/3306, udp/53, tcp/8000-8010]   # optional listeners; echo requests are always answered
    state: running            # or stopped
  db1:
    region: us-east-1
    zone: us-east-1b
    groups: [A]
    elasticIp: 203.0.113.10   # optional; while it holds the EIP an instance has no dynamic
                              # public IP, so publicIp and elasticIp are not declared together
external:                     # hosts outside AWS; they answer pings and may run services
  admin: { ip: 1.2.3.4, services: [tcp/8443] }
timeline:                     # run in order of \`at\`; equal \`at\` keeps file order
  - at: 0s
    id: admin-db              # optional; names the flow in the report
    connect: { from: admin, to: web1.public, port: 3306 }
    expect: connected
  - at: 1s
    ping: { from: db1, to: web1.private }
    expect: { outcome: replied, path: private, source: db1.private }
  - at: 2s
    revoke: { group: A, rule: { protocol: tcp, ports: 3306, from: { cidr: 1.2.3.4/32 }, description: admin } }
`;

const ip = (a: number, b: number, c: number, d: number): number => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

function load(text: string, file = 'test.yaml'): ReturnType<typeof loadScenarioText> {
  return loadScenarioText(text, file, 'yaml');
}

function specOf(text: string, file?: string): ScenarioSpec {
  const r = load(text, file);
  if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  return r.spec;
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'sgsim-load-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('the contract example', () => {
  it('normalizes: durations in ns, addresses as uint32, defaults filled, keys resolved', () => {
    const spec = specOf(CONTRACT_EXAMPLE);
    expect(spec.version).toBe(1);
    expect(spec.name).toBe('Scenario 4 - a group added to itself');
    expect(spec.description).toBe('Members talk privately on anything; the admin reaches them on tcp/3306.');
    expect(spec.platform).toBe('classic');
    expect(spec.seed).toBe('4');
    expect(spec.settings).toEqual(DEFAULT_SETTINGS);
    expect(spec.settings.latency.sameZone).toBe(100 * NS_PER_US);
    expect(spec.settings.conntrack.tcpEstablished).toBe(432_000 * NS_PER_S);

    expect(spec.regions).toEqual([
      { name: 'us-east-1', zones: ['us-east-1a', 'us-east-1b'] },
      { name: 'eu-west-1', zones: ['eu-west-1a'] },
    ]);
    expect(spec.groups).toEqual([
      {
        key: 'A',
        name: 'A',
        region: 'us-east-1',
        description: 'app servers',
        ingress: [
          { protocol: 'all', source: { kind: 'group', group: 'A' } },
          {
            protocol: 'tcp',
            ports: { from: 3306, to: 3306 },
            source: { kind: 'cidr', cidr: { base: ip(1, 2, 3, 4), prefix: 32 } },
            description: 'admin',
          },
          { protocol: 'icmp', icmp: { type: 8, code: -1 }, source: { kind: 'cidr', cidr: { base: 0, prefix: 0 } } },
        ],
      },
    ]);
    expect(spec.instances).toEqual([
      {
        name: 'web1',
        region: 'us-east-1',
        zone: 'us-east-1a',
        groups: ['A'],
        privateIp: ip(10, 1, 0, 5),
        publicIp: ip(54, 1, 0, 5),
        services: [
          { protocol: 'tcp', ports: { from: 3306, to: 3306 } },
          { protocol: 'udp', ports: { from: 53, to: 53 } },
          { protocol: 'tcp', ports: { from: 8000, to: 8010 } },
        ],
        state: 'running',
      },
      {
        name: 'db1',
        region: 'us-east-1',
        zone: 'us-east-1b',
        groups: ['A'],
        elasticIp: ip(203, 0, 113, 10),
        services: [],
        state: 'running',
      },
    ]);
    expect(spec.instances[1]).not.toHaveProperty('publicIp');
    expect(spec.external).toEqual([
      { name: 'admin', ip: ip(1, 2, 3, 4), services: [{ protocol: 'tcp', ports: { from: 8443, to: 8443 } }] },
    ]);
    expect(spec.timeline).toEqual([
      {
        at: 0,
        id: 'admin-db',
        index: 0,
        action: { kind: 'connect', from: 'admin', to: { kind: 'public', instance: 'web1' }, port: 3306 },
        expect: { outcome: 'connected' },
      },
      {
        at: 1 * NS_PER_S,
        index: 1,
        action: { kind: 'ping', from: 'db1', to: { kind: 'private', instance: 'web1' } },
        expect: { outcome: 'replied', path: 'private', source: { kind: 'private', instance: 'db1' } },
      },
      {
        at: 2 * NS_PER_S,
        index: 2,
        action: {
          kind: 'revoke',
          group: 'A',
          rule: {
            protocol: 'tcp',
            ports: { from: 3306, to: 3306 },
            source: { kind: 'cidr', cidr: { base: ip(1, 2, 3, 4), prefix: 32 } },
            description: 'admin',
          },
        },
      },
    ]);
  });

  it('is the example scenario-format.md holds today', () => {
    const doc = join(import.meta.dirname, '../../../shared/docs/scenario-format.md');
    if (!existsSync(doc)) return; // ../shared is beside the project for developers and CI
    const block = /```yaml\n([\s\S]*?)```/.exec(readFileSync(doc, 'utf8'))?.[1];
    expect(block).toBe(CONTRACT_EXAMPLE);
  });
});

describe('normalization', () => {
  const minimal = 'version: 1\nregions: { r1: null }\n';

  it('fills every default for a minimal scenario', () => {
    const spec = specOf(minimal, 'dir/my-scenario.yaml');
    expect(spec).toEqual({
      version: 1,
      name: 'my-scenario',
      platform: 'classic',
      seed: '0',
      settings: DEFAULT_SETTINGS,
      regions: [{ name: 'r1', zones: ['r1a'] }],
      groups: [],
      instances: [],
      external: [],
      timeline: [],
    });
  });

  it('gives instances with the same groups one group list (the fabric links them to one receiver with one lookup)', () => {
    const spec = specOf(
      minimal +
        'groups: { A: { region: r1 }, B: { region: r1 } }\n' +
        'instances:\n' +
        '  x: { region: r1, groups: [A, B] }\n' +
        '  y: { region: r1, groups: [A, B] }\n' +
        '  z: { region: r1, groups: [B, A] }\n' +
        '  d1: { region: r1 }\n' +
        '  d2: { region: r1 }\n',
    );
    const [x, y, z, d1, d2] = spec.instances;
    expect(x.groups).toEqual(['A', 'B']);
    expect(y.groups).toBe(x.groups);
    expect(z.groups).toEqual(['B', 'A']);
    expect(z.groups).not.toBe(x.groups);
    expect(d1.groups).toEqual(['default/r1']);
    expect(d2.groups).toBe(d1.groups);
  });

  it('never takes two different group lists for one, whatever characters the names hold', () => {
    const spec = specOf(
      minimal +
        'groups: { "a\\0b": { region: r1 }, a: { region: r1 }, b: { region: r1 } }\n' +
        'instances:\n' +
        '  x: { region: r1, groups: ["a\\0b"] }\n' +
        '  y: { region: r1, groups: [a, b] }\n',
    );
    expect(spec.instances.map((i) => i.groups)).toEqual([['a\u0000b'], ['a', 'b']]);
  });

  it('reads durations: numbers are milliseconds; us, ms, s, m, h; rounded to integer ns', () => {
    const spec = specOf(
      minimal +
        'settings:\n' +
        '  latency: { sameZone: 0.25, crossZone: 100us, publicPath: 1.5ms, crossRegion: 0.0000001s, internet: 2m }\n' +
        '  conntrack: { tcpEstablished: 1h, udp: 1.5s }\n' +
        '  propagationDelay: 250\n',
    );
    expect(spec.settings.latency).toEqual({
      sameZone: 250 * NS_PER_US,
      crossZone: 100 * NS_PER_US,
      publicPath: 1_500_000,
      crossRegion: 100,
      internet: 120 * NS_PER_S,
      jitter: 0.1,
    });
    expect(spec.settings.conntrack.tcpEstablished).toBe(3600 * NS_PER_S);
    expect(spec.settings.conntrack.udp).toBe(1500 * NS_PER_MS);
    expect(spec.settings.conntrack.icmp).toBe(DEFAULT_SETTINGS.conntrack.icmp);
    expect(spec.settings.propagationDelay).toBe(250 * NS_PER_MS);
  });

  it('takes an integer seed as a string', () => {
    expect(specOf(minimal + 'seed: 42\n').seed).toBe('42');
  });

  it('sorts the timeline stably by at and keeps the file index', () => {
    const spec = specOf(`version: 1
regions: { r1: {} }
external: { x: { ip: 1.2.3.4 } }
timeline:
  - { at: 2s, ping: { from: x, to: 5.6.7.8 } }
  - { ping: { from: x, to: 5.6.7.9 } }
  - { at: 1000, ping: { from: x, to: 5.6.7.10 } }
  - { at: 1s, ping: { from: x, to: 5.6.7.11 } }
`);
    expect(spec.timeline.map((e) => [e.index, e.at])).toEqual([
      [1, 0],
      [2, NS_PER_S],
      [3, NS_PER_S],
      [0, 2 * NS_PER_S],
    ]);
  });

  it('resolves default groups to per-region keys and a declared default replaces it', () => {
    const spec = specOf(`version: 1
regions: { r1: {}, r2: { zones: [z2a, z2b] } }
groups:
  default: { region: r1, ingress: [ { protocol: tcp, ports: 22, from: { group: default } } ] }
instances:
  a: { region: r1 }
  b: { region: r2, zone: z2b }
timeline:
  - authorize: { group: default, region: r2, rule: { protocol: udp, ports: "53", from: { cidr: 10.0.0.0/8 } } }
`);
    expect(spec.groups).toEqual([
      {
        key: 'default/r1',
        name: 'default',
        region: 'r1',
        ingress: [{ protocol: 'tcp', ports: { from: 22, to: 22 }, source: { kind: 'group', group: 'default/r1' } }],
      },
    ]);
    expect(spec.instances.map((i) => [i.name, i.zone, i.groups])).toEqual([
      ['a', 'r1a', ['default/r1']],
      ['b', 'z2b', ['default/r2']],
    ]);
    expect(spec.timeline[0].action).toMatchObject({ kind: 'authorize', group: 'default/r2' });
  });

  it('reads every port, icmp and address notation', () => {
    const spec = specOf(`version: 1
regions: { r1: {} }
groups:
  G:
    region: r1
    ingress:
      - { protocol: tcp, ports: "8000-8080", from: { cidr: 0.0.0.0/0 } }
      - { protocol: udp, ports: [1000, 2000], from: { cidr: 0.0.0.0/0 } }
      - { protocol: icmp, icmp: "3:-1", from: { cidr: 0.0.0.0/0 } }
      - { protocol: icmp, from: { cidr: 10.0.0.0/8 } }
instances:
  i1: { region: r1, groups: [G] }
external: { ext: { ip: 8.8.8.8 } }
timeline:
  - { id: c, connect: { from: ext, to: i1.dns, port: 0 } }
  - { transfer: c, expect: { outcome: delivered, code: TRACKED_CONNECTION } }
  - { close: c }
  - { send: { from: i1, to: ext, port: 53, count: 3 }, expect: dropped }
  - { ping: { from: i1, to: 9.9.9.9 }, expect: { source: i1.eip, redirected: false } }
`);
    expect(spec.groups[0].ingress.map((r) => [r.protocol, r.ports, r.icmp])).toEqual([
      ['tcp', { from: 8000, to: 8080 }, undefined],
      ['udp', { from: 1000, to: 2000 }, undefined],
      ['icmp', undefined, { type: 3, code: -1 }],
      ['icmp', undefined, { type: -1, code: -1 }],
    ]);
    expect(spec.timeline.map((e) => e.action)).toEqual([
      { kind: 'connect', from: 'ext', to: { kind: 'dns', instance: 'i1' }, port: 0 },
      { kind: 'transfer', connection: 'c' },
      { kind: 'close', connection: 'c' },
      { kind: 'send', from: 'i1', to: { kind: 'external', host: 'ext' }, port: 53, count: 3 },
      { kind: 'ping', from: 'i1', to: { kind: 'ip', ip: ip(9, 9, 9, 9) } },
    ]);
    expect(spec.timeline[4].expect).toEqual({ source: { kind: 'eip', instance: 'i1' }, redirected: false });
  });

  it('follows the lifecycle: launch, stop, start, associate, moves and no-ops are fine', () => {
    const spec = specOf(`version: 1
regions: { r1: {} }
instances:
  a: { region: r1, elasticIp: 54.0.0.1 }
timeline:
  - { at: 1s, launch: { name: b, region: r1, services: [tcp/80] } }
  - { at: 2s, associate: { elasticIp: 54.0.0.1, instance: b } }
  - { at: 3s, stop: a }
  - { at: 3s, stop: a }
  - { at: 4s, start: a }
  - { at: 4s, start: a }
  - { at: 5s, disassociate: { elasticIp: 54.0.0.1 } }
  - { at: 6s, terminate: b }
  - { at: 7s, ping: { from: b, to: a.private }, expect: timeout }
`);
    expect(spec.timeline.map((e) => e.action.kind)).toEqual([
      'launch', 'associate', 'stop', 'stop', 'start', 'start', 'disassociate', 'terminate', 'ping',
    ]);
    expect(spec.timeline[0].action).toEqual({
      kind: 'launch',
      instance: { name: 'b', region: 'r1', zone: 'r1a', groups: ['default/r1'], services: [{ protocol: 'tcp', ports: { from: 80, to: 80 } }], state: 'running' },
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Malformed input: each case changes one thing in a valid base scenario.

const BASE = `version: 1
regions:
  us-east-1: { zones: [us-east-1a, us-east-1b] }
  eu-west-1: {}
groups:
  A:
    region: us-east-1
    ingress:
      - { protocol: tcp, ports: 22, from: { cidr: 1.2.3.4/32 } }
      - { protocol: tcp, ports: 3306, from: { group: A } }
  E: { region: eu-west-1 }
instances:
  web1: { region: us-east-1, groups: [A], privateIp: 10.0.0.5, publicIp: 54.0.0.5, services: [tcp/22] }
  db1: { region: us-east-1, zone: us-east-1b, groups: [A], elasticIp: 203.0.113.10 }
  eu1: { region: eu-west-1, groups: [E] }
external:
  admin: { ip: 1.2.3.4 }
timeline:
  - { at: 0s, id: c1, connect: { from: admin, to: web1.public, port: 22 }, expect: connected }
  - { at: 1s, ping: { from: db1, to: web1.private }, expect: { outcome: replied, path: private } }
`;

/** The scenario, with `from` replaced by `to` (which must occur exactly once). */
function variant(from: string, to: string, base = BASE): string {
  const at = base.indexOf(from);
  if (at < 0 || base.indexOf(from, at + 1) >= 0) throw new Error(`"${from}" must occur once in the base scenario`);
  return base.slice(0, at) + to + base.slice(at + from.length);
}

function problems(text: string): Diagnostic[] {
  const r = load(text);
  return r.ok ? [] : r.diagnostics;
}

/** Asserts exactly one diagnostic, at `path`, whose message holds `fragment`. */
function expectOne(text: string, path: string, fragment: string): void {
  const found = problems(text);
  if (found.length !== 1) expect.fail(`expected one problem, got:\n${found.map(formatDiagnostic).join('\n') || '(none)'}`);
  expect(found[0].file).toBe('test.yaml');
  expect(found[0].path).toBe(path);
  expect(found[0].message).toContain(fragment);
}

const withTimeline = (...entries: string[]): string => BASE + entries.map((e) => `  - ${e}\n`).join('');

describe('malformed input', () => {
  it('the base scenario is valid', () => {
    expect(problems(BASE)).toEqual([]);
  });

  describe('rules', () => {
    it('bad CIDR', () => {
      expectOne(variant('1.2.3.4/32 }', '1.2.3/32 }'), 'groups.A.ingress[0].from.cidr', '"1.2.3/32" is not a CIDR block');
      expectOne(variant('1.2.3.4/32 }', '1.2.3.4/33 }'), 'groups.A.ingress[0].from.cidr', 'prefix length must be 0 to 32');
    });
    it('host bits set', () => {
      expectOne(variant('1.2.3.4/32 }', '1.2.3.4/24 }'), 'groups.A.ingress[0].from.cidr', 'host bits are set (did you mean 1.2.3.0/24?)');
    });
    it('reversed port range', () => {
      expectOne(variant('ports: 22,', 'ports: "8080-80",'), 'groups.A.ingress[0].ports', '"8080-80" is a reversed port range (from > to)');
      expectOne(variant('ports: 22,', 'ports: [8080, 80],'), 'groups.A.ingress[0].ports', 'reversed port range');
    });
    it('out-of-range and malformed ports', () => {
      expectOne(variant('ports: 22,', 'ports: 65536,'), 'groups.A.ingress[0].ports', '65536 is out of range');
      expectOne(variant('ports: 22,', 'ports: "1-70000",'), 'groups.A.ingress[0].ports', '70000 in "1-70000" is out of range');
      expectOne(variant('ports: 22,', 'ports: -1,'), 'groups.A.ingress[0].ports', '-1 is out of range');
      expectOne(variant('ports: 22,', 'ports: 22.5,'), 'groups.A.ingress[0].ports', '22.5 is not a port');
      expectOne(variant('ports: 22,', 'ports: ssh,'), 'groups.A.ingress[0].ports', '"ssh" is not a port or port range');
    });
    it('unknown protocol', () => {
      expectOne(variant('protocol: tcp, ports: 22', 'protocol: sctp, ports: 22'), 'groups.A.ingress[0].protocol', 'unknown protocol "sctp" (expected tcp, udp, icmp or all)');
    });
    it('ports and icmp must fit the protocol', () => {
      expectOne(variant('{ protocol: tcp, ports: 22,', '{ protocol: tcp,'), 'groups.A.ingress[0].ports', 'a tcp rule needs ports');
      expectOne(variant('{ protocol: tcp, ports: 22,', '{ ports: 22,'), 'groups.A.ingress[0].ports', 'protocol all takes no ports');
      expectOne(variant('{ protocol: tcp, ports: 22,', '{ protocol: all, ports: 22,'), 'groups.A.ingress[0].ports', 'protocol all takes no ports');
      expectOne(variant('{ protocol: tcp, ports: 22,', '{ protocol: icmp, ports: 22,'), 'groups.A.ingress[0].ports', 'an icmp rule takes no ports');
      expectOne(variant('ports: 22,', 'ports: 22, icmp: "8:0",'), 'groups.A.ingress[0].icmp', 'a tcp rule takes no icmp');
      expectOne(variant('{ protocol: tcp, ports: 22,', '{ icmp: "8:0",'), 'groups.A.ingress[0].icmp', 'protocol all takes no icmp');
    });
    it('bad icmp matches', () => {
      expectOne(variant('{ protocol: tcp, ports: 22,', '{ protocol: icmp, icmp: "-1:0",'), 'groups.A.ingress[0].icmp', 'icmp type -1 (any type) requires code -1');
      expectOne(variant('{ protocol: tcp, ports: 22,', '{ protocol: icmp, icmp: { type: 256, code: 0 },'), 'groups.A.ingress[0].icmp.type', 'icmp type 256 is out of range');
      expectOne(variant('{ protocol: tcp, ports: 22,', '{ protocol: icmp, icmp: { type: 3, code: 300 },'), 'groups.A.ingress[0].icmp.code', 'icmp code 300 is out of range');
      expectOne(variant('{ protocol: tcp, ports: 22,', '{ protocol: icmp, icmp: "echo",'), 'groups.A.ingress[0].icmp', 'is not an icmp match');
    });
    it('a source is exactly one of cidr and group', () => {
      expectOne(variant('from: { cidr: 1.2.3.4/32 }', 'from: { cidr: 1.2.3.4/32, group: A }'), 'groups.A.ingress[0].from', 'not both');
      expectOne(variant('from: { cidr: 1.2.3.4/32 }', 'from: {}'), 'groups.A.ingress[0].from', 'exactly one of cidr or group');
      expectOne(variant(', from: { cidr: 1.2.3.4/32 }', ''), 'groups.A.ingress[0].from', 'from is required');
    });
    it('unknown group, with the known ones', () => {
      expectOne(variant('from: { group: A }', 'from: { group: B }'), 'groups.A.ingress[1].from.group', 'unknown group "B" (known: A, E, default');
    });
    it('cross-region group reference', () => {
      expectOne(
        variant('E: { region: eu-west-1 }', 'E: { region: eu-west-1, ingress: [ { from: { group: A } } ] }'),
        'groups.E.ingress[0].from.group',
        'group A is in region us-east-1, but this rule\'s group E is in eu-west-1',
      );
    });
    it('duplicate rule in a group (descriptions do not count)', () => {
      expectOne(
        variant('      - { protocol: tcp, ports: 3306', '      - { protocol: tcp, ports: "22", from: { cidr: 1.2.3.4/32 }, description: again }\n      - { protocol: tcp, ports: 3306'),
        'groups.A.ingress[1]',
        'duplicate rule: the same protocol, ports/icmp and source as groups.A.ingress[0]',
      );
    });
    it('limits: rules per group and groups per region (the default group counts)', () => {
      expectOne(BASE + 'settings: { limits: { rulesPerGroup: 1 } }\n', 'groups.A.ingress', 'group A has 2 rules; the limit is 1');
      expect(problems(BASE + 'settings: { limits: { groupsPerRegion: 1 } }\n').map(formatDiagnostic)).toEqual([
        'test.yaml: groups.A: region us-east-1 would have 2 groups (counting its default group); the limit is 1 (settings.limits.groupsPerRegion)',
        'test.yaml: groups.E: region eu-west-1 would have 2 groups (counting its default group); the limit is 1 (settings.limits.groupsPerRegion)',
      ]);
      // A declared default replaces the implicit one: still 2 groups in us-east-1.
      expect(problems(variant('  E: { region: eu-west-1 }', '  E: { region: eu-west-1 }\n  default: { region: us-east-1 }') + 'settings: { limits: { groupsPerRegion: 2 } }\n')).toEqual([]);
    });
  });

  describe('topology', () => {
    it('unknown region', () => {
      expectOne(variant('E: { region: eu-west-1 }', 'E: { region: eu-west-2 }'), 'groups.E.region', 'unknown region "eu-west-2" (known: us-east-1, eu-west-1');
    });
    it('missing region', () => {
      expectOne(variant('E: { region: eu-west-1 }', 'E: { description: x }'), 'groups.E.region', 'region is required');
    });
    it('no regions at all', () => {
      expectOne('version: 1\n', 'regions', 'declare at least one region');
      expectOne('version: 1\nregions: {}\n', 'regions', 'declare at least one region');
    });
    it('unknown zone, and a zone of another region', () => {
      expectOne(variant('zone: us-east-1b', 'zone: us-east-1c'), 'instances.db1.zone', 'zone "us-east-1c" is not a zone of region us-east-1 (its zones: us-east-1a, us-east-1b)');
      expectOne(variant('zone: us-east-1b', 'zone: eu-west-1a'), 'instances.db1.zone', 'is not a zone of region us-east-1');
    });
    it('zone names are unique', () => {
      expectOne(variant('eu-west-1: {}', 'eu-west-1: { zones: [us-east-1b] }'), 'regions.eu-west-1.zones[0]', 'zone us-east-1b is already declared at regions.us-east-1.zones[1]');
    });
    it('unknown group of an instance', () => {
      expectOne(variant('groups: [E]', 'groups: [B]'), 'instances.eu1.groups[0]', 'unknown group "B" (known: A, E, default');
    });
    it('an instance group of another region', () => {
      expectOne(variant('groups: [E]', 'groups: [E, A]'), 'instances.eu1.groups[1]', 'group A is in region us-east-1, but instance eu1 is in eu-west-1');
    });
    it('a group listed twice', () => {
      expectOne(variant('groups: [E]', 'groups: [E, E]'), 'instances.eu1.groups[1]', 'group E is listed twice');
    });
    it('addresses: private in 10/8, public outside, not publicIp and elasticIp together', () => {
      expectOne(variant('privateIp: 10.0.0.5', 'privateIp: 11.0.0.5'), 'instances.web1.privateIp', '11.0.0.5 is not a private address');
      expectOne(variant('publicIp: 54.0.0.5', 'publicIp: 10.9.0.5'), 'instances.web1.publicIp', 'a public IP must be a public address');
      expectOne(variant('admin: { ip: 1.2.3.4 }', 'admin: { ip: 10.1.2.3 }'), 'external.admin.ip', 'must be a public address');
      expectOne(variant('publicIp: 54.0.0.5,', 'publicIp: 54.0.0.5, elasticIp: 54.0.0.6,'), 'instances.web1.elasticIp', 'publicIp and elasticIp are not declared together');
      expectOne(variant('privateIp: 10.0.0.5', 'privateIp: 10.0.0.256'), 'instances.web1.privateIp', '"10.0.0.256" is not an IPv4 address');
    });
    it('a stopped instance declares no address', () => {
      expectOne(variant('eu1: { region: eu-west-1,', 'eu1: { region: eu-west-1, state: stopped, privateIp: 10.0.0.9,'), 'instances.eu1.privateIp', 'a stopped instance holds no addresses');
      expectOne(variant('eu1: { region: eu-west-1,', 'eu1: { region: eu-west-1, state: paused,'), 'instances.eu1.state', 'unknown state "paused" (expected running or stopped)');
    });
    it('duplicate address, any mix of hosts', () => {
      expectOne(variant('admin: { ip: 1.2.3.4 }', 'admin: { ip: 54.0.0.5 }'), 'external.admin.ip', '54.0.0.5 is already web1\'s publicIp (instances.web1.publicIp); no two hosts may declare the same address');
      expectOne(variant('eu1: { region: eu-west-1,', 'eu1: { region: eu-west-1, privateIp: 10.0.0.5,'), 'instances.eu1.privateIp', 'already web1\'s privateIp');
      expectOne(withTimeline('{ at: 5s, launch: { name: web9, region: us-east-1, elasticIp: 54.0.0.5 } }'), 'timeline[2].launch.elasticIp', 'already web1\'s publicIp');
      // Two instances declared at the start cannot both hold one Elastic IP…
      expectOne(variant('eu1: { region: eu-west-1, groups: [E] }', 'eu1: { region: us-east-1, elasticIp: 203.0.113.10 }'), 'instances.eu1.elasticIp', 'already db1\'s elasticIp');
    });
    it('an Elastic IP an instance declared may be launched with later: it moves (as associate moves it)', () => {
      const r = loadScenarioText(withTimeline('{ at: 5s, launch: { name: web9, region: us-east-1, elasticIp: 203.0.113.10 } }'), 'x.yaml', 'yaml');
      expect(r.ok ? [] : r.diagnostics).toEqual([]);
    });
    it('instances and external hosts share one namespace', () => {
      expectOne(variant('admin: { ip: 1.2.3.4 }', 'web1: { ip: 1.2.3.4 }').replace('from: admin', 'from: db1'), 'external.web1', '"web1" is already declared at instances.web1');
    });
    it('host names cannot hold a dot', () => {
      expectOne(variant('admin: { ip: 1.2.3.4 }', 'ad.min: { ip: 1.2.3.4 }').replace(/from: admin/, 'from: db1'), 'external["ad.min"]', 'may not contain "."');
    });
    it('services', () => {
      expectOne(variant('services: [tcp/22]', 'services: [tcp/22, sctp/9]'), 'instances.web1.services[1]', 'a service is tcp or udp, not sctp');
      expectOne(variant('services: [tcp/22]', 'services: [tcp/90-80]'), 'instances.web1.services[0]', 'reversed port range');
    });
    it('an Elastic IP belongs to one region', () => {
      expectOne(
        withTimeline('{ at: 2s, associate: { elasticIp: 203.0.113.10, instance: eu1 } }'),
        'timeline[2].associate.elasticIp',
        'Elastic IP 203.0.113.10 belongs to region us-east-1 (instances.db1.elasticIp), but eu1 is in eu-west-1',
      );
    });
  });

  describe('document', () => {
    it('wrong version, missing version', () => {
      expectOne(variant('version: 1', 'version: 2'), 'version', '2 is not a supported version (this sgsim reads version 1)');
      expectOne(variant('version: 1\n', ''), 'version', 'version is required');
    });
    it('vpc platform is reserved', () => {
      expectOne(BASE + 'platform: vpc\n', 'platform', 'platform vpc is reserved for a later version; version 1 supports classic');
      expectOne(BASE + 'platform: mainframe\n', 'platform', 'unknown platform "mainframe"');
    });
    it('unknown field anywhere, with the expected ones and a suggestion', () => {
      expectOne(variant('privateIp:', 'privateIP:'), 'instances.web1.privateIP', 'unknown field privateIP (expected one of region, zone, groups, privateIp, publicIp, elasticIp, services, state; did you mean privateIp?)');
      expectOne(BASE + 'flavour: x\n', 'flavour', 'unknown field flavour');
      expectOne(variant('{ protocol: tcp, ports: 22,', '{ protocol: tcp, port: 22, ports: 22,'), 'groups.A.ingress[0].port', 'unknown field port');
      expectOne(BASE + 'settings: { latency: { samezone: 1ms } }\n', 'settings.latency.samezone', 'did you mean sameZone?');
    });
    it('bad durations', () => {
      expectOne(BASE + 'settings: { propagationDelay: 5sec }\n', 'settings.propagationDelay', '"5sec" is not a duration (expected a number of milliseconds or a string such as 100us');
      expectOne(BASE + 'settings: { propagationDelay: -5 }\n', 'settings.propagationDelay', '-5 is negative');
      expectOne(BASE + 'settings: { propagationDelay: "-1s" }\n', 'settings.propagationDelay', 'is negative');
      expectOne(BASE + 'settings: { propagationDelay: "100" }\n', 'settings.propagationDelay', '"100" has no unit');
      expectOne(BASE + 'settings: { tcp: { initialRto: 0s } }\n', 'settings.tcp.initialRto', 'must be longer than 0');
      expectOne(variant('at: 1s,', 'at: soon,'), 'timeline[1].at', '"soon" is not a duration');
    });
    it('bad settings values', () => {
      expectOne(BASE + 'settings: { latency: { jitter: 1 } }\n', 'settings.latency.jitter', 'a number from 0 up to (not including) 1');
      expectOne(BASE + 'settings: { tcp: { synRetries: 21 } }\n', 'settings.tcp.synRetries', '21 is not a valid number of retries (expected an integer 0 to 20)');
      expectOne(BASE + 'settings: { limits: { rulesPerGroup: 0 } }\n', 'settings.limits.rulesPerGroup', 'expected an integer of at least 1');
      expectOne(BASE + 'settings: { tcp: 5 }\n', 'settings.tcp', 'expected a mapping of synRetries, initialRto');
    });
    it('a scenario is a mapping', () => {
      expectOne('- 1\n- 2\n', '', 'expected a scenario');
      expectOne('', '', 'the scenario is empty');
    });
  });

  describe('timeline', () => {
    it('unknown action', () => {
      expectOne(withTimeline('{ teleport: { from: admin } }'), 'timeline[2].teleport', 'unknown action "teleport" (expected one of connect, send, ping');
    });
    it('two actions in one entry, or none', () => {
      expectOne(withTimeline('{ ping: { from: admin, to: web1.public }, stop: web1 }'), 'timeline[2]', 'the entry has 2 actions (ping, stop)');
      expectOne(withTimeline('{ at: 3s, id: x }'), 'timeline[2]', 'the entry has no action (it holds only at, id); expected exactly one of connect, send');
      expectOne(withTimeline('{ ping: { from: admin, to: web1.public }, colour: red }'), 'timeline[2].colour', 'unknown field colour');
    });
    it('an expectation that does not fit the action', () => {
      expectOne(variant('expect: connected', 'expect: delivered'), 'timeline[0].expect', 'connect cannot expect "delivered" (a connect is connected, refused or timeout)');
      expectOne(variant('outcome: replied', 'outcome: connected'), 'timeline[1].expect.outcome', 'ping cannot expect "connected" (a ping is replied or timeout)');
      expectOne(variant('expect: connected', 'expect: success'), 'timeline[0].expect', 'unknown outcome "success"');
      expectOne(withTimeline('{ at: 3s, stop: web1, expect: timeout }'), 'timeline[2].expect', 'stop has no outcome to expect');
      expectOne(variant('path: private', 'path: both'), 'timeline[1].expect.path', 'unknown path "both" (expected private or public)');
      expectOne(variant('path: private', 'code: DENIED'), 'timeline[1].expect.code', 'unknown explanation code "DENIED"');
      expectOne(variant('path: private', 'redirected: maybe'), 'timeline[1].expect.redirected', 'expected true or false');
      expectOne(variant('expect: connected', 'expect: {}'), 'timeline[0].expect', 'expect is empty');
    });
    it('a bare instance name as address', () => {
      expectOne(variant('to: web1.public', 'to: web1'), 'timeline[0].connect.to', '"web1" is an instance; say which address: web1.private, web1.public, web1.eip or web1.dns');
      expectOne(variant('path: private', 'source: db1'), 'timeline[1].expect.source', '"db1" is an instance; say which address');
    });
    it('other address mistakes', () => {
      expectOne(variant('to: web1.public', 'to: web1.priv'), 'timeline[0].connect.to', 'unknown address kind "priv"');
      expectOne(variant('to: web1.public', 'to: web2.public'), 'timeline[0].connect.to', 'unknown host "web2" (known: web1, db1, eu1, admin; did you mean web1?)');
      expectOne(variant('to: web1.public', 'to: admin.public'), 'timeline[0].connect.to', 'admin is an external host with one address: write "admin"');
      expectOne(variant('to: web1.public', 'to: 300.1.2.3'), 'timeline[0].connect.to', '"300.1.2.3" is not an IPv4 address');
      expectOne(variant('from: admin, to', 'from: 1.2.3.4, to'), 'timeline[0].connect.from', 'from names the sending host');
      expectOne(variant('from: db1', 'from: db1.private'), 'timeline[1].ping.from', 'from names the sending host, not an address: write "db1"');
      expectOne(variant('from: admin, to', 'from: nobody, to'), 'timeline[0].connect.from', 'unknown host "nobody"');
    });
    it('ports and counts', () => {
      expectOne(variant('port: 22 }', 'port: 65536 }'), 'timeline[0].connect.port', '65536 is not a valid port (expected an integer 0 to 65535)');
      expectOne(variant(', port: 22 }', ' }'), 'timeline[0].connect.port', 'port is required');
      expectOne(withTimeline('{ send: { from: admin, to: web1.public, port: 53, count: 0 } }'), 'timeline[2].send.count', '0 is not a valid count');
    });
    it('revoke of a rule not held at that time', () => {
      expectOne(
        withTimeline('{ at: 2s, revoke: { group: A, rule: { protocol: tcp, ports: 23, from: { cidr: 1.2.3.4/32 } } } }'),
        'timeline[2].revoke.rule',
        'group A does not hold this rule (tcp 23 from 1.2.3.4/32) at 2s; its rules then: tcp 22 from 1.2.3.4/32, tcp 3306 from group A',
      );
      // Revoked once at 2s, so not held at 3s; in file order the second revoke comes first.
      expectOne(
        withTimeline(
          '{ at: 3s, revoke: { group: A, rule: { protocol: tcp, ports: 22, from: { cidr: 1.2.3.4/32 } } } }',
          '{ at: 2s, revoke: { group: A, rule: { protocol: tcp, ports: 22, from: { cidr: 1.2.3.4/32 }, description: d } } }',
        ),
        'timeline[2].revoke.rule',
        'group A does not hold this rule (tcp 22 from 1.2.3.4/32) at 3s',
      );
    });
    it('authorize of a rule already held, and after a revoke', () => {
      expectOne(
        withTimeline('{ at: 2s, authorize: { group: A, rule: { protocol: tcp, ports: 22, from: { cidr: 1.2.3.4/32 }, description: x } } }'),
        'timeline[2].authorize.rule',
        'group A already has this rule (groups.A.ingress[0])',
      );
      expect(
        problems(
          withTimeline(
            '{ at: 2s, revoke: { group: A, rule: { protocol: tcp, ports: 22, from: { cidr: 1.2.3.4/32 } } } }',
            '{ at: 3s, authorize: { group: A, rule: { protocol: tcp, ports: 22, from: { cidr: 1.2.3.4/32 } } } }',
          ),
        ),
      ).toEqual([]);
      expectOne(
        withTimeline('{ at: 2s, authorize: { group: A, rule: { protocol: tcp, ports: 25, from: { cidr: 1.2.3.4/32 } } } }') +
          'settings: { limits: { rulesPerGroup: 2 } }\n',
        'timeline[2].authorize.rule',
        'group A would have 3 rules; the limit is 2',
      );
    });
    it('authorize validates its rule in the group\'s region', () => {
      expectOne(
        withTimeline('{ authorize: { group: E, rule: { from: { group: A } } } }'),
        'timeline[2].authorize.rule.from.group',
        'group A is in region us-east-1, but this rule\'s group E is in eu-west-1',
      );
      expectOne(withTimeline('{ authorize: { group: Z, rule: { from: { group: A } } } }'), 'timeline[2].authorize.group', 'unknown group "Z"');
      expectOne(
        withTimeline('{ authorize: { group: default, rule: { protocol: tcp, ports: 1, from: { cidr: 0.0.0.0/0 } } } }'),
        'timeline[2].authorize.group',
        'group default is ambiguous with several regions: add region (one of us-east-1, eu-west-1)',
      );
      expect(
        problems(withTimeline('{ revoke: { group: default, region: eu-west-1, rule: { from: { group: default } } } }')),
      ).toEqual([]);
    });
    it('lifecycle: start, stop or associate of a terminated instance', () => {
      expectOne(withTimeline('{ at: 2s, terminate: web1 }', '{ at: 3s, start: web1 }'), 'timeline[3].start', 'instance web1 is terminated (by timeline[2] at 2s); a terminated instance cannot be started');
      expectOne(withTimeline('{ at: 2s, terminate: web1 }', '{ at: 3s, stop: web1 }'), 'timeline[3].stop', 'cannot be stopped');
      expectOne(withTimeline('{ at: 2s, terminate: web1 }', '{ at: 3s, terminate: web1 }'), 'timeline[3].terminate', 'already terminated');
      expectOne(
        withTimeline('{ at: 2s, terminate: web1 }', '{ at: 3s, associate: { elasticIp: 203.0.113.10, instance: web1 } }'),
        'timeline[3].associate.instance',
        'instance web1 is terminated',
      );
    });
    it('associate to an instance that is not running then', () => {
      expectOne(
        withTimeline('{ at: 2s, stop: web1 }', '{ at: 3s, associate: { elasticIp: 203.0.113.10, instance: web1 } }'),
        'timeline[3].associate.instance',
        'instance web1 is stopped at 3s; an Elastic IP can be associated only with a running instance',
      );
      expectOne(withTimeline('{ associate: { elasticIp: 1.2.3.4, instance: web1 } }'), 'timeline[2].associate.elasticIp', '1.2.3.4 is already admin\'s ip');
      expectOne(withTimeline('{ associate: { elasticIp: 203.0.113.10, instance: admin } }'), 'timeline[2].associate.instance', 'admin is an external host');
      expectOne(withTimeline('{ disassociate: { elasticIp: 203.0.113.99 } }'), 'timeline[2].disassociate.elasticIp', '203.0.113.99 is not an Elastic IP at 0s');
    });
    it('a name used before its launch, a launch of an existing name', () => {
      expectOne(
        withTimeline('{ at: 5s, stop: web9 }', '{ at: 6s, launch: { name: web9, region: us-east-1 } }'),
        'timeline[2].stop',
        'instance web9 does not exist yet at 5s: it is launched by timeline[3] at 6s',
      );
      expectOne(
        withTimeline('{ at: 6s, launch: { name: web9, region: us-east-1 } }', '{ at: 1s, ping: { from: admin, to: web9.private } }'),
        'timeline[3].ping.to',
        'does not exist yet at 1s',
      );
      expectOne(withTimeline('{ at: 6s, launch: { name: web1, region: us-east-1 } }'), 'timeline[2].launch.name', '"web1" already exists (instances.web1); a launch needs a new name');
      expectOne(withTimeline('{ at: 6s, launch: { name: web9, region: us-east-1, groups: [E] } }'), 'timeline[2].launch.groups[0]', 'group E is in region eu-west-1, but instance web9 is in us-east-1');
      expectOne(withTimeline('{ at: 6s, launch: { region: us-east-1 } }'), 'timeline[2].launch.name', 'name is required');
    });
    it('close and transfer name an earlier connect that has an id', () => {
      expectOne(withTimeline('{ at: 2s, close: c9 }'), 'timeline[2].close', 'no connect has id "c9" (connect ids: c1)');
      expectOne(withTimeline('{ at: 2s, transfer: p1 }', '{ at: 3s, id: p1, ping: { from: admin, to: web1.public } }'), 'timeline[2].transfer', '"p1" is the id of a ping (timeline[3]), not of a connect');
      expectOne(withTimeline('{ at: 2s, close: c2 }', '{ at: 3s, id: c2, connect: { from: admin, to: web1.public, port: 22 } }'), 'timeline[2].close', 'connect "c2" comes later (timeline[3] at 3s)');
      expectOne(withTimeline('{ at: 2s, close: c1 }', '{ at: 3s, transfer: c1 }'), 'timeline[3].transfer', 'connection "c1" is already closed by timeline[2]');
      expectOne(withTimeline('{ at: 2s, id: c1, ping: { from: admin, to: web1.public } }'), 'timeline[2].id', 'duplicate id "c1" (already used by timeline[0]');
    });
  });

  it('collects every problem, in file order', () => {
    const text = variant('version: 1', 'version: 3')
      .replace('ports: 22,', 'ports: "9-1",')
      .replace('to: web1.public', 'to: web1')
      .replace('privateIp: 10.0.0.5', 'privateIp: 1.0.0.5');
    expect(problems(text).map((d) => d.path)).toEqual([
      'version',
      'groups.A.ingress[0].ports',
      'instances.web1.privateIp',
      'timeline[0].connect.to',
    ]);
  });
});

describe('robustness', () => {
  const baseDoc = parseYaml(BASE) as unknown;
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]): void => {
    paths.push(path);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(baseDoc, []);

  function mutate(doc: unknown, path: (string | number)[], value: unknown): unknown {
    if (path.length === 0) return value;
    const copy = structuredClone(doc) as Record<string | number, unknown>;
    let cur = copy;
    for (const seg of path.slice(0, -1)) cur = cur[seg] as Record<string | number, unknown>;
    cur[path[path.length - 1]] = value;
    return copy;
  }

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
        const r = validateScenario(doc, 'fuzz.yaml');
        if (!r.ok) {
          expect(r.diagnostics.length).toBeGreaterThan(0);
          for (const d of r.diagnostics) expect(d.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500, seed: 20240601 },
    );
  });

  it('never throws on arbitrary documents', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (doc) => {
        expect(validateScenario(doc, 'fuzz.json').ok).toBe(false);
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('every setting of DEFAULT_SETTINGS can be written in a file', () => {
    const write = (v: unknown, key: string): unknown =>
      v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, write(x, k)])) : key === 'jitter' ? 0.5 : 1;
    const settings = write(DEFAULT_SETTINGS, '');
    const r = validateScenario({ version: 1, regions: { r: {} }, settings }, 's.yaml');
    expect(r.ok ? [] : r.diagnostics.map(formatDiagnostic)).toEqual([]);
  });
});

describe('syntax and files', () => {
  it('bad YAML gives the line and column', () => {
    const r = load('version: 1\nregions:\n  r1: {}\n r2: {}\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostics[0].path).toBe('line 4, column 1');
    expect(r.diagnostics[0].message).toContain('invalid YAML');
  });

  it('a duplicate YAML key is an error with its line', () => {
    const r = parseScenarioText('version: 1\nregions:\n  r1: {}\n  r1: { zones: [x] }\n', 'dup.yaml', 'yaml');
    expect(r).toEqual({ ok: false, diagnostics: [{ file: 'dup.yaml', path: 'line 4, column 3', message: expect.stringContaining('duplicate key "r1"') }] });
  });

  it('finds duplicate YAML keys in flow mappings, deep down, and every one of them, in file order', () => {
    const r = parseScenarioText(
      'version: 1\ngroups:\n  A: { region: r, region: s }\ninstances:\n  i: { region: r, services: [tcp/80] }\n  j: { region: r }\n  i: { region: r }\n  j: { region: r }\n',
      'dup.yaml',
      'yaml',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostics.map((d) => [d.path, d.message.replace(/ \(each key.*$/, '')])).toEqual([
      ['line 3, column 19', 'duplicate key "region"'],
      ['line 7, column 3', 'duplicate key "i"'],
      ['line 8, column 3', 'duplicate key "j"'],
    ]);
    // the same text with distinct keys is fine, and a 1 and a "1" are different keys
    expect(parseScenarioText('a: 1\nb: 2\n1: x\n"1": y\n', 'ok.yaml', 'yaml').ok).toBe(true);
  });

  it('bad JSON gives the line and column', () => {
    const r = parseScenarioText('{\n  "version": 1,\n  "regions": {,}\n}\n', 's.json', 'json');
    expect(r).toEqual({ ok: false, diagnostics: [{ file: 's.json', path: 'line 3, column 15', message: expect.stringContaining('invalid JSON') }] });
    const r2 = parseScenarioText('{"version": 1', 's.json', 'json');
    expect(r2.ok).toBe(false);
    if (!r2.ok) expect(r2.diagnostics[0].message).toContain('invalid JSON');
  });

  it('duplicate JSON keys are errors (JSON.parse would keep the last silently)', () => {
    const r = parseScenarioText('{"version": 1,\n "version": 1}', 's.json', 'json');
    expect(r).toEqual({ ok: false, diagnostics: [{ file: 's.json', path: 'line 2, column 2', message: 'duplicate key "version" (each key may appear once in an object)' }] });
  });

  it('valid JSON and YAML of the same scenario give deep-equal specs', async () => {
    mkdirSync(join(tmp, 'json'));
    mkdirSync(join(tmp, 'yaml'));
    const doc = parseYaml(CONTRACT_EXAMPLE) as Record<string, unknown>;
    delete doc.name; // both take their name from the file: scenario
    const jsonFile = join(tmp, 'json', 'scenario.json');
    const yamlFile = join(tmp, 'yaml', 'scenario.yml');
    writeFileSync(jsonFile, JSON.stringify(doc, null, 2));
    writeFileSync(yamlFile, CONTRACT_EXAMPLE.replace(/^name: .*\n/m, ''));
    const fromJson = await loadScenarioFile(jsonFile);
    const fromYaml = await loadScenarioFile(yamlFile);
    expect(fromJson.ok && fromYaml.ok).toBe(true);
    if (!fromJson.ok || !fromYaml.ok) return;
    expect(fromJson.file).toBe(jsonFile);
    expect(fromJson.spec.name).toBe('scenario');
    expect(fromJson.spec).toEqual(fromYaml.spec);
  });

  it('reports file problems in the file\'s diagnostics, never throws', async () => {
    const bad = join(tmp, 'bad.yaml');
    writeFileSync(bad, 'version: 1\nregions: { r1: {} }\ninstances:\n  a: { region: r2 }\n');
    expect(await loadScenarioFile(bad)).toEqual({
      ok: false,
      file: bad,
      diagnostics: [{ file: bad, path: 'instances.a.region', message: expect.stringContaining('unknown region "r2"') }],
    });
    const missing = join(tmp, 'missing.yaml');
    expect(await loadScenarioFile(missing)).toEqual({
      ok: false,
      file: missing,
      diagnostics: [{ file: missing, path: '', message: 'cannot read the file: no such file' }],
    });
    expect(await loadScenarioFile(tmp + '/')).toMatchObject({ ok: false });
    const dir = join(tmp, 'a-directory.yaml');
    mkdirSync(dir);
    expect(await loadScenarioFile(dir)).toMatchObject({ ok: false, diagnostics: [{ message: 'cannot read the file: it is a directory' }] });
    const txt = join(tmp, 'notes.txt');
    writeFileSync(txt, 'hello');
    expect(await loadScenarioFile(txt)).toMatchObject({ ok: false, diagnostics: [{ path: '', message: expect.stringContaining('unknown file type ".txt"') }] });
    const json = join(tmp, 'broken.json');
    writeFileSync(json, '{ "version": 1, }');
    expect(await loadScenarioFile(json)).toMatchObject({ ok: false, diagnostics: [{ file: json, path: 'line 1, column 17' }] });
  });

  it('an unreadable file (permissions) is a diagnostic', async () => {
    if (process.getuid?.() === 0) return; // root reads everything
    const locked = join(tmp, 'locked.yaml');
    writeFileSync(locked, 'version: 1\n');
    chmodSync(locked, 0o000);
    expect(await loadScenarioFile(locked)).toMatchObject({ ok: false, diagnostics: [{ message: 'cannot read the file: permission denied' }] });
  });
});

describe('diagnostics', () => {
  it('format as file: path: message, and as one error', () => {
    const d: Diagnostic[] = [
      { file: 'a.yaml', path: 'groups.A.ingress[1].ports', message: 'bad' },
      { file: 'a.yaml', path: '', message: 'worse' },
      { file: 'a.yaml', path: 'x', message: 'worst' },
    ];
    expect(formatDiagnostic(d[0])).toBe('a.yaml: groups.A.ingress[1].ports: bad');
    expect(formatDiagnostic(d[1])).toBe('a.yaml: worse');
    const err = new ScenarioInputError(d);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe('a.yaml: groups.A.ingress[1].ports: bad (and 2 more problems)');
    expect(new ScenarioInputError([d[1]]).message).toBe('a.yaml: worse');
    expect(err.diagnostics).toEqual(d);
  });

  it('validateScenario takes plain documents too', () => {
    const r = validateScenario({ version: 1, regions: { r: {} }, timeline: [{ ping: { from: 'x', to: '1.2.3.4' } }] }, '<doc>');
    expect(r).toEqual({
      ok: false,
      diagnostics: [{ file: '<doc>', path: 'timeline[0].ping.from', message: 'unknown host "x" (known: none)' }],
    });
  });
});
