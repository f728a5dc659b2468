/**
 * JSON.parse lets the last of two equal keys win, so `{"plexUrl":"a","plexUrl":"b"}`
 * would be read differently by plm and by anything in front of it (a WAF, a
 * log, another parser). plm refuses such bodies instead.
 */

interface Frame {
  keys: Set<string> | null;
  expectKey: boolean;
}

/** The end index (exclusive) of the JSON string starting at `start` (a quote). */
const stringEnd = (text: string, start: number): number => {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
};

/**
 * The first key that appears twice in one object of `text`, which must be
 * valid JSON (checked before). Keys compare after unescaping: "a" and "\u0061" are one key.
 */
export const firstDuplicateKey = (text: string): string | undefined => {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === '"') {
      const end = stringEnd(text, i);
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(text.slice(i, end)) as string;
        if (top.keys.has(key)) return key;
        top.keys.add(key);
        top.expectKey = false;
      }
      i = end - 1;
    } else if (c === '{') stack.push({ keys: new Set(), expectKey: true });
    else if (c === '[') stack.push({ keys: null, expectKey: false });
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',' && top?.keys) top.expectKey = true;
  }
  return undefined;
};
