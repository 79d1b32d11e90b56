/** Bulk traffic: `repeat: { every, count }` on connect/send/ping (sgsim's extension). */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/index.ts';
import { renderText, type Palette } from '../../src/analysis/report.ts';
import { loadScenarioText } from '../../src/scenario/load.ts';

const BASE = `version: 1
name: bulk
regions: { us-east-1: {} }
groups: { A: { region: us-east-1, ingress: [ { protocol: tcp, ports: 80, from: { cidr: 0.0.0.0/0 } } ] } }
instances: { web: { region: us-east-1, groups: [A], services: [tcp/80] } }
external: { c: { ip: 192.0.2.1 } }
timeline:
`;

describe('repeat', () => {
  it('runs a traffic action count times, every apart, each a flow of its own', () => {
    const r = loadScenarioText(`${BASE}  - { at: 1s, repeat: { every: 10ms, count: 4 }, connect: { from: c, to: web.public, port: 80 }, expect: connected }\n`, 'b.yaml', 'yaml');
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    expect(r.spec.timeline[0].repeat).toEqual({ every: 10_000_000, count: 4 });
    const report = runScenario(r.spec);
    expect(report.flows.map((f) => f.atMs)).toEqual([1000, 1010, 1020, 1030]);
    expect(report.flows.every((f) => f.outcome === 'connected' && f.ok === true)).toBe(true);
    expect(report.expectations).toEqual({ total: 4, failed: 0 });
  });

  it.each([
    ['{ every: 0s, count: 3 }', 'timeline[0].repeat.every', 'longer than 0'],
    ['{ every: 1s, count: 0 }', 'timeline[0].repeat.count', 'integer from 1'],
    ['{ every: 1s }', 'timeline[0].repeat.count', 'needs count'],
    ['{ count: 2 }', 'timeline[0].repeat.every', 'needs every'],
    ['{ every: 1s, count: 2, jitter: 1 }', 'timeline[0].repeat.jitter', 'unknown field'],
  ])('rejects repeat %s', (repeat, path, message) => {
    const r = loadScenarioText(`${BASE}  - { at: 0s, repeat: ${repeat}, ping: { from: c, to: web.public } }\n`, 'b.yaml', 'yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostics[0].path).toBe(path);
    expect(r.diagnostics[0].message).toContain(message);
  });

  it('only traffic repeats', () => {
    const r = loadScenarioText(`${BASE}  - { at: 0s, repeat: { every: 1s, count: 2 }, stop: web }\n`, 'b.yaml', 'yaml');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics[0]).toMatchObject({ path: 'timeline[0].repeat', message: 'only connect, send and ping can repeat, not stop' });
  });

  it('numbers the repetitions in the report (repetition, 0 for the first) and shows each as id[k]', () => {
    const r = loadScenarioText(
      `${BASE}  - { at: 1s, id: burst, repeat: { every: 10ms, count: 3 }, connect: { from: c, to: web.public, port: 80 } }\n  - { at: 2s, ping: { from: c, to: web.public } }\n`,
      'b.yaml',
      'yaml',
    );
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    const report = runScenario(r.spec);
    expect(report.flows.map((f) => [f.id, f.repetition, f.index])).toEqual([
      ['burst', 0, 0],
      ['burst', 1, 1],
      ['burst', 2, 2],
      [undefined, undefined, 3],
    ]);
    const plain: Palette = { bold: (t: string) => t, dim: (t: string) => t, cyan: (t: string) => t, green: (t: string) => t, red: (t: string) => t, yellow: (t: string) => t };
    const text = renderText(report, plain);
    expect(text).toContain('burst[0]');
    expect(text).toContain('burst[2]');
    expect(text).toContain('#3');
  });

  it('a transfer or close naming a repeated connect acts on its latest repetition that has run', () => {
    // Repetition 0 connects; the rule is revoked; repetition 1 is denied and times out. The
    // transfer (after both) goes on repetition 1, which is not open.
    const r = loadScenarioText(
      `${BASE}  - { at: 0s, id: c1, repeat: { every: 1s, count: 2 }, connect: { from: c, to: web.public, port: 80 } }
  - { at: 500ms, revoke: { group: A, rule: { protocol: tcp, ports: 80, from: { cidr: 0.0.0.0/0 } } } }
  - { at: 200s, transfer: c1 }
`,
      'b.yaml',
      'yaml',
    );
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    const report = runScenario(r.spec);
    expect(report.flows.map((f) => [f.action, f.repetition, f.outcome])).toEqual([
      ['connect', 0, 'connected'],
      ['connect', 1, 'timeout'],
      ['transfer', undefined, 'dropped'],
    ]);
    expect(report.flows[2].explanation.code).toBe('CONNECTION_NOT_OPEN');
  });

  it('a close acts on the latest repetition that has run: a transfer on a later one is fine, on the closed one an error', () => {
    const connect = `  - { at: 0s, id: c, repeat: { every: 1s, count: 3 }, connect: { from: c, to: web.public, port: 80 } }\n  - { at: 500ms, close: c }\n`;
    const ok = loadScenarioText(`${BASE}${connect}  - { at: 1500ms, transfer: c }\n  - { at: 2500ms, close: c }\n`, 'b.yaml', 'yaml');
    expect(ok.ok ? [] : ok.diagnostics).toEqual([]);
    // At 1.7s repetition 1 is the latest, closed at 1.6s.
    const closed = loadScenarioText(`${BASE}${connect}  - { at: 1600ms, close: c }\n  - { at: 1700ms, transfer: c }\n`, 'b.yaml', 'yaml');
    expect(closed.ok ? [] : closed.diagnostics.map((d) => [d.path, d.message])).toEqual([
      ['timeline[3].transfer', 'connection "c" (its repetition 1, the latest to have run at 1.7s) is already closed by timeline[2]'],
    ]);
    // At 2s, the time of repetition 2, the entry runs first (the repetition is scheduled when
    // the one before it runs): it still names repetition 1.
    const tie = loadScenarioText(`${BASE}${connect}  - { at: 1600ms, close: c }\n  - { at: 2s, transfer: c }\n`, 'b.yaml', 'yaml');
    expect(tie.ok ? [] : tie.diagnostics.map((d) => d.path)).toEqual(['timeline[3].transfer']);
    // After the last repetition, a close of it and then another close: the second is an error.
    const last = loadScenarioText(`${BASE}${connect}  - { at: 10s, close: c }\n  - { at: 11s, close: c }\n`, 'b.yaml', 'yaml');
    expect(last.ok ? [] : last.diagnostics.map((d) => d.message)).toEqual([
      'connection "c" (its repetition 2, the latest to have run at 11s) is already closed by timeline[2]',
    ]);
  });
});
