import bcrypt from 'bcryptjs';
import { getConfig } from '../config';

/** bcrypt works on the first 72 bytes only; longer passwords are refused by validation. */
export const MAX_PASSWORD_BYTES = 72;
export const MIN_PASSWORD_LENGTH = 8;

export const hashPassword = async (password: string): Promise<string> => bcrypt.hash(password, getConfig().BCRYPT_COST);

export const verifyPassword = async (password: string, hash: string): Promise<boolean> =>
  bcrypt.compare(password, hash);

/**
 * A hash of a random password at the configured cost. Comparing against it when
 * the user does not exist makes "unknown user" cost the same time as "wrong password".
 */
let dummyHash: Promise<string> | undefined;
export const getDummyHash = (): Promise<string> => {
  dummyHash ??= bcrypt.hash(`dummy-${Math.random()}`, getConfig().BCRYPT_COST).catch((error: unknown) => {
    dummyHash = undefined;
    throw error;
  });
  return dummyHash;
};

/**
 * Computes the dummy hash while the container starts, so the first unknown-user
 * login in a container is not the one that costs two bcrypt runs.
 */
export const prewarmDummyHash = (): void => {
  try {
    getDummyHash().catch(() => undefined);
  } catch {
    // a bad config surfaces on the first request instead
  }
};

/** Reasons a new password is refused, or an empty list. */
export const passwordProblems = (password: string): string[] => {
  const problems: string[] = [];
  if (password.length < MIN_PASSWORD_LENGTH) problems.push(`must be at least ${MIN_PASSWORD_LENGTH} characters`);
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES)
    problems.push(`must be at most ${MAX_PASSWORD_BYTES} bytes`);
  return problems;
};
