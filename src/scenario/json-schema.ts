/**
 * scenario/json-schema: the JSON Schema (draft 2020-12) of a scenario file, classic
 * (scenario-format.md) and `platform: vpc` (scenario-format-vpc.md), for editors
 * (yaml-language-server) and other tools. schema/scenario.schema.json is this module's output
 * (`npm run schema` writes it; test/scenario/json-schema.test.ts holds the two equal, and the
 * schema to the loader on valid and invalid files).
 *
 * Owns: the schema, generated from the loaders' own vocabulary: the field lists of every
 * section (scenario/schema.ts, scenario/vpc/vocabulary.ts), the action keys, outcomes and
 * explanation codes, and the settings shapes (scenario/load/sections.ts, scenario/vpc/settings.ts);
 * the types of the fields are described here. Structural only: field names, types, enums and
 * required fields. Names, references, addresses, ranges and every check that needs the rest of
 * the scenario are the loader's (`sgsim validate`), which the schema says in its description.
 */
import * as classic from './schema.ts';
import { OUTCOMES } from './spec.ts';
import { SETTINGS_SHAPE, type SettingsShape } from './load/sections.ts';
import * as vpc from './vpc/vocabulary.ts';
import { SHAPE as VPC_SETTINGS_SHAPE, type Shape as VpcSettingsShape } from './vpc/settings.ts';

export type JsonSchema = { readonly [key: string]: unknown };

export const SCHEMA_ID = 'https://sgsim.dev/schema/scenario.schema.json';

const ref = (name: string): JsonSchema => ({ $ref: `#/$defs/${name}` });
const str: JsonSchema = { type: 'string' };
const bool: JsonSchema = { type: 'boolean' };
const int: JsonSchema = { type: 'integer' };
const strings: JsonSchema = { type: 'array', items: str };
const mapOf = (value: JsonSchema): JsonSchema => ({ type: 'object', additionalProperties: value });
const oneOrMany = (s: JsonSchema): JsonSchema => ({ anyOf: [s, { type: 'array', items: s }] });
const nullable = (s: JsonSchema): JsonSchema => ({ anyOf: [s, { type: 'null' }] });
const enumOf = (values: readonly (string | number)[]): JsonSchema => ({ enum: [...values] });

/**
 * An object with exactly the loader's fields: each typed in `types` (a field of the list
 * without a type is a bug of this module, and throws), no other field allowed.
 */
function object(fields: readonly string[], types: Readonly<Record<string, JsonSchema>>, required: readonly string[] = []): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const f of fields) {
    const t = types[f];
    if (t === undefined) throw new Error(`json-schema: no type for field "${f}"`);
    properties[f] = t;
  }
  for (const f of [...Object.keys(types), ...required]) if (!fields.includes(f)) throw new Error(`json-schema: "${f}" is not a field of [${fields.join(', ')}]`);
  return { type: 'object', properties, additionalProperties: false, ...(required.length > 0 ? { required: [...required] } : {}) };
}

function settingsOf(shape: SettingsShape | VpcSettingsShape): JsonSchema {
  const kinds: Record<string, JsonSchema> = {
    duration: ref('duration'),
    positiveDuration: ref('duration'),
    jitter: { type: 'number' },
    retries: int,
    positiveInt: int,
    ports: ref('ports'),
  };
  const types: Record<string, JsonSchema> = {};
  for (const [k, v] of Object.entries(shape)) types[k] = typeof v === 'string' ? kinds[v] : settingsOf(v);
  return object(Object.keys(shape), types);
}

/** One timeline entry: the entry fields and exactly one action key. */
function entry(entryFields: readonly string[], actions: Readonly<Record<string, JsonSchema>>, expect: JsonSchema): JsonSchema {
  const keys = Object.keys(actions);
  const base = object([...entryFields, ...keys], {
    at: ref('duration'),
    id: str,
    expect,
    repeat: object(['every', 'count'], { every: ref('duration'), count: int }, ['every', 'count']),
    ...actions,
  });
  return { ...base, oneOf: keys.map((k) => ({ required: [k] })) };
}

const outcomes = (table: Readonly<Partial<Record<string, readonly string[]>>>): string[] => [...new Set(Object.values(table).flatMap((o) => o ?? []))];

