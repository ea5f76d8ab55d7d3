import { describe, expect, it } from '@jest/globals';
import { refusedAddressReason } from './check-address.js';

describe('refusedAddressReason', () => {
  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fe80::1%eth0',
    'fc00::1',
    'fd12:3456::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:169.254.169.254',
    '64:ff9b::a00:1',
    '2002:7f00:1::',
    '2001::1',
    '2001:db8::1',
    '[::1]',
  ])('refuses %s', (address) => {
    expect(refusedAddressReason(address, false)).toBeDefined();
    expect(refusedAddressReason(address, true)).toBeUndefined();
  });

  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('lets %s through', (address) => {
    expect(refusedAddressReason(address, false)).toBeUndefined();
  });

  it('refuses what is not an address', () => {
    expect(refusedAddressReason('localhost', false)).toBe('not an IP address');
  });
});
