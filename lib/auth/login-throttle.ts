import { isIP } from 'node:net';
import { getConfig } from '../config';
import { getDb } from '../db/client';
import { Collections } from '../db/collections';
import { derivedId } from '../db/ids';
import { authClock } from './clock';
import { passBackoff, type BackoffTiming, type Passage } from './backoff';

/**
 * Password guessing, throttled so that an attacker cannot lock the owner out
 * (figures in README.md, "Login throttling"):
 *
 * - per (user, IP) pair: LOGIN_MAX_FAILURES_PER_USER failures, then back-off;
 *   a success clears it. Guessing one user's password from one address is slow.
 * - per IP, over every user name: LOGIN_MAX_FAILURES_PER_IP, then back-off.
 *   Stops one address from spraying many accounts.
 * - per account, over every address: LOGIN_MAX_FAILURES_PER_ACCOUNT, then
 *   back-off. Stops a botnet from guessing one account from many addresses.
 *
 * The IP and account throttles do not apply to a (user, IP) pair that logged
 * in successfully within REFRESH_TOKEN_TTL_DAYS: whatever happens elsewhere
 * (a botnet on the account, a neighbour behind the same NAT spraying names),
 * the owner can still log in from where they logged in before. Only someone
 * guessing from the owner's own address can slow the owner down.
 */
export type LoginScope = 'login' | 'password';

export interface Reservation {
  /** Seconds until the caller may try again; 0 when this attempt is allowed. */
  retryAfterSeconds: number;
  /** The password was wrong: the failure counts under every key. */
  fail(): Promise<void>;
  /** After a success: forgets the pair's failures, gives the IP and account their attempt back, remembers the pair. */
  release(): Promise<void>;
}

/** Failures are forgotten this long after the last one. */
const FORGET_AFTER_MS = 24 * 3600_000;
/** The first wait after the free failures; each further failure doubles it, up to LOGIN_FAILURE_WINDOW_SECONDS. */
const FIRST_WAIT_MS = 30_000;

const timing = (): BackoffTiming => ({
  baseMs: FIRST_WAIT_MS,
  maxMs: getConfig().LOGIN_FAILURE_WINDOW_SECONDS * 1000,
  forgetMs: FORGET_AFTER_MS,
});

/**
 * The address an attacker cannot cheaply change: IPv4 as is, IPv6 by its /64
 * (one subscriber gets a whole /64 and could rotate through it).
 */
const clientNetwork = (ip: string | undefined): string => {
  if (!ip) return 'unknown';
  if (isIP(ip) !== 6) return ip;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) return mapped[1];
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
};

const knownPairId = (subject: string, network: string) => derivedId('login-known', `${subject}\n${network}`);

interface KnownPair {
  _id: ReturnType<typeof derivedId>;
  expiresAt: Date;
}

const knownPairs = async () => (await getDb()).collection<KnownPair>(Collections.loginFailures);

const isKnownPair = async (subject: string, network: string): Promise<boolean> => {
  const doc = await (await knownPairs()).findOne({ _id: knownPairId(subject, network) });
  return !!doc && doc.expiresAt.getTime() > authClock.now();
};

const rememberPair = async (subject: string, network: string): Promise<void> => {
  const expiresAt = new Date(authClock.now() + getConfig().REFRESH_TOKEN_TTL_DAYS * 86_400_000);
  await (await knownPairs()).updateOne(
    { _id: knownPairId(subject, network) },
    { $set: { expiresAt } },
    { upsert: true },
  );
};

/** The keys an attempt is counted under, each with its free failures. */
const rulesFor = (scope: LoginScope, subject: string, network: string, known: boolean) => {
  const c = getConfig();
  const pair = { key: `${scope}:pair:${subject}\n${network}`, free: c.LOGIN_MAX_FAILURES_PER_USER };
  // A password change is made with a valid access token: only the pair applies.
  if (scope === 'password' || known) return { pair, others: [] };
  return {
    pair,
    others: [
      { key: `${scope}:ip:${network}`, free: c.LOGIN_MAX_FAILURES_PER_IP },
      { key: `${scope}:account:${subject}`, free: c.LOGIN_MAX_FAILURES_PER_ACCOUNT },
    ],
  };
};

/** Counts one password attempt by `subject` (normalised user name) from `ip`; over a limit, says how long to wait. */
export const reserveLoginAttempt = async (
  scope: LoginScope,
  subject: string,
  ip: string | undefined,
): Promise<Reservation> => {
  const network = clientNetwork(ip);
  // Only logins spare a known pair the other counters: a password change never reads it.
  const known = scope === 'login' && (await isKnownPair(subject, network));
  const { pair, others } = rulesFor(scope, subject, network, known);
  const t = timing();
  const passages: Passage[] = await Promise.all([pair, ...others].map((r) => passBackoff(r.key, r.free, t)));
  const waitMs = Math.max(...passages.map((p) => p.waitMs));
  if (waitMs > 0) {
    // Refused: the keys that let it through must not count it.
    await Promise.all(passages.filter((p) => p.waitMs === 0).map((p) => p.released()));
    const none = async () => undefined;
    return { retryAfterSeconds: Math.ceil(waitMs / 1000), fail: none, release: none };
  }
  const [pairPassage, ...rest] = passages;
  return {
    retryAfterSeconds: 0,
    fail: async () => {
      await Promise.all(passages.map((p) => p.failed()));
    },
    release: async () => {
      await Promise.all([pairPassage?.reset(), ...rest.map((p) => p.released()), rememberPair(subject, network)]);
    },
  };
};