function classicDefs(): Record<string, JsonSchema> {
  const rule = object(classic.RULE_FIELDS, {
    protocol: enumOf(['tcp', 'udp', 'icmp', 'all']),
    ports: ref('ports'),
    icmp: ref('icmp'),
    from: object(classic.SOURCE_FIELDS, { cidr: str, group: str }),
    description: str,
  }, ['from']);
  const instanceTypes = {
    region: str, zone: str, groups: strings, privateIp: str, publicIp: str, elasticIp: str,
    services: strings, state: enumOf(['running', 'stopped']),
  };
  const change = object(['group', 'rule', 'region'], { group: str, rule: ref('classicRule'), region: str }, ['group', 'rule']);
  const flow = object(['from', 'to', 'port'], { from: str, to: str, port: int }, ['from', 'to', 'port']);
  const expect = {
    anyOf: [
      enumOf(outcomes(OUTCOMES)),
      object(classic.EXPECT_FIELDS, {
        outcome: enumOf(outcomes(OUTCOMES)),
        path: enumOf(['private', 'public']),
        redirected: bool,
        source: str,
        code: enumOf(classic.EXPLANATION_CODES),
      }),
    ],
  };
  return {
    classicRule: rule,
    classic: object(classic.TOP_LEVEL_FIELDS, {
      version: { const: 1 },
      name: str,
      description: str,
      platform: { const: 'classic' },
      seed: { type: ['string', 'number'] },
      settings: settingsOf(SETTINGS_SHAPE),
      regions: { ...mapOf(nullable(object(classic.REGION_FIELDS, { zones: strings }))), minProperties: 1 },
      groups: mapOf(object(classic.GROUP_FIELDS, { region: str, description: str, ingress: { type: 'array', items: rule } }, ['region'])),
      instances: mapOf(object(classic.INSTANCE_FIELDS, instanceTypes, ['region'])),
      external: mapOf(object(classic.EXTERNAL_FIELDS, { ip: str, services: strings }, ['ip'])),
      timeline: {
        type: 'array',
        items: entry(classic.ENTRY_FIELDS, {
          connect: flow,
          send: object(['from', 'to', 'port', 'count'], { from: str, to: str, port: int, count: int }, ['from', 'to', 'port']),
          ping: object(['from', 'to'], { from: str, to: str }, ['from', 'to']),
          transfer: str,
          close: str,
          authorize: change,
          revoke: change,
          launch: object(classic.LAUNCH_FIELDS, { name: str, ...instanceTypes }, ['name', 'region']),
          stop: str,
          start: str,
          terminate: str,
          associate: object(['elasticIp', 'instance'], { elasticIp: str, instance: str }, ['elasticIp', 'instance']),
          disassociate: { anyOf: [str, object(['elasticIp'], { elasticIp: str }, ['elasticIp'])] },
        }, expect),
      },
    }, ['version', 'regions']),
  };
}

