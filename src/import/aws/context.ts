/**
 * import/aws/context: what the describe-* modules share while one folder is imported.
 *
 * Owns: where a record came from (file, JSON path, the folder's account and region), the
 * per-resource stores (first id wins; a different record under the same id warns, an identical
 * repeat is silent), the warnings collector and the options, and the shape of a describe-*
 * module (its top-level keys, their schemas, and how it collects them).
 * Does not own: any one resource (its module) or the order modules run in (dispatch.ts).
 */
import { isDeepStrictEqual } from 'node:util';
import type { z } from 'zod';
import { byText } from './common.ts';
import { WarningCollector } from './warnings.ts';

/** The file a top-level key was read from, and what its folders say. */
export interface FileContext {
  /** The file as the user named it (the import folder joined with its relative path). */
  readonly file: string;
  /** `data.` when the file is a boto `{status_code, data}` wrapper, else ''. */
  readonly prefix: string;
  /** From a `<region>/` folder (Batfish's and CloudMapper's layout). */
  readonly region?: string;
  /** From an `accounts/<id>/` folder (Batfish's layout). */
  readonly account?: string;
}

/** Where one record came from. */
export interface Origin extends FileContext {
  /** Its JSON path in the file, the wrapper's `data.` included. */
  readonly path: string;
}

export interface Located<T> {
  readonly value: T;
  readonly origin: Origin;
}

export function originOf(at: FileContext, path: string): Origin {
  return { ...at, path: at.prefix + path };
}

/** Records of one kind by AWS id. */
export class Store<T> {
  private readonly records = new Map<string, Located<T>>();

  constructor(
    private readonly kind: string,
    private readonly warnings: WarningCollector,
  ) {}

  /** Keeps the first record of an id; a different later one is dropped with a warning. */
  add(id: string, value: T, origin: Origin): boolean {
    const first = this.records.get(id);
    if (!first) {
      this.records.set(id, { value, origin });
      return true;
    }
    if (!isDeepStrictEqual(first.value, value)) {
      this.warnings.add(origin.file, origin.path, 'duplicate id', `${this.kind} ${id} is also described in ${first.origin.file} at ${first.origin.path}: the first is kept`);
    }
    return false;
  }

  get(id: string): Located<T> | undefined {
    return this.records.get(id);
  }

  has(id: string): boolean {
    return this.records.has(id);
  }

  /** Every record, in id order. */
  entries(): [string, Located<T>][] {
    return [...this.records.entries()].sort((a, b) => byText(a[0], b[0]));
  }

  get size(): number {
    return this.records.size;
  }
}

export interface ImportOptions {
  /** The region of VPCs that neither a folder nor a subnet's zone places (default: a warning and us-east-1). */
  readonly region?: string;
}

export class ImportContext {
  readonly warnings = new WarningCollector();
  private readonly stores = new Map<string, Store<unknown>>();

  constructor(readonly options: ImportOptions) {}

  /** The store of one kind of record (created on first use). */
  store<T>(kind: string): Store<T> {
    let s = this.stores.get(kind);
    if (!s) {
      s = new Store<unknown>(kind, this.warnings);
      this.stores.set(kind, s);
    }
    return s as Store<T>;
  }

  warn(at: Origin, key: string, message: string, subPath = ''): void {
    this.warnings.add(at.file, at.path + subPath, key, message);
  }
}

/** One describe-* module: the top-level keys it owns and how it reads them. */
export interface ResourceModule {
  /** Top-level key → the schema of its value (unknown fields pass). */
  readonly keys: Readonly<Record<string, z.ZodType>>;
  /** Keys that may sit beside an owned key and belong to it (describe-vpc-attribute's `VpcId`). */
  readonly companions?: readonly string[];
  /** Stores the records of one key's (already validated) value; `file` is the whole (unwrapped) file. */
  collect(key: string, value: unknown, file: Readonly<Record<string, unknown>>, at: FileContext, ctx: ImportContext): void;
}
