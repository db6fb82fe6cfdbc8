import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPrivateAddress } from '../../../lib/security/netguard.js';

test('isPrivateAddress', () => {
  const cases: Array<[string, boolean]> = [
    // IPv4 non-public
    ['0.0.0.0', true],
    ['0.1.2.3', true],
    ['10.0.0.1', true],
    ['100.64.0.1', true],
    ['100.127.255.255', true],
    ['127.0.0.1', true],
    ['127.255.255.254', true],
    ['169.254.169.254', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['192.0.0.8', true],
    ['192.0.2.1', true],
    ['192.168.1.1', true],
    ['198.18.0.1', true],
    ['198.51.100.1', true],
    ['203.0.113.1', true],
    ['224.0.0.1', true],
    ['239.255.255.250', true],
    ['240.0.0.1', true],
    ['255.255.255.255', true],
    // IPv4 public
    ['8.8.8.8', false],
    ['1.1.1.1', false],
    ['100.63.255.255', false],
    ['100.128.0.0', false],
    ['172.15.255.255', false],
    ['172.32.0.0', false],
    ['93.184.216.34', false],
    // IPv6 non-public
    ['::', true],
    ['::1', true],
    ['[::1]', true],
    ['fe80::1', true],
    ['fe80::1%eth0', true],
    ['fc00::1', true],
    ['fd00::1', true],
    ['ff02::1', true],
    ['100::1', true],
    ['2001:db8::1', true],
    ['2001::1', true], // Teredo
    ['3fff::1', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:7f00:1', true],
    ['::ffff:10.0.0.1', true],
    ['::ffff:169.254.169.254', true],
    ['::127.0.0.1', true], // IPv4-compatible
    ['64:ff9b::a9fe:a9fe', true], // NAT64 of 169.254.169.254
    ['64:ff9b::7f00:1', true],
    ['64:ff9b:1::1', true], // local-use NAT64
    ['2002:7f00:1::', true], // 6to4 of 127.0.0.1
    ['2002:c0a8:0101::1', true], // 6to4 of 192.168.1.1
    // IPv6 public
    ['2606:4700:4700::1111', false],
    ['2a00:1450:4001:80b::200e', false],
    ['::ffff:8.8.8.8', false],
    ['64:ff9b::808:808', false], // NAT64 of 8.8.8.8
    ['2002:808:808::1', false], // 6to4 of 8.8.8.8
    // not an address: fail closed
    ['', true],
    ['localhost', true],
    ['127.1', true],
    ['999.1.1.1', true],
  ];
  for (const [ip, want] of cases) {
    const got = isPrivateAddress(ip);
    assert.equal(got, want, `isPrivateAddress(${JSON.stringify(ip)}) = ${got}, want ${want}`);
  }
});
