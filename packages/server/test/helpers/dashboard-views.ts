import assert from 'node:assert/strict';
import { api } from './herald.ts';
import { eventually } from './browser.ts';

/**
 * What every view of the dashboard needs to show something: an application with an endpoint, a chat endpoint and a
 * poller (a destination), a message, an attempt, a source.
 */
export interface Seeded {
  appId: string;
  endpointId: string;
  chatEndpointId: string;
  pollerId: string;
  msgId: string;
  attemptId: string;
  sourceId: string;
}

/** Creates one of everything through the API and waits for the message's attempt. */
export async function seedViews(base: string, endpointUrl: string): Promise<Seeded> {
  const call = (method: string, path: string, body?: unknown) => api(base, method, path, body);
  const app = (await call('POST', '/api/v1/app', { name: 'Acme Billing with a rather long application name' })).json;
  await call('POST', '/api/v1/event-type', { name: 'invoice.paid', description: 'An invoice was paid' });
  const endpoint = await call('POST', `/api/v1/app/${app.id}/endpoint`, { url: endpointUrl, description: 'Billing receiver' });
  assert.equal(endpoint.status, 201, endpoint.text);
  const poller = await call('POST', `/api/v1/app/${app.id}/destination`, { type: 'pollingEndpoint' });
  assert.equal(poller.status, 201, poller.text);
  const msg = await call('POST', `/api/v1/app/${app.id}/msg`, { eventType: 'invoice.paid', eventId: 'evt-0001', payload: { invoice: 'inv_1', amount: 4200 } });
  assert.equal(msg.status, 202, msg.text);
  let attemptId = '';
  await eventually('the message\'s attempt', async () => {
    const attempts = (await call('GET', `/api/v1/app/${app.id}/attempt/msg/${msg.json.id}`)).json.data as { id: string }[];
    attemptId = attempts[0]?.id ?? '';
    return attemptId !== '';
  });
  // Made after the message, so the message has one delivery (the plain endpoint's) and nothing posts to the chat.
  const chatTemplate = { title: 'Invoice {{payload.invoice}} paid', fields: ['invoice', 'amount'] };
  const chat = await call('POST', `/api/v1/app/${app.id}/endpoint`, { url: endpointUrl, kind: 'slack', description: 'Billing channel in Slack', chatTemplate });
  assert.equal(chat.status, 201, chat.text);
  const source = await call('POST', '/api/v1/source', { name: 'Carrier with a long source name', verification: { type: 'none' }, inspect: true });
  assert.equal(source.status, 201, source.text);
  return { appId: app.id, endpointId: endpoint.json.id, chatEndpointId: chat.json.id, pollerId: poller.json.id, msgId: msg.json.id, attemptId, sourceId: source.json.id };
}

/** Every operator view, by name, as the fragment that opens it. */
export function operatorViews(s: Seeded): [name: string, hash: string][] {
  const app = `#/apps/${s.appId}`;
  return [
    ['applications', '#/apps'],
    ['endpoints', `${app}/endpoints`],
    ['endpoint', `${app}/endpoints/${s.endpointId}`],
    ['chat-endpoint', `${app}/endpoints/${s.chatEndpointId}`],
    ['endpoint-new', `${app}/endpoints/new`],
    ['destinations', `${app}/destinations`],
    ['destination', `${app}/destinations/${s.pollerId}`],
    ['destination-new', `${app}/destinations/new`],
    ['messages', `${app}/messages`],
    ['message', `${app}/messages/${s.msgId}`],
    ['attempt', `${app}/messages/${s.msgId}/attempts/${s.attemptId}`],
    ['attempts', `${app}/attempts`],
    ['live', `${app}/live`],
    ['stats', `${app}/stats`],
    ['app-event-types', `${app}/event-types`],
    ['app-settings', `${app}/settings`],
    ['event-types', '#/event-types'],
    ['sources', '#/sources'],
    ['source', `#/sources/${s.sourceId}`],
    ['tokens', '#/tokens'],
    ['portal-links', '#/tokens?portal=1'],
    ['audit', '#/audit'],
  ];
}

/** Every view of the consumer portal (one application). */
export function portalViews(s: Seeded): [name: string, hash: string][] {
  const app = `#/apps/${s.appId}`;
  return [
    ['portal-endpoints', `${app}/endpoints`],
    ['portal-endpoint', `${app}/endpoints/${s.endpointId}`],
    ['portal-chat-endpoint', `${app}/endpoints/${s.chatEndpointId}`],
    ['portal-destinations', `${app}/destinations`],
    ['portal-destination', `${app}/destinations/${s.pollerId}`],
    ['portal-messages', `${app}/messages`],
    ['portal-attempt', `${app}/messages/${s.msgId}/attempts/${s.attemptId}`],
    ['portal-live', `${app}/live`],
    ['portal-stats', `${app}/stats`],
  ];
}
