import type { FastifyInstance } from 'fastify';

/**
 * Headers on every response that limit what a browser lets a page do, so a script injected into the dashboard (which
 * holds an API token in its session storage) cannot run, and no other site can frame the dashboard to trick a click.
 * The dashboard is Vite's build: scripts and styles come only as files from /ui/assets (nothing inline), the icon is a
 * data: URL, and the app talks only to this server. React's style props are set through the CSSOM, which
 * `style-src 'self'` allows.
 */
const DASHBOARD_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
];
/** The API answers JSON and text: nothing in it may load or run anything. */
const API_POLICY = ["default-src 'none'", "frame-ancestors 'none'"].join('; ');
/** A year: browsers then use https for this host without asking first. */
const HSTS = 'max-age=31536000';

/** The consumer portal's page (links from app-portal-access open /ui/portal#token=…). */
export const PORTAL_PATH = '/ui/portal';

export interface SecurityHeaderOptions {
  /** Herald serves TLS itself: browsers are told to keep to https. */
  tls: boolean;
  /** Origins that may frame the consumer portal (CSP source expressions); empty: nobody may. */
  portalFrameAncestors: readonly string[];
}

export function registerSecurityHeaders(app: FastifyInstance, options: SecurityHeaderOptions): void {
  const dashboard = [...DASHBOARD_POLICY, "frame-ancestors 'none'"].join('; ');
  const portalFramers = options.portalFrameAncestors.length > 0 ? options.portalFrameAncestors.join(' ') : "'none'";
  const portal = [...DASHBOARD_POLICY, `frame-ancestors ${portalFramers}`].join('; ');
  // Set on the raw response, not the reply: they then also reach responses written past Fastify's reply (the static
  // files, event streams) and error answers alike.
  app.addHook('onRequest', (request, reply, done) => {
    const res = reply.raw;
    const path = request.url.split('?')[0]!.replace(/\/+$/, '');
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    if (options.tls) res.setHeader('strict-transport-security', HSTS);
    if (path === PORTAL_PATH) {
      res.setHeader('content-security-policy', portal);
      // X-Frame-Options cannot name origins: older browsers get DENY only when nobody may frame the portal.
      if (options.portalFrameAncestors.length === 0) res.setHeader('x-frame-options', 'DENY');
    } else {
      res.setHeader('content-security-policy', path === '/ui' || path.startsWith('/ui/') ? dashboard : API_POLICY);
      res.setHeader('x-frame-options', 'DENY');
    }
    done();
  });
}
