/**
 * scenario/load/state: what the checks of one document share while they run.
 *
 * Owns: the names the document declares (regions, groups, hosts, with where each is declared),
 * who claims each address, each Elastic IP's region, and the shared group-key lists.
 * Does not own: filling them (names.ts, hosts.ts, addresses.ts, timeline.ts).
 */
import type { Ip } from '../../net/ipv4.ts';
import type { Region } from '../../model/types.ts';
import type { Nanos, Settings } from '../spec.ts';
import type { Path } from './structure.ts';

/** What the rest of the document needs to know about its names. */
export interface Names {
  readonly regions: Map<string, Region>;
  /** User-declared groups by name; `region` is undefined when the group's own region is invalid. */
  readonly groups: Map<string, { region?: string; path: Path }>;
  readonly hosts: Map<string, HostInfo>;
}

export interface HostInfo {
  readonly kind: 'instance' | 'external';
  readonly path: Path;
  /** For instances launched in the timeline: the first launch in time. */
  launch?: { index: number; at: Nanos };
}

/** Who declared an address, for the duplicate-address check. */
export interface AddressClaim {
  readonly host: string;
  readonly field: 'privateIp' | 'publicIp' | 'elasticIp' | 'ip';
  readonly path: Path;
  /** An Elastic IP seen only in an `associate`, not declared by a host. */
  readonly associatedOnly?: boolean;
}

export interface ScenarioState {
  readonly names: Names;
  readonly settings: Settings;
  readonly addresses: Map<Ip, AddressClaim>;
  /** Each Elastic IP's region and where that was first settled. */
  readonly eipRegion: Map<Ip, { region: string; path: Path }>;
  /**
   * Instances' group-key lists by their keys joined: instances with the same groups share one
   * list (as the generator's do), so the fabric links them to one receiver with one lookup.
   */
  readonly groupLists: Map<string, readonly string[]>;
}
