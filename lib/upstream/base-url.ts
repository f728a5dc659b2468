import { isIP } from 'node:net';
import { classifyAddress, METADATA_NAMES } from './network-policy';

/**
 * Base URLs of upstream servers (Plex, Tautulli), checked and normalised the
 * same way wherever they come from: the server's environment or a user's settings.
 */

/** Literal link-local / cloud metadata hosts: no URL may make plm call them. */
const METADATA_HOST =
  /^(169\.254\.\d{1,3}\.\d{1,3}|\[fe[89ab][0-9a-f]?:[^\]]*\]|\[::ffff:a9fe:[0-9a-f]{1,4}\]|\[fd00:ec2::254\])$/i;

/** This machine itself: fine for the server's own configuration, not for a user of a hosted plm. */
const LOOPBACK_HOST =
  /^(localhost|.+\.localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|0\.0\.0\.0|\[::1?\]|\[::(ffff:)?(7f[0-9a-f]{2}:[0-9a-f]{1,4}|127\.[\d.]+)\]|\[::ffff:0:7f[0-9a-f]{2}:[0-9a-f]{1,4}\])$/i;

export interface HostRules {
  /** The plm server itself (localhost, 127/8, ::1). */
  allowLoopback: boolean;
  /** Private, CGNAT and ULA literal addresses; default true (the connection is checked again, network-policy.ts). */
  allowPrivate?: boolean;
}

/** Why the literal address `host` is refused, or undefined (names are checked when they are resolved). */
const addressProblem = (host: string, rules: HostRules): string | undefined => {
  const kind = classifyAddress(host.replace(/^\[|\]$/g, ''));
  if (kind === 'special') return 'must not point at a link-local, cloud metadata or special-purpose address';
  // Loopback in a form the name rules above do not spell out (6to4, NAT64, IPv4-compatible)
  if (kind === 'loopback' && !rules.allowLoopback) return 'must not point at the plm server itself (localhost)';
  if (kind === 'private' && rules.allowPrivate === false)
    return 'must be a public address: this plm does not connect to private networks';
  return undefined;
};

/** Why `text` is not an acceptable upstream base URL, or undefined when it is. */
export const baseUrlProblem = (text: string, opts: HostRules): string | undefined => {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects
  if (/[\s\u0000-\u001f\u007f]/.test(text)) return 'must not contain spaces or control characters';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be an absolute http(s) URL such as http://192.168.1.10:32400';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must use http or https';
  if (!url.hostname) return 'must have a host';
  if (url.username || url.password) return 'must not contain credentials; use the token/API key field';
  if (url.search || url.hash) return 'must not contain a query string or fragment';
  // "localhost." is localhost: compare without a trailing dot.
  const host = url.hostname.replace(/\.$/, '');
  if (METADATA_HOST.test(host) || METADATA_NAMES.test(host))
    return 'must not point at a link-local or cloud metadata address';
  if (!opts.allowLoopback && LOOPBACK_HOST.test(host)) return 'must not point at the plm server itself (localhost)';
  if (isIP(host.replace(/^\[|\]$/g, ''))) return addressProblem(host, opts);
  return undefined;
};

/** Canonical form: WHATWG-normalised (lower-case host, default port dropped), no trailing slashes. */
export const normalizeBaseUrl = (text: string): string => {
  const url = new URL(text);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
};
