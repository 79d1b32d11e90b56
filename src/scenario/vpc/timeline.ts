/**
 * scenario/vpc/timeline: the timeline of a `platform: vpc` document.
 *
 * Owns: the first look at every entry (exactly one action of the format, `at`, unique `id`s,
 * `repeat` on traffic only, names a `launch` declares, with its ENIs), and the static replay in
 * time order (equal times keep file order) that hands each action to its module with the
 * world as it is then, collects the normalized entries and checks their expectations.
 * Does not own: what each action checks (traffic.ts, changes.ts, lifecycle.ts, expect.ts).
 */
import { closest, describeValue, listOf } from '../schema.ts';
import type { Nanos } from '../spec.ts';
import { absent, isPlainObject, type Path } from './checker.ts';
import { declare, declareInterfaces, nameProblem, type Ctx } from './context.ts';
import { changeAction } from './changes.ts';
import { expectation } from './expect.ts';
import { lifecycleAction } from './lifecycle.ts';
import { Replay, type EntryDoc } from './replay.ts';
import { trafficAction } from './traffic.ts';
import { ACTION_KEYS, ENTRY_FIELDS, type ActionKey } from './vocabulary.ts';
import type { VpcAction, VpcTimelineEntry } from './spec.ts';

const ACTION_LIST = listOf(ACTION_KEYS, ACTION_KEYS.length);
const REPEATABLE: readonly string[] = ['connect', 'send', 'ping'];
const MAX_REPEAT = 10_000_000;

function checkRepeat(ctx: Ctx, v: unknown, path: Path, action: ActionKey | undefined): { every: Nanos; count: number } | undefined {
  const { c } = ctx;
  const o = c.mapping(v, path, ['every', 'count'], 'a repeat ({ every: <duration>, count: <integer> })');
  if (!o) return undefined;
  const before = c.count;
  if (action !== undefined && !REPEATABLE.includes(action)) c.error(path, `only connect, send and ping can repeat, not ${action}`);
  let every: Nanos | undefined;
  if (absent(o.every)) c.error([...path, 'every'], 'a repeat needs every (the time between repetitions, e.g. 10ms)');
  else {
    every = c.duration(o.every, [...path, 'every']);
    if (every !== undefined && every <= 0) c.error([...path, 'every'], 'every must be longer than 0');
  }
  if (absent(o.count)) c.error([...path, 'count'], 'a repeat needs count (how many times the action runs)');
  else if (typeof o.count !== 'number' || !Number.isInteger(o.count) || o.count < 1 || o.count > MAX_REPEAT) {
    c.error([...path, 'count'], `count must be an integer from 1 to ${MAX_REPEAT}, got ${describeValue(o.count)}`);
  }
  if (c.count > before || every === undefined) return undefined;
  return { every, count: o.count as number };
}

function idOf(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return undefined;
}

/** First look at every entry; declares the names `launch` entries create (first launch in time). */
export function collectTimeline(ctx: Ctx, v: unknown): EntryDoc[] {
  const { c } = ctx;
  const entries: EntryDoc[] = [];
  if (absent(v)) return entries;
  const list = c.list(v, ['timeline'], 'the timeline');
  if (!list) return entries;
  const ids = new Map<string, number>();
  list.forEach((raw, index) => {
    const path = ['timeline', index];
    const entry = c.mapping(raw, path, null, `a timeline entry (a mapping with at, id, expect and one action: ${ACTION_LIST})`);
    if (!entry) return;
    const keys = Object.keys(entry);
    const actions = keys.filter((k): k is ActionKey => (ACTION_KEYS as readonly string[]).includes(k));
    const unknown = keys.filter((k) => !(ENTRY_FIELDS as readonly string[]).includes(k) && !actions.includes(k as ActionKey));
    for (const k of unknown) {
      const hint = closest(k, [...ACTION_KEYS, ...ENTRY_FIELDS]);
      c.error([...path, k], actions.length === 0
        ? `unknown action "${k}" (expected one of ${ACTION_LIST}${hint ? `; did you mean ${hint}?` : ''})`
        : `unknown field ${k} (an entry holds at, id, expect, repeat and one action${hint ? `; did you mean ${hint}?` : ''})`);
    }
    if (actions.length === 0 && unknown.length === 0) {
      c.error(path, `the entry has no action${keys.length ? ` (it holds only ${keys.join(', ')})` : ''}; expected exactly one of ${ACTION_LIST}`);
    } else if (actions.length > 1) {
      c.error(path, `the entry has ${actions.length} actions (${actions.join(', ')}); give each action its own entry`);
    }
    const at = absent(entry.at) ? 0 : c.duration(entry.at, [...path, 'at']) ?? 0;
    let id: string | undefined;
    if (!absent(entry.id)) {
      id = idOf(entry.id);
      if (id === undefined) c.error([...path, 'id'], `expected an id (a string), got ${describeValue(entry.id)}`);
      else if (ids.has(id)) {
        c.error([...path, 'id'], `duplicate id "${id}" (already used by timeline[${ids.get(id)}]; ids are unique)`);
        id = undefined;
      } else ids.set(id, index);
    }
    const action = actions.length === 1 ? actions[0] : undefined;
    if (action === 'launch' && isPlainObject(entry.launch) && typeof entry.launch.name === 'string') {
      const name = entry.launch.name;
      const info = ctx.names.get(name);
      if (!info && !nameProblem(name)) {
        const launchPath = [...path, 'launch', 'name'];
        if (declare(ctx, name, { kind: 'instance', path: launchPath, launch: { index, at } })) {
          declareInterfaces(ctx, name, entry.launch, [...path, 'launch'], { index, at });
        }
      } else if (info?.launch && (at < info.launch.at || (at === info.launch.at && index < info.launch.index))) {
        info.launch = { index, at };
      }
    }
    const repeat = absent(entry.repeat) ? undefined : checkRepeat(ctx, entry.repeat, [...path, 'repeat'], action);
    entries.push({ index, path, at, id, action, body: action ? entry[action] : undefined, expect: entry.expect, ...(repeat ? { repeat } : {}) });
  });
  return entries;
}

function act(r: Replay, e: EntryDoc): VpcAction | undefined {
  const kind = e.action!;
  const path = [...e.path, kind];
  const before = r.ctx.c.count;
  let result: VpcAction | undefined;
  switch (kind) {
    case 'connect':
    case 'send':
    case 'ping':
    case 'transfer':
    case 'close':
      result = trafficAction(r, kind, e, path);
      break;
    case 'launch':
    case 'stop':
    case 'start':
    case 'terminate':
    case 'associate':
    case 'disassociate':
      result = lifecycleAction(r, kind, e, path);
      break;
    default:
      result = changeAction(r, kind, e, path);
  }
  return r.ctx.c.count > before ? undefined : result;
}

/** Replays the timeline in time order; the normalized entries of the valid ones. */
export function checkTimeline(ctx: Ctx, entries: readonly EntryDoc[]): VpcTimelineEntry[] {
  const r = new Replay(ctx, entries);
  const out: VpcTimelineEntry[] = [];
  for (const e of [...entries].sort((a, b) => a.at - b.at || a.index - b.index)) {
    r.now = e.at;
    const action = e.action ? act(r, e) : undefined;
    const expect = expectation(r, e);
    if (e.action === 'connect' && e.id !== undefined) r.connects.set(e.id, { index: e.index });
    if (action) {
      out.push({
        at: e.at, ...(e.id !== undefined ? { id: e.id } : {}), index: e.index, action,
        ...(expect ? { expect } : {}), ...(e.repeat ? { repeat: e.repeat } : {}),
      });
    }
  }
  return out;
}
