import type { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { logger } from '../logger';
import { parameterNameOf, type SecretVariable } from './catalog';

/**
 * Secrets read from SSM Parameter Store (SecureString, decrypted by SSM) through
 * Powertools, once per container and again after SECRETS_MAX_AGE_SECONDS, so a
 * rotated value reaches every warm container within that time, without a redeploy.
 */
export const SECRETS_MAX_AGE_SECONDS = 300;
/** After a failed read, the next attempt waits this long (SSM serves ~40 reads/s per account and region). */
export const RETRY_AFTER_FAILURE_SECONDS = 30;

/** The part of Powertools' SSMProvider used here (tests may hand in their own). */
export type ParameterProvider = Pick<SSMProvider, 'getParametersByName' | 'clearCache'>;

export interface SecretRead {
  /** the variables whose parameter exists, with its value */
  values: Partial<Record<SecretVariable, string>>;
  /** the variables whose parameter does not exist (or is empty) */
  missing: SecretVariable[];
}

export interface ParameterStoreOptions {
  prefix: string;
  variables: readonly SecretVariable[];
  provider?: ParameterProvider;
  /** epoch ms; tests move it */
  now?: () => number;
}

type Outcome = { ok: true; read: SecretRead; at: number } | { ok: false; error: unknown };

/** Loaded on first use: the SDK's SSM client costs cold-start time that functions reading no secret never pay. */
const defaultProvider = async (): Promise<ParameterProvider> => {
  const { SSMProvider } = await import('@aws-lambda-powertools/parameters/ssm');
  return new SSMProvider();
};

export class ParameterStoreSecrets {
  private provider?: ParameterProvider;
  private readonly now: () => number;
  /** This class is the cache that counts: it also remembers absent parameters and failures. */
  private last?: { outcome: Outcome; expiresAt: number };
  private pending?: Promise<Outcome>;

  constructor(private readonly options: ParameterStoreOptions) {
    this.provider = options.provider;
    this.now = options.now ?? Date.now;
  }

  /**
   * The secrets, from memory while fresh. A failed refresh keeps answering the
   * last good values (a brief SSM outage must not take the API down); a failure
   * with nothing to fall back on is thrown, and retried only after a pause.
   */
  async read(): Promise<SecretRead> {
    const outcome = this.last && this.now() < this.last.expiresAt ? this.last.outcome : await this.refresh();
    if (outcome.ok) return outcome.read;
    throw outcome.error;
  }

  /** Parameter names, by the variable they hold. */
  private names(): Partial<Record<SecretVariable, string>> {
    return Object.fromEntries(this.options.variables.map((v) => [v, parameterNameOf(this.options.prefix, v)]));
  }

  private refresh(): Promise<Outcome> {
    this.pending ??= this.fetch()
      .then((read): Outcome => ({ ok: true, read, at: this.now() }))
      .catch((error: unknown): Outcome => ({ ok: false, error }))
      .then((outcome) => {
        this.pending = undefined;
        const previous = this.last?.outcome;
        if (outcome.ok) {
          this.last = { outcome, expiresAt: this.now() + SECRETS_MAX_AGE_SECONDS * 1000 };
          return outcome;
        }
        const retryAt = this.now() + RETRY_AFTER_FAILURE_SECONDS * 1000;
        if (previous?.ok) {
          logger.warn('SSM parameters could not be refreshed; using the values read before', {
            ageSeconds: Math.round((this.now() - previous.at) / 1000),
            error: outcome.error,
          });
          this.last = { outcome: previous, expiresAt: retryAt };
          return previous;
        }
        this.last = { outcome, expiresAt: retryAt };
        return outcome;
      });
    return this.pending;
  }

  private async fetch(): Promise<SecretRead> {
    const names = this.names();
    const read: SecretRead = { values: {}, missing: [] };
    if (!this.options.variables.length) return read;
    this.provider ??= await defaultProvider();
    // Powertools keeps values at least 5 s; a refresh must see what SSM holds now.
    this.provider.clearCache();
    // GetParameters with decryption (10 names per call); absent names come back in `_errors`.
    const answer = await this.provider.getParametersByName<string>(
      Object.fromEntries(Object.values(names).map((name) => [name, {}])),
      { decrypt: true, maxAge: SECRETS_MAX_AGE_SECONDS, throwOnError: false },
    );
    for (const variable of this.options.variables) {
      const value = answer[names[variable] ?? ''];
      if (typeof value === 'string' && value !== '') read.values[variable] = value;
      else read.missing.push(variable);
    }
    return read;
  }
}
