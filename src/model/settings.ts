/**
 * model/settings: the constants of a run — latencies, TCP retransmission, connection-tracking
 * timeouts, propagation delay, classic limits, a ping's wait — and their defaults.
 *
 * Owns: the Settings record the fabric runs with (durations in integer nanoseconds), the
 * domain's defaults (the AWS and Linux figures domain.md §5-§6 names; the table is in
 * docs/scenario-format.md, "settings"), and slowestLatency, the bound on any packet's trip.
 * It lives below the fabric because the fabric reads it; scenario/spec.ts re-exports all of
 * it, so a scenario's `settings` and the fabric's speak one vocabulary.
 * Does not own: reading `settings` from a file (scenario/load.ts: which keys, which ranges).
 */

/** Simulated time and durations are integer nanoseconds. */
export type Nanos = number;

export const NS_PER_US = 1_000;
export const NS_PER_MS = 1_000_000;
export const NS_PER_S = 1_000_000_000;

export interface LatencySettings {
  /** Private path, both ends in one zone. */
  readonly sameZone: Nanos;
  /** Private path between zones of one region. */
  readonly crossZone: Nanos;
  /** Instance to instance of one region over a public IP / EIP (NAT). */
  readonly publicPath: Nanos;
  /** Instance to instance in different regions. */
  readonly crossRegion: Nanos;
  /** Anything to or from a host outside AWS. */
  readonly internet: Nanos;
  /** Fraction of the latency: each packet's latency is scaled by 1 ± up to jitter. */
  readonly jitter: number;
}

/** The longest any packet can take under these settings: the slowest path at its largest jitter. */
export function slowestLatency(l: LatencySettings): Nanos {
  return Math.max(l.sameZone, l.crossZone, l.publicPath, l.crossRegion, l.internet) * (1 + Math.max(0, l.jitter));
}

export interface Settings {
  readonly latency: LatencySettings;
  readonly tcp: { readonly synRetries: number; readonly initialRto: Nanos };
  readonly conntrack: {
    readonly tcpEstablished: Nanos;
    readonly tcpHandshake: Nanos;
    readonly udp: Nanos;
    readonly udpStream: Nanos;
    readonly icmp: Nanos;
  };
  readonly propagationDelay: Nanos;
  readonly limits: { readonly rulesPerGroup: number; readonly groupsPerRegion: number };
  /** How long a ping waits for its reply. */
  readonly pingTimeout: Nanos;
}

/** The domain's defaults (domain.md §5-§6; docs/scenario-format.md lists them). */
export const DEFAULT_SETTINGS: Settings = {
  latency: {
    sameZone: 100 * NS_PER_US,
    crossZone: 500 * NS_PER_US,
    publicPath: 1 * NS_PER_MS,
    crossRegion: 40 * NS_PER_MS,
    internet: 20 * NS_PER_MS,
    jitter: 0.1,
  },
  tcp: { synRetries: 6, initialRto: 1 * NS_PER_S },
  conntrack: {
    tcpEstablished: 432_000 * NS_PER_S,
    tcpHandshake: 120 * NS_PER_S,
    udp: 30 * NS_PER_S,
    udpStream: 180 * NS_PER_S,
    icmp: 30 * NS_PER_S,
  },
  propagationDelay: 0,
  limits: { rulesPerGroup: 100, groupsPerRegion: 500 },
  pingTimeout: 2 * NS_PER_S,
};
