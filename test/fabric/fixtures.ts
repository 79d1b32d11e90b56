/**
 * Shared by the fabric's tests: loading a scenario text, running it with its trace, and the
 * small world most of them use (group A referring to itself and open on tcp/443 and udp/53,
 * two members a1 and a2 in two zones, an instance in another region, two hosts outside AWS).
 * Fixed addresses and no latency jitter, so times, sources and messages can be checked exactly.
 */
import { runScenario, type RunReport, type TraceEvent } from '../../src/index.ts';
import { loadScenarioText } from '../../src/scenario/load.ts';
import type { ScenarioSpec } from '../../src/scenario/spec.ts';

export function loadSpec(yaml: string): ScenarioSpec {
  const r = loadScenarioText(yaml, 't.yaml', 'yaml');
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.path}: ${d.message}`).join('\n'));
  return r.spec;
}

/** Runs a scenario text; the trace, if asked for, receives every event. */
export function runYaml(yaml: string, trace?: (e: TraceEvent) => void): RunReport {
  return runScenario(loadSpec(yaml), { trace });
}

/** Runs a scenario text and returns its report with its whole trace. */
export function runTraced(yaml: string): { report: RunReport; events: TraceEvent[] } {
  const events: TraceEvent[] = [];
  const report = runYaml(yaml, (e) => events.push(e));
  return { report, events };
}

/** The shared world up to (not including) `timeline:`; extra groups and instances go in as YAML lines. */
export function fabricWorld(name: string, extra: { groups?: string; instances?: string } = {}): string {
  return `version: 1
name: ${name}
settings: { latency: { jitter: 0 } }
regions: { us-east-1: { zones: [us-east-1a, us-east-1b] }, eu-west-1: {} }
groups:
  A: { region: us-east-1, ingress: [ { from: { group: A } }, { protocol: tcp, ports: 443, from: { cidr: 0.0.0.0/0 } }, { protocol: udp, ports: 53, from: { cidr: 0.0.0.0/0 } } ] }
${extra.groups ?? ''}instances:
  a1: { region: us-east-1, zone: us-east-1a, groups: [A], services: [tcp/443, udp/53], privateIp: 10.0.0.10, publicIp: 54.0.0.10 }
  a2: { region: us-east-1, zone: us-east-1b, groups: [A], privateIp: 10.0.0.20, publicIp: 54.0.0.20 }
${extra.instances ?? ''}  eu: { region: eu-west-1, privateIp: 10.9.0.1, publicIp: 54.9.0.1, services: [tcp/443] }
external:
  ext: { ip: 192.0.2.1, services: [tcp/8443] }
  ext2: { ip: 192.0.2.2 }
`;
}
