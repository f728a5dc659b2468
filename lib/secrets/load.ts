import { parameterNameOf, REQUIRED_SECRETS, SECRET_VARIABLES, type SecretVariable, secretsReadableBy } from './catalog';
import { ParameterStoreSecrets, type SecretRead } from './parameter-store';

/**
 * A deployed function's environment: the process environment without any
 * secret variable, plus the secrets this function may read (lib/secrets/catalog.ts),
 * from SSM Parameter Store under PLM_SSM_PREFIX.
 */
export type BuildFromSecrets<T> = (env: NodeJS.ProcessEnv, readable: readonly SecretVariable[]) => T;

let store: { prefix: string; readable: readonly SecretVariable[]; secrets: ParameterStoreSecrets } | undefined;
/** What was built from which read: a new object only when the values were read again. */
let built: { read: SecretRead; value: unknown } | undefined;

const storeFor = (prefix: string, readable: readonly SecretVariable[]): ParameterStoreSecrets => {
  if (store?.prefix !== prefix || store.readable !== readable)
    store = { prefix, readable, secrets: new ParameterStoreSecrets({ prefix, variables: readable }) };
  return store.secrets;
};

const readOrExplain = async (prefix: string, readable: readonly SecretVariable[]): Promise<SecretRead> => {
  let read: SecretRead;
  try {
    read = await storeFor(prefix, readable).read();
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new Error(`SSM Parameter Store could not be read under ${prefix}: ${reason}`, { cause: error });
  }
  const absent = read.missing.filter((v) => REQUIRED_SECRETS.includes(v));
  if (absent.length) {
    const names = absent.map((v) => parameterNameOf(prefix, v)).join(', ');
    throw new Error(`required SSM parameters are missing or empty: ${names} (create them as SecureString)`);
  }
  return read;
};

/**
 * Reads this function's secrets under `prefix` (cached, see parameter-store.ts)
 * and builds the configuration from them, again only when they were read again.
 * Throws an Error naming the parameters (never a value) when a required one is
 * absent or SSM cannot be read.
 */
export const buildFromParameterStore = async <T>(
  prefix: string,
  env: NodeJS.ProcessEnv,
  build: BuildFromSecrets<T>,
): Promise<T> => {
  const readable = secretsReadableBy(env.AWS_LAMBDA_FUNCTION_NAME);
  const read = await readOrExplain(prefix, readable);
  if (built?.read !== read) {
    const secretNames: readonly string[] = SECRET_VARIABLES;
    const withoutSecrets = Object.fromEntries(Object.entries(env).filter(([name]) => !secretNames.includes(name)));
    built = { read, value: build({ ...withoutSecrets, ...read.values }, readable) };
  }
  return built.value as T;
};

/** Forgets the values read and what was built from them (tests; resetConfig() calls it). */
export const forgetSecrets = (): void => {
  store = undefined;
  built = undefined;
};
