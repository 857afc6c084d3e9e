import { performance } from 'node:perf_hooks';
import { patchHeaders } from '../lib/headers.ts';
import type { BasicAuth, EndpointAuth, OAuth2ClientCredentials } from '../store/slices/endpoint-auth.ts';
import { OAuthTokens } from './oauth-tokens.ts';
import { noAnswer, transportFor, type SignedRequest, type Transport, type TransportOutcome } from './transport.ts';

/** How a request went: the outcome, and whether anything reached the endpoint (not when no token could be had). */
export interface AuthenticatedOutcome {
  outcome: TransportOutcome;
  sent: boolean;
}

/** A token request is no attempt: the HTTP transports it goes through do not look at which attempt a request is. */
const TOKEN_REQUEST: SignedRequest['attempt'] = { appId: '', messageId: '', endpointId: '', eventType: '', number: 0 };

/** Whether the endpoint's authentication puts an Authorization header on its requests (basic or OAuth 2.0). */
export const sendsAuthorization = (auth: EndpointAuth | null): boolean => Boolean(auth?.basic || auth?.oauth2);

/**
 * An attempt's request sent with its endpoint's authentication: the client certificate goes to the transport (each
 * certificate has its own connection pool there), and basic credentials or an OAuth 2.0 bearer token go in the
 * Authorization header, replacing one the request had (a custom header, or a forwarded request's own). Whichever
 * transport delivers the endpoint gets it, a `herald listen` session's too: the developer's local server then checks
 * what the real receiver checks.
 *
 * An OAuth token is asked for through the transport of the token URL (so through the private-address guard, the
 * egress proxy and HERALD_ENDPOINT_HTTPS_ONLY), and within the attempt's deadline, which covers the token request,
 * the send, and on a 401 from the endpoint one new token and one resend.
 */
export class EndpointAuthentication {
  private readonly tokens: OAuthTokens;

  constructor(transports: readonly Transport[]) {
    this.tokens = new OAuthTokens({
      now: Date.now,
      post: (request) => transportFor(transports, request.url).send({ ...request, attempt: TOKEN_REQUEST }),
    });
  }

  async send(transport: Transport, request: SignedRequest, auth: EndpointAuth | null): Promise<AuthenticatedOutcome> {
    const certified = auth?.clientCertificate ? { ...request, clientCertificate: auth.clientCertificate } : request;
    if (auth?.oauth2) return this.sendWithToken(transport, certified, auth.oauth2);
    const authorized = auth?.basic ? withAuthorization(certified, basicAuthorization(auth.basic)) : certified;
    return { outcome: await transport.send(authorized), sent: true };
  }

  private async sendWithToken(transport: Transport, request: SignedRequest, settings: OAuth2ClientCredentials): Promise<AuthenticatedOutcome> {
    const started = performance.now();
    const left = () => Math.round(started + request.timeoutMs - performance.now());
    const elapsed = () => Math.round(performance.now() - started);
    const endpointId = request.attempt.endpointId;
    const sendWith = async (token: string): Promise<TransportOutcome> => {
      const timeoutMs = left();
      if (timeoutMs <= 0) return noAnswer(`timed out after ${request.timeoutMs / 1000}s`, elapsed(), true);
      return transport.send(withAuthorization({ ...request, timeoutMs }, `Bearer ${token}`));
    };
    const first = await this.tokens.token(endpointId, settings, left());
    if (!first.ok) return { outcome: noAnswer(first.reason, elapsed(), first.timedOut), sent: false };
    let outcome = await sendWith(first.token);
    if (outcome.statusCode === 401) {
      // The endpoint no longer takes the token (revoked, or expired early): one new token, and one more try if there
      // is time left (else the 401 stands, and the next attempt gets the new token).
      this.tokens.refused(endpointId, settings, first.token);
      const renewed = left() > 0 ? await this.tokens.token(endpointId, settings, left()) : null;
      if (renewed) outcome = renewed.ok ? await sendWith(renewed.token) : noAnswer(renewed.reason, elapsed(), renewed.timedOut);
    }
    return { outcome: { ...outcome, durationMs: elapsed() }, sent: true };
  }
}

/** RFC 7617: base64 of `username:password` in UTF-8. */
const basicAuthorization = ({ username, password }: BasicAuth): string => `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;

const withAuthorization = (request: SignedRequest, value: string): SignedRequest => ({ ...request, headers: patchHeaders(request.headers, { authorization: value }) });
