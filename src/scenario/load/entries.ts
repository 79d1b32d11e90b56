/**
 * scenario/load/entries: the timeline's entries at first look, in file order.
 *
 * Owns: each entry's shape (one action key, at, id, expect, repeat), ids (unique), `repeat`
 * (its bounds), and the instances the timeline launches (their names join the hosts before
 * anything is checked). What each action says is checked later, in time order (timeline.ts).
 */
import { ACTION_KEYS, ENTRY_FIELDS, closest, describeValue, listOf, type ActionKey } from '../schema.ts';
import type { Nanos, TimelineEntry } from '../spec.ts';
import { hostNameProblem } from './names.ts';
import type { Names } from './state.ts';
import { absent, isPlainObject, type Checker, type Path } from './structure.ts';

/** One timeline entry after its first look: its place, time, id and action key. */
export interface EntryDoc {
  readonly index: number;
  readonly path: Path;
  readonly at: Nanos;
  readonly id?: string;
  readonly action?: ActionKey;
  readonly body: unknown;
  readonly expect: unknown;
  readonly repeat?: { readonly every: Nanos; readonly count: number };
}

const REPEATABLE: readonly string[] = ['connect', 'send', 'ping'];

/** The most repetitions of one entry (each is a flow of its own, with its record in the report). */
export const MAX_REPEAT = 10_000_000;
/**
 * The most datagrams one `send` sends. They all leave at once, each an event in the kernel's
 * queue until it lands: a million at once is well within what the kernel holds (2^24 pending
 * events); for more, repeat the send.
 */
export const MAX_SEND_COUNT = 1_000_000;
/** The most flows a timeline may ask for in all, repetitions counted (as many as one repeat may make). */
export const MAX_FLOWS = MAX_REPEAT;
/** The most datagrams a timeline may send in all (send count times repetitions, summed): each is at least one event. */
export const MAX_DATAGRAMS = 100_000_000;

/**
 * The timeline's traffic in all, refused (at `timeline`) when it asks for more flows or
 * datagrams than a run can hold: each flow is a record kept to the end of the run, and a run
 * of 10^13 datagrams (a million-datagram send repeated 10^7 times) would never end.
 */
export function checkTrafficTotals(c: Checker, timeline: readonly TimelineEntry[]): void {
  let flows = 0;
  let datagrams = 0;
  for (const e of timeline) {
    const kind = e.action.kind;
    if (kind !== 'connect' && kind !== 'send' && kind !== 'ping' && kind !== 'transfer') continue;
    const times = e.repeat?.count ?? 1;
    flows += times;
    if (e.action.kind === 'send') datagrams += times * e.action.count;
  }
  const n = (x: number): string => x.toLocaleString('en-US');
  if (flows > MAX_FLOWS) {
    c.error(['timeline'], `the timeline asks for ${n(flows)} flows in all (repetitions counted); the limit is ${n(MAX_FLOWS)}`);
  }
  if (datagrams > MAX_DATAGRAMS) {
    c.error(['timeline'], `the timeline sends ${n(datagrams)} datagrams in all (send counts times repetitions); the limit is ${n(MAX_DATAGRAMS)}`);
  }
}

/** `repeat: { every, count }` of a traffic entry (sgsim's bulk traffic). */
function checkRepeat(c: Checker, v: unknown, path: Path, action: ActionKey | undefined): { every: Nanos; count: number } | undefined {
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
  const count = o.count;
  if (absent(count)) c.error([...path, 'count'], 'a repeat needs count (how many times the action runs)');
  else if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_REPEAT) {
    c.error([...path, 'count'], `count must be an integer from 1 to ${MAX_REPEAT}, got ${describeValue(count)}`);
  }
  if (c.count > before || every === undefined) return undefined;
  return { every, count: count as number };
}

export function idOf(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return undefined;
}

const ACTION_LIST = listOf(ACTION_KEYS, ACTION_KEYS.length);

export function collectTimelineNames(c: Checker, v: unknown, names: Names): EntryDoc[] {
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
      const tail = hint ? `; did you mean ${hint}?` : '';
      c.error(
        [...path, k],
        actions.length === 0
          ? `unknown action "${k}" (expected one of ${ACTION_LIST}${tail})`
          : `unknown field ${k} (an entry holds at, id, expect and one action${tail})`,
      );
    }
    if (actions.length === 0 && unknown.length === 0) {
      c.error(path, `the entry has no action${keys.length ? ` (it holds only ${keys.join(', ')})` : ''}; expected exactly one of ${ACTION_LIST}`);
    } else if (actions.length > 1) {
      c.error(path, `the entry has ${actions.length} actions (${actions.join(', ')}); give each action its own entry`);
    }
    let at: Nanos = 0;
    if (!absent(entry.at)) at = c.duration(entry.at, [...path, 'at']) ?? 0;
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
      if (!hostNameProblem(name) && !names.hosts.has(name)) {
        names.hosts.set(name, { kind: 'instance', path: [...path, 'launch', 'name'], launch: { index, at } });
      }
      const host = names.hosts.get(name);
      if (host?.launch && (at < host.launch.at || (at === host.launch.at && index < host.launch.index))) {
        host.launch = { index, at };
      }
    }
    const repeat = absent(entry.repeat) ? undefined : checkRepeat(c, entry.repeat, [...path, 'repeat'], actions.length === 1 ? actions[0] : undefined);
    entries.push({ index, path, at, id, action, body: action ? entry[action] : undefined, expect: entry.expect, ...(repeat ? { repeat } : {}) });
  });
  return entries;
}

/** A connect with an id, during the replay: its entry, and which of its repetitions a close closed last. */
export interface ConnectTrack {
  readonly entry: EntryDoc;
  closed?: { readonly repetition: number; readonly by: number };
}

/**
 * The latest repetition of a connect that has run when an entry at `now` runs (the connect's
 * own entry came earlier in time order). Repetition k runs at at + k * every, scheduled when
 * k - 1 runs, so after every entry of the file at that same time: it has run before `now`
 * only when its time is earlier.
 */
export function latestRepetition(connect: EntryDoc, now: Nanos): number {
  const r = connect.repeat;
  if (!r || now <= connect.at) return 0;
  return Math.min(r.count - 1, Math.floor((now - connect.at - 1) / r.every));
}
