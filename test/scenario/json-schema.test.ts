/**
 * test/scenario/json-schema: schema/scenario.schema.json (draft 2020-12, for editors) is what
 * scenario/json-schema.ts generates, and agrees with the loaders: every valid file of the
 * repository (scenarios/, test/regressions/, the VPC fixtures) is accepted by ajv and by the
 * loader; each of a set of structurally invalid documents (an unknown field, a wrong type, a
 * bad enum value, a missing required field) is rejected by both.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { scenarioJsonSchema } from '../../src/scenario/json-schema.ts';
import { validateScenario } from '../../src/scenario/load.ts';
import { validateVpcScenario } from '../../src/scenario/vpc/index.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const SCHEMA_FILE = join(ROOT, 'schema', 'scenario.schema.json');
const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object;
const check = new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true, allErrors: true }).compile(schema);

const yamlFiles = (dir: string): string[] =>
  readdirSync(join(ROOT, dir)).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => `${dir}/${f}`);
const VALID = [...yamlFiles('scenarios'), ...yamlFiles('test/regressions'), ...yamlFiles('test/scenario/vpc/fixtures/valid')];

function loaderAccepts(doc: unknown, file: string): { ok: boolean; diagnostics?: unknown } {
  const isVpc = typeof doc === 'object' && doc !== null && (doc as { platform?: unknown }).platform === 'vpc';
  return isVpc ? validateVpcScenario(doc, file) : validateScenario(doc, file);
}

describe('schema/scenario.schema.json', () => {
  it('is what scenario/json-schema.ts generates (npm run schema writes it)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
  });

  it('is draft 2020-12, and says that names and references are the loader\'s', () => {
    expect((schema as { $schema: string }).$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect((schema as { description: string }).description).toContain('sgsim validate');
  });

  it('accepts the document the TypeScript builder script of scenarios/ produces', async () => {
    const mod = (await import('../../scenarios/10-elastic-ip-moved.ts')) as { default: { toDocument(): unknown } };
    const doc = mod.default.toDocument();
    expect(validateScenario(doc, '10-elastic-ip-moved.ts').ok).toBe(true);
    expect(check(doc), JSON.stringify(check.errors)).toBe(true);
  });

  it.each(VALID)('accepts %s, which the loader accepts too', (file) => {
    const doc = parse(readFileSync(join(ROOT, file), 'utf8')) as unknown;
    expect(loaderAccepts(doc, file).ok, JSON.stringify(loaderAccepts(doc, file).diagnostics)).toBe(true);
    expect(check(doc), JSON.stringify(check.errors)).toBe(true);
  });
});

const CLASSIC = {
  version: 1,
  name: 'base',
  regions: { 'us-east-1': {} },
  groups: { WEB: { region: 'us-east-1', ingress: [{ protocol: 'tcp', ports: 443, from: { cidr: '0.0.0.0/0' } }] } },
  instances: { web: { region: 'us-east-1', groups: ['WEB'], services: ['tcp/443'] } },
  external: { user: { ip: '198.51.100.7' } },
  timeline: [{ at: '0s', connect: { from: 'user', to: 'web.public', port: 443 }, expect: 'connected' }],
};
const VPC = parse(readFileSync(join(ROOT, 'test/scenario/vpc/fixtures/valid/two-tier.yaml'), 'utf8')) as Record<string, unknown>;

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const edit = (base: object, f: (d: Doc) => void): Doc => {
  const d = structuredClone(base) as Doc;
  f(d);
  return d;
};
const firstOf = (m: Doc): Doc => m[Object.keys(m)[0]] as Doc;

const INVALID: [string, Doc][] = [
  ['classic: an unknown top-level field', edit(CLASSIC, (d) => (d.regoins = {}))],
  ['classic: version 2', edit(CLASSIC, (d) => (d.version = 2))],
  ['classic: no regions', edit(CLASSIC, (d) => delete d.regions)],
  ['classic: an unknown platform', edit(CLASSIC, (d) => (d.platform = 'ec2'))],
  ['classic: a group region that is a number', edit(CLASSIC, (d) => (d.groups.WEB.region = 1))],
  ['classic: a group without a region', edit(CLASSIC, (d) => delete d.groups.WEB.region)],
  ['classic: a rule protocol out of the enum', edit(CLASSIC, (d) => (d.groups.WEB.ingress[0].protocol = 'tpc'))],
  ['classic: a rule without from', edit(CLASSIC, (d) => delete d.groups.WEB.ingress[0].from)],
  ['classic: an unknown field in a rule source', edit(CLASSIC, (d) => (d.groups.WEB.ingress[0].from = { cidr: '0.0.0.0/0', prefix: 1 }))],
  ['classic: an instance state out of the enum', edit(CLASSIC, (d) => (d.instances.web.state = 'paused'))],
  ['classic: instance groups that are a string', edit(CLASSIC, (d) => (d.instances.web.groups = 'WEB'))],
  ['classic: an unknown field in an instance', edit(CLASSIC, (d) => (d.instances.web.ami = 'ami-1'))],
  ['classic: an external host without ip', edit(CLASSIC, (d) => delete d.external.user.ip)],
  ['classic: a port that is a boolean', edit(CLASSIC, (d) => (d.timeline[0].connect.port = true))],
  ['classic: a connect without to', edit(CLASSIC, (d) => delete d.timeline[0].connect.to)],
  ['classic: an entry with an unknown action', edit(CLASSIC, (d) => (d.timeline[0] = { at: '0s', reboot: 'web' }))],
  ['classic: an entry with two actions', edit(CLASSIC, (d) => (d.timeline[0].stop = 'web'))],
  ['classic: an expected outcome out of the enum', edit(CLASSIC, (d) => (d.timeline[0].expect = 'accepted'))],
  ['classic: an expected code out of the enum', edit(CLASSIC, (d) => (d.timeline[0].expect = { code: 'NOPE' }))],
  ['classic: an unknown setting', edit(CLASSIC, (d) => (d.settings = { latency: { sameZone: 1, warp: 2 } }))],
  ['classic: jitter that is a string', edit(CLASSIC, (d) => (d.settings = { latency: { jitter: 'a lot' } }))],
  ['vpc: an unknown top-level field', edit(VPC, (d) => (d.gateways = {}))],
  ['vpc: an unknown field in a subnet', edit(VPC, (d) => (firstOf(d.subnets).az = 'us-east-1a'))],
  ['vpc: mapPublicIp that is a string', edit(VPC, (d) => (firstOf(d.subnets).mapPublicIp = 'yes'))],
  ['vpc: a subnet without cidr', edit(VPC, (d) => delete firstOf(d.subnets).cidr)],
  ['vpc: an unknown field in an instance', edit(VPC, (d) => (firstOf(d.instances).ami = 'ami-1'))],
  ['vpc: an entry with an unknown action', edit(VPC, (d) => (d.timeline = [{ at: '0s', reboot: 'x' }]))],
  ['vpc: a NACL action out of the enum', edit(VPC, (d) => (d.networkAcls = { acl1: { vpc: Object.keys(d.vpcs)[0], ingress: [{ number: 100, action: 'permit', protocol: 'all', cidr: '0.0.0.0/0' }] } }))],
];

describe('structurally invalid documents', () => {
  it('are many: at least 15, classic and vpc', () => {
    expect(INVALID.length).toBeGreaterThanOrEqual(15);
    expect(INVALID.filter(([n]) => n.startsWith('vpc')).length).toBeGreaterThanOrEqual(5);
  });

  it.each(INVALID)('%s: rejected by the schema and by the loader', (_name, doc) => {
    expect(check(doc)).toBe(false);
    expect(loaderAccepts(doc, 'invalid.yaml').ok).toBe(false);
  });

  it('come from valid documents (each base is accepted by both)', () => {
    for (const base of [CLASSIC, VPC]) {
      expect(check(base), JSON.stringify(check.errors)).toBe(true);
      expect(loaderAccepts(base, 'base.yaml').ok).toBe(true);
    }
  });
});
