/**
 * test/scenario/generate: the scenario generator (src/scenario/generate.ts).
 *
 * Owns: determinism by seed (same options, same document and world input; another seed,
 * another world; flows never change the world), the sizes asked for (instances, groups,
 * exactly rulesPerGroup distinct rules, regions with real names, about 5% Elastic IPs, F
 * timeline entries), the shape of the tiers (group references stay in their region; web opens
 * 80/443 to 0.0.0.0/0; instances listen on their tier's ports), that a generated document
 * passes validateScenario (flows included) and runs with runScenario, and that the document
 * and the WorldInput describe the same world.
 * Does not own: the loader's or the world's own behaviour (their tests).
 */
import { describe, expect, it } from 'vitest';
import { generateScenario, generateWorldInput, REGION_NAMES, TIERS, type GenerateOptions } from '../../src/scenario/generate.ts';
import { validateScenario } from '../../src/scenario/load.ts';
import { runScenario } from '../../src/scenario/run.ts';
import { createWorld, allInstances } from '../../src/model/world.ts';
import { formatIp } from '../../src/net/ipv4.ts';
import type { GroupDoc, InstanceDoc, RuleDoc } from '../../src/scenario/schema.ts';

const SMALL: GenerateOptions = { instances: 120, groups: 24, rulesPerGroup: 8, regions: 3, seed: 'gen-test', flows: 60 };

