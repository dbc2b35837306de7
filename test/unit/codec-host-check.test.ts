// The codec server's defence against DNS rebinding: which Host headers it answers, and which listen addresses
// count as loopback (beyond them it needs a token).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostAllowed, isLoopbackHost } from '../../src/codec/host-check.js';

void test('loopback names, IP addresses and the configured names pass; any other name is refused', () => {
  const names = ['codec.internal'];
  for (const host of [
    'localhost:8888',
    'LOCALHOST.',
    'ui.localhost:8888',
    '127.0.0.1:8888',
    '127.1.2.3',
    '[::1]:8888',
    '::1',
    '10.0.0.5:8888',
    '[2001:db8::1]:8888',
    'codec.internal:8888',
    'Codec.Internal',
  ]) {
    assert.equal(hostAllowed(host, names), true, host);
  }
  for (const host of [
    undefined,
    '',
    ':8888',
    'evil.example:8888',
    'localhost.evil.example',
    'codec.internal.evil',
    '127.0.0.1.nip.io',
  ]) {
    assert.equal(hostAllowed(host, names), false, String(host));
  }
});

void test('only 127.0.0.0/8, ::1 and localhost are loopback listen addresses', () => {
  for (const host of ['127.0.0.1', '127.0.0.2', '::1', '[::1]', 'localhost'])
    assert.equal(isLoopbackHost(host), true, host);
  for (const host of ['0.0.0.0', '::', '10.0.0.5', 'codec.internal', ''])
    assert.equal(isLoopbackHost(host), false, host);
});
