/**
 * Tests of the loader's bounds: whatever a document asks for is either run or refused at its
 * field path; nothing a document holds (a count, a depth, a cycle) can make the loader throw
 * or the kernel fail.
 */
import { describe, expect, it } from 'vitest';
import { MAX_DEPTH, loadScenarioText, parseScenarioText, validateScenario } from '../../src/scenario/load.ts';
import { runScenario } from '../../src/index.ts';

const BASE = `version: 1
regions: { us-east-1: {} }
groups: { A: { region: us-east-1, ingress: [ { protocol: udp, ports: 53, from: { cidr: 0.0.0.0/0 } } ] } }
instances: { web: { region: us-east-1, groups: [A], services: [udp/53] } }
external: { c: { ip: 192.0.2.1 } }
timeline:
`;

function problems(text: string, format: 'yaml' | 'json' = 'yaml'): { path: string; message: string }[] {
  const r = loadScenarioText(text, `t.${format}`, format);
  return r.ok ? [] : r.diagnostics.map(({ path, message }) => ({ path, message }));
}

describe('traffic counts', () => {
  it('a send of up to 10^6 datagrams runs; more is refused at send.count', () => {
    expect(problems(`${BASE}  - { send: { from: c, to: web.public, port: 53, count: 1000000 } }\n`)).toEqual([]);
    expect(problems(`${BASE}  - { send: { from: c, to: web.public, port: 53, count: 1000001 } }\n`)).toEqual([
      { path: 'timeline[0].send.count', message: '1000001 is not a valid count (expected an integer 1 to 1000000)' },
    ]);
    // 2^22 + 1 datagrams at once crashed the kernel's queue before it was bounded and grown.
    expect(problems(`${BASE}  - { send: { from: c, to: web.public, port: 53, count: 4194305 } }\n`)[0].path).toBe('timeline[0].send.count');
    expect(problems(`${BASE}  - { send: { from: c, to: web.public, port: 53, count: 1e300 } }\n`)[0].path).toBe('timeline[0].send.count');
  });

  it('repeat.count up to 10^7; the timeline\'s flows and datagrams in all are bounded too', () => {
    expect(problems(`${BASE}  - { repeat: { every: 1ms, count: 10000001 }, ping: { from: c, to: web.public } }\n`)).toEqual([
      { path: 'timeline[0].repeat.count', message: 'count must be an integer from 1 to 10000000, got 10000001' },
    ]);
    const twice = `  - { repeat: { every: 1ms, count: 6000000 }, ping: { from: c, to: web.public } }\n`;
    expect(problems(BASE + twice + twice)).toEqual([
      { path: 'timeline', message: 'the timeline asks for 12,000,000 flows in all (repetitions counted); the limit is 10,000,000' },
    ]);
    expect(problems(`${BASE}  - { repeat: { every: 1ms, count: 1000 }, send: { from: c, to: web.public, port: 53, count: 1000000 } }\n`)).toEqual([
      { path: 'timeline', message: 'the timeline sends 1,000,000,000 datagrams in all (send counts times repetitions); the limit is 100,000,000' },
    ]);
  });

  it('a send of many datagrams runs to the end', () => {
    const r = loadScenarioText(`${BASE}  - { send: { from: c, to: web.public, port: 53, count: 100000 }, expect: delivered }\n`, 'big.yaml', 'yaml');
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    const report = runScenario(r.spec);
    expect(report.flows.map((f) => [f.outcome, f.ok])).toEqual([['delivered', true]]);
  }, 30_000);
});

