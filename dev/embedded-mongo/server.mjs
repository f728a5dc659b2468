#!/usr/bin/env node
/**
 * The embedded MongoDB-wire server (CongoDB, pure TypeScript) for tests and
 * local runs when MONGODB_URI is unset. Runs in its own process, like a real
 * mongod, and prints one JSON line {"uri","port","pid"} once it listens;
 * spawn.ts starts it and waits for that line.
 *
 *   node dev/embedded-mongo/server.mjs [--port N] [--data FILE] [--db NAME] [--exit-with-parent]
 *
 * With --data, the database is restored from FILE (EJSON) at start and saved
 * back atomically every few seconds when it changed and on SIGINT/SIGTERM.
 * CongoDB's own persistence turns Dates/ObjectIds into strings, hence this.
 * Collections named media* are a rebuildable cache and are not saved.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { BSON, MongoClient } from 'mongodb';
import { CongoServer } from '@push.rocks/smartmongo/dist_ts/congodb/index.js';

// mongodb re-exports its bson; plm needs no bson package of its own.
const { EJSON } = BSON;

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    data: { type: 'string' },
    db: { type: 'string', default: 'plm' },
    'save-interval-ms': { type: 'string', default: '3000' },
    'exit-with-parent': { type: 'boolean', default: false },
  },
});

const server = new CongoServer({ port: Number(values.port), host: '127.0.0.1' });
// Restore BEFORE listening: a client that reconnects the moment the port opens (plm, after a
// restart of the store) must find its data, not an empty database.
if (values.data && existsSync(values.data)) {
  // relaxed: plain JS numbers, as documents read through the wire protocol hold them (queries compare those).
  const dump = EJSON.parse(readFileSync(values.data, 'utf8'), { relaxed: true });
  for (const [name, docs] of Object.entries(dump.collections ?? {})) {
    if (docs.length) await server.getStorage().insertMany(values.db, name, docs);
  }
}
await server.start();
const port = server.server.address().port;
const uri = `mongodb://127.0.0.1:${port}/?directConnection=true&serverMonitoringMode=poll`;

const client = new MongoClient(uri);
await client.connect();
const db = client.db(values.db);
const persisted = (name) => !name.startsWith('media') && !name.startsWith('system.');

const readAll = async () => {
  const collections = {};
  for (const { name } of await db.listCollections().toArray()) {
    if (persisted(name)) collections[name] = await db.collection(name).find().toArray();
  }
  return EJSON.stringify(collections, { relaxed: false });
};

// Only write when something changed since the last save (or the restore).
let lastSaved = values.data ? await readAll() : '';
const save = async () => {
  if (!values.data) return;
  const current = await readAll();
  if (current === lastSaved) return;
  mkdirSync(dirname(values.data), { recursive: true });
  const tmp = `${values.data}.${process.pid}.tmp`;
  writeFileSync(tmp, `{"collections":${current}}`, { mode: 0o600 });
  renameSync(tmp, values.data); // atomic: a crash never leaves half a file
  lastSaved = current;
};

let saving = Promise.resolve();
const timer = values.data
  ? setInterval(() => {
      saving = saving.then(save).catch((e) => console.error(`[embedded-mongo] save failed: ${e.message}`));
    }, Number(values['save-interval-ms']))
  : undefined;

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  if (timer) clearInterval(timer);
  try {
    await saving;
    await save();
  } catch (e) {
    console.error(`[embedded-mongo] final save failed: ${e.message}`);
  }
  await client.close().catch(() => {});
  await server.stop().catch(() => {});
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.on('disconnect', stop);
// Started by a parent (npm start, the CLI, jest) with a piped stdin: when the
// parent dies, stdin closes and the store saves and exits instead of lingering.
if (values['exit-with-parent']) {
  process.stdin.on('end', stop);
  process.stdin.resume();
}

process.stdout.write(`${JSON.stringify({ uri, port, pid: process.pid })}\n`);
