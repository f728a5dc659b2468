import { closeDb, getDb, hasDbClient } from '../../lib/db/client';

/** Drops this file's database and closes the client after the file's tests. */
afterAll(async () => {
  if (!hasDbClient()) return;
  try {
    const db = await getDb();
    await db.dropDatabase();
  } catch {
    // the file may not have used the database at all
  }
  await closeDb();
});
