import { handler as loginHandler } from '../functions/login';
import { createUser } from '../lib/auth/users';
import { invoke } from './lambda';

let counter = 0;

/** Creates a user with a unique name and logs in through the real login handler. */
export const createUserAndLogin = async (
  name = `user${Date.now().toString(36)}${counter++}`,
  password = 'correct horse battery',
): Promise<{ username: string; password: string; token: string; refreshToken: string; userId: string }> => {
  const user = await createUser(name, password);
  const res = await invoke(loginHandler, { method: 'POST', path: '/api/login', body: { username: name, password } });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const { token, refreshToken } = res.json<{ token: string; refreshToken: string }>();
  return { username: name, password, token, refreshToken, userId: user._id.toHexString() };
};
