/**
 * Compares the SHAPE of a fake answer with a documented real one: every key of
 * the fixture must exist in the fake output with the same JSON type (number vs
 * numeric string matters — that is the point), recursively. Extra keys in the
 * fake are allowed. For arrays, each fixture element must match at least one
 * element of the fake array (real examples mix e.g. played and unplayed rows).
 */
type Json = unknown;

const typeOf = (v: Json): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

export const shapeMismatches = (
  fixture: Json,
  actual: Json,
  optional: ReadonlySet<string> = new Set(),
  path = '$',
): string[] => {
  const ft = typeOf(fixture);
  const at = typeOf(actual);
  if (ft !== at) return [`${path}: expected ${ft}, got ${at}`];
  if (ft === 'array') {
    const fa = fixture as Json[];
    const aa = actual as Json[];
    if (fa.length && !aa.length) return [`${path}: expected elements, got an empty array`];
    const problems: string[] = [];
    fa.forEach((f, i) => {
      const tries = aa.map((a) => shapeMismatches(f, a, optional, `${path}[${i}]`));
      if (!tries.some((t) => t.length === 0)) problems.push(...(tries.sort((x, y) => x.length - y.length)[0] ?? []));
    });
    return problems;
  }
  if (ft === 'object') {
    const fo = fixture as Record<string, Json>;
    const ao = actual as Record<string, Json>;
    return Object.keys(fo).flatMap((k) => {
      if (!(k in ao)) return optional.has(k) ? [] : [`${path}.${k}: missing`];
      return shapeMismatches(fo[k], ao[k], optional, `${path}.${k}`);
    });
  }
  return [];
};
