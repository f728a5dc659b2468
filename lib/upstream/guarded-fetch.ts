import dns, { type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import { addressRefused } from './network-errors';
import { addressAllowed, METADATA_NAMES, type NetworkPolicy } from './network-policy';

/**
 * fetch that connects only where a network policy allows (network-policy.ts).
 * The check sits in the connection's own DNS lookup (the HTTP agent's `lookup`
 * hook), so the address checked is the address connected to: a name that
 * resolves to a public address for a check and to 127.0.0.1 a moment later
 * (DNS rebinding) cannot slip through. Literal addresses never reach a lookup
 * and are checked before the request. Redirects are never followed (attempt.ts).
 */

type LookupCallback = (err: Error | null, address: string | LookupAddress[], family?: number) => void;

/** dns.lookup with the policy applied: only allowed addresses come back; none → a refusal. */
export const guardedLookup =
  (policy: NetworkPolicy) =>
  (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    if (METADATA_NAMES.test(hostname.replace(/\.$/, ''))) {
      callback(addressRefused(), []);
      return;
    }
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) {
        callback(err, []);
        return;
      }
      const allowed = addresses.filter((a) => addressAllowed(a.address, policy));
      const first = allowed[0];
      if (!first) callback(addressRefused(), []);
      else if (options.all) callback(null, allowed);
      else callback(null, first.address, first.family);
    });
  };

/** One agent per policy for the whole container: connections are pooled across clients. */
const agents = new Map<boolean, Agent>();
const agentFor = (policy: NetworkPolicy): Agent => {
  let agent = agents.get(policy.allowPrivate);
  if (!agent) {
    agent = new Agent({ connect: { lookup: guardedLookup(policy) } });
    agents.set(policy.allowPrivate, agent);
  }
  return agent;
};

/** Fails the way fetch fails on a network error (TypeError with a coded cause). */
const refusedFetch = (): Promise<never> => Promise.reject(new TypeError('fetch failed', { cause: addressRefused() }));

/** A fetch bound to `policy`. */
export const guardedFetch = (policy: NetworkPolicy): typeof fetch => {
  const dispatcher = agentFor(policy);
  const guarded = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && !addressAllowed(host, policy)) return refusedFetch();
    const options = { ...(init ?? {}), dispatcher } as Parameters<typeof undiciFetch>[1];
    return undiciFetch(url, options) as unknown as Promise<Response>;
  };
  return guarded as typeof fetch;
};
