/**
 * Tests of scenario/builder: the builder writes the very document YAML would, so both validate
 * to the same spec; loops work; `build()` throws every problem; `.ts` scripts load.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { scenario } from '../../src/scenario/builder.ts';
import { ScenarioInputError } from '../../src/scenario/diagnostics.ts';
import { loadScenarioFile, loadScenarioText, validateScenario } from '../../src/scenario/load.ts';
import { NS_PER_S, type ScenarioSpec } from '../../src/scenario/spec.ts';

const ELASTIC_IP_MOVED_YAML = `version: 1
name: Elastic IP moved
description: admin reaches web by its EIP rule only while web holds the EIP
seed: 7
settings:
  propagationDelay: 1s
  latency: { jitter: 0 }
regions:
  us-east-1: { zones: [us-east-1a] }
groups:
  A:
    region: us-east-1
    ingress:
      - { protocol: tcp, ports: 22, from: { cidr: 203.0.113.10/32 } }
instances:
  web: { region: us-east-1, groups: [A], services: [tcp/22] }
  peer: { region: us-east-1, elasticIp: 203.0.113.10 }
external:
  admin: { ip: 1.2.3.4 }
timeline:
  - at: 0s
    id: c1
    connect: { from: peer, to: web.public, port: 22 }
    expect: connected
  - at: 0s
    transfer: c1
    expect: delivered
  - at: 1s
    associate: { elasticIp: 203.0.113.10, instance: web }
  - at: 1s
    close: c1
  - at: 2s
    connect: { from: peer, to: web.public, port: 22 }
    expect: { outcome: timeout, code: ENI_SG_RULES_MISMATCH }
  - at: 3s
    authorize: { group: A, rule: { protocol: icmp, icmp: "8:-1", from: { cidr: 0.0.0.0/0 } } }
  - at: 3s
    launch: { name: web2, region: us-east-1, groups: [A] }
  - at: 4s
    send: { from: admin, to: web2.public, port: 53, count: 2 }
    expect: dropped
  - at: 4s
    ping: { from: admin, to: web2.dns }
    expect: { outcome: replied, path: public, source: admin }
  - at: 5s
    disassociate: { elasticIp: 203.0.113.10 }
  - at: 5s
    revoke: { group: A, rule: { protocol: icmp, icmp: "8:-1", from: { cidr: 0.0.0.0/0 } } }
  - at: 6s
    stop: web
  - at: 7s
    start: web
  - at: 8s
    terminate: web2
`;

function elasticIpMoved() {
  return scenario('Elastic IP moved', { seed: 7, description: 'admin reaches web by its EIP rule only while web holds the EIP' })
    .settings({ propagationDelay: '1s' })
    .settings({ latency: { jitter: 0 } })
    .region('us-east-1', { zones: ['us-east-1a'] })
    .group('A', { region: 'us-east-1', ingress: [{ protocol: 'tcp', ports: 22, from: { cidr: '203.0.113.10/32' } }] })
    .instance('web', { region: 'us-east-1', groups: ['A'], services: ['tcp/22'] })
    .instance('peer', { region: 'us-east-1', elasticIp: '203.0.113.10' })
    .external('admin', { ip: '1.2.3.4' })
    .at('0s')
    .connect({ from: 'peer', to: 'web.public', port: 22 }, { id: 'c1', expect: 'connected' })
    .transfer('c1', { expect: 'delivered' })
    .at('1s')
    .associate({ elasticIp: '203.0.113.10', instance: 'web' })
    .close('c1')
    .at('2s')
    .connect({ from: 'peer', to: 'web.public', port: 22 }, { expect: { outcome: 'timeout', code: 'ENI_SG_RULES_MISMATCH' } })
    .at('3s')
    .authorize({ group: 'A', rule: { protocol: 'icmp', icmp: '8:-1', from: { cidr: '0.0.0.0/0' } } })
    .launch('web2', { region: 'us-east-1', groups: ['A'] })
    .at('4s')
    .send({ from: 'admin', to: 'web2.public', port: 53, count: 2 }, { expect: 'dropped' })
    .ping({ from: 'admin', to: 'web2.dns' }, { expect: { outcome: 'replied', path: 'public', source: 'admin' } })
    .at('5s')
    .disassociate({ elasticIp: '203.0.113.10' })
    .revoke({ group: 'A', rule: { protocol: 'icmp', icmp: '8:-1', from: { cidr: '0.0.0.0/0' } } })
    .at('6s')
    .stop('web')
    .at('7s')
    .start('web')
    .at('8s')
    .terminate('web2');
}

function specOfYaml(text: string): ScenarioSpec {
  const r = loadScenarioText(text, 'elastic-ip-moved.yaml', 'yaml');
  if (!r.ok) throw new ScenarioInputError(r.diagnostics);
  return r.spec;
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'sgsim-builder-'));
  writeFileSync(join(tmp, 'package.json'), '{ "type": "module" }\n');
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('the builder', () => {
  it('writes the same plain document as the YAML', () => {
    expect(elasticIpMoved().toDocument()).toEqual(parseYaml(ELASTIC_IP_MOVED_YAML));
  });

  it('validates to the same spec as the equivalent YAML', () => {
    const fromYaml = specOfYaml(ELASTIC_IP_MOVED_YAML);
    const fromBuilder = elasticIpMoved().build();
    expect(fromBuilder).toEqual(fromYaml);
    expect(fromBuilder.timeline).toHaveLength(14);
    expect(fromBuilder.settings.propagationDelay).toBe(NS_PER_S);
    expect(fromBuilder.settings.latency.jitter).toBe(0);
    expect(validateScenario(elasticIpMoved().toDocument(), 'x')).toEqual({ ok: true, spec: fromYaml });
  });

  it('makes loops natural: each at() sets the time of the entries that follow', () => {
    const b = scenario('pings')
      .region('r1')
      .instance('a', { region: 'r1' })
      .instance('b', { region: 'r1' });
    b.ping({ from: 'a', to: 'b.private' }); // before any at(): time 0
    for (let i = 1; i <= 5; i++) b.at(i * 1000).ping({ from: 'a', to: 'b.private' }, { id: `p${i}`, expect: 'replied' });
    const spec = b.build();
    expect(spec.timeline.map((e) => [e.index, e.at, e.id])).toEqual([
      [0, 0, undefined],
      [1, NS_PER_S, 'p1'],
      [2, 2 * NS_PER_S, 'p2'],
      [3, 3 * NS_PER_S, 'p3'],
      [4, 4 * NS_PER_S, 'p4'],
      [5, 5 * NS_PER_S, 'p5'],
    ]);
    expect(b.toDocument().timeline?.[0]).toEqual({ ping: { from: 'a', to: 'b.private' } });
  });

  it('build() throws a ScenarioInputError with every problem, in file order', () => {
    const b = scenario('broken')
      .region('r1')
      .instance('a', { region: 'r2' })
      .at('1s')
      .connect({ from: 'a', to: 'a', port: 22 });
    expect(() => b.build()).toThrow(ScenarioInputError);
    try {
      b.build('broken.ts');
    } catch (err) {
      expect(err).toBeInstanceOf(ScenarioInputError);
      const e = err as ScenarioInputError;
      expect(e.diagnostics.map((d) => [d.file, d.path])).toEqual([
        ['broken.ts', 'instances.a.region'],
        ['broken.ts', 'timeline[0].connect.to'],
      ]);
      expect(e.message).toBe('broken.ts: instances.a.region: unknown region "r2" (known: r1) (and 1 more problem)');
    }
    expect(() => b.build()).toThrow(/^<builder>: instances\.a\.region/);
  });

  it('throws at once on a name declared twice (a duplicate key in YAML)', () => {
    expect(() => scenario('x').region('r1').region('r1')).toThrow('<builder>: regions.r1: region r1 is declared twice');
    expect(() => scenario('x').region('r1').group('A', { region: 'r1' }).group('A', { region: 'r1' })).toThrow(ScenarioInputError);
  });

  it('copies what it is given and what it returns', () => {
    const ingress = [{ protocol: 'tcp' as const, ports: 22, from: { cidr: '0.0.0.0/0' } }];
    const b = scenario('x').region('r1').group('A', { region: 'r1', ingress });
    ingress.push({ protocol: 'tcp', ports: 23, from: { cidr: '0.0.0.0/0' } });
    const doc = b.toDocument();
    expect(doc.groups?.A.ingress).toHaveLength(1);
    (doc.groups!.A.ingress as unknown[]).length = 0;
    expect(b.toDocument().groups?.A.ingress).toHaveLength(1);
  });

  it('accepts raw entries and string forms', () => {
    const spec = scenario('raw')
      .region('r1')
      .instance('a', { region: 'r1', elasticIp: '54.0.0.1' })
      .at('1s')
      .entry({ at: '500ms', stop: 'a' })
      .disassociate('54.0.0.1')
      .build();
    expect(spec.timeline.map((e) => [e.at, e.action.kind])).toEqual([
      [NS_PER_S / 2, 'stop'],
      [NS_PER_S, 'disassociate'],
    ]);
  });
});

describe('builder scripts (.ts)', () => {
  const builderUrl = new URL('../../src/scenario/builder.ts', import.meta.url).href;

  it('loads a script whose default export is a builder, like its YAML', async () => {
    const file = join(tmp, 'two-pings.ts');
    writeFileSync(
      file,
      [
        `import { scenario } from ${JSON.stringify(builderUrl)};`,
        `const b = scenario('two pings', { seed: 3 })`,
        `  .region('us-east-1')`,
        `  .group('A', { region: 'us-east-1', ingress: [{ protocol: 'icmp', from: { cidr: '0.0.0.0/0' } }] })`,
        `  .instance('web', { region: 'us-east-1', groups: ['A'] })`,
        `  .external('admin', { ip: '1.2.3.4' });`,
        `for (const t of ['1s', '2s']) b.at(t).ping({ from: 'admin', to: 'web.public' }, { expect: 'replied' });`,
        `export default b;`,
        ``,
      ].join('\n'),
    );
    const yaml = `version: 1
name: two pings
seed: 3
regions: { us-east-1: {} }
groups: { A: { region: us-east-1, ingress: [ { protocol: icmp, from: { cidr: 0.0.0.0/0 } } ] } }
instances: { web: { region: us-east-1, groups: [A] } }
external: { admin: { ip: 1.2.3.4 } }
timeline:
  - { at: 1s, ping: { from: admin, to: web.public }, expect: replied }
  - { at: 2s, ping: { from: admin, to: web.public }, expect: replied }
`;
    const r = await loadScenarioFile(file);
    if (!r.ok) throw new ScenarioInputError(r.diagnostics);
    expect(r.file).toBe(file);
    expect(r.spec).toEqual(specOfYaml(yaml));
  });

  it('loads a script whose default export is a plain document; the name defaults to the file name', async () => {
    const file = join(tmp, 'plain-doc.ts');
    writeFileSync(file, `export default { version: 1, regions: { 'us-east-1': {} } };\n`);
    const r = await loadScenarioFile(file);
    expect(r).toMatchObject({ ok: true, spec: { name: 'plain-doc', regions: [{ name: 'us-east-1', zones: ['us-east-1a'] }] } });
  });

  it('validates a script exactly like YAML', async () => {
    const file = join(tmp, 'invalid.ts');
    writeFileSync(file, `import { scenario } from ${JSON.stringify(builderUrl)};\nexport default scenario('x').region('r1').group('A', { region: 'r1', ingress: [{ protocol: 'tcp', ports: '90-80', from: { cidr: '1.2.3.4/32' } }] });\n`);
    expect(await loadScenarioFile(file)).toEqual({
      ok: false,
      file,
      diagnostics: [{ file, path: 'groups.A.ingress[0].ports', message: '"90-80" is a reversed port range (from > to)' }],
    });
  });

  it('reports scripts that fail, export nothing, or call build() themselves', async () => {
    const noDefault = join(tmp, 'no-default.ts');
    writeFileSync(noDefault, 'export const x = 1;\n');
    expect(await loadScenarioFile(noDefault)).toMatchObject({ ok: false, diagnostics: [{ file: noDefault, path: '', message: expect.stringContaining('no default export') }] });

    const throws = join(tmp, 'throws.ts');
    writeFileSync(throws, 'throw new Error("boom");\nexport default {};\n');
    expect(await loadScenarioFile(throws)).toMatchObject({ ok: false, diagnostics: [{ message: 'could not load the builder script: boom' }] });

    const number = join(tmp, 'number.ts');
    writeFileSync(number, 'export default 42;\n');
    expect(await loadScenarioFile(number)).toMatchObject({ ok: false, diagnostics: [{ message: expect.stringContaining('the default export is 42') }] });

    const builds = join(tmp, 'builds.ts');
    writeFileSync(builds, `import { scenario } from ${JSON.stringify(builderUrl)};\nexport default scenario('x').region('r1').instance('a', { region: 'r9' }).build();\n`);
    expect(await loadScenarioFile(builds)).toEqual({
      ok: false,
      file: builds,
      diagnostics: [{ file: builds, path: 'instances.a.region', message: 'unknown region "r9" (known: r1)' }],
    });
  });
});
