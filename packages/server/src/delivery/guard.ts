import { lookup } from 'node:dns/promises';
import { isIP, type Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import ipaddr from 'ipaddr.js';
import { buildConnector } from 'undici';

/**
 * The private-address guard. Deliveries may only reach global unicast addresses unless private targets are allowed.
 * The check runs inside undici's connector on every new connection: the host is resolved once, every answer is
 * checked, the socket is opened to the checked address (so a second lookup cannot change the answer), and the
 * address the socket actually reached is checked again. IP literals skip DNS but not the check; the URL parser has
 * already turned odd spellings (decimal, hex, octal, IPv4-mapped IPv6) into a canonical form.
 */

export class TargetRefusedError extends Error {
  override name = 'TargetRefusedError';
  readonly code = 'HERALD_TARGET_REFUSED';
}

/** Where deliveries may go: private targets allowed altogether, or only the private ranges listed. */
export interface TargetPolicy {
  allowPrivate: boolean;
  /** CIDRs (10.0.0.0/8, fd00::/8) allowed although private. */
  allowCidrs?: readonly string[];
}

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** The address's class when it is not a global unicast address nor in an allowed range, else null. */
export function nonGlobalRange(address: string, allowed: readonly Cidr[] = []): string | null {
  if (!ipaddr.isValid(address)) return 'invalid';
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  if (range === 'unicast') return null;
  return allowed.some(([net, bits]) => net.kind() === parsed.kind() && parsed.match(net, bits)) ? null : range;
}

/**
 * Why a target host is refused without any lookup, or null: an IP literal outside the allowed ranges, or `localhost`
 * and `*.localhost` (loopback by RFC 6761). Checked when an endpoint is saved, so a target that could never be
 * delivered to is refused with a reason instead of failing forever; names that resolve privately are still caught by
 * the connection guard at delivery. `hostname` is as the URL parser gives it (IPv6 in brackets, canonical IPv4).
 */
export function refusedLiteralTarget(hostname: string, policy: TargetPolicy): string | null {
  if (policy.allowPrivate) return null;
  const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase().replace(/\.$/, '');
  const allowed = (policy.allowCidrs ?? []).map((cidr) => ipaddr.parseCIDR(cidr) as Cidr);
  if (host === 'localhost' || host.endsWith('.localhost')) {
    return nonGlobalRange('127.0.0.1', allowed) === null ? null : `${host} is a loopback name`;
  }
  if (isIP(host) === 0) return null;
  const range = nonGlobalRange(host, allowed);
  return range === null ? null : `${host} is ${/^[aeiou]/i.test(range) ? 'an' : 'a'} ${range} address`;
}

async function resolveChecked(host: string, allowed: readonly Cidr[]): Promise<string> {
  const literal = isIP(host) !== 0;
  const addresses = literal ? [host] : (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  if (addresses.length === 0) throw new Error(`${host} did not resolve to any address`);
  for (const address of addresses) {
    const range = nonGlobalRange(address, allowed);
    if (range !== null) {
      const via = literal ? '' : ` (${host} resolves to it)`;
      throw new TargetRefusedError(
        `refused to deliver to ${address}${via}: it is a ${range} address, not a public one; ` +
          'allow it with HERALD_ALLOW_PRIVATE_CIDRS, or all private targets with HERALD_ALLOW_PRIVATE_TARGETS=true',
      );
    }
  }
  return addresses[0]!;
}

/**
 * The check for deliveries sent through an egress proxy, which opens the connection itself: the target's host is
 * resolved and checked here before the request goes. The proxy resolves it again, so it should refuse private
 * ranges too (docs/security.md).
 */
export async function checkTargetHost(hostname: string, policy: TargetPolicy): Promise<void> {
  if (policy.allowPrivate) return;
  const allowed = (policy.allowCidrs ?? []).map((cidr) => ipaddr.parseCIDR(cidr) as Cidr);
  await resolveChecked(hostname.replace(/^\[(.*)\]$/, '$1'), allowed);
}

type Connector = ReturnType<typeof buildConnector>;

/** `tls`: what an endpoint's TLS connections take besides the defaults (a client certificate, the CA to trust). */
export function guardedConnector(policy: TargetPolicy, connectTimeoutMs: number, tls: ConnectionOptions = {}): Connector {
  const connect = buildConnector({ ...tls, timeout: connectTimeoutMs });
  if (policy.allowPrivate) return connect;
  const allowed = (policy.allowCidrs ?? []).map((cidr) => ipaddr.parseCIDR(cidr) as Cidr);
  return (options, callback) => {
    const host = options.hostname.replace(/^\[(.*)\]$/, '$1');
    resolveChecked(host, allowed).then(
      (address) => {
        connect({ ...options, hostname: address }, (err, socket) => {
          if (err) return callback(err, null);
          const remote = (socket as Socket).remoteAddress;
          const range = remote ? nonGlobalRange(remote, allowed) : 'unknown';
          if (range !== null) {
            socket.destroy();
            return callback(new TargetRefusedError(`refused to deliver to ${remote}: it is a ${range} address`), null);
          }
          callback(null, socket);
        });
      },
      (err: Error) => callback(err, null),
    );
  };
}
