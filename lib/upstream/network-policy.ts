import { BlockList, isIP } from 'node:net';

/**
 * Which network addresses plm may connect to for a user's Plex or Tautulli.
 * A hosted plm must not become a way into its own network (SSRF): loopback,
 * private, CGNAT, link-local and cloud metadata addresses are refused unless
 * the install allows private networks (UPSTREAM_ALLOW_LAN, a self-hosted
 * plm next to its Plex). Link-local, metadata and other special-purpose
 * addresses are refused always. The check runs on every connection
 * (guarded-fetch.ts), on the addresses the name resolved to, so DNS cannot
 * answer one address to a check and another to the connection.
 */
export type AddressKind = 'public' | 'loopback' | 'private' | 'special';

export interface NetworkPolicy {
  /** Loopback, RFC 1918, CGNAT (100.64/10, e.g. Tailscale) and IPv6 ULA addresses. */
  allowPrivate: boolean;
}

const blockList = (ranges: Array<[string, number, 'ipv4' | 'ipv6']>): BlockList => {
  const list = new BlockList();
  for (const [net, prefix, type] of ranges) list.addSubnet(net, prefix, type);
  return list;
};

/** Never a Plex server: link-local (cloud metadata at 169.254.169.254), metadata, multicast, reserved, documentation. */
const SPECIAL = blockList([
  ['0.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['100.100.100.200', 32, 'ipv4'], // Alibaba Cloud metadata (inside CGNAT)
  ['192.0.0.0', 24, 'ipv4'], // IETF assignments (Oracle Cloud metadata at 192.0.0.192)
  ['192.0.2.0', 24, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['198.51.100.0', 24, 'ipv4'],
  ['203.0.113.0', 24, 'ipv4'],
  ['224.0.0.0', 3, 'ipv4'], // multicast, reserved, broadcast
  ['fe80::', 10, 'ipv6'],
  ['fec0::', 10, 'ipv6'],
  ['fd00:ec2::254', 128, 'ipv6'], // AWS metadata over IPv6 (inside ULA)
  ['ff00::', 8, 'ipv6'],
  ['100::', 64, 'ipv6'],
  ['2001:db8::', 32, 'ipv6'],
]);
/** This machine (0.0.0.0 and :: reach it too on Linux). */
const LOOPBACK = blockList([
  ['127.0.0.0', 8, 'ipv4'],
  ['0.0.0.0', 32, 'ipv4'],
  ['::1', 128, 'ipv6'],
  ['::', 128, 'ipv6'],
]);
const PRIVATE = blockList([
  ['10.0.0.0', 8, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['fc00::', 7, 'ipv6'],
]);

/**
 * IPv6 prefixes that only wrap an IPv4 address in their last 32 bits: mapped (::ffff:0:0/96),
 * SIIT-translated (::ffff:0:0:0/96), NAT64 (64:ff9b::/96) and the deprecated IPv4-compatible
 * (::/96). Node writes them dotted or in hex (::7f00:1), and DNS may answer either.
 */
const WRAPPING = '(?:::ffff:0:|::ffff:|64:ff9b::|::)';
const WRAPPED_DOTTED = new RegExp(`^${WRAPPING}(\\d+\\.\\d+\\.\\d+\\.\\d+)$`);
const WRAPPED_HEX = new RegExp(`^${WRAPPING}([0-9a-f]{1,4}):([0-9a-f]{1,4})$`);

/** The IPv4 address inside an IPv6 one that only wraps it (mapped, SIIT, NAT64, compatible, 6to4), else undefined. */
const embeddedIPv4 = (address: string): string | undefined => {
  const a = address.toLowerCase();
  const dotted = WRAPPED_DOTTED.exec(a)?.[1];
  if (dotted) return dotted;
  const hex = WRAPPED_HEX.exec(a);
  const sixToFour = /^2002:([0-9a-f]{1,4}):([0-9a-f]{1,4}):/.exec(a);
  const [, hi, lo] = hex ?? sixToFour ?? [];
  if (hi === undefined || lo === undefined) return undefined;
  const [h, l] = [Number.parseInt(hi, 16), Number.parseInt(lo, 16)];
  return `${h >> 8}.${h & 255}.${l >> 8}.${l & 255}`;
};

/** What kind of address `address` (an IP literal, without brackets) is; 'special' for anything unreadable. */
export const classifyAddress = (address: string): AddressKind => {
  const version = isIP(address);
  if (version === 0) return 'special';
  if (version === 6) {
    const inner = embeddedIPv4(address);
    if (inner !== undefined) return classifyAddress(inner);
  }
  const type = version === 4 ? 'ipv4' : 'ipv6';
  if (LOOPBACK.check(address, type)) return 'loopback';
  if (SPECIAL.check(address, type)) return 'special';
  if (PRIVATE.check(address, type)) return 'private';
  return 'public';
};

/** Whether the policy lets plm connect to `address`. */
export const addressAllowed = (address: string, policy: NetworkPolicy): boolean => {
  const kind = classifyAddress(address);
  return kind === 'public' || (policy.allowPrivate && kind !== 'special');
};

/** Host names of cloud metadata services, refused before any lookup (they resolve only inside the cloud). */
export const METADATA_NAMES =
  /^(metadata|metadata\.google\.internal|metadata\.azure\.internal|instance-data(\.ec2\.internal)?)$/i;
