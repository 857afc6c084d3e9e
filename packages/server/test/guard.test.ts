import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nonGlobalRange } from '../src/delivery/guard.ts';
import { Sender } from '../src/delivery/sender.ts';
import { Receiver } from './helpers/receiver.ts';

test('address classes: only global unicast passes', () => {
  for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0', '100.64.0.1', '224.0.0.1',
    '255.255.255.255', '::1', '::', 'fe80::1', 'fc00::1', 'fd12::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '64:ff9b::a00:1', '2002:7f00:1::']) {
    assert.notEqual(nonGlobalRange(a), null, `${a} must be refused`);
  }
  for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) assert.equal(nonGlobalRange(a), null, `${a} is public`);
});

test('odd spellings of loopback are refused on the socket, never connected to', async () => {
  const receiver = await Receiver.start();
  const port = new URL(receiver.url()).port;
  const sender = new Sender(2000, false);
  try {
    const spellings = [`http://127.0.0.1:${port}/`, `http://2130706433:${port}/`, `http://0x7f.1:${port}/`, `http://0177.0.0.1:${port}/`,
      `http://127.1:${port}/`, `http://[::1]:${port}/`, `http://[::ffff:127.0.0.1]:${port}/`, `http://localhost:${port}/`, `http://0.0.0.0:${port}/`];
    for (const url of spellings) {
      const result = await sender.send(url, { 'content-type': 'application/json' }, '{}');
      assert.equal(result.statusCode, null, url);
      assert.match(result.body, /refused to deliver to .*(loopback|unspecified)/, `${url}: ${result.body}`);
    }
    assert.equal(receiver.received.length, 0, 'nothing reached the receiver');
  } finally {
    await sender.close();
    await receiver.close();
  }
});

test('with private targets allowed, the same receiver is reached', async () => {
  const receiver = await Receiver.start();
  const sender = new Sender(2000, true);
  try {
    const result = await sender.send(receiver.url(), { 'content-type': 'application/json' }, '{"a":1}');
    assert.equal(result.statusCode, 200);
    assert.equal(receiver.received[0]?.body.toString(), '{"a":1}');
  } finally {
    await sender.close();
    await receiver.close();
  }
});
