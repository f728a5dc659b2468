import { MongoServerError, ObjectId } from 'mongodb';
import { getDb } from '../../../lib/db/client';
import { isDuplicateKeyError } from '../../../lib/db/errors';

describe('isDuplicateKeyError', () => {
  it('recognises a second insert of the same _id, and nothing else', async () => {
    const col = (await getDb()).collection<{ _id: ObjectId }>('duplicateKeyProbe');
    const _id = new ObjectId();
    await col.insertOne({ _id });
    const error: unknown = await col.insertOne({ _id }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MongoServerError);
    expect(isDuplicateKeyError(error)).toBe(true);
    expect(isDuplicateKeyError(new MongoServerError({ message: 'not primary', code: 10107 }))).toBe(false);
    expect(isDuplicateKeyError(new Error('E11000 duplicate key'))).toBe(false);
    expect(isDuplicateKeyError({ code: 11000 })).toBe(false);
  });
});
