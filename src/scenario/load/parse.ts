/**
 * scenario/load/parse: from YAML or JSON text to a plain document, or to its syntax errors.
 *
 * Owns: parsing (the `yaml` library, `JSON.parse`), syntax errors with line and column,
 * duplicate keys (both formats; JSON.parse would keep the last silently), a byte order mark.
 * Does not own: reading files (files.ts), what the document means (validate.ts and the rest).
 */
import { LineCounter, isNode, isScalar, parseDocument, visit } from 'yaml';
import { formatPath, shown, type Diagnostic } from '../diagnostics.ts';
import { MAX_DEPTH, TOO_DEEP, nestingProblem } from './structure.ts';

export type ScenarioFormat = 'yaml' | 'json';

export type ParseResult = { ok: true; doc: unknown } | { ok: false; diagnostics: Diagnostic[] };

/** Parses YAML or JSON text into a plain document; syntax errors become diagnostics with line and column. */
export function parseScenarioText(text: string, file: string, format: ScenarioFormat): ParseResult {
  const source = text.replace(/^\uFEFF/, '');
  const parsed = format === 'json' ? parseJsonText(source, file) : parseYamlText(source, file);
  return parsed.ok ? parsed : { ok: false, diagnostics: parsed.diagnostics.map(shown) };
}

function lineCol(text: string, pos: number): string {
  let line = 1;
  let col = 1;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      col = 1;
    } else col++;
  }
  return `line ${line}, column ${col}`;
}

function parseYamlText(text: string, file: string): ParseResult {
  const lines = new LineCounter();
  // Duplicate keys are found below with a set per mapping (the library reports none with
  // uniqueKeys: false): its own check compares each key with every earlier one, and a
  // generated file with 100,000 instances took minutes to load.
  const deep = yamlTooDeep(text);
  if (deep !== undefined) return { ok: false, diagnostics: [{ file, path: lineCol(text, deep), message: TOO_DEEP }] };
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false, strict: true });
  const at = (pos: number): string => {
    const { line, col } = lines.linePos(pos);
    return `line ${line || 1}, column ${col}`;
  };
  const diagnostics: { pos: number; d: Diagnostic }[] = [];
  const duplicateKey = (pos: number): string => {
    const rest = text.slice(pos).split('\n')[0];
    const key = /^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[^:#{}[\],]+?)\s*:/.exec(rest)?.[1];
    return key
      ? `duplicate key ${key.startsWith('"') || key.startsWith("'") ? key : `"${key}"`} (each key may appear once in a mapping)`
      : 'duplicate key (each key may appear once in a mapping)';
  };
  for (const e of [...doc.errors, ...doc.warnings]) {
    let message = `invalid YAML: ${e.message.replace(/\s+at line \d+, column \d+:?[\s\S]*$/, '')}`;
    if (e.code === 'MULTIPLE_DOCS') message = 'invalid YAML: the file holds several documents (---); a scenario file holds one';
    diagnostics.push({ pos: e.pos[0], d: { file, path: at(e.pos[0]), message } });
  }
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (!seen.has(key)) {
          seen.add(key);
          continue;
        }
        const pos = isNode(pair.key) && pair.key.range ? pair.key.range[0] : (map.range?.[0] ?? 0);
        diagnostics.push({ pos, d: { file, path: at(pos), message: duplicateKey(pos) } });
      }
    },
  });
  diagnostics.sort((a, b) => a.pos - b.pos);
  if (diagnostics.length > 0) return { ok: false, diagnostics: diagnostics.map((x) => x.d) };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    // Aliases can nest a document far deeper than its text (each anchor holding the last).
    const text = err instanceof Error ? err.message : String(err);
    const message =
      err instanceof RangeError
        ? `${TOO_DEEP}, through its aliases`
        : /alias count/i.test(text)
          ? 'invalid YAML: its aliases expand to too much (more than 1000 expansions); write the values out'
          : `invalid YAML: ${text}`;
    return { ok: false, diagnostics: [{ file, path: '', message }] };
  }
  return documentOf(value, file);
}

function parseJsonText(text: string, file: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const raw = (err as Error).message;
    const v8Pos = /at position (\d+)/.exec(raw);
    const scanned = scanJson(text);
    const pos = v8Pos ? Number(v8Pos[1]) : scanned.syntax?.pos;
    const message = raw
      .replace(/\s*in JSON at position \d+.*$/, '')
      .replace(/\s*\(line \d+ column \d+\)/, '');
    const detail = v8Pos || !scanned.syntax ? message : scanned.syntax.message;
    return {
      ok: false,
      diagnostics: [{ file, path: pos === undefined ? '' : lineCol(text, pos), message: `invalid JSON: ${detail}` }],
    };
  }
  const deep = nestingProblem(value); // JSON.parse does not recurse; what reads the document does
  if (deep) return { ok: false, diagnostics: [{ file, path: formatPath(deep.path), message: deep.message }] };
  // JSON.parse keeps the last of duplicate keys silently; a scenario must not lose a group that way.
  const scanned = scanJson(text);
  if (scanned.duplicates.length > 0) {
    return {
      ok: false,
      diagnostics: scanned.duplicates.map((d) => ({ file, path: lineCol(text, d.pos), message: d.message })),
    };
  }
  return { ok: true, doc: value };
}

