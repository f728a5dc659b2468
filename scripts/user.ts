/**
 * User administration:
 *   npm run user:create -- --username alice        (password from PLM_PASSWORD, or prompted without echo)
 *   npm run user:list
 *   npm run user:delete -- --username alice
 *   npm run user:reset-password -- --username alice
 * Writes to MONGODB_URI when set, else to the local embedded store of `npm start`
 * (through the running server when it is up, otherwise to its data file).
 */
import { parseArgs } from 'node:util';
import { recordAudit } from '../lib/audit/audit-log';
import { passwordProblems } from '../lib/auth/passwords';
import { usernameSchema } from '../lib/auth/schemas';
import { revokeAllSessions } from '../lib/auth/sessions';
import { deleteAccount } from '../lib/auth/account-deletion';
import { createUser, findUserByUsername, listUsers, setPassword } from '../lib/auth/users';
import { loadConfig } from '../lib/config';
import { closeDb } from '../lib/db/client';
import { APIError } from '../lib/errors';
import { findRunningStore, startStore, type StartedStore } from './local-store';

/** A usage or input problem: reported without a stack, after cleanup. */
class CliError extends Error {}

const fail = (message: string): never => {
  throw new CliError(message);
};

const readPasswordHidden = async (prompt: string): Promise<string> => {
  if (!process.stdin.isTTY) fail('set PLM_PASSWORD or run in a terminal to be prompted');
  process.stdout.write(prompt);
  return new Promise((resolve) => {
    let value = '';
    process.stdin.setRawMode(true);
    process.stdin.resume();
    process.stdin.setEncoding('utf8');
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          process.stdin.setRawMode(false);
          process.stdin.pause();
          process.stdin.off('data', onData);
          process.stdout.write('\n');
          resolve(value);
          return;
        }
        if (ch === '\u0003') process.exit(130);
        if (ch === '\u007f') value = value.slice(0, -1);
        else value += ch;
      }
    };
    process.stdin.on('data', onData);
  });
};

const newPassword = async (): Promise<string> => {
  let password = process.env.PLM_PASSWORD;
  if (!password) {
    password = await readPasswordHidden('Password: ');
    if ((await readPasswordHidden('Repeat password: ')) !== password) fail('the passwords differ');
  }
  const problems = passwordProblems(password!);
  if (problems.length) fail(`password ${problems.join('; ')}`);
  return password!;
};

const username = (value: string | undefined): string => {
  if (!value) fail('--username is required');
  const parsed = usernameSchema.safeParse(value);
  if (!parsed.success) fail(`username ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  return parsed.data!;
};

const main = async (): Promise<void> => {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({ args: rest, options: { username: { type: 'string' } } });
  process.env.NODE_ENV ??= 'development';

  let store: StartedStore | undefined;
  // With PLM_SSM_PREFIX the database is the deployment's: MONGODB_URI comes from SSM Parameter Store.
  if (!process.env.MONGODB_URI && !process.env.PLM_SSM_PREFIX) {
    const running = findRunningStore();
    if (running) process.env.MONGODB_URI = running.uri;
    else {
      store = await startStore();
      process.env.MONGODB_URI = store.uri;
    }
  }
  try {
    await loadConfig();
    switch (command) {
      case 'create': {
        const name = username(values.username);
        const user = await createUser(name, await newPassword());
        await recordAudit({ type: 'user_created', userId: user._id, username: user.username });
        process.stdout.write(`created user ${user.username}\n`);
        break;
      }
      case 'list': {
        const users = await listUsers();
        for (const u of users) process.stdout.write(`${u.username}\tcreated ${u.createdAt.toISOString()}\n`);
        if (!users.length) process.stdout.write('no users\n');
        break;
      }
      case 'delete': {
        const user = (await findUserByUsername(username(values.username))) ?? fail('no such user');
        await deleteAccount(user);
        process.stdout.write(`deleted user ${user.username} (sessions and settings included)\n`);
        break;
      }
      case 'reset-password': {
        const user = (await findUserByUsername(username(values.username))) ?? fail('no such user');
        await setPassword(user._id, await newPassword());
        const revoked = await revokeAllSessions(user._id, 'password_change');
        await recordAudit({
          type: 'password_reset',
          userId: user._id,
          username: user.username,
          details: { sessionsRevoked: revoked },
        });
        process.stdout.write(`password reset for ${user.username}; ${revoked} session(s) ended\n`);
        break;
      }
      default:
        fail('usage: user.ts create|list|delete|reset-password [--username NAME]');
    }
  } catch (error) {
    if (error instanceof APIError && error.statusCode < 500) throw new CliError(error.message);
    throw error;
  } finally {
    await closeDb();
    await store?.stop();
  }
};

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
