import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { EndpointAuthIn, EndpointAuthOut, EndpointClientCertificateIn, EndpointOAuth2In } from '@herald/wire';
import { HeraldError } from '../lib/errors.ts';
import type { ClientCertificate, EndpointAuth, OAuth2ClientCredentials } from '../store/slices/endpoint-auth.ts';
import { checkEndpointUrl, type EndpointUrlRules } from './endpoint-input.ts';

/** What users give as an endpoint's authentication, checked before anything is stored, and how it is shown back. */

const CERTIFICATE_PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

const invalid = (loc: string[], msg: string) => HeraldError.validation(['body', ...loc], msg);

/** The certificates of a PEM text, in order; a 422 naming `loc` when there is none or one cannot be read. */
function certificatesOf(pem: string, loc: string[]): X509Certificate[] {
  const blocks = pem.match(CERTIFICATE_PEM) ?? [];
  if (blocks.length === 0) throw invalid(loc, 'must be PEM: one or more -----BEGIN CERTIFICATE----- blocks');
  return blocks.map((block, index) => {
    try {
      return new X509Certificate(block);
    } catch (err) {
      throw invalid(loc, `certificate ${index + 1} of the PEM cannot be read (${(err as Error).message})`);
    }
  });
}

/** An encrypted PEM key: PKCS#8 (`ENCRYPTED PRIVATE KEY`) or the older OpenSSL form (`Proc-Type: 4,ENCRYPTED`). */
const ENCRYPTED_KEY = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/;

function privateKeyOf(pem: string, passphrase: string | null): KeyObject {
  // Asked first: without a passphrase OpenSSL fails an encrypted key with a reason that does not say so.
  if (passphrase === null && ENCRYPTED_KEY.test(pem)) throw invalid(['clientCertificate', 'passphrase'], 'is needed: the private key is encrypted');
  try {
    return createPrivateKey({ key: pem, format: 'pem', ...(passphrase !== null && { passphrase }) });
  } catch (err) {
    throw invalid(['clientCertificate', 'privateKey'], `must be a PEM private key${passphrase !== null ? ' that the passphrase opens' : ''} (${(err as Error).message})`);
  }
}

function checkClientCertificate(input: EndpointClientCertificateIn): ClientCertificate {
  const passphrase = input.passphrase ?? null;
  const [leaf] = certificatesOf(input.certificate, ['clientCertificate', 'certificate']);
  const key = privateKeyOf(input.privateKey, passphrase);
  if (!leaf!.checkPrivateKey(key)) throw invalid(['clientCertificate', 'privateKey'], 'is not the key of the certificate (the first one of its PEM)');
  const ca = input.ca ?? null;
  if (ca !== null) certificatesOf(ca, ['clientCertificate', 'ca']);
  return { certificate: input.certificate, privateKey: input.privateKey, passphrase, ca };
}

const TOKEN_URL = ['oauth2', 'tokenUrl'];

/** An http(s) URL that deliveries may reach (the rules of endpoint URLs: the private-address guard, https only). */
function checkTokenUrl(url: string, rules: EndpointUrlRules): string {
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    // Said below, as for any URL that is not http(s).
  }
  if (parsed?.protocol !== 'http:' && parsed?.protocol !== 'https:') throw invalid(TOKEN_URL, 'must be an http or https URL');
  if (parsed.username || parsed.password) throw invalid(TOKEN_URL, 'must not carry credentials: they go in clientId and clientSecret');
  try {
    return checkEndpointUrl(url, rules);
  } catch (err) {
    throw err instanceof HeraldError && err.validation ? invalid(TOKEN_URL, err.detail) : err;
  }
}

function checkOAuth2(input: EndpointOAuth2In, rules: EndpointUrlRules): OAuth2ClientCredentials {
  return {
    tokenUrl: checkTokenUrl(input.tokenUrl, rules),
    clientId: input.clientId, clientSecret: input.clientSecret,
    scope: input.scope || null, audience: input.audience || null, clientAuth: input.clientAuth ?? 'basic',
  };
}

/**
 * The authentication a PUT replaces the endpoint's with, or a 422 saying what is wrong: the certificate, CA and key must
 * be readable PEM, the key must be the certificate's, the token URL an http(s) URL that deliveries may reach, and basic
 * and OAuth 2.0 are not set together.
 */
export function checkEndpointAuth(input: EndpointAuthIn, rules: EndpointUrlRules): EndpointAuth {
  if (input.basic && input.oauth2) throw invalid([], 'basic and oauth2 cannot both be set: an endpoint authenticates with one or the other (a client certificate goes with either)');
  if (input.basic?.username.includes(':')) throw invalid(['basic', 'username'], 'must not hold a colon: basic authentication joins user and password with one (RFC 7617)');
  return {
    basic: input.basic ?? null,
    oauth2: input.oauth2 ? checkOAuth2(input.oauth2, rules) : null,
    clientCertificate: input.clientCertificate ? checkClientCertificate(input.clientCertificate) : null,
  };
}

/** Whether the authentication does anything (a PUT of nothing clears it). */
export const isEmptyAuth = (auth: EndpointAuth): boolean => !auth.basic && !auth.oauth2 && !auth.clientCertificate;

/** A secret as shown: `****`, and its last 2 characters when it has 8 or more (shorter ones would give too much away). */
const masked = (secret: string): string => `****${secret.length >= 8 ? secret.slice(-2) : ''}`;

/** "CN=a\nO=b" as "CN=a, O=b". */
const distinguishedName = (name: string): string => name.split('\n').join(', ');

/** The endpoint's authentication as the API shows it: secrets masked, the private key and passphrase left out. */
export function endpointAuthOut(auth: EndpointAuth | null): EndpointAuthOut {
  const { basic = null, oauth2 = null, clientCertificate = null } = auth ?? {};
  let certificate: EndpointAuthOut['clientCertificate'] = null;
  if (clientCertificate) {
    const leaf = new X509Certificate(clientCertificate.certificate);
    certificate = {
      subject: distinguishedName(leaf.subject), issuer: distinguishedName(leaf.issuer), notAfter: new Date(leaf.validTo).toISOString(),
      fingerprint256: leaf.fingerprint256, trustsCa: clientCertificate.ca !== null,
    };
  }
  return {
    basic: basic && { username: basic.username, password: masked(basic.password) },
    oauth2: oauth2 && { ...oauth2, clientSecret: masked(oauth2.clientSecret) },
    clientCertificate: certificate,
  };
}
