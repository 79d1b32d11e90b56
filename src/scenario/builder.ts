/**
 * scenario/builder: write a scenario in TypeScript, with loops and types, and get exactly the
 * plain document a YAML file would hold (scenario-format.md: "both compile to one spec").
 *
 * Owns: a small mutable, chainable builder (`scenario(name).region(…).group(…).at('1s')
 * .connect(…)`) with one typed method per action, `toDocument()` (the plain document, which
 * the loader validates like YAML) and `build()` (validate now: the ScenarioSpec, or a thrown
 * ScenarioInputError listing every problem). A name declared twice throws at once, as a
 * duplicate key is an error in YAML.
 * Does not own: any check beyond that (scenario/load.ts validates the document), nor loading
 * `.ts` scripts (scenario/load.ts imports them and takes their default export).
 *
 * Example (a script `sgsim run` can take as it is):
 *
 *   import { scenario } from '../src/scenario/builder.ts';
 *   const b = scenario('Elastic IP moved', { seed: 7 })
 *     .region('us-east-1')
 *     .group('A', { region: 'us-east-1', ingress: [{ protocol: 'tcp', ports: 22, from: { cidr: '203.0.113.10/32' } }] })
 *     .instance('web', { region: 'us-east-1', groups: ['A'], services: ['tcp/22'] });
 *   for (let i = 0; i < 3; i++) b.at(`${i}s`).ping({ from: 'web', to: '1.2.3.4' });
 *   export default b;
 */
import { ScenarioInputError, formatPath } from './diagnostics.ts';
import { validateScenario } from './load.ts';
import type { ScenarioSpec } from './spec.ts';
import type {
  AssociateDoc,
  ConnectDoc,
  DisassociateDoc,
  DurationDoc,
  ExpectDoc,
  ExternalDoc,
  GroupDoc,
  InstanceDoc,
  PingDoc,
  RegionDoc,
  RuleChangeDoc,
  ScenarioDocument,
  SendDoc,
  SettingsDoc,
  TimelineEntryDoc,
} from './schema.ts';

export interface ScenarioOptions {
  readonly description?: string;
  /** Default "0". */
  readonly seed?: string | number;
  readonly platform?: 'classic';
  readonly settings?: SettingsDoc;
}

/** Options of an entry that is not a flow. */
export interface EntryOptions {
  /** Names the entry (what `close`/`transfer` refer to when it is a connect). */
  readonly id?: string;
}

/** Options of a flow (connect, send, ping, transfer). */
export interface FlowOptions extends EntryOptions {
  readonly expect?: ExpectDoc;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type PlainObject = Record<string, unknown>;

function isPlainObject(v: unknown): v is PlainObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge of plain data: objects merge key by key, everything else replaces. */
function mergeInto(target: PlainObject, source: PlainObject): void {
  for (const [k, v] of Object.entries(source)) {
    if (v === undefined) continue;
    const cur = target[k];
    if (isPlainObject(cur) && isPlainObject(v)) mergeInto(cur, v);
    else target[k] = structuredClone(v);
  }
}

export class ScenarioBuilder {
  private readonly name: string;
  private readonly options: Mutable<Omit<ScenarioOptions, 'settings'>> = {};
  private readonly settingsDoc: PlainObject = {};
  private readonly regions: Record<string, RegionDoc> = {};
  private readonly groups: Record<string, GroupDoc> = {};
  private readonly instances: Record<string, InstanceDoc> = {};
  private readonly externals: Record<string, ExternalDoc> = {};
  private readonly timeline: TimelineEntryDoc[] = [];
  /** The time given to entries added from now on; none until `at()` is called (the format's default, 0). */
  private time: DurationDoc | undefined;

  constructor(name: string, options: ScenarioOptions = {}) {
    this.name = name;
    const { settings, ...rest } = options;
    Object.assign(this.options, structuredClone(rest));
    if (settings) this.settings(settings);
  }

  // -- topology -----------------------------------------------------------------------------

  description(text: string): this {
    this.options.description = text;
    return this;
  }

  seed(seed: string | number): this {
    this.options.seed = seed;
    return this;
  }

  /** Merged over what earlier calls set (nested keys merge; the defaults fill the rest). */
  settings(settings: SettingsDoc): this {
    mergeInto(this.settingsDoc, settings as unknown as PlainObject);
    return this;
  }

  region(name: string, spec: RegionDoc = {}): this {
    this.declare(this.regions, 'regions', 'region', name, spec);
    return this;
  }

  group(name: string, spec: GroupDoc): this {
    this.declare(this.groups, 'groups', 'group', name, spec);
    return this;
  }

  instance(name: string, spec: InstanceDoc): this {
    this.declare(this.instances, 'instances', 'instance', name, spec);
    return this;
  }

