import { MongoError } from 'mongodb';

/**
 * E11000: a write hit a unique index (in plm usually a derived `_id` another
 * request or container wrote first). The one test for it; callers decide what
 * losing that race means. The message test covers servers that omit the code.
 */
export const isDuplicateKeyError = (error: unknown): boolean =>
  error instanceof MongoError && (error.code === 11000 || /E11000|duplicate key/i.test(error.message));
