/** The code of the network error a refused address gives (guarded-fetch.ts). */
export const ADDRESS_REFUSED = 'PLM_ADDRESS_REFUSED';

export const addressRefused = (): Error =>
  Object.assign(new Error('the address is not allowed'), { code: ADDRESS_REFUSED });

/** Node's fetch wraps the socket error: "fetch failed" with cause.code = ECONNREFUSED etc. */
export const networkReason = (err: unknown): string => {
  // Duck-typed: the error may come from another realm (jest's vm), so instanceof Error can lie.
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    name?: unknown;
    code?: unknown;
    cause?: { code?: unknown; message?: unknown };
  };
  if (e.cause?.code === ADDRESS_REFUSED) return 'address not allowed';
  if (typeof e.cause?.code === 'string') return e.cause.code;
  if (typeof e.code === 'string') return e.code;
  if (typeof e.cause?.message === 'string' && /terminated|other side closed/i.test(e.cause.message))
    return 'connection closed';
  return typeof e.name === 'string' ? e.name : 'network error';
};
