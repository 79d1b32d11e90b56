/**
 * scenario/load/builder-script: importing a `.ts` builder script and taking its document.
 *
 * Owns: registering the module hooks (scenario/builder-hooks.mjs) once, importing the script,
 * and turning its default export (a builder or a plain document) into a document, or its
 * failure (an import error, a failed build(), no default export) into one diagnostic.
 * Does not own: validating the document (validate.ts), nor isolating the script from the
 * process (the CLI runs this module in a worker).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { register as registerHooks } from 'node:module';
import type { Diagnostic } from '../diagnostics.ts';
import { describeValue } from '../schema.ts';
import type { ParseResult } from './parse.ts';
import { isPlainObject } from './structure.ts';

/**
 * One line from an error thrown while importing a script: its first line, plus the compiler's
 * detail when the first line only announces it (esbuild: "Transform failed with 1 error:" then
 * "<file>:<line>:<col>: ERROR: <what>"); the script's own path is shortened to its position.
 */
export function loadErrorMessage(err: unknown, path: string): string {
  if (!(err instanceof Error)) return String(err);
  const lines = err.message.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  if (lines.length === 0) return err.name;
  const head = lines[0];
  if (!head.endsWith(':') || lines.length === 1) return head;
  const abs = resolve(path);
  const detail = lines.slice(1, 4).map((l) => (l.startsWith(abs + ':') ? `line ${l.slice(abs.length + 1)}` : l));
  return `${head} ${detail.join('; ')}`;
}

let builderHooks: 'unregistered' | 'registered' | 'unavailable' = 'unregistered';

/**
 * Registers builder-hooks.mjs once (Node's module hooks): builder scripts load as ES modules
 * anywhere, and `import … from 'sgsim'` resolves even where sgsim is not installed. Under a
 * loader without Node's hooks (a test runner's), scripts load as that loader loads them.
 */
export function builderScriptUrl(path: string): string {
  const url = pathToFileURL(resolve(path)).href;
  if (builderHooks === 'unregistered') {
    try {
      // The running API: src/index.ts under tsx, dist/index.js when compiled (`npm run build`).
      const index = new URL(import.meta.url.endsWith('.ts') ? '../../index.ts' : '../../index.js', import.meta.url).href;
      registerHooks(new URL('../builder-hooks.mjs', import.meta.url), { data: { index } });
      builderHooks = 'registered';
    } catch {
      builderHooks = 'unavailable';
    }
  }
  return builderHooks === 'registered' ? `${url}?sgsim-builder` : url;
}

export async function importBuilderScript(path: string, file: string): Promise<ParseResult> {
  const fail = (message: string): ParseResult => ({ ok: false, diagnostics: [{ file, path: '', message }] });
  let mod: { default?: unknown };
  try {
    mod = (await import(builderScriptUrl(path))) as { default?: unknown };
  } catch (err) {
    const diags = (err as { diagnostics?: unknown })?.diagnostics;
    if (Array.isArray(diags) && diags.length > 0) {
      // The script called build() itself and it failed: its diagnostics, filed under this script.
      return {
        ok: false,
        diagnostics: diags.map((d: Diagnostic) => ({ file, path: d.path, message: d.message })),
      };
    }
    return fail(`could not load the builder script: ${loadErrorMessage(err, path)}`);
  }
  const def = mod.default;
  if (def === undefined) {
    return fail('the script has no default export (expected `export default scenario(...)` or a scenario document)');
  }
  if (typeof def === 'object' && def !== null) {
    const toDocument = (def as { toDocument?: unknown }).toDocument;
    if (typeof toDocument === 'function') {
      try {
        return { ok: true, doc: toDocument.call(def) };
      } catch (err) {
        return fail(`the builder failed to produce a document: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (isPlainObject(def)) return { ok: true, doc: def };
  }
  return fail(`the default export is ${describeValue(def)} (expected a scenario builder or a scenario document)`);
}
