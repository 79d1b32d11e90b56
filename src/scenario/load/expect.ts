/**
 * scenario/load/expect: an entry's expectation (`expect: connected`, or `{ outcome, path,
 * redirected, source, code }`), checked against what its action can have.
 */
import { EXPECT_FIELDS, EXPLANATION_CODES, closest, describeValue } from '../schema.ts';
import { OUTCOMES, TRAFFIC_ACTIONS, type ActionKind, type AddressSpec, type Expectation, type Outcome, type PathKind } from '../spec.ts';
import type { EntryDoc } from './entries.ts';
import { absent, type Checker, type Path } from './structure.ts';

/**
 * An entry's `expect`, for the entry's action. `address` reads an address spec as the replay
 * sees it at the entry's time (for `expect.source`).
 */
export function checkExpectation(c: Checker, e: EntryDoc, address: (v: unknown, path: Path) => AddressSpec | undefined): Expectation | undefined {
  if (absent(e.expect) || !e.action) return undefined;
  const path = [...e.path, 'expect'];
  const kind = e.action as ActionKind;
  const outcomes = OUTCOMES[kind];
  if (!TRAFFIC_ACTIONS.includes(kind) || !outcomes) {
    c.error(path, `${kind} has no outcome to expect (expect goes with ${TRAFFIC_ACTIONS.slice(0, -1).join(', ')} or ${TRAFFIC_ACTIONS[TRAFFIC_ACTIONS.length - 1]})`);
    return undefined;
  }
  const fits = `a ${kind} is ${outcomes.slice(0, -1).join(', ')} or ${outcomes[outcomes.length - 1]}`;
  const outcome = (x: unknown, at: Path): Outcome | undefined => {
    if (typeof x === 'string' && (outcomes as readonly string[]).includes(x)) return x as Outcome;
    const all = new Set(Object.values(OUTCOMES).flat());
    c.error(
      at,
      typeof x === 'string' && all.has(x as Outcome)
        ? `${kind} cannot expect "${x}" (${fits})`
        : `unknown outcome ${describeValue(x)} (${fits})`,
    );
    return undefined;
  };
  const before = c.count;
  if (typeof e.expect === 'string') {
    const o = outcome(e.expect, path);
    return o ? { outcome: o } : undefined;
  }
  const o = c.mapping(e.expect, path, EXPECT_FIELDS, `an outcome (${outcomes.join(', ')}) or { outcome, path, redirected, source, code }`);
  if (!o) return undefined;
  if (Object.keys(o).length === 0) {
    c.error(path, 'expect is empty (give an outcome, or any of path, redirected, source, code)');
    return undefined;
  }
  const result: { -readonly [K in keyof Expectation]: Expectation[K] } = {};
  if (!absent(o.outcome)) result.outcome = outcome(o.outcome, [...path, 'outcome']);
  if (!absent(o.path)) {
    if (o.path === 'private' || o.path === 'public') result.path = o.path as PathKind;
    else c.error([...path, 'path'], `unknown path ${describeValue(o.path)} (expected private or public)`);
  }
  if (!absent(o.redirected)) {
    if (typeof o.redirected === 'boolean') result.redirected = o.redirected;
    else c.error([...path, 'redirected'], `expected true or false, got ${describeValue(o.redirected)}`);
  }
  if (!absent(o.source)) result.source = address(o.source, [...path, 'source']);
  if (!absent(o.code)) {
    if (typeof o.code === 'string' && (EXPLANATION_CODES as readonly string[]).includes(o.code)) result.code = o.code;
    else {
      const hint = typeof o.code === 'string' ? closest(o.code, EXPLANATION_CODES) : undefined;
      c.error(
        [...path, 'code'],
        `unknown explanation code ${describeValue(o.code)} (expected one of ${EXPLANATION_CODES.join(', ')}${hint ? `; did you mean ${hint}?` : ''})`,
      );
    }
  }
  return c.count > before ? undefined : result;
}
