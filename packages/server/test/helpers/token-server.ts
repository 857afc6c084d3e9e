import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A client the token server knows, and how long the tokens it issues to it last. */
export interface TokenClient {
  secret: string;
  expiresIn: number;
}

export interface TokenRequestSeen {
  clientId: string;
  at: number;
  path: string;
  /** The request's headers and body, as received. */
  headers: IncomingHttpHeaders;
  body: string;
  /** The token issued, when one was. */
  token?: string;
}

const formDecoded = (text: string): string => decodeURIComponent(text.replace(/\+/g, ' '));

/**
 * A local OAuth 2.0 token server (client credentials, RFC 6749 §4.4) on 127.0.0.1: it refuses an unknown client or a
 * wrong secret (401 invalid_client), issues random tokens with each client's expires_in, and tells a receiver whether
 * a bearer token is one it issued, not expired and not revoked.
 */
export class TokenServer {
  readonly requests: TokenRequestSeen[] = [];
  private readonly issued = new Map<string, { expiresAt: number; revoked: boolean }>();
  /** How long each answer is held back (to let concurrent attempts meet on one request). */
  delayMs = 0;
  private readonly server: Server;

  private constructor(readonly clients: Map<string, TokenClient>) {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => setTimeout(() => this.answer(req, body, res), this.delayMs));
    });
  }

  static async start(clients: Record<string, TokenClient>): Promise<TokenServer> {
    const server = new TokenServer(new Map(Object.entries(clients)));
    await new Promise<void>((resolve) => server.server.listen(0, '127.0.0.1', resolve));
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/oauth/token`;
  }

  /** Whether `authorization` carries a token this server issued that is still valid now. */
  accepts(authorization: string | undefined): boolean {
    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    const held = token === undefined ? undefined : this.issued.get(token);
    return held !== undefined && !held.revoked && held.expiresAt > Date.now();
  }

  /** Revokes every token issued so far. */
  revokeAll(): void {
    for (const held of this.issued.values()) held.revoked = true;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private answer(req: IncomingMessage, body: string, res: ServerResponse): void {
    const form = Object.fromEntries(new URLSearchParams(body));
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    let clientId = form['client_id'] ?? '';
    let secret = form['client_secret'] ?? '';
    if (basic) {
      // RFC 6749 §2.3.1: each is form-encoded before they are joined.
      const [id = '', pass = ''] = Buffer.from(basic, 'base64').toString().split(':');
      [clientId, secret] = [formDecoded(id), formDecoded(pass)];
    }
    const json = (status: number, value: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    };
    if (req.method !== 'POST' || form['grant_type'] !== 'client_credentials') return json(400, { error: 'unsupported_grant_type' });
    const seen: TokenRequestSeen = {
      clientId, at: Date.now(), path: req.url ?? '', headers: req.headers, body,
    };
    this.requests.push(seen);
    const client = this.clients.get(clientId);
    if (!client || client.secret !== secret) return json(401, { error: 'invalid_client' });
    const token = seen.token = randomBytes(12).toString('hex');
    this.issued.set(token, { expiresAt: Date.now() + client.expiresIn * 1000, revoked: false });
    json(200, { access_token: token, token_type: 'Bearer', expires_in: client.expiresIn });
  }
}
