/**
 * test/analysis/questions/fix: the fixes a blocked trace proposes, narrowest first, each
 * verified by tracing again with it applied; and exposure's shadowed rules.
 */
import { describe, expect, it } from 'vitest';
import { loadScenarioText } from '../../../src/scenario/load.ts';
import type { ScenarioSpec } from '../../../src/scenario/spec.ts';
import { classicPlanner, covers, worldAt } from '../../../src/analysis/questions/index.ts';

function spec(yaml: string): ScenarioSpec {
  const r = loadScenarioText(yaml, 'fix.yaml', 'yaml');
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return r.spec;
}

const WORLD = spec(`version: 1
name: fixes
regions: { us-east-1: {}, eu-west-1: {} }
groups:
  app: { region: us-east-1, ingress: [] }
  db: { region: us-east-1, ingress: [ { protocol: tcp, ports: 80, from: { cidr: 0.0.0.0/0 } } ] }
instances:
  app1: { region: us-east-1, groups: [app] }
  db1: { region: us-east-1, groups: [db], services: [tcp/5432] }
  eu1: { region: eu-west-1 }
  parked: { region: us-east-1, groups: [app], state: stopped }
timeline: []
`);

describe('fix', () => {
  const world = worldAt(WORLD, null);

  it('on the private path: the sender group first (it survives restarts), then a /32; both verified', () => {
    const a = classicPlanner.trace(world, { from: 'app1', to: { kind: 'private', instance: 'db1' }, protocol: 'tcp', port: 5432 });
    expect(a.outcome).toBe('timeout');
    expect(a.fix.map((f) => [f.text, f.verified, f.outcome])).toEqual([
      ['authorize db: tcp 5432 from group app', true, 'connected'],
      [`authorize db: tcp 5432 from ${a.source}/32`, true, 'connected'],
    ]);
  });

  it('on the public path: only the /32 of the source the receiver sees (group identity is lost)', () => {
    const a = classicPlanner.trace(world, { from: 'app1', to: { kind: 'public', instance: 'db1' }, protocol: 'tcp', port: 5432 });
    expect(a.nat).toBe(true);
    expect(a.fix).toHaveLength(1);
    expect(a.fix[0]).toMatchObject({ action: 'authorize', group: 'db', rule: { protocol: 'tcp', ports: '5432', from: { cidr: `${a.source}/32` } }, verified: true });
  });

  it('a stopped sender: start it (verified when the rules then admit)', () => {
    const a = classicPlanner.trace(world, { from: 'parked', to: { kind: 'public', instance: 'db1' }, protocol: 'tcp', port: 80 });
    expect(a.explanation.code).toBe('SOURCE_NOT_RUNNING');
    expect(a.fix[0]).toMatchObject({ action: 'start', instance: 'parked', verified: true, outcome: 'refused' });
  });

  it('a stopped destination: start it; a redirect across regions is shown as a rewrite', () => {
    const a = classicPlanner.trace(world, { from: 'app1', to: { kind: 'private', instance: 'parked' }, protocol: 'icmp', port: 0 });
    expect(a.explanation.code).toBe('NO_ROUTE_TO_DESTINATION');
    expect(a.fix[0]).toMatchObject({ action: 'start', instance: 'parked' });
    const eu = classicPlanner.trace(world, { from: 'eu1', to: { kind: 'private', instance: 'db1' }, protocol: 'tcp', port: 80 });
    expect(eu).toMatchObject({ outcome: 'refused', redirected: true, path: 'public' });
    expect(eu.rewrites[0]).toMatchObject({ hop: 'route', field: 'destination' });
  });

  it('an admitted flow needs no fix', () => {
    expect(classicPlanner.trace(world, { from: 'app1', to: { kind: 'public', instance: 'db1' }, protocol: 'tcp', port: 80 }).fix).toEqual([]);
  });
});

describe('covers (shadowed rules)', () => {
  const cidr = (base: number, prefix: number) => ({ kind: 'cidr' as const, cidr: { base, prefix } });
  it('a broader CIDR, port range or protocol covers; a narrower or a different group does not', () => {
    expect(covers({ protocol: 'tcp', ports: { from: 0, to: 1000 }, source: cidr(0, 0) }, { protocol: 'tcp', ports: { from: 22, to: 22 }, source: cidr(0x01020300, 24) })).toBe(true);
    expect(covers({ protocol: 'all', source: cidr(0x01020000, 16) }, { protocol: 'udp', ports: { from: 53, to: 53 }, source: cidr(0x01020300, 24) })).toBe(true);
    expect(covers({ protocol: 'tcp', ports: { from: 22, to: 22 }, source: cidr(0x01020300, 24) }, { protocol: 'tcp', ports: { from: 0, to: 1000 }, source: cidr(0, 0) })).toBe(false);
    expect(covers({ protocol: 'tcp', ports: { from: 0, to: 65535 }, source: cidr(0x01020300, 24) }, { protocol: 'tcp', ports: { from: 22, to: 22 }, source: cidr(0x01020400, 24) })).toBe(false);
    expect(covers({ protocol: 'all', source: { kind: 'group', group: 'a' } }, { protocol: 'tcp', ports: { from: 1, to: 1 }, source: { kind: 'group', group: 'b' } })).toBe(false);
  });
});
