/** Reading an upstream answer's body under a size cap (attempt.ts). */

export interface Body {
  text: string;
  bytes: number;
}

/**
 * The body as text, or undefined when it exceeds maxBytes (the rest is cancelled: a hostile or
 * broken server cannot exhaust memory). Decoded chunk by chunk as it arrives, so the raw bytes are
 * never held whole beside the text (a listing page is megabytes, and a sweep reads several at once).
 */
export async function readCapped(res: Response, maxBytes: number): Promise<Body | undefined> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await res.body?.cancel();
    return undefined;
  }
  if (!res.body) return { text: '', bytes: 0 };
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let bytes = 0;
  for await (const chunk of res.body) {
    bytes += chunk.byteLength;
    if (bytes > maxBytes) {
      await res.body.cancel().catch(() => undefined);
      return undefined;
    }
    parts.push(decoder.decode(chunk, { stream: true }));
  }
  parts.push(decoder.decode());
  return { text: parts.join(''), bytes };
}
