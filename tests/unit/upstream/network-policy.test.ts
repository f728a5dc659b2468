import { addressAllowed, classifyAddress } from '../../../lib/upstream/network-policy';

/** The connect-time guard sees what DNS answered: every spelling of an inward address must be caught. */
describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    // IPv4-compatible (deprecated) and SIIT-translated forms of 127.0.0.1, dotted and hex
    ['::127.0.0.1', 'loopback'],
    ['::7f00:1', 'loopback'],
    ['::ffff:0:127.0.0.1', 'loopback'],
    ['::ffff:0:7f00:1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'special'],
    ['::ffff:0:a9fe:a9fe', 'special'],
    ['2002:7f00:1::', 'loopback'],
    ['::c0a8:10a', 'private'],
    ['10.0.0.5', 'private'],
    ['fd12:3456::1', 'private'],
    ['169.254.169.254', 'special'],
    ['fe80::1', 'special'],
    ['8.8.8.8', 'public'],
    ['2606:4700::1111', 'public'],
    ['not an address', 'special'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it('lets a hosted plm reach public addresses only, and a self-hosted one its LAN too', () => {
    expect(addressAllowed('::7f00:1', { allowPrivate: false })).toBe(false);
    expect(addressAllowed('::ffff:0:7f00:1', { allowPrivate: false })).toBe(false);
    expect(addressAllowed('::ffff:0:7f00:1', { allowPrivate: true })).toBe(true);
    expect(addressAllowed('::ffff:0:a9fe:a9fe', { allowPrivate: true })).toBe(false);
    expect(addressAllowed('8.8.8.8', { allowPrivate: false })).toBe(true);
  });
});
