/**
 * scenario/vpc/settings: the `settings` of a `platform: vpc` document and their defaults.
 *
 * Owns: classic's settings that still apply (latency, tcp, conntrack, propagationDelay,
 * pingTimeout) and the VPC ones: `ephemeralPorts` (32768-60999), `natIdleTimeout` (350s),
 * `natPortsPerDestination` (55000) and `limits` (`rulesPerGroup` 60 per direction,
 * `naclEntries` 20 per direction, `groupsPerInterface` 5), as scenario-format-vpc.md gives them.
 * Does not own: where the limits are enforced (the sections that count).
 */
import { DEFAULT_SETTINGS, NS_PER_S } from '../spec.ts';
import { describeValue, isProblem, listOf, parsePorts } from '../schema.ts';
import { absent, type Checker, type Obj, type Path } from './checker.ts';
import type { VpcSettings } from './spec.ts';
import type { PortRange } from '../../net/protocol.ts';

export const DEFAULT_VPC_SETTINGS: VpcSettings = {
  latency: DEFAULT_SETTINGS.latency,
  tcp: DEFAULT_SETTINGS.tcp,
  conntrack: DEFAULT_SETTINGS.conntrack,
  propagationDelay: DEFAULT_SETTINGS.propagationDelay,
  pingTimeout: DEFAULT_SETTINGS.pingTimeout,
  ephemeralPorts: { from: 32768, to: 60999 },
  natIdleTimeout: 350 * NS_PER_S,
  natPortsPerDestination: 55_000,
  limits: { rulesPerGroup: 60, naclEntries: 20, groupsPerInterface: 5 },
};

export type Kind = 'duration' | 'positiveDuration' | 'jitter' | 'retries' | 'positiveInt' | 'ports';
export type Shape = { readonly [key: string]: Kind | Shape };

export const SHAPE: Shape = {
  latency: { sameZone: 'duration', crossZone: 'duration', publicPath: 'duration', crossRegion: 'duration', internet: 'duration', jitter: 'jitter' },
  tcp: { synRetries: 'retries', initialRto: 'positiveDuration' },
  conntrack: {
    tcpEstablished: 'positiveDuration', tcpHandshake: 'positiveDuration', udp: 'positiveDuration',
    udpStream: 'positiveDuration', icmp: 'positiveDuration',
  },
  propagationDelay: 'duration',
  pingTimeout: 'positiveDuration',
  ephemeralPorts: 'ports',
  natIdleTimeout: 'positiveDuration',
  natPortsPerDestination: 'positiveInt',
  limits: { rulesPerGroup: 'positiveInt', naclEntries: 'positiveInt', groupsPerInterface: 'positiveInt' },
};

/** An ephemeral port range (`32768-60999`): ports 1 to 65535, from ≤ to. */
export function checkEphemeralPorts(c: Checker, v: unknown, path: Path): PortRange | undefined {
  const p = parsePorts(v);
  if (isProblem(p)) {
    c.error(path, p.error);
    return undefined;
  }
  if (p.from === 0) {
    c.error(path, 'port 0 is never a source port (ephemeral ports are 1 to 65535, e.g. 32768-60999)');
    return undefined;
  }
  return p;
}

export function checkSettings(c: Checker, v: unknown): VpcSettings {
  const merged = structuredClone(DEFAULT_VPC_SETTINGS) as unknown as Obj;
  if (absent(v)) return merged as unknown as VpcSettings;
  const merge = (doc: unknown, shape: Shape, target: Obj, path: Path): void => {
    const o = c.mapping(doc, path, Object.keys(shape), `a mapping of ${listOf(Object.keys(shape))}`);
    if (!o) return;
    for (const [key, kind] of Object.entries(shape)) {
      const value = o[key];
      if (absent(value)) continue;
      const at = [...path, key];
      if (typeof kind === 'object') {
        merge(value, kind, target[key] as Obj, at);
        continue;
      }
      let parsed: unknown;
      switch (kind) {
        case 'duration':
          parsed = c.duration(value, at);
          break;
        case 'positiveDuration':
          parsed = c.duration(value, at, 'positive');
          break;
        case 'jitter':
          if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value < 1) parsed = value;
          else c.error(at, `jitter is a fraction of the latency, a number from 0 up to (not including) 1; got ${describeValue(value)}`);
          break;
        case 'retries':
          parsed = c.integer(value, at, 0, 20, 'number of retries');
          break;
        case 'positiveInt':
          parsed = c.integer(value, at, 1, Number.MAX_SAFE_INTEGER, key === 'natPortsPerDestination' ? 'port count' : 'limit');
          break;
        case 'ports':
          parsed = checkEphemeralPorts(c, value, at);
          break;
      }
      if (parsed !== undefined) target[key] = parsed;
    }
  };
  merge(v, SHAPE, merged, ['settings']);
  return merged as unknown as VpcSettings;
}
