/**
 * The ceiling relay: what this machine can do with no storage at all. It takes the same POST Herald's publishers
 * send, answers 202 at once and forwards the same body and content-type to the target with undici on a pooled
 * Agent (as many connections as Herald's sender keeps per origin). Nothing is stored, signed or retried.
 *
 *   node --import tsx bench/relay.ts <target-url>
 *
 * Prints {"listening": port} once it listens on a free loopback port.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';

const target = process.argv[2];
if (!target) {
  process.stderr.write('usage: relay.ts <target-url>\n');
  process.exit(2);
}
const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });
const ACCEPTED = '{"accepted":true}';
let failures = 0;

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    res.writeHead(202, { 'content-type': 'application/json' }).end(ACCEPTED);
    request(target, {
      method: 'POST',
      headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
      body,
      dispatcher: agent,
    }).then(
      (r) => r.body.dump(),
      (err: Error) => {
        if (failures++ < 5) process.stderr.write(`relay: forwarding failed: ${err.message}\n`);
      },
    );
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ listening: (server.address() as AddressInfo).port })}\n`);
});
