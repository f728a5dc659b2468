/** Runs fn and returns what it threw (fails if it did not throw). */
export const caught = async (fn: () => Promise<unknown>): Promise<unknown> => {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
};

/** Drains an async iterable of pages into one array. */
export const drain = async <T>(pages: AsyncIterable<T[]>): Promise<T[]> => {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
};
