/**
 * fabric/resolve (written as mutation tests, issue 3 item 6): public DNS names, and what each address
 * spec resolves to (or why it cannot) as seen from a sender, with the exact error messages.
 */
import { describe, expect, it } from 'vitest';
import { createWorld, getInstance, stop, terminate, type World } from '../../src/index.ts';
import { describeAddress, publicDnsName, resolveAddress } from '../../src/fabric/resolve.ts';
import { loadScenarioText } from '../../src/scenario/load.ts';
import { shardOf } from '../../src/model/world.ts';
import { parseIp as parseIpOrError, type Ip } from '../../src/net/ipv4.ts';
import type { Instance } from '../../src/model/types.ts';

function parseIp(text: string): Ip {
  const v = parseIpOrError(text);
  if (typeof v !== 'number') throw new Error(v.error);
  return v;
}

const YAML = `version: 1
name: resolve
regions: { us-east-1: {}, eu-west-1: {} }
instances:
  a1: { region: us-east-1, privateIp: 10.0.0.10, publicIp: 54.0.0.10 }
  a2: { region: us-east-1, privateIp: 10.0.0.20, elasticIp: 203.0.113.20 }
  eu: { region: eu-west-1, privateIp: 10.9.0.1, publicIp: 54.9.0.1 }
external:
  ext: { ip: 192.0.2.1 }
timeline:
  - { at: 0s, ping: { from: ext, to: a1.public } }
`;

function world(): World {
  const r = loadScenarioText(YAML, 't.yaml', 'yaml');
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  const s = r.spec;
  return createWorld({ seed: s.seed, regions: s.regions, groups: s.groups, instances: s.instances, external: s.external });
}

/** The world with one instance's record replaced (resolveAddress reads plain data). */
function withInstance(w: World, name: string, change: Partial<Instance>): World {
  const inst = getInstance(w, name)!;
  const k = shardOf(name);
  return { ...w, instances: w.instances.map((shard, i) => (i === k ? { ...shard, [name]: { ...inst, ...change } } : shard)) };
}

const ip = (s: string) => ({ ip: parseIp(s) });

describe('publicDnsName', () => {
  it('us-east-1 names live under compute-1.amazonaws.com; other regions under <region>.compute.amazonaws.com', () => {
    expect(publicDnsName(parseIp('54.1.2.3'), 'us-east-1')).toBe('ec2-54-1-2-3.compute-1.amazonaws.com');
    expect(publicDnsName(parseIp('54.1.2.3'), 'eu-west-1')).toBe('ec2-54-1-2-3.eu-west-1.compute.amazonaws.com');
    expect(publicDnsName(parseIp('203.0.113.200'), 'ap-southeast-2')).toBe('ec2-203-0-113-200.ap-southeast-2.compute.amazonaws.com');
  });
});

describe('describeAddress', () => {
  it('writes each kind of address spec as a scenario would', () => {
    expect(describeAddress({ kind: 'ip', ip: parseIp('1.2.3.4') })).toBe('1.2.3.4');
    expect(describeAddress({ kind: 'external', host: 'ext' })).toBe('ext');
    expect(describeAddress({ kind: 'dns', instance: 'a1' })).toBe('a1.dns');
    expect(describeAddress({ kind: 'eip', instance: 'a2' })).toBe('a2.eip');
  });
});

describe('resolveAddress', () => {
  const w = world();

  it('resolves every kind for a running instance; public is the EIP when one is held', () => {
    expect(resolveAddress(w, { kind: 'ip', ip: parseIp('198.51.100.1') }, 'a1')).toEqual(ip('198.51.100.1'));
    expect(resolveAddress(w, { kind: 'external', host: 'ext' }, 'a1')).toEqual(ip('192.0.2.1'));
    expect(resolveAddress(w, { kind: 'private', instance: 'a1' }, 'eu')).toEqual(ip('10.0.0.10'));
    expect(resolveAddress(w, { kind: 'public', instance: 'a1' }, 'eu')).toEqual(ip('54.0.0.10'));
    expect(resolveAddress(w, { kind: 'public', instance: 'a2' }, 'eu')).toEqual(ip('203.0.113.20'));
    expect(resolveAddress(w, { kind: 'eip', instance: 'a2' }, 'eu')).toEqual(ip('203.0.113.20'));
  });

  it('public DNS is split-horizon: private inside the region, public (EIP) from another region or outside AWS', () => {
    expect(resolveAddress(w, { kind: 'dns', instance: 'a1' }, 'a2')).toEqual(ip('10.0.0.10'));
    expect(resolveAddress(w, { kind: 'dns', instance: 'a1' }, 'eu')).toEqual(ip('54.0.0.10'));
    expect(resolveAddress(w, { kind: 'dns', instance: 'a2' }, 'ext')).toEqual(ip('203.0.113.20'));
    expect(resolveAddress(w, { kind: 'dns', instance: 'a2' }, 'a1')).toEqual(ip('10.0.0.20'));
  });

  it('names what is missing', () => {
    expect(resolveAddress(w, { kind: 'external', host: 'nobody' }, 'a1')).toEqual({ error: 'unknown host nobody' });
    expect(resolveAddress(w, { kind: 'private', instance: 'ghost' }, 'a1')).toEqual({ error: 'unknown instance ghost' });
    expect(resolveAddress(w, { kind: 'eip', instance: 'a1' }, 'eu')).toEqual({ error: 'a1 holds no Elastic IP' });
  });

  it('a stopped or terminated instance holds no address', () => {
    const stopped = stop(w, 'a1');
    for (const kind of ['private', 'public', 'eip', 'dns'] as const) {
      expect(resolveAddress(stopped, { kind, instance: 'a1' }, 'eu')).toEqual({ error: 'a1 is stopped: it holds no address' });
    }
    expect(resolveAddress(terminate(w, 'eu'), { kind: 'public', instance: 'eu' }, 'a1')).toEqual({ error: 'eu is terminated: it holds no address' });
  });

  it('a running instance without any public address: public and (from elsewhere) dns say so', () => {
    const bare = withInstance(w, 'a1', { publicIp: null, elasticIp: null });
    expect(resolveAddress(bare, { kind: 'public', instance: 'a1' }, 'eu')).toEqual({ error: 'a1 holds no public address' });
    expect(resolveAddress(bare, { kind: 'dns', instance: 'a1' }, 'eu')).toEqual({ error: 'a1 has no public DNS name' });
    expect(resolveAddress(bare, { kind: 'dns', instance: 'a1' }, 'a2')).toEqual(ip('10.0.0.10'));
  });
});