describe('nesting', () => {
  const deepJson = (n: number): string => `{"version":1,"regions":{"r":{}},"name":${'['.repeat(n)}${']'.repeat(n)}}`;

  it('JSON nested deeper than the limit is refused at the field path where it goes too deep', () => {
    expect(problems(deepJson(MAX_DEPTH - 2), 'json')).toEqual([{ path: 'name', message: expect.stringContaining('expected the scenario name') }]);
    for (const n of [MAX_DEPTH, 100_000]) {
      const found = problems(deepJson(n), 'json');
      expect(found).toEqual([{ path: `name${'[0]'.repeat(MAX_DEPTH - 1)}`, message: 'nested deeper than 100 levels (a scenario nests at most 7)' }]);
    }
  });

  it('YAML nested too deep is refused at its line and column before the parser recurses', () => {
    for (const n of [150, 100_000]) {
      expect(problems(`version: 1\nregions: { r: {} }\nname: ${'['.repeat(n)}${']'.repeat(n)}\n`)).toEqual([
        { path: 'line 3, column 106', message: 'nested deeper than 100 levels (a scenario nests at most 7)' },
      ]);
    }
    let block = 'version: 1\nregions: { r: {} }\nname:\n';
    for (let i = 1; i <= 2000; i++) block += `${' '.repeat(i)}-\n`;
    expect(problems(block)).toEqual([{ path: 'line 102, column 100', message: 'nested deeper than 100 levels (a scenario nests at most 7)' }]);
  });

  it('the YAML scan is not fooled by brackets in strings, comments and block scalars', () => {
    const text = `version: 1
regions: { r: {} }
name: "${'['.repeat(300)}"
description: |
  ${'{'.repeat(300)}
  more text [[[ with brackets
seed: '${'['.repeat(300)}' # ${'['.repeat(300)}
`;
    expect(problems(text)).toEqual([]);
  });

  it('YAML aliases that would nest or grow beyond what the text shows are refused in sgsim\'s words', () => {
    let text = 'version: 1\nregions: { r: {} }\nx0: &a0 [1]\n';
    for (let i = 1; i <= 150; i++) text += `x${i}: &a${i} [*a${i - 1}, *a${i - 1}]\n`;
    const r = parseScenarioText(text, 'alias.yaml', 'yaml');
    expect(r).toEqual({
      ok: false,
      diagnostics: [{ file: 'alias.yaml', path: '', message: 'invalid YAML: its aliases expand to too much (more than 1000 expansions); write the values out' }],
    });
  });

  it('a document from code may be any depth or hold a cycle: refused at its path, never a stack overflow', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(validateScenario({ version: 1, regions: { r: {} }, name: deep }, '<doc>')).toEqual({
      ok: false,
      diagnostics: [{ file: '<doc>', path: `name${'[0]'.repeat(MAX_DEPTH - 1)}`, message: 'nested deeper than 100 levels (a scenario nests at most 7)' }],
    });
    const cyclic: Record<string, unknown> = { version: 1, regions: { r: {} } };
    cyclic.groups = { A: { region: 'r', ingress: [cyclic] } };
    expect(validateScenario(cyclic, '<doc>')).toEqual({
      ok: false,
      diagnostics: [{ file: '<doc>', path: 'groups.A.ingress[0]', message: 'the document refers to itself here (a cycle); a scenario is a tree' }],
    });
    // The same object twice, not in a cycle, is fine.
    const rule = { protocol: 'tcp', ports: 22, from: { cidr: '0.0.0.0/0' } };
    const shared = validateScenario({ version: 1, regions: { r: {} }, groups: { A: { region: 'r', ingress: [rule] }, B: { region: 'r', ingress: [rule] } } }, '<doc>');
    expect(shared.ok).toBe(true);
  });

  it('a document from code that throws when read (a getter, a Proxy) is one diagnostic at the field, never a throw', () => {
    const getter = { version: 1, regions: { r: {} }, get instances(): unknown {
      throw new Error('boom');
    } };
    expect(validateScenario(getter, '<doc>')).toEqual({
      ok: false,
      diagnostics: [{ file: '<doc>', path: '', message: 'reading this value threw Error: boom (a scenario document is plain data)' }],
    });
    const trap = new Proxy({}, { getPrototypeOf: () => { throw new TypeError('no'); } });
    const r = validateScenario({ version: 1, regions: { r: {} }, instances: { web: trap } }, '<doc>');
    expect(r).toEqual({
      ok: false,
      diagnostics: [{ file: '<doc>', path: 'instances.web', message: 'reading this value threw TypeError: no (a scenario document is plain data)' }],
    });
    // A key named __proto__ stays a key (an unknown field), as JSON.parse keeps it.
    const proto = validateScenario(JSON.parse('{"version":1,"regions":{"r":{}},"__proto__":{"x":1}}'), '<doc>');
    expect(proto.ok ? [] : proto.diagnostics.map((d) => d.path)).toEqual(['__proto__']);
  });
});
