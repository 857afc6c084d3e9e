/** HTTP basic authentication: `Authorization: Basic base64(username:password)` on every request. */
export interface BasicAuth {
  username: string;
  password: string;
}

/** OAuth 2.0 client credentials (RFC 6749 §4.4): a bearer token from `tokenUrl`, sent on every request. */
export interface OAuth2ClientCredentials {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string | null;
  audience: string | null;
  /** How the client authenticates to the token URL: HTTP basic (client_secret_basic) or in the form (client_secret_post). */
  clientAuth: 'basic' | 'body';
}

/** Mutual TLS: the certificate (chain) and key Herald presents, and the CA the endpoint's certificate must chain to. */
export interface ClientCertificate {
  /** PEM, the endpoint's certificate first. */
  certificate: string;
  /** PEM, encrypted under `passphrase` when one is given. */
  privateKey: string;
  passphrase: string | null;
  /** PEM; null: the public CAs Node trusts. */
  ca: string | null;
}

/** How Herald authenticates itself to an endpoint: basic or OAuth 2.0 (never both), and a client certificate with either. */
export interface EndpointAuth {
  basic: BasicAuth | null;
  oauth2: OAuth2ClientCredentials | null;
  clientCertificate: ClientCertificate | null;
}

/** Endpoints' authentication, sealed at rest as a whole, in a table of its own beside the endpoint rows. */
export interface EndpointAuthStore {
  /** null when the endpoint has none (or is gone). */
  getEndpointAuth(endpointId: string): Promise<EndpointAuth | null>;
  /** Replaces it; false (nothing written) when the endpoint is gone. */
  setEndpointAuth(endpointId: string, auth: EndpointAuth, now: number): Promise<boolean>;
  /** Removes it; false when there was none. */
  clearEndpointAuth(endpointId: string): Promise<boolean>;
}
