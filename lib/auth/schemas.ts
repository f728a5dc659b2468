import * as z from 'zod';
import { MAX_PASSWORD_BYTES } from './passwords';
import { USERNAME_MAX_LENGTH } from './users';

/** No control characters; unicode letters are fine (names are NFKC-normalised). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

export const usernameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(USERNAME_MAX_LENGTH, `must be at most ${USERNAME_MAX_LENGTH} characters`)
  .refine((v) => !CONTROL_CHARS.test(v), 'must not contain control characters');

export const passwordSchema = z
  .string()
  .min(1, 'must not be empty')
  .refine((v) => Buffer.byteLength(v, 'utf8') <= MAX_PASSWORD_BYTES, `must be at most ${MAX_PASSWORD_BYTES} bytes`);

export const refreshTokenSchema = z.string().min(1).max(200);

export const LoginBody = z.strictObject({ username: usernameSchema, password: passwordSchema });
export const RefreshBody = z.strictObject({ refreshToken: refreshTokenSchema });
export const LogoutBody = z.strictObject({ refreshToken: refreshTokenSchema.optional() });
export const ChangePasswordBody = z.strictObject({ currentPassword: passwordSchema, newPassword: passwordSchema });
