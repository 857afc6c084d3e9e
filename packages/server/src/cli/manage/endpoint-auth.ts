import { readFile } from 'node:fs/promises';
import type { EndpointAuthIn, EndpointAuthOut } from '@herald/wire';
import type { Command } from 'commander';
import { UsageError, type ApiClient } from '../client.ts';
import { printJson, printRecord, say } from '../output.ts';
import { endpointParams } from './endpoints.ts';
import { appSubcommand, withApi, type AppOption } from './shared.ts';

interface AuthOptions extends AppOption {
  basic?: string;
  oauth2TokenUrl?: string;
  clientId?: string;
  clientSecret?: string;
  scope?: string;
  audience?: string;
  clientAuth?: string;
  clientCert?: string;
  clientKey?: string;
  clientKeyPassphrase?: string;
  serverCa?: string;
}

async function pemFile(file: string, option: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${option}: cannot read ${file}: ${(err as Error).message}`);
  }
}

/** --basic user:pass: the password may itself hold colons, the user id cannot (RFC 7617). */
function basicOption(value: string): NonNullable<EndpointAuthIn['basic']> {
  const colon = value.indexOf(':');
  if (colon <= 0) throw new UsageError(`--basic takes user:password (got "${value.replace(/:.*/, ':…')}")`);
  return { username: value.slice(0, colon), password: value.slice(colon + 1) };
}

function oauth2Options(opts: AuthOptions): EndpointAuthIn['oauth2'] {
  const { oauth2TokenUrl: tokenUrl, clientId, clientSecret, scope, audience, clientAuth } = opts;
  if ([tokenUrl, clientId, clientSecret, scope, audience, clientAuth].every((v) => v === undefined)) return undefined;
  if (!tokenUrl || !clientId || !clientSecret) throw new UsageError('OAuth 2.0 needs --oauth2-token-url, --client-id and --client-secret together');
  if (clientAuth !== undefined && clientAuth !== 'basic' && clientAuth !== 'body') throw new UsageError(`--client-auth must be basic or body (got "${clientAuth}")`);
  return { tokenUrl, clientId, clientSecret, scope: scope ?? null, audience: audience ?? null, ...(clientAuth && { clientAuth }) };
}

async function clientCertificateOptions(opts: AuthOptions): Promise<EndpointAuthIn['clientCertificate']> {
  const { clientCert, clientKey, clientKeyPassphrase, serverCa } = opts;
  if ([clientCert, clientKey, clientKeyPassphrase, serverCa].every((v) => v === undefined)) return undefined;
  if (!clientCert || !clientKey) throw new UsageError('a client certificate needs --client-cert and --client-key together (--client-key-passphrase and --server-ca go with them)');
  return {
    certificate: await pemFile(clientCert, '--client-cert'),
    privateKey: await pemFile(clientKey, '--client-key'),
    passphrase: clientKeyPassphrase ?? null,
    ca: serverCa === undefined ? null : await pemFile(serverCa, '--server-ca'),
  };
}

/** The authentication as lines of a record: secrets come masked from the server, keys not at all. */
function show(auth: EndpointAuthOut): void {
  const { basic, oauth2, clientCertificate: cert } = auth;
  if (!basic && !oauth2 && !cert) return say('(no authentication: only custom headers, if any)');
  printRecord({
    ...(basic && { basic: `${basic.username}, password ${basic.password}` }),
    ...(oauth2 && {
      oauth2: `${oauth2.tokenUrl}, client ${oauth2.clientId} (${oauth2.clientAuth === 'body' ? 'in the form' : 'HTTP basic'}), secret ${oauth2.clientSecret}`,
      ...(oauth2.scope !== null && { scope: oauth2.scope }),
      ...(oauth2.audience !== null && { audience: oauth2.audience }),
    }),
    ...(cert && {
      'client certificate': `${cert.subject}, issued by ${cert.issuer}, valid until ${cert.notAfter}`,
      fingerprint: cert.fingerprint256,
      'server CA': cert.trustsCa ? "the endpoint's own" : 'the public ones',
    }),
  });
}

/** herald endpoint auth|set-auth|clear-auth: how Herald authenticates to an endpoint, besides custom headers. */
export function registerEndpointAuthCommands(endpoint: Command): void {
  /** Prints what the endpoint's authentication is now: the API's JSON, or masked lines. */
  const print = async (api: ApiClient, opts: AppOption, ref: string) => {
    const auth = await api.call('GET /api/v1/app/:app_id/endpoint/:endpoint_id/auth', { params: endpointParams(opts.app, ref) });
    if (opts.json) printJson(auth);
    else show(auth);
  };

  appSubcommand(endpoint, 'auth <endpoint>', 'show how Herald authenticates to the endpoint (basic, OAuth 2.0, client certificate; secrets masked)')
    .action((ref: string, opts: AppOption) => withApi(opts, (api) => print(api, opts, ref)));

  appSubcommand(endpoint, 'set-auth <endpoint>', "replace the endpoint's authentication with what is given (basic or OAuth 2.0, and a client certificate)")
    .option('--basic <user:password>', 'HTTP basic authentication')
    .option('--oauth2-token-url <url>', 'OAuth 2.0 client credentials: where Herald gets its bearer tokens')
    .option('--client-id <id>', 'OAuth 2.0 client id')
    .option('--client-secret <secret>', 'OAuth 2.0 client secret')
    .option('--scope <scope>', 'OAuth 2.0 scope to ask for')
    .option('--audience <audience>', 'OAuth 2.0 audience to ask for')
    .option('--client-auth <basic|body>', 'how the client id and secret go to the token URL: HTTP basic (default) or in the form')
    .option('--client-cert <file>', 'mutual TLS: PEM file of the client certificate (and its intermediates)')
    .option('--client-key <file>', 'mutual TLS: PEM file of its private key')
    .option('--client-key-passphrase <passphrase>', 'the passphrase of an encrypted private key')
    .option('--server-ca <file>', "PEM file of the CA the endpoint's server certificate must chain to (instead of the public ones)")
    .action(async (ref: string, opts: AuthOptions) => {
      const body: EndpointAuthIn = {
        basic: opts.basic === undefined ? null : basicOption(opts.basic),
        oauth2: oauth2Options(opts) ?? null,
        clientCertificate: (await clientCertificateOptions(opts)) ?? null,
      };
      if (!body.basic && !body.oauth2 && !body.clientCertificate) {
        throw new UsageError('nothing to set: give --basic, --oauth2-token-url (with --client-id and --client-secret) or --client-cert (see --help); clear-auth removes it');
      }
      if (body.basic && body.oauth2) throw new UsageError('give --basic or OAuth 2.0, not both');
      await withApi(opts, async (api) => {
        await api.call('PUT /api/v1/app/:app_id/endpoint/:endpoint_id/auth', { params: endpointParams(opts.app, ref), body });
        // The change answers 204; what is now set (masked) is what the user wants to see.
        if (!opts.json) say(`set the authentication of endpoint ${ref}`);
        await print(api, opts, ref);
      });
    });

  appSubcommand(endpoint, 'clear-auth <endpoint>', "remove the endpoint's authentication (its custom headers stay)").action((ref: string, opts: AppOption) =>
    withApi(opts, async (api) => {
      await api.call('DELETE /api/v1/app/:app_id/endpoint/:endpoint_id/auth', { params: endpointParams(opts.app, ref) });
      if (!opts.json) say(`removed the authentication of endpoint ${ref}`);
    }));
}
