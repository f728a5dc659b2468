/**
 * Reading upstream rows without zod, for the hot path of a library sweep.
 *
 * The zod schemas (schema.ts and each client's schemas.ts) stay the contract:
 * they word every error. Validating 100k rows through zod unions costs about
 * as much as JSON.parse itself (Tautulli's string numbers fail a union branch
 * on every field), so listing pages are first read by hand-written readers
 * that accept exactly what the schemas accept — never more
 * (tests/unit/upstream/row-reader.test.ts checks this against zod with
 * generated rows). A page with anything a reader does not recognise is handed
 * to zod, which accepts it or throws the precise error.
 */

/** Same as schema.ts: numbers may arrive as numeric strings. */
const NUMERIC = /^-?\d+(\.\d+)?$/;

type Row = Record<string, unknown>;

/** Coerces values as schema.ts does; `ok` turns false at the first value it does not accept. */
export class RowReader {
  ok = true;

  private fail<T>(fallback: T): T {
    this.ok = false;
    return fallback;
  }

  /** schema.ts `num`. */
  num(v: unknown): number {
    if (typeof v === 'number') return Number.isFinite(v) ? v : this.fail(0);
    if (typeof v === 'string') {
      const t = v.trim();
      if (NUMERIC.test(t)) return Number(t);
    }
    return this.fail(0);
  }

  optNum(v: unknown): number | undefined {
    return v === undefined ? undefined : this.num(v);
  }

  /** schema.ts `numOrNull`: "" or null → null. */
  numOrNull(v: unknown): number | null {
    return v === null || v === '' ? null : this.num(v);
  }

  optNumOrNull(v: unknown): number | null | undefined {
    return v === undefined ? undefined : this.numOrNull(v);
  }

  /** schema.ts `id`: a non-empty trimmed string, or a safe integer as a string. */
  id(v: unknown): string {
    if (typeof v === 'string') {
      const t = v.trim();
      return t ? t : this.fail('');
    }
    return typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : this.fail('');
  }

  optId(v: unknown): string | undefined {
    return v === undefined ? undefined : this.id(v);
  }

  /** schema.ts `text`: a string, or a number as a string. */
  text(v: unknown): string {
    if (typeof v === 'string') return v;
    return typeof v === 'number' && Number.isFinite(v) ? String(v) : this.fail('');
  }

  /** `z.string()`. */
  str(v: unknown): string {
    return typeof v === 'string' ? v : this.fail('');
  }

  optStr(v: unknown): string | undefined {
    return v === undefined ? undefined : this.str(v);
  }

  /** `z.object(...)`: an object that is not an array. */
  obj(v: unknown): Row {
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Row) : this.fail({});
  }

  arr(v: unknown): unknown[] {
    return Array.isArray(v) ? v : this.fail([]);
  }

  optArr(v: unknown): unknown[] | undefined {
    return v === undefined ? undefined : this.arr(v);
  }
}

/**
 * `rows` read one by one with `read`; undefined as soon as one does not fit
 * (the caller then lets zod decide).
 */
export const readRows = <T>(rows: unknown[], read: (row: Row, r: RowReader) => T): T[] | undefined => {
  const r = new RowReader();
  const out = new Array<T>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    out[i] = read(r.obj(rows[i]), r);
    if (!r.ok) return undefined;
  }
  return out;
};
