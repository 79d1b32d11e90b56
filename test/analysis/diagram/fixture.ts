/**
 * test/analysis/diagram/fixture: small scenarios for the diagram and HTML tests, loaded from
 * YAML text the way a user's file is.
 */
import { loadScenarioText, type ScenarioSpec } from '../../../src/index.ts';

export function specOf(yaml: string): ScenarioSpec {
  const r = loadScenarioText(yaml, 'fixture.yaml', 'yaml');
  if (!r.ok) throw new Error(`fixture does not load: ${JSON.stringify(r.diagnostics)}`);
  return r.spec;
}

/** Two regions; A admits its own members, B on tcp/3306, 1.2.3.4 on 22, and the world on 443. */
export const WORLD = `
version: 1
name: 'Tom & Jerry''s <b>"lab"</b>'
seed: "1"
regions: { us-east-1: {}, eu-west-1: {} }
groups:
  A:
    region: us-east-1
    ingress:
      - { from: { group: A } }
      - { protocol: tcp, ports: 3306, from: { group: B }, description: '<script>alert(1)</script> & co' }
      - { protocol: tcp, ports: 22, from: { cidr: 1.2.3.4/32 } }
      - { protocol: tcp, ports: 443, from: { cidr: 0.0.0.0/0 } }
  B: { region: us-east-1 }
instances:
  a1: { region: us-east-1, groups: [A], privateIp: 10.0.0.1, publicIp: 54.0.0.1, services: [tcp/3306, tcp/22] }
  a2: { region: us-east-1, groups: [A], privateIp: 10.0.0.2, publicIp: 54.0.0.2 }
  b1: { region: us-east-1, groups: [B], privateIp: 10.0.0.3, publicIp: 54.0.0.3 }
  eu: { region: eu-west-1, privateIp: 10.9.0.1, publicIp: 54.9.0.1 }
external:
  admin: { ip: 1.2.3.4 }
  other: { ip: 5.6.7.8 }
timeline:
  - { at: 0s, id: b-to-a, connect: { from: b1, to: a1.private, port: 3306 } }
  - { at: 1s, id: admin-ssh, connect: { from: admin, to: a1.public, port: 22 } }
  - { at: 2s, id: other-ssh, connect: { from: other, to: a1.public, port: 22 } }
  - { at: 3s, id: no-listener, connect: { from: a2, to: a1.private, port: 9999 } }
`;