function vpcDefs(): Record<string, JsonSchema> {
  const label = str;
  const peer = object(vpc.PEER_FIELDS, { cidr: str, group: str, prefixList: str, stale: bool });
  const protocol = { anyOf: [enumOf(['tcp', 'udp', 'icmp', 'all']), { type: 'integer', minimum: -1, maximum: 255 }, { type: 'string', pattern: '^(-1|[0-9]{1,3})$' }] };
  const ruleTypes = { protocol, ports: ref('ports'), icmp: ref('icmp'), description: str, label };
  const ingress = object(vpc.INGRESS_RULE_FIELDS, { ...ruleTypes, from: peer }, ['from']);
  const egress = object(vpc.EGRESS_RULE_FIELDS, { ...ruleTypes, to: peer }, ['to']);
  const naclEntry = object(vpc.NACL_ENTRY_FIELDS, {
    number: int, action: enumOf(['allow', 'deny']), protocol, ports: ref('ports'), icmp: ref('icmp'), cidr: str, label,
  }, ['number', 'action', 'cidr']);
  const route = object(vpc.ROUTE_FIELDS, { destination: str, target: str, state: enumOf(['active', 'blackhole']), propagated: bool, label }, ['destination']);
  const eniTypes = {
    subnet: str, groups: strings, privateIp: str, secondaryIps: strings, publicIp: str,
    elasticIp: oneOrMany({ anyOf: [str, object(vpc.EIP_FIELDS, { ip: str, privateIp: str, label }, ['ip'])] }),
    sourceDestCheck: bool,
  };
  const instanceTypes = {
    ...eniTypes,
    interfaces: { type: 'array', items: object(vpc.INTERFACE_FIELDS, { name: str, ...eniTypes, label }) },
    services: strings, state: enumOf(['running', 'stopped']), ephemeralPorts: ref('ports'), label,
  };
  const tgwAttachment = {
    anyOf: [
      object(vpc.TGW_VPC_ATTACHMENT_FIELDS, { vpc: str, subnets: strings, routeTable: str, propagate: strings, sgReferencing: bool, label }, ['vpc']),
      object(vpc.TGW_PEER_ATTACHMENT_FIELDS, { peer: str, routeTable: str, label }, ['peer']),
    ],
  };
  const change = object(['group', 'vpc', 'direction', 'rule'], {
    group: str, vpc: str, direction: enumOf(['ingress', 'egress']), rule: { anyOf: [ingress, egress] },
  }, ['group', 'rule']);
  const naclChange = object(['acl', 'direction', 'entry'], { acl: str, direction: enumOf(['ingress', 'egress']), entry: naclEntry }, ['acl', 'direction', 'entry']);
  const routeChange = object(['routeTable', 'route'], { routeTable: str, route }, ['routeTable', 'route']);
  const hopItems = oneOrMany(str);
  const vpcOutcomes = outcomes(vpc.OUTCOMES);
  const expect = {
    anyOf: [
      enumOf(vpcOutcomes),
      object(vpc.EXPECT_FIELDS, {
        outcome: enumOf(vpcOutcomes),
        path: enumOf(['private', 'public']),
        redirected: bool,
        source: str,
        code: enumOf(vpc.VPC_CODES),
        nat: bool,
        hops: { type: 'array', items: str },
        replyHops: { type: 'array', items: str },
        blockedBy: hopItems,
      }),
    ],
  };
  const flowFields = { from: str, to: str, port: int };
  return {
    vpc: object(vpc.TOP_FIELDS, {
      version: { const: 1 },
      name: str,
      description: str,
      platform: { const: 'vpc' },
      seed: { type: ['string', 'number'] },
      settings: settingsOf(VPC_SETTINGS_SHAPE),
      regions: mapOf(nullable(object(classic.REGION_FIELDS, { zones: strings }))),
      vpcs: mapOf(object(vpc.VPC_FIELDS, {
        region: str, cidr: oneOrMany(str), dns: object(vpc.DNS_FIELDS, { support: bool, hostnames: bool }), default: bool, account: str, label,
      }, ['region', 'cidr'])),
      subnets: mapOf(object(vpc.SUBNET_FIELDS, { vpc: str, zone: str, cidr: str, mapPublicIp: bool, label }, ['vpc', 'cidr'])),
      internetGateways: mapOf(object(vpc.IGW_FIELDS, { vpc: str, label }, ['vpc'])),
      natGateways: mapOf(object(vpc.NAT_FIELDS, { subnet: str, elasticIp: str, privateIp: str, label }, ['subnet'])),
      vpnGateways: mapOf(object(vpc.IGW_FIELDS, { vpc: str, label }, ['vpc'])),
      prefixLists: mapOf({ anyOf: [strings, object(vpc.PREFIX_LIST_FIELDS, { cidrs: strings, label }, ['cidrs'])] }),
      peerings: mapOf(object(vpc.PEERING_FIELDS, {
        requester: str, accepter: str, status: enumOf(['active', 'pending', 'deleted']), dnsResolution: strings, label,
      }, ['requester', 'accepter'])),
      transitGateways: mapOf(object(vpc.TGW_FIELDS, {
        region: str, account: str, dnsSupport: bool, sgReferencing: bool,
        routeTables: mapOf(object(vpc.TGW_TABLE_FIELDS, {
          routes: { type: 'array', items: object(vpc.TGW_ROUTE_FIELDS, { destination: str, attachment: str, blackhole: bool, label }, ['destination']) },
          label,
        })),
        attachments: mapOf(tgwAttachment),
        label,
      }, ['region'])),
      routeTables: mapOf(object(vpc.ROUTE_TABLE_FIELDS, { vpc: str, main: bool, subnets: strings, routes: { type: 'array', items: route }, label }, ['vpc'])),
      networkAcls: mapOf(object(vpc.NACL_FIELDS, {
        vpc: str, default: bool, subnets: strings, ingress: { type: 'array', items: naclEntry }, egress: { type: 'array', items: naclEntry }, label,
      }, ['vpc'])),
      groups: mapOf(object(vpc.GROUP_FIELDS, {
        vpc: str, description: str, ingress: { type: 'array', items: ingress }, egress: { type: 'array', items: egress }, label,
      })),
      instances: mapOf(object(vpc.INSTANCE_FIELDS, instanceTypes)),
      external: mapOf(object(vpc.EXTERNAL_FIELDS, { ip: str, services: strings, via: str, ephemeralPorts: ref('ports'), label }, ['ip'])),
      timeline: {
        type: 'array',
        items: entry(vpc.ENTRY_FIELDS, {
          connect: object(['from', 'to', 'port'], flowFields, ['from', 'to', 'port']),
          send: object(['from', 'to', 'port', 'count'], { ...flowFields, count: int }, ['from', 'to', 'port']),
          ping: object(['from', 'to'], { from: str, to: str }, ['from', 'to']),
          transfer: str,
          close: str,
          authorize: change,
          revoke: change,
          'add-nacl-entry': naclChange,
          'replace-nacl-entry': naclChange,
          'remove-nacl-entry': object(['acl', 'direction', 'number'], { acl: str, direction: enumOf(['ingress', 'egress']), number: int }, ['acl', 'direction', 'number']),
          'add-route': routeChange,
          'replace-route': routeChange,
          'remove-route': object(['routeTable', 'destination'], { routeTable: str, destination: str }, ['routeTable', 'destination']),
          'associate-route-table': object(['subnet', 'routeTable'], { subnet: str, routeTable: str }, ['subnet', 'routeTable']),
          'disassociate-route-table': object(['subnet'], { subnet: str }, ['subnet']),
          'set-main-route-table': object(['vpc', 'routeTable'], { vpc: str, routeTable: str }, ['vpc', 'routeTable']),
          'associate-nacl': object(['subnet', 'acl'], { subnet: str, acl: str }, ['subnet', 'acl']),
          'modify-instance-groups': object(['instance', 'interface', 'groups'], { instance: str, interface: str, groups: strings }, ['groups']),
          launch: object(['name', ...vpc.INSTANCE_FIELDS], { name: str, ...instanceTypes }, ['name']),
          stop: str,
          start: str,
          terminate: str,
          associate: object(['elasticIp', 'instance', 'interface', 'privateIp'], { elasticIp: str, instance: str, interface: str, privateIp: str }, ['elasticIp']),
          disassociate: { anyOf: [str, object(['elasticIp'], { elasticIp: str }, ['elasticIp'])] },
        }, expect),
      },
    }, ['version', 'platform']),
  };
}

/** The schema of a scenario file (the content of schema/scenario.schema.json). */
export function scenarioJsonSchema(): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: SCHEMA_ID,
    title: 'sgsim scenario',
    description:
      'A scenario file of sgsim (version 1): classic, or `platform: vpc`. Structural only: the fields, their types and enums, ' +
      'and the required ones. Names and references, addresses and ranges, and every check that needs the rest of the ' +
      'scenario are the loader\'s: run `sgsim validate <file>`.',
    if: { type: 'object', required: ['platform'], properties: { platform: { const: 'vpc' } } },
    then: ref('vpc'),
    else: ref('classic'),
    $defs: {
      duration: { description: 'Milliseconds, or a number with a unit: 100us, 5ms, 1.5s, 2m, 1h.', type: ['number', 'string'] },
      ports: {
        description: '22, "8000-8080" or [8000, 8080].',
        anyOf: [int, str, { type: 'array', prefixItems: [int, int], items: false, minItems: 2 }],
      },
      icmp: { description: '{ type, code } or "8:-1".', anyOf: [str, object(classic.ICMP_FIELDS, { type: int, code: int }, ['type'])] },
      ...classicDefs(),
      ...vpcDefs(),
    },
  };
}
