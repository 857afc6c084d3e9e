/**
 * docs/endpoint-auth.md promises that its worked example works as written: the CLI commands it shows create the
 * endpoint and set its OAuth 2.0 client, printing what it shows; the JSON request sets the same and GET answers what it
 * shows; the first delivery makes the token request it shows and carries the headers it shows; and a wrong client
 * secret fails the attempt with the response it shows. Only the example's hosts become local servers.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { docBlocks } from '../helpers/doc-blocks.ts';
import { api, runCli, startTestHerald } from '../helpers/herald.ts';
import { Receiver } from '../helpers/receiver.ts';
import { TokenServer } from '../helpers/token-server.ts';
import { until } from '../helpers/wait.ts';

const { block } = docBlocks('endpoint-auth.md');

const TOKEN_ORIGIN = 'https://auth.acme.example';
const RECEIVER_URL = 'https://hooks.acme.example/webhooks';
const CLIENT = { id: 'herald', secret: 'tH1s-is-the-client-secret' };

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let receiver: Receiver;
let tokens: TokenServer;
/** The doc's text with its hosts replaced by the local servers, and back. */
let local: (text: string) => string;
let asDocumented: (text: string) => string;

before(async () => {
  // Retries far off: each message's first attempt is what the doc describes.
  herald = await startTestHerald({ HERALD_RETRY_SCHEDULE: '600' });
  receiver = await Receiver.start();
  tokens = await TokenServer.start({ [CLIENT.id]: { secret: CLIENT.secret, expiresIn: 3600 } });
  receiver.responder = (req, res) => res.writeHead(tokens.accepts(req.headers.authorization) ? 200 : 401).end();
  const tokenOrigin = new URL(tokens.url).origin;
  local = (text) => text.replaceAll(TOKEN_ORIGIN, tokenOrigin).replaceAll(RECEIVER_URL, receiver.url('/webhooks'));
  asDocumented = (text) => text.replaceAll(tokenOrigin, TOKEN_ORIGIN).replaceAll(receiver.url('/webhooks'), RECEIVER_URL);
  assert.equal((await api(herald.url, 'POST', '/api/v1/app', { name: 'Acme', uid: 'acme' })).status, 201);
});
after(async () => {
  await herald.cleanup();
  await receiver.close();
  await tokens.close();
});

/** Runs a `herald …` command of the doc against the test's Herald. */
async function cli(name: string) {
  const args = local(block('cli', name)).split(/\s+/).filter(Boolean);
  assert.equal(args.shift(), 'herald');
  const result = await runCli(args, { HERALD_URL: herald.url, HERALD_TOKEN: herald.token });
  assert.equal(result.code, 0, result.output);
  return result.stdout;
}

const auth = () => api(herald.url, 'GET', '/api/v1/app/acme/endpoint/main/auth');

test('the CLI creates the endpoint and sets its OAuth 2.0 client, printing what the doc shows', async () => {
  await cli('create-endpoint');
  assert.equal((await api(herald.url, 'GET', '/api/v1/app/acme/endpoint/main')).json.url, receiver.url('/webhooks'));
  assert.equal(asDocumented(await cli('set-oauth2')).trimEnd(), block('cli-output', 'set-oauth2'));
});

test('the JSON request sets the same, and GET answers what the doc shows', async () => {
  assert.equal((await api(herald.url, 'DELETE', '/api/v1/app/acme/endpoint/main/auth')).status, 204);
  const put = await api(herald.url, 'PUT', '/api/v1/app/acme/endpoint/main/auth', JSON.parse(local(block('request', 'put-oauth2'))));
  assert.equal(put.status, 204, put.text);
  assert.deepEqual(JSON.parse(asDocumented((await auth()).text)), JSON.parse(block('answer', 'get-oauth2')));
});

test('a delivery makes the token request the doc shows and carries the headers it shows', async () => {
  await api(herald.url, 'POST', '/api/v1/app/acme/msg', { eventType: 'invoice.paid', payload: { id: 'in_1' } });
  await receiver.waitFor((all) => all.length === 1, 10_000, 'the delivery');
  const [asked] = tokens.requests;
  const [requestLine, ...rest] = block('token-request', 'oauth2').split('\n');
  const blank = rest.indexOf('');
  assert.equal(requestLine, `POST ${asked!.path}`);
  for (const [name, value] of rest.slice(0, blank).map((line) => line.split(': '))) assert.equal(asked!.headers[name!.toLowerCase()], value, name);
  assert.equal(asked!.body, rest.slice(blank + 1).join('\n'));

  const [delivered] = receiver.received;
  const [deliveryLine, ...named] = block('delivery', 'oauth2').split('\n');
  assert.equal(deliveryLine, `POST ${delivered!.path}`);
  for (const line of named) assert.ok(line.split(':')[0]!.toLowerCase() in delivered!.headers, `the delivery carries ${line}`);
  assert.equal(delivered!.headers.authorization, `Bearer ${asked!.token}`);
});

test('a wrong client secret fails the attempt with the response the doc shows, and nothing reaches the endpoint', async () => {
  const put = await api(herald.url, 'PUT', '/api/v1/app/acme/endpoint/main/auth', {
    oauth2: { ...JSON.parse(local(block('request', 'put-oauth2'))).oauth2, clientSecret: 'not-the-secret' },
  });
  assert.equal(put.status, 204, put.text);
  const before = receiver.received.length;
  const msg = (await api(herald.url, 'POST', '/api/v1/app/acme/msg', { eventType: 'invoice.paid', payload: { id: 'in_2' } })).json;
  const attempt = await until('the failed attempt', async () =>
    (await api(herald.url, 'GET', `/api/v1/app/acme/attempt/msg/${msg.id}`)).json.data[0] as { status: number; response: string } | undefined);
  assert.equal(attempt.status, 2);
  assert.equal(asDocumented(attempt.response), block('attempt-response', 'invalid-client'));
  assert.equal(receiver.received.length, before);
});