interface JsonScan {
  syntax?: { pos: number; message: string };
  duplicates: { pos: number; message: string }[];
}

/** A small JSON scanner: where the first syntax error is, and every duplicate key. */
function scanJson(text: string): JsonScan {
  const duplicates: { pos: number; message: string }[] = [];
  let i = 0;
  class Stop {
    constructor(readonly pos: number, readonly message: string) {}
  }
  const ws = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const str = (): string => {
    const start = i++;
    for (;;) {
      const ch = text[i];
      if (ch === undefined) throw new Stop(start, 'unterminated string');
      if (ch === '"') {
        i++;
        return JSON.parse(text.slice(start, i)) as string;
      }
      if (ch === '\\') i += 2;
      else if (ch < ' ') throw new Stop(i, 'control character in a string');
      else i++;
    }
  };
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      const keys = new Set<string>();
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') throw new Stop(i, 'expected a double-quoted key');
        const keyPos = i;
        const key = str();
        if (keys.has(key)) duplicates.push({ pos: keyPos, message: `duplicate key "${key}" (each key may appear once in an object)` });
        keys.add(key);
        ws();
        if (text[i] !== ':') throw new Stop(i, 'expected ":" after a key');
        i++;
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        throw new Stop(i, 'expected "," or "}"');
      }
    }
    if (ch === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        throw new Stop(i, 'expected "," or "]"');
      }
    }
    if (ch === '"') {
      str();
      return;
    }
    for (const lit of ['true', 'false', 'null']) {
      if (text.startsWith(lit, i)) {
        i += lit.length;
        return;
      }
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m && m[0].length > 0) {
      i += m[0].length;
      return;
    }
    throw new Stop(i, ch === undefined ? 'unexpected end of the text' : `unexpected character ${JSON.stringify(ch)}`);
  };
  try {
    value();
    ws();
    if (i < text.length) throw new Stop(i, 'unexpected text after the document');
    return { duplicates };
  } catch (err) {
    if (err instanceof Stop) return { syntax: { pos: err.pos, message: err.message }, duplicates };
    return { duplicates }; // e.g. nesting too deep for the stack: JSON.parse has the last word
  }
}

/** A parsed document, or the first place it nests too deeply (aliases can nest YAML deeper than its text shows). */
function documentOf(value: unknown, file: string): ParseResult {
  const deep = nestingProblem(value);
  return deep ? { ok: false, diagnostics: [{ file, path: formatPath(deep.path), message: deep.message }] } : { ok: true, doc: value };
}

/**
 * Where YAML text first nests deeper than MAX_DEPTH, if it does: a linear scan, before the
 * parser (which recurses) sees the text. It counts what can open a level (a more indented
 * line, each `- ` of a compact sequence, `[` and `{` where a flow collection may start)
 * outside quoted scalars, comments and block scalars, so it never reads less depth than the
 * parser would build; a file of a few levels is never near the limit.
 */
export function yamlTooDeep(text: string): number | undefined {
  const indents: number[] = []; // the block levels' indentations
  let flow = 0; // open [ and { (flow collections span lines)
  let quote: '"' | "'" | null = null;
  let scalarIndent = -1; // inside a block scalar: the indentation of its header's line
  let pos = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    let i = pos;
    while (i < end && text[i] === ' ') i++;
    const indent = i - pos;
    const blank = i === end || text[i] === '\r' || (text[i] === '#' && quote === null);
    if (scalarIndent >= 0 && (blank || indent > scalarIndent)) {
      pos = end + 1; // a line of a block scalar's text
      continue;
    }
    scalarIndent = -1;
    if (!blank && quote === null && flow === 0) {
      while (indents.length > 0 && indents[indents.length - 1] >= indent) indents.pop();
      indents.push(indent);
      if (indents.length > MAX_DEPTH) return i;
    }
    let dashes = 0;
    let tokenStart = true; // at a place where a scalar or collection may begin
    for (; i < end; i++) {
      const ch = text[i];
      if (quote !== null) {
        if (ch === '\\' && quote === '"') i++;
        else if (ch === quote) {
          if (quote === "'" && text[i + 1] === "'") i++;
          else quote = null;
        }
        continue;
      }
      if (ch === ' ' || ch === '\t') {
        tokenStart = true;
        continue;
      }
      if (ch === '#' && tokenStart) break;
      if (tokenStart && (ch === '"' || ch === "'")) {
        quote = ch;
        continue;
      }
      if (tokenStart && ch === '-' && (i + 1 === end || text[i + 1] === ' ') && flow === 0) {
        dashes++;
        if (indents.length + dashes > MAX_DEPTH) return i;
        continue;
      }
      if (tokenStart && (ch === '[' || ch === '{')) {
        flow++;
        if (indents.length + dashes + flow > MAX_DEPTH) return i;
        continue;
      }
      if ((ch === ']' || ch === '}') && flow > 0) {
        flow--;
        continue;
      }
      if (tokenStart && (ch === '|' || ch === '>') && flow === 0 && /^[|>][0-9+-]*\s*(#.*)?\r?$/.test(text.slice(i, end))) {
        scalarIndent = indent;
        break;
      }
      tokenStart = ch === ':' || ch === ',' || ch === '?' || ch === '[' || ch === '{';
    }
    pos = end + 1;
  }
  return undefined;
}
