import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPrivateAddress } from '../../../lib/security/netguard.js';

test('isPrivateAddress', () => {
  const cases: Array<{ ip: string; want: boolean }> = [
    // IPv4 non-public
    { ip: '0.0.0.0', want: true },
    { ip: '0.1.2.3', want: true },
    { ip: '10.0.0.1', want: true },
    { ip: '100.64.0.1', want: true },
    { ip: '100.127.255.255', want: true },
    { ip: '127.0.0.1', want: true },
    { ip: '127.255.255.254', want: true },
    { ip: '169.254.169.254', want: true },
    { ip: '172.16.0.1', want: true },
    { ip: '172.31.255.255', want: true },
    { ip: '192.0.0.8', want: true },
    { ip: '192.0.2.1', want: true },
    { ip: '192.168.1.1', want: true },
    { ip: '198.18.0.1', want: true },
    { ip: '198.51.100.1', want: true },
    { ip: '203.0.113.1', want: true },
    { ip: '224.0.0.1', want: true },
    { ip: '239.255.255.250', want: true },
    { ip: '240.0.0.1', want: true },
    { ip: '255.255.255.255', want: true },
    // IPv4 public
    { ip: '8.8.8.8', want: false },
    { ip: '1.1.1.1', want: false },
    { ip: '100.63.255.255', want: false },
    { ip: '100.128.0.0', want: false },
    { ip: '172.15.255.255', want: false },
    { ip: '172.32.0.0', want: false },
    { ip: '93.184.216.34', want: false },
    // IPv6 non-public
    { ip: '::', want: true },
    { ip: '::1', want: true },
    { ip: '[::1]', want: true },
    { ip: 'fe80::1', want: true },
    { ip: 'fe80::1%eth0', want: true },
    { ip: 'fc00::1', want: true },
    { ip: 'fd00::1', want: true },
    { ip: 'ff02::1', want: true },
    { ip: '100::1', want: true },
    { ip: '2001:db8::1', want: true },
    { ip: '2001::1', want: true }, // Teredo
    { ip: '3fff::1', want: true },
    { ip: '::ffff:127.0.0.1', want: true },
    { ip: '::ffff:7f00:1', want: true },
    { ip: '::ffff:10.0.0.1', want: true },
    { ip: '::ffff:169.254.169.254', want: true },
    { ip: '::127.0.0.1', want: true }, // IPv4-compatible
    { ip: '64:ff9b::a9fe:a9fe', want: true }, // NAT64 of 169.254.169.254
    { ip: '64:ff9b::7f00:1', want: true },
    { ip: '64:ff9b:1::1', want: true }, // local-use NAT64
    { ip: '2002:7f00:1::', want: true }, // 6to4 of 127.0.0.1
    { ip: '2002:c0a8:0101::1', want: true }, // 6to4 of 192.168.1.1
    // IPv6 public
    { ip: '2606:4700:4700::1111', want: false },
    { ip: '2a00:1450:4001:80b::200e', want: false },
    { ip: '::ffff:8.8.8.8', want: false },
    { ip: '64:ff9b::808:808', want: false }, // NAT64 of 8.8.8.8
    { ip: '2002:808:808::1', want: false }, // 6to4 of 8.8.8.8
    // not an address: fail closed
    { ip: '', want: true },
    { ip: 'localhost', want: true },
    { ip: '127.1', want: true },
    { ip: '999.1.1.1', want: true },
  ];
  for (const { ip, want } of cases) {
    const got = isPrivateAddress(ip);
    assert.equal(got, want, `isPrivateAddress(${JSON.stringify(ip)}) = ${got}, want ${want}`);
  }
});
