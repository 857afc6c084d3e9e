import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { ConnectionOptions } from 'node:tls';
import { Agent, ProxyAgent, request, type Dispatcher } from 'undici';
import type { ClientCertificate } from '../../store/slices/endpoint-auth.ts';
import { TargetRefusedError, checkTargetHost, guardedConnector, type TargetPolicy } from '../guard.ts';
import { RESPONSE_BODY_LIMIT, noAnswer, type SignedRequest, type Transport, type TransportOutcome } from '../transport.ts';

/** Where requests may go and how they leave: the private-address guard, https only, an egress proxy. */
export type HttpTargets = TargetPolicy & { httpsOnly?: boolean; egressProxy?: string };

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
/** Pools kept for distinct client certificates; the one used longest ago closes (once its requests end) to make room. */
const MAX_CLIENT_CERTIFICATE_POOLS = 256;

/**
 * Sends one signed POST (or PUT). One undici Agent keeps a pool of keep-alive connections per origin; no redirect is followed
 * (a 3xx is the endpoint's answer, and a failure). One deadline covers the whole attempt, connect to last body byte:
 * the delivery's lease is sized on it. With an egress proxy every request leaves through it (a CONNECT tunnel), so
 * receivers see the proxy's fixed addresses. It takes every URL no other transport took (a bad one fails here).
 * A request with a client certificate (mutual TLS) goes through a pool of its own per certificate, built the same way:
 * connections made with one certificate are never reused with another, nor TLS sessions resumed across them.
 */
export class HttpTransport implements Transport {
  readonly judgesEndpoint = true;
  private readonly agent: Dispatcher;
  /** By a hash of the certificate, key, passphrase and CA; the most recently used last. */
  private readonly certificateAgents = new Map<string, Dispatcher>();
  private readonly httpsOnly: boolean;
  /** Set when deliveries go through a proxy: targets are then checked before each request instead of at connect. */
  private readonly proxiedTargets: TargetPolicy | null;

  constructor(
    /** The pool's wait for headers and for each body chunk: the attempt deadline. */
    private readonly timeoutMs: number,
    private readonly targets: HttpTargets,
  ) {
    this.httpsOnly = targets.httpsOnly ?? false;
    this.proxiedTargets = targets.egressProxy ? targets : null;
    this.agent = this.pool();
  }

  /** A pool whose TLS connections take `tls` besides the defaults; through the egress proxy when there is one. */
  private pool(tls?: ConnectionOptions): Dispatcher {
    const { timeoutMs, targets } = this;
    const pool = { connections: 64, keepAliveTimeout: 30_000, headersTimeout: timeoutMs, bodyTimeout: timeoutMs };
    if (targets.egressProxy) return new ProxyAgent({ uri: targets.egressProxy, proxyTunnel: true, ...(tls && { requestTls: tls }), ...pool });
    return new Agent({ connect: guardedConnector(targets, Math.min(timeoutMs, 10_000), tls), ...pool });
  }

  private dispatcherFor(certificate: ClientCertificate | undefined): Dispatcher {
    if (!certificate) return this.agent;
    const { certificate: cert, privateKey: key, passphrase, ca } = certificate;
    const id = createHash('sha256').update(JSON.stringify([cert, key, passphrase, ca])).digest('base64');
    let agent = this.certificateAgents.get(id);
    if (agent) {
      this.certificateAgents.delete(id);
    } else {
      agent = this.pool({ cert, key, ...(passphrase !== null && { passphrase }), ...(ca !== null && { ca }) });
      const [oldest] = this.certificateAgents;
      if (oldest && this.certificateAgents.size >= MAX_CLIENT_CERTIFICATE_POOLS) {
        this.certificateAgents.delete(oldest[0]);
        void oldest[1].close();
      }
    }
    this.certificateAgents.set(id, agent);
    return agent;
  }

  accepts(): boolean {
    return true;
  }

  /** Which attempt it is does not matter here: a delivery thread sends with it left out. */
  async send({ method, url, headers, body, timeoutMs, clientCertificate }: SignedRequest | Omit<SignedRequest, 'attempt'>): Promise<TransportOutcome> {
    if (this.httpsOnly && !url.startsWith('https:')) {
      // An endpoint created before HERALD_ENDPOINT_HTTPS_ONLY was set: refused like a private target, and retried.
      return noAnswer(`refused to deliver to ${url}: HERALD_ENDPOINT_HTTPS_ONLY allows https:// endpoints only`);
    }
    const started = performance.now();
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    try {
      if (this.proxiedTargets) await checkTargetHost(new URL(url).hostname, this.proxiedTargets);
      const dispatcher = this.dispatcherFor(clientCertificate);
      const res = await request(url, { method: method ?? 'POST', headers, body, dispatcher, signal: deadline.signal });
      let size = 0;
      const chunks: Buffer[] = [];
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= RESPONSE_BODY_LIMIT) break;
      }
      const text = Buffer.concat(chunks).subarray(0, RESPONSE_BODY_LIMIT).toString('utf8');
      const retryAfter = res.headers['retry-after'];
      const control = res.headers['webhook-delivery'];
      return {
        statusCode: res.statusCode,
        body: text,
        durationMs: Math.round(performance.now() - started),
        timedOut: false,
        retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
        abortRequested: typeof control === 'string' && control.trim().toLowerCase() === 'abort-message',
      };
    } catch (err) {
      const timedOut = deadline.signal.aborted || TIMEOUT_CODES.has((err as { code?: string }).code ?? '');
      return noAnswer(describeFailure(err, timedOut, timeoutMs), Math.round(performance.now() - started), timedOut);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.agent, ...this.certificateAgents.values()].map((agent) => agent.close()));
  }
}

function describeFailure(err: unknown, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) return `timed out after ${timeoutMs / 1000}s`;
  if (err instanceof TargetRefusedError) return err.message;
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code;
  const message = e.message ?? String(err);
  return code ? `${code}: ${message}` : message;
}
