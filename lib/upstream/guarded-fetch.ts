import dns, { type LookupAddress, type LookupOptions } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { addressRefused } from './network-errors';
import { addressAllowed, METADATA_NAMES, type NetworkPolicy } from './network-policy';

/**
 * A fetch (the part attempt.ts uses: GET, headers, signal, no redirects) that
 * connects only where a network policy allows (network-policy.ts). The check
 * sits in the connection's own DNS lookup (the HTTP agent's `lookup` hook),
 * so the address checked is the address connected to: a name that resolves
 * to a public address for a check and to 127.0.0.1 a moment later (DNS
 * rebinding) cannot slip through. Literal addresses never reach a lookup and
 * are checked before the request. Built on node:http(s) rather than the
 * undici package, whose bundle would add half a megabyte to every function
 * that talks to Plex.
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

/** One keep-alive agent per policy and protocol for the whole container: connections are pooled across clients. */
const agents = new Map<string, http.Agent>();
const agentFor = (policy: NetworkPolicy, protocol: string): http.Agent => {
  const key = `${protocol}${policy.allowPrivate}`;
  let agent = agents.get(key);
  if (!agent) {
    const options = { keepAlive: true, lookup: guardedLookup(policy) } as http.AgentOptions;
    agent = protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
    agents.set(key, agent);
  }
  return agent;
};

/** fetch fails on a network error with a TypeError whose cause carries the code (attempt.ts reads it). */
const networkError = (cause: unknown): TypeError => new TypeError('fetch failed', { cause });

/** The body as a web stream, decoded as fetch would (gzip, deflate, br). */
const bodyOf = (res: IncomingMessage): ReadableStream<Uint8Array> | null => {
  if (res.statusCode === 204 || res.statusCode === 205 || res.statusCode === 304) {
    res.resume();
    return null;
  }
  const encoding = String(res.headers['content-encoding'] ?? '').toLowerCase();
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? zlib.createGunzip()
      : encoding === 'deflate'
        ? zlib.createInflate()
        : encoding === 'br'
          ? zlib.createBrotliDecompress()
          : undefined;
  const source = decoder ? res.pipe(decoder) : res;
  if (decoder) res.on('error', (e) => decoder.destroy(e));
  return Readable.toWeb(source) as ReadableStream<Uint8Array>;
};

const headersOf = (res: IncomingMessage): Headers => {
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return headers;
};

/** A fetch bound to `policy`. */
export const guardedFetch = (policy: NetworkPolicy): typeof fetch => {
  const guarded = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && !addressAllowed(host, policy)) return Promise.reject(networkError(addressRefused()));
    const module = url.protocol === 'https:' ? https : http;
    const headers = { 'accept-encoding': 'gzip, deflate, br', ...Object.fromEntries(new Headers(init.headers)) };
    return new Promise<Response>((resolve, reject) => {
      const req = module.request(
        url,
        {
          method: init.method ?? 'GET',
          headers,
          agent: agentFor(policy, url.protocol),
          signal: init.signal ?? undefined,
        },
        (res) => {
          try {
            resolve(new Response(bodyOf(res), { status: res.statusCode ?? 502, headers: headersOf(res) }));
          } catch (error) {
            res.destroy();
            reject(networkError(error));
          }
        },
      );
      req.on('error', (error) => reject(init.signal?.aborted ? init.signal.reason : networkError(error)));
      req.end();
    });
  };
  return guarded as typeof fetch;
};
