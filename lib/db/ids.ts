import { createHash } from 'node:crypto';
import { ObjectId } from 'mongodb';

/**
 * An ObjectId derived from a natural key (first 12 bytes of SHA-256).
 *
 * Uniqueness rides on `_id`, which every MongoDB-wire server enforces, so it
 * holds on the embedded store too (which ignores unique secondary indexes) and
 * concurrent inserts of one key leave exactly one document.
 */
export const derivedId = (namespace: string, key: string): ObjectId =>
  new ObjectId(createHash('sha256').update(`${namespace}:${key}`).digest().subarray(0, 12));

/** Parses a 24-hex id, or returns undefined (never throws on client input). */
export const parseObjectId = (value: string): ObjectId | undefined =>
  /^[0-9a-f]{24}$/i.test(value) ? new ObjectId(value) : undefined;
