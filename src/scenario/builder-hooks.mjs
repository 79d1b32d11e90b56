/**
 * scenario/builder-hooks: Node module hooks (module.register), registered by scenario/load
 * before it imports a builder script. Plain JavaScript: they run on Node's loader thread.
 *
 * Owns: how builder scripts load wherever they are on disk.
 * - A builder script (imported with the `?sgsim-builder` marker) and the TypeScript files it
 *   imports load as ES modules even outside an ESM package: a `.ts` file in a directory with
 *   no `package.json` would otherwise be taken for CommonJS, and its `import`s would fail.
 * - The bare specifier `sgsim` resolves as usual where a project provides it (this repository,
 *   or a project with sgsim installed), and otherwise to the public API of the sgsim that runs
 *   the script, so `import { scenario } from 'sgsim'` works in a script in any directory.
 *   Where it resolves to the very package that runs the script (its compiled dist/ while the
 *   CLI runs src/ under tsx), it resolves to the running API instead: one copy of sgsim, and
 *   no dependence on whether dist/ was built.
 */
const MARK = 'sgsim-builder';
let index = null;
/** The root of the package that runs the script (the parent of its src/ or dist/). */
let root = null;

export function initialize(data) {
  index = data.index;
  root = new URL('..', index).href;
}

function marked(url) {
  return url.startsWith('file:') && !url.includes('/node_modules/') && /\.[cm]?ts(\?|$)/.test(url);
}

export async function resolve(specifier, context, next) {
  const fromBuilder = context.parentURL !== undefined && context.parentURL.includes(`?${MARK}`);
  if (specifier === 'sgsim' && index !== null) {
    try {
      const r = await next(specifier, context);
      return r.url.startsWith(root) ? { url: index, format: 'module', shortCircuit: true } : r;
    } catch {
      return { url: index, format: 'module', shortCircuit: true };
    }
  }
  const r = await next(specifier, context);
  if (r.url.includes(`?${MARK}`)) return { ...r, format: 'module' };
  if (fromBuilder && marked(r.url) && !r.url.includes('?')) return { ...r, url: `${r.url}?${MARK}`, format: 'module' };
  return r;
}
