/**
 * fabric/grown: the fabric's tables by number (host rows, packets, timers, landings) grow by
 * doubling; this is the one copy. Callers test for room first, so hot paths pay nothing.
 */
/**
 * A copy of `a` with room for at least `length` elements: twice as long, or `length` if that
 * is more (the fabric's tables by number grow by doubling; callers test for room first).
 */
export function grown<T extends Int32Array | Float64Array>(a: T, length: number): T {
  const b = (a instanceof Int32Array ? new Int32Array(Math.max(2 * a.length, length)) : new Float64Array(Math.max(2 * a.length, length))) as T;
  b.set(a);
  return b;
}