  external(name: string, spec: ExternalDoc): this {
    this.declare(this.externals, 'external', 'external host', name, spec);
    return this;
  }

  // -- timeline -----------------------------------------------------------------------------

  /** Sets the time of the entries added after this call (a number of ms, or `"1.5s"`…). */
  at(time: DurationDoc): this {
    this.time = time;
    return this;
  }

  connect(args: ConnectDoc, options: FlowOptions = {}): this {
    return this.add({ connect: args }, options);
  }

  /** UDP datagrams (`count`, default 1). */
  send(args: SendDoc, options: FlowOptions = {}): this {
    return this.add({ send: args }, options);
  }

  /** An ICMP echo request. */
  ping(args: PingDoc, options: FlowOptions = {}): this {
    return this.add({ ping: args }, options);
  }

  /** One data segment over the connection an earlier `connect` with id `connection` opened. */
  transfer(connection: string, options: FlowOptions = {}): this {
    return this.add({ transfer: connection }, options);
  }

  close(connection: string, options: EntryOptions = {}): this {
    return this.add({ close: connection }, options);
  }

  authorize(change: RuleChangeDoc, options: EntryOptions = {}): this {
    return this.add({ authorize: change }, options);
  }

  revoke(change: RuleChangeDoc, options: EntryOptions = {}): this {
    return this.add({ revoke: change }, options);
  }

  launch(name: string, spec: InstanceDoc, options: EntryOptions = {}): this {
    return this.add({ launch: { name, ...spec } }, options);
  }

  stop(instance: string, options: EntryOptions = {}): this {
    return this.add({ stop: instance }, options);
  }

  start(instance: string, options: EntryOptions = {}): this {
    return this.add({ start: instance }, options);
  }

  terminate(instance: string, options: EntryOptions = {}): this {
    return this.add({ terminate: instance }, options);
  }

  associate(args: AssociateDoc, options: EntryOptions = {}): this {
    return this.add({ associate: args }, options);
  }

  disassociate(args: DisassociateDoc | string, options: EntryOptions = {}): this {
    return this.add({ disassociate: typeof args === 'string' ? { elasticIp: args } : args }, options);
  }

  /** Any timeline entry as written in YAML (its own `at`, if given, wins over `at()`). */
  entry(entry: TimelineEntryDoc): this {
    const { at, ...rest } = structuredClone(entry);
    const time = at ?? this.time;
    this.timeline.push({ ...(time !== undefined ? { at: time } : {}), ...rest });
    return this;
  }

  // -- output -------------------------------------------------------------------------------

  /** The plain document, as YAML would hold it; a fresh copy each call. */
  toDocument(): ScenarioDocument {
    const o = this.options;
    const doc: Mutable<ScenarioDocument> = { version: 1, name: this.name, regions: {} };
    if (o.description !== undefined) doc.description = o.description;
    if (o.platform !== undefined) doc.platform = o.platform;
    if (o.seed !== undefined) doc.seed = o.seed;
    if (Object.keys(this.settingsDoc).length > 0) doc.settings = this.settingsDoc as SettingsDoc;
    doc.regions = this.regions;
    if (Object.keys(this.groups).length > 0) doc.groups = this.groups;
    if (Object.keys(this.instances).length > 0) doc.instances = this.instances;
    if (Object.keys(this.externals).length > 0) doc.external = this.externals;
    if (this.timeline.length > 0) doc.timeline = this.timeline;
    return structuredClone(doc);
  }

  /** Validates now: the ScenarioSpec, or a ScenarioInputError with every problem found. */
  build(file = '<builder>'): ScenarioSpec {
    const result = validateScenario(this.toDocument(), file);
    if (!result.ok) throw new ScenarioInputError(result.diagnostics);
    return result.spec;
  }

  // -- internals ----------------------------------------------------------------------------

  private add(action: TimelineEntryDoc, options: FlowOptions): this {
    const { id, expect } = options;
    this.timeline.push(
      structuredClone({
        ...(this.time !== undefined ? { at: this.time } : {}),
        ...(id !== undefined ? { id } : {}),
        ...action,
        ...(expect !== undefined ? { expect } : {}),
      }),
    );
    return this;
  }

  private declare<T>(section: Record<string, T>, key: string, what: string, name: string, spec: T): void {
    if (Object.prototype.hasOwnProperty.call(section, name)) {
      throw new ScenarioInputError([
        { file: '<builder>', path: formatPath([key, name]), message: `${what} ${name} is declared twice (each name may be declared once)` },
      ]);
    }
    section[name] = structuredClone(spec);
  }
}

/** Starts a scenario. Methods chain and mutate the builder, so loops can add to it. */
export function scenario(name: string, options: ScenarioOptions = {}): ScenarioBuilder {
  return new ScenarioBuilder(name, options);
}
