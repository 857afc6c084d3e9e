/**
 * What every response tells the browser: a strict Content-Security-Policy, nosniff, no referrer, and who may frame
 * it (nobody for the dashboard and API; the configured origins for the consumer portal). And `/` leads to the
 * dashboard. The browser's side of it (the dashboard works under the policy, framing allowed or refused) is in
 * dashboard-browser-security.test.ts; HSTS over TLS is in tls.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DASHBOARD_DIR } from '../../src/api/dashboard.ts';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { api, startTestHerald } from '../helpers/herald.ts';

type Herald = Awaited<ReturnType<typeof startTestHerald>>;

const directives = (csp: string | null) => new Map((csp ?? '').split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));

describe('security headers', () => {
  let herald: Herald;
  before(async () => {
    herald = await startTestHerald({ HERALD_PORTAL_FRAME_ANCESTORS: 'https://shop.example.com, https://*.partner.example' });
  });
  after(() => herald?.cleanup());

  const get = (path: string, headers: Record<string, string> = {}) => api(herald.url, 'GET', path, undefined, headers);

  it('every kind of answer carries nosniff, no-referrer and a CSP; none is framed but the portal', async () => {
    const answers = {
      'the dashboard page': await get('/ui/'),
      'a dashboard asset': await get('/ui/assets/does-not-exist.js'),
      'an API answer': await get('/api/v1/app'),
      'an unauthenticated answer': await get('/api/v1/app', { authorization: 'Bearer nope' }),
      'a 404': await get('/nowhere'),
      'health': await get('/api/v1/health'),
      'the redirect': await get('/'),
    };
    for (const [what, res] of Object.entries(answers)) {
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', what);
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer', what);
      assert.equal(res.headers.get('x-frame-options'), 'DENY', what);
      assert.deepEqual(directives(res.headers.get('content-security-policy')).get('frame-ancestors'), ["'none'"], what);
      assert.equal(res.headers.get('strict-transport-security'), null, `${what}: no HSTS over plain http`);
    }
    assert.equal(answers['an unauthenticated answer'].status, 401);
  });

  it('the dashboard\'s policy allows only its own scripts, styles and API; the API\'s allows nothing', async () => {
    const page = directives((await get('/ui/')).headers.get('content-security-policy'));
    assert.deepEqual(page.get('script-src'), ["'self'"]);
    assert.deepEqual(page.get('style-src'), ["'self'"]);
    assert.deepEqual(page.get('connect-src'), ["'self'"]);
    assert.deepEqual(page.get('object-src'), ["'none'"]);
    assert.deepEqual(page.get('base-uri'), ["'none'"]);
    for (const values of page.values()) assert.ok(!values.some((v) => v.includes('unsafe')), 'nothing unsafe-*');
    assert.deepEqual(directives((await get('/api/v1/app')).headers.get('content-security-policy')).get('default-src'), ["'none'"]);
  });

  it('the portal may be framed by the configured origins only, and not at all when none are configured', async () => {
    for (const path of ['/ui/portal', '/ui/portal/']) {
      const res = await get(path);
      assert.equal(res.status, 200);
      assert.match(res.text, /<div id="root">/);
      assert.deepEqual(directives(res.headers.get('content-security-policy')).get('frame-ancestors'), ['https://shop.example.com', 'https://*.partner.example']);
      assert.equal(res.headers.get('x-frame-options'), null, 'X-Frame-Options cannot name origins: left out');
    }
    const closed = await startTestHerald();
    try {
      const res = await api(closed.url, 'GET', '/ui/portal');
      assert.deepEqual(directives(res.headers.get('content-security-policy')).get('frame-ancestors'), ["'none'"]);
      assert.equal(res.headers.get('x-frame-options'), 'DENY');
    } finally {
      await closed.cleanup();
    }
  });

  it('the built page has nothing inline for the policy to block: scripts and styles are files of its own', () => {
    const html = readFileSync(path.join(DASHBOARD_DIR, 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.ok(scripts.length > 0);
    for (const [, attributes, body] of scripts) {
      assert.match(attributes!, /\bsrc="\/ui\/assets\/[^"]+\.js"/, 'a script file under /ui/assets');
      assert.equal(body!.trim(), '', 'no inline script');
    }
    assert.doesNotMatch(html, /<style\b|\sstyle=|\son[a-z]+=/i, 'no inline style or event handler');
    for (const [, href] of html.matchAll(/<link\b[^>]*\bhref="([^"]+)"/g)) assert.match(href!, /^(\/ui\/assets\/|data:image\/)/, href);
  });

  it('GET / redirects to the dashboard', async () => {
    const res = await fetch(`${herald.url}/`, { redirect: 'manual' });
    assert.equal(res.status, 302);
    assert.equal(new URL(res.headers.get('location')!, `${herald.url}/`).href, `${herald.url}/ui/`);
    const followed = await fetch(`${herald.url}/`);
    assert.equal(followed.status, 200);
    assert.match(await followed.text(), /<title>Herald<\/title>/);
  });

  it('HERALD_PORTAL_FRAME_ANCESTORS takes origins only: a path, a bare host or a script is a configuration error', () => {
    const load = (value: string) => loadConfig({ env: { HERALD_PORTAL_FRAME_ANCESTORS: value } }).portalFrameAncestors;
    assert.deepEqual(load("https://a.example  http://localhost:3000,'self' http://[::1]:8080"), ['https://a.example', 'http://localhost:3000', "'self'", 'http://[::1]:8080']);
    assert.deepEqual(loadConfig({ env: {} }).portalFrameAncestors, []);
    for (const bad of ['https://a.example/', 'https://a.example/portal', 'a.example', "'unsafe-inline'", 'javascript:alert(1)', 'https://a.example;script-src', 'ftp://a.example']) {
      assert.throws(() => load(bad), (err: unknown) => err instanceof ConfigError && /HERALD_PORTAL_FRAME_ANCESTORS: ".*" is not an origin/.test(err.message), bad);
    }
  });
});
