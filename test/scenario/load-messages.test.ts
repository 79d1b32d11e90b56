/**
 * Tests of the loader's messages: in sgsim's own words (no library text), never contradicting
 * themselves, user-given names shown with control and bidi characters escaped, every
 * diagnostic of a file returned, and the document's platform field.
 */
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, loadScenarioText, validateScenario, type Diagnostic } from '../../src/index.ts';
import { showText } from '../../src/scenario/diagnostics.ts';

const BASE = `version: 1
regions: { r1: {} }
instances:
  web: { region: r1, privateIp: 10.0.0.5 }
`;

function problems(text: string): Diagnostic[] {
  const r = loadScenarioText(text, 'm.yaml', 'yaml');
  return r.ok ? [] : r.diagnostics;
}

describe('addresses are refused in sgsim\'s own words', () => {
  it.each([
    ['privateIp: 010.0.0.1/8', 'instances.web.privateIp', '"010.0.0.1/8" is not an IPv4 address: it is a CIDR block (an address is written without a prefix length such as /8)'],
    ['elasticIp: 203.0.113.5/32', 'instances.web.elasticIp', '"203.0.113.5/32" is not an IPv4 address: it is a CIDR block (an address is written without a prefix length such as /32)'],
    ['privateIp: 010.0.0.1', 'instances.web.privateIp', '"010.0.0.1" is not an IPv4 address (octets may not have leading zeros)'],
    ['privateIp: 10.0.0.300', 'instances.web.privateIp', '"10.0.0.300" is not an IPv4 address (300 is more than 255; each of the four numbers is 0 to 255)'],
    ['privateIp: 10.0.1', 'instances.web.privateIp', '"10.0.1" is not an IPv4 address (expected four numbers 0 to 255 separated by dots, such as 10.0.0.5)'],
  ])('%s', (field, path, message) => {
    const text = BASE.replace('privateIp: 10.0.0.5', field);
    expect(problems(text).map((d) => [d.path, d.message])).toEqual([[path, message]]);
  });

  it('no ip-num text reaches a message, whatever the address', () => {
    for (const v of ['010.0.0.1/8', '203.0.113.5/32', '1.2.3.4/33', '999.1.1.1', '1.2.3.4.5', '::1', '1.2.3.-4', '10.0.0.5/']) {
      for (const d of problems(BASE.replace('10.0.0.5', JSON.stringify(v)))) {
        expect(d.message).not.toMatch(/8bit|Value is|greater than|less than zero|ip-num/i);
      }
    }
  });
});

describe('no message contradicts itself', () => {
  class Thing {
    region = 'r1';
  }
  const cases: [string, unknown, string][] = [
    ['a class instance', new Thing(), 'an instance of Thing, not a plain mapping'],
    ['an object whose fields are inherited', Object.create({ region: 'r1' }), 'an object that inherits its fields from a prototype, not a plain mapping'],
    ['a Map (YAML !!omap)', new Map([['region', 'r1']]), 'an ordered map (YAML !!omap or !!pairs), not a plain mapping'],
    ['a Set (YAML !!set)', new Set(['r1']), 'a set (YAML !!set), not a plain mapping or list'],
  ];
  it.each(cases)('%s where a mapping is expected says what it is', (_, value, said) => {
    const r = validateScenario({ version: 1, regions: { r1: {} }, instances: { web: value } }, '<doc>');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0].path).toBe('instances.web');
    expect(r.diagnostics[0].message).toContain(`got ${said}`);
    expect(r.diagnostics[0].message).not.toMatch(/expected (a|an) [^,]*mapping.*got a mapping$/);
  });

  it('YAML !!omap, !!set and merge keys, from a file', () => {
    const text = `version: 1
regions: { r1: {} }
base: &b { region: r1 }
instances:
  a: { <<: *b }
  b: !!omap [ { region: r1 } ]
  c: { region: r1, groups: !!set { A } }
`;
    expect(problems(text).map((d) => [d.path, d.message])).toEqual([
      ['base', expect.stringContaining('unknown field base')],
      ['instances.a.region', 'region is required (known regions: r1)'],
      ['instances.a["<<"]', 'YAML merge keys (<<) are not read in scenario files; write the fields out'],
      ['instances.b', expect.stringContaining('got an ordered map (YAML !!omap or !!pairs), not a plain mapping')],
      ['instances.c.groups', 'expected group names (a list), got a set (YAML !!set), not a plain mapping or list'],
    ]);
  });
});

describe('names are shown with control and bidi characters escaped', () => {
  it('showText escapes controls, bidi and format characters, separators and lone surrogates, and nothing else', () => {
    expect(showText('web\u202e1')).toBe('web\\u202e1');
    expect(showText('a\u0007b\u001b[31m\nc\u2028\u2066d\u200b')).toBe('a\\u0007b\\u001b[31m\\u000ac\\u2028\\u2066d\\u200b');
    expect(showText('x\ud800y')).toBe('x\\ud800y');
    expect(showText('Zürich 東京 🚀 — ok')).toBe('Zürich 東京 🚀 — ok');
    expect(showText(showText('a\u202eb'))).toBe(showText('a\u202eb'));
  });

  it('in every message, path and file name', () => {
    const evil = 'g\u202eevil\u0007';
    const r = validateScenario(
      { version: 1, regions: { r1: {} }, groups: { [evil]: { region: 'r2' } }, instances: { web: { region: 'r1', groups: [`x\u2067y`] } } },
      'file\u202e.yaml',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const lines = r.diagnostics.map(formatDiagnostic);
    expect(lines).toEqual([
      'file\\u202e.yaml: groups["g\\u202eevil\\u0007"].region: unknown region "r2" (known: r1)',
      'file\\u202e.yaml: instances.web.groups[0]: unknown group "x\\u2067y" (known: g\\u202eevil\\u0007, default)',
    ]);
    for (const line of lines) expect(line).not.toMatch(/[\u0000-\u001f\u202a-\u202e\u2066-\u2069]/);
    expect(r.diagnostics[0].file).toBe('file\u202e.yaml'); // the record keeps the name the caller gave
  });
});

describe('every diagnostic of a file is returned', () => {
  it('not the first and a count', () => {
    const text = `version: 2
regions: { r1: {} }
instances:
${Array.from({ length: 30 }, (_, i) => `  h${i}: { region: r${i + 2} }`).join('\n')}
`;
    const found = problems(text);
    expect(found).toHaveLength(31);
    expect(found[0].path).toBe('version');
    expect(found.slice(1).map((d) => d.path)).toEqual(Array.from({ length: 30 }, (_, i) => `instances.h${i}.region`));
  });
});

describe('platform', () => {
  it('classic (what sgsim generate writes) is accepted and the default', () => {
    expect(problems(`${BASE}platform: classic\n`)).toEqual([]);
  });
  it('vpc is not supported yet, at field platform', () => {
    expect(problems(`${BASE}platform: vpc\n`)).toEqual([
      { file: 'm.yaml', path: 'platform', message: 'platform vpc is reserved for a later version; version 1 supports classic (platform vpc is not supported yet)' },
    ]);
  });
});
