/**
 * test/model/types: rule identity (sameRule ignores descriptions), group keys and display
 * names, and the region's default group.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_GROUP, defaultGroup, groupDisplayName, groupKey, sameRule } from '../../src/model/types.ts';
import type { Rule } from '../../src/model/types.ts';

const tcp22: Rule = { protocol: 'tcp', ports: { from: 22, to: 22 }, source: { kind: 'cidr', cidr: { base: 0x0a000000, prefix: 8 } } };

describe('sameRule', () => {
  it('ignores the description', () => {
    expect(sameRule(tcp22, { ...tcp22, description: 'ssh' })).toBe(true);
    expect(sameRule({ ...tcp22, description: 'a' }, { ...tcp22, description: 'b' })).toBe(true);
  });

  it('is reflexive for every kind', () => {
    const rules: Rule[] = [
      tcp22,
      { protocol: 'udp', ports: { from: 53, to: 53 }, source: { kind: 'group', group: 'web' } },
      { protocol: 'icmp', icmp: { type: 8, code: -1 }, source: { kind: 'cidr', cidr: { base: 0, prefix: 0 } } },
      { protocol: 'all', source: { kind: 'group', group: 'default/us-east-1' } },
    ];
    for (const r of rules) expect(sameRule(r, { ...r })).toBe(true);
  });

  it.each<[string, Rule]>([
    ['protocol', { ...tcp22, protocol: 'udp' }],
    ['ports.from', { ...tcp22, ports: { from: 21, to: 22 } }],
    ['ports.to', { ...tcp22, ports: { from: 22, to: 23 } }],
    ['cidr base', { ...tcp22, source: { kind: 'cidr', cidr: { base: 0x0b000000, prefix: 8 } } }],
    ['cidr prefix', { ...tcp22, source: { kind: 'cidr', cidr: { base: 0x0a000000, prefix: 16 } } }],
    ['source kind', { ...tcp22, source: { kind: 'group', group: 'web' } }],
  ])('tells rules apart by %s', (_what, other) => {
    expect(sameRule(tcp22, other)).toBe(false);
    expect(sameRule(other, tcp22)).toBe(false);
  });

  it('tells icmp rules apart by type and by code, -1 included', () => {
    const src = { kind: 'cidr', cidr: { base: 0, prefix: 0 } } as const;
    const a: Rule = { protocol: 'icmp', icmp: { type: 8, code: 0 }, source: src };
    expect(sameRule(a, { ...a, icmp: { type: 8, code: -1 } })).toBe(false);
    expect(sameRule(a, { ...a, icmp: { type: 0, code: 0 } })).toBe(false);
    expect(sameRule(a, { ...a, icmp: { type: -1, code: -1 } })).toBe(false);
  });

  it('tells group sources apart by group', () => {
    const a: Rule = { protocol: 'all', source: { kind: 'group', group: 'a' } };
    expect(sameRule(a, { protocol: 'all', source: { kind: 'group', group: 'b' } })).toBe(false);
  });
});

describe('group keys', () => {
  it('keys a default group by region, other groups by name', () => {
    expect(DEFAULT_GROUP).toBe('default');
    expect(groupKey('default', 'us-east-1')).toBe('default/us-east-1');
    expect(groupKey('default', 'eu-west-1')).toBe('default/eu-west-1');
    expect(groupKey('web', 'us-east-1')).toBe('web');
  });

  it('displays a default group key as "default", any other key as is', () => {
    expect(groupDisplayName('default/us-east-1')).toBe('default');
    expect(groupDisplayName('web')).toBe('web');
    expect(groupDisplayName('default')).toBe('default');
    expect(groupDisplayName('defaults')).toBe('defaults');
  });

  it('defaultGroup admits all traffic from its own members only', () => {
    expect(defaultGroup('ap-south-1')).toEqual({
      key: 'default/ap-south-1',
      name: 'default',
      region: 'ap-south-1',
      description: 'default group',
      ingress: [{ protocol: 'all', source: { kind: 'group', group: 'default/ap-south-1' } }],
    });
  });
});