describe('generateScenario: determinism', () => {
  it('gives the same document for the same options', () => {
    expect(JSON.stringify(generateScenario(SMALL))).toBe(JSON.stringify(generateScenario({ ...SMALL })));
  });

  it('gives another world for another seed', () => {
    const a = generateScenario(SMALL);
    const b = generateScenario({ ...SMALL, seed: 'other' });
    expect(JSON.stringify(b.groups)).not.toBe(JSON.stringify(a.groups));
    expect(JSON.stringify(b.instances)).not.toBe(JSON.stringify(a.instances));
  });

  it('numeric and string seeds agree', () => {
    expect(JSON.stringify(generateScenario({ ...SMALL, seed: 42 }))).toBe(JSON.stringify(generateScenario({ ...SMALL, seed: '42' })));
  });

  it('asking for flows does not change the world', () => {
    const a = generateScenario({ ...SMALL, flows: 0 });
    const b = generateScenario(SMALL);
    expect(JSON.stringify(a.groups)).toBe(JSON.stringify(b.groups));
    expect(JSON.stringify(a.instances)).toBe(JSON.stringify(b.instances));
    expect(a.timeline).toEqual([]);
  });

  it('gives the same WorldInput for the same options', () => {
    const a = generateWorldInput(SMALL);
    const b = generateWorldInput(SMALL);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});

describe('generateScenario: sizes and shape', () => {
  const doc = generateScenario(SMALL);
  const groups = Object.entries(doc.groups ?? {}) as [string, GroupDoc][];
  const instances = Object.entries(doc.instances ?? {}) as [string, InstanceDoc][];

  it('has the regions, groups, rules, instances and flows asked for', () => {
    expect(Object.keys(doc.regions)).toEqual(REGION_NAMES.slice(0, 3));
    expect(groups).toHaveLength(SMALL.groups);
    for (const [, g] of groups) expect(g.ingress).toHaveLength(SMALL.rulesPerGroup);
    expect(instances).toHaveLength(SMALL.instances);
    expect(doc.timeline).toHaveLength(SMALL.flows!);
    for (const e of doc.timeline ?? []) {
      expect(e.expect).toBeUndefined();
      expect(Boolean(e.connect) || Boolean(e.send) || Boolean(e.ping)).toBe(true);
    }
  });

  it('splits each region into tiers whose group references stay in the region', () => {
    const regionOf = new Map(groups.map(([name, g]) => [name, g.region]));
    for (const [name, g] of groups) {
      expect(TIERS.some((t) => name.includes(`-${t}-`))).toBe(true);
      for (const r of g.ingress ?? []) {
        if ('group' in r.from) expect(regionOf.get(r.from.group)).toBe(g.region);
      }
    }
    const web = groups.filter(([name]) => name.includes('-web-'));
    expect(web.length).toBeGreaterThan(0);
    for (const [, g] of web) {
      const open = (g.ingress ?? []).filter((r: RuleDoc) => 'cidr' in r.from && r.from.cidr === '0.0.0.0/0').map((r) => r.ports);
      expect(open).toEqual(expect.arrayContaining([80, 443]));
    }
    // app groups admit from a web group of their region
    const app = groups.filter(([name]) => name.includes('-app-'));
    for (const [, g] of app) expect((g.ingress ?? []).some((r) => 'group' in r.from && r.from.group.includes('-web-'))).toBe(true);
  });

  it('uses CIDRs of many prefix lengths', () => {
    const prefixes = new Set<number>();
    for (const [, g] of groups) for (const r of g.ingress ?? []) if ('cidr' in r.from) prefixes.add(Number(r.from.cidr.split('/')[1]));
    expect(prefixes.size).toBeGreaterThan(10);
  });

  it('gives instances their tier services, groups of their region, and about 5% Elastic IPs', () => {
    const big = generateScenario({ instances: 4000, groups: 30, rulesPerGroup: 5, regions: 2, seed: 3 });
    const list = Object.entries(big.instances ?? {}) as [string, InstanceDoc][];
    const eips = list.filter(([, i]) => i.elasticIp !== undefined).length;
    expect(eips / list.length).toBeGreaterThan(0.035);
    expect(eips / list.length).toBeLessThan(0.065);
    const regionOf = new Map(Object.entries(big.groups ?? {}).map(([n, g]) => [n, g.region]));
    for (const [name, i] of list) {
      for (const g of i.groups ?? []) expect(regionOf.get(g)).toBe(i.region);
      if (name.startsWith('web-')) expect(i.services).toEqual(['tcp/80', 'tcp/443', 'tcp/22']);
      if (name.startsWith('db-')) expect(i.services).toContain('tcp/5432');
    }
    expect(new Set(list.map(([, i]) => i.elasticIp).filter(Boolean)).size).toBe(eips);
  });

  it('rejects sizes it cannot honour', () => {
    expect(() => generateScenario({ ...SMALL, regions: 0 })).toThrow(RangeError);
    expect(() => generateScenario({ ...SMALL, regions: REGION_NAMES.length + 1 })).toThrow(RangeError);
    expect(() => generateScenario({ ...SMALL, instances: -1 })).toThrow(RangeError);
  });

  it('handles tiny worlds: fewer groups than regions, no rules, no instances', () => {
    for (const o of [
      { instances: 10, groups: 1, rulesPerGroup: 0, regions: 3, seed: 1, flows: 5 },
      { instances: 0, groups: 0, rulesPerGroup: 3, regions: 1, seed: 1, flows: 5 },
      { instances: 5, groups: 6, rulesPerGroup: 1, regions: 1, seed: 1, flows: 5 },
    ]) {
      const v = validateScenario(generateScenario(o), 'tiny.json');
      expect(v.ok ? [] : v.diagnostics).toEqual([]);
    }
  });
});

describe('generateScenario: loads and runs', () => {
  it('passes validateScenario, flows included, and runs with runScenario', () => {
    const doc = generateScenario(SMALL);
    const v = validateScenario(doc, 'generated.json');
    expect(v.ok ? [] : v.diagnostics).toEqual([]);
    if (!v.ok) return;
    expect(v.spec.instances).toHaveLength(SMALL.instances);
    expect(v.spec.timeline).toHaveLength(SMALL.flows!);
    const report = runScenario(v.spec);
    expect(report.flows).toHaveLength(SMALL.flows!);
    for (const f of report.flows) expect(['connected', 'refused', 'timeout', 'delivered', 'dropped', 'replied']).toContain(f.outcome);
    // A realistic mix: some traffic admitted, some dropped.
    expect(report.flows.some((f) => f.explanation.code === 'ALLOWED_BY_RULE')).toBe(true);
    expect(report.flows.some((f) => f.outcome === 'timeout' || f.outcome === 'dropped')).toBe(true);
    // Same document, same report.
    expect(JSON.stringify(runScenario(v.spec).flows)).toBe(JSON.stringify(report.flows));
  });

  it('passes validateScenario at sizes beyond the default limits (it raises them)', () => {
    const doc = generateScenario({ instances: 50, groups: 505, rulesPerGroup: 101, regions: 1, seed: 9 });
    const v = validateScenario(doc, 'big.json');
    expect(v.ok ? [] : v.diagnostics.slice(0, 3)).toEqual([]);
  });
});

describe('generateWorldInput', () => {
  it('describes the same world as the document', () => {
    const doc = generateScenario(SMALL);
    const input = generateWorldInput(SMALL);
    expect(input.instances).toHaveLength(SMALL.instances);
    expect(input.groups).toHaveLength(SMALL.groups);
    expect(input.regions.map((r) => r.name)).toEqual(Object.keys(doc.regions));
    const v = validateScenario(doc, 'generated.json');
    if (!v.ok) throw new Error('invalid document');
    // The loader's normalized groups and instances equal the generator's direct ones.
    expect(input.groups).toEqual(v.spec.groups);
    const byName = new Map(v.spec.instances.map((i) => [i.name, i]));
    for (const i of input.instances) {
      const s = byName.get(i.name)!;
      expect(s.region).toBe(i.region);
      expect(s.zone).toBe(i.zone);
      expect([...s.groups]).toEqual([...i.groups]);
      expect(s.services).toEqual(i.services);
      expect(s.elasticIp).toBe(i.elasticIp);
    }
  });

  it('builds with createWorld: every instance running, addresses unique, EIPs held', () => {
    const input = generateWorldInput({ instances: 3000, groups: 60, rulesPerGroup: 10, regions: 3, seed: 5 });
    const world = createWorld(input);
    const seen = new Set<number>();
    let n = 0;
    for (const inst of allInstances(world)) {
      n++;
      expect(inst.state).toBe('running');
      for (const ip of [inst.privateIp, inst.publicIp ?? inst.elasticIp]) {
        expect(ip).not.toBeNull();
        expect(seen.has(ip!)).toBe(false);
        seen.add(ip!);
      }
    }
    expect(n).toBe(3000);
    const eips = Object.values(world.eips);
    expect(eips.length).toBe(input.instances.filter((i) => i.elasticIp !== undefined).length);
    for (const e of eips) expect(formatIp(e.ip).startsWith('52.')).toBe(true);
  });
});
