import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { routeTarget } from '@herald/wire';
import { startTestHerald } from '../helpers/herald.ts';
import { routeTable } from '../helpers/hostile-cases.ts';

/** The keys of @herald/wire's route table (ApiRoutes), as written: the routes the CLI and the dashboard call by. */
function wireRouteKeys(): string[] {
  const source = readFileSync(new URL('../../../wire/src/routes.ts', import.meta.url), 'utf8');
  return [...source.matchAll(/^\s+'((?:GET|POST|PUT|PATCH|DELETE) \/[^']+)': \{/gm)].map((m) => m[1]!);
}

describe('the wire package route table', () => {
  let herald: Awaited<ReturnType<typeof startTestHerald>>;
  before(async () => {
    herald = await startTestHerald();
  });
  after(() => herald.cleanup());

  test('every route the clients call by is a route the server has, with the same method', () => {
    const routed = new Set(routeTable(herald.server!.printRoutes({ commonPrefix: false })).map((r) => `${r.method} ${r.route}`));
    const keys = wireRouteKeys();
    assert.ok(keys.length > 50, `the table was read (${keys.length} routes)`);
    assert.deepEqual(keys.filter((key) => !routed.has(key)), [], 'a table entry the server does not route would send the clients to a 404');
  });

  test('a route fills its path parameters, each encoded as one segment', () => {
    assert.deepEqual(routeTarget('GET /api/v1/app/:app_id/msg/:msg_id', { app_id: 'a/b', msg_id: 'm 1' }), { method: 'GET', path: '/api/v1/app/a%2Fb/msg/m%201' });
    assert.throws(() => routeTarget('GET /api/v1/app/:app_id', {}), /no value for :app_id/);
  });
});
