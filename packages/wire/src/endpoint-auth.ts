import { Type, type Static } from 'typebox';
import { DateTime, Nullable } from './common.ts';

/**
 * How Herald authenticates itself to an endpoint besides custom headers (Herald's own): HTTP basic or OAuth 2.0 client
 * credentials (one or the other), and a client certificate for mutual TLS with either. Secrets go in and never come
 * out: a password or client secret is shown masked, a private key not at all.
 */

const Pem = Type.String({ minLength: 1, maxLength: 64 * 1024 });

export const EndpointBasicAuthIn = Type.Object({
  /** RFC 7617: a user id cannot hold a colon (the server says so). */
  username: Type.String({ minLength: 1, maxLength: 256 }),
  password: Type.String({ maxLength: 1024 }),
});
export type EndpointBasicAuthIn = Static<typeof EndpointBasicAuthIn>;

const ClientAuth = Type.Union([Type.Literal('basic'), Type.Literal('body')]);

export const EndpointOAuth2In = Type.Object({
  /** http(s); the token request goes through the same private-address guard as deliveries. */
  tokenUrl: Type.String({ minLength: 1, maxLength: 2048 }),
  clientId: Type.String({ minLength: 1, maxLength: 1024 }),
  clientSecret: Type.String({ minLength: 1, maxLength: 4096 }),
  scope: Type.Optional(Nullable(Type.String({ maxLength: 1024 }))),
  audience: Type.Optional(Nullable(Type.String({ maxLength: 1024 }))),
  /** How the client id and secret reach the token URL: HTTP basic (client_secret_basic, the default) or in the form (client_secret_post). */
  clientAuth: Type.Optional(ClientAuth),
});
export type EndpointOAuth2In = Static<typeof EndpointOAuth2In>;

export const EndpointClientCertificateIn = Type.Object({
  /** PEM: the client certificate, then any intermediates. */
  certificate: Pem,
  /** PEM: its private key, encrypted under `passphrase` when one is given. */
  privateKey: Pem,
  passphrase: Type.Optional(Nullable(Type.String({ maxLength: 1024 }))),
  /** PEM: the CA(s) the endpoint's server certificate must chain to, instead of the public ones. */
  ca: Type.Optional(Nullable(Pem)),
});
export type EndpointClientCertificateIn = Static<typeof EndpointClientCertificateIn>;

/** Replaces the endpoint's authentication as a whole: what is left out (or null) is removed. */
export const EndpointAuthIn = Type.Object({
  basic: Type.Optional(Nullable(EndpointBasicAuthIn)),
  oauth2: Type.Optional(Nullable(EndpointOAuth2In)),
  clientCertificate: Type.Optional(Nullable(EndpointClientCertificateIn)),
}, { additionalProperties: false });
export type EndpointAuthIn = Static<typeof EndpointAuthIn>;

/** A secret as shown: `****` and, for one of 8 characters or more, its last 2. */
const Masked = Type.String();

export const EndpointAuthOut = Type.Object({
  basic: Nullable(Type.Object({ username: Type.String(), password: Masked })),
  oauth2: Nullable(Type.Object({
    tokenUrl: Type.String(), clientId: Type.String(), clientSecret: Masked,
    scope: Nullable(Type.String()), audience: Nullable(Type.String()), clientAuth: ClientAuth,
  })),
  /** The client certificate's (the first in its chain); its key is never shown. */
  clientCertificate: Nullable(Type.Object({
    subject: Type.String(), issuer: Type.String(), notAfter: DateTime,
    /** SHA-256 of the certificate, colon-separated hex (as `openssl x509 -fingerprint -sha256` prints it). */
    fingerprint256: Type.String(),
    /** Whether a CA of the endpoint's own is trusted for its server certificate instead of the public ones. */
    trustsCa: Type.Boolean(),
  })),
});
export type EndpointAuthOut = Static<typeof EndpointAuthOut>;
