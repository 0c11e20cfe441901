// A keep-alive agent that refuses to connect to a forbidden address. The check runs where the
// connection is made, on the address the socket will actually use, so a name that resolved to a
// harmless address at registration and to a metadata address now (DNS rebinding) is still refused.
// It lives in the agent's connector rather than in each request: every new socket it opens, for any
// caller, goes through it; a kept-alive socket was checked when it was opened and its peer cannot
// change.
import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { forbiddenAddressReason } from './addresses';
import type { ResolveHost } from './endpointUrl';

/** A connection refused because of where it would go; retrying cannot help until the endpoint changes. */
export class ForbiddenAddressError extends Error {
  readonly code = 'ERR_WEBHOOK_FORBIDDEN_ADDRESS';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly reason: string,
  ) {
    super(host === address ? `${address} is ${reason}` : `${host} resolves to ${address}, ${reason}`);
    this.name = 'ForbiddenAddressError';
  }
}

function noAddressError(host: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', hostname: host });
}

/** The address family net.connect asked for, or null for either. */
const familyNumber = (options: LookupOptions): number | null => {
  const value = options.family;
  if (value === 4 || value === 'IPv4') return 4;
  if (value === 6 || value === 'IPv6') return 6;
  return null;
};

/**
 * A `lookup` for net.connect that resolves with `resolve` and refuses the host when any of its
 * addresses is forbidden: a name that mixes a public address with a metadata one is hostile, and
 * happy-eyeballs connecting may try any of them.
 */
export function guardedLookup(resolve: ResolveHost): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        for (const address of addresses) {
          const reason = forbiddenAddressReason(address);
          if (reason) return callback(new ForbiddenAddressError(hostname, address, reason), options.all ? [] : '');
        }
        const family = familyNumber(options);
        const usable: LookupAddress[] = addresses
          .map((address) => ({ address, family: isIP(address) }))
          .filter((entry) => entry.family !== 0 && (family === null || entry.family === family));
        const first = usable[0];
        if (!first) return callback(noAddressError(hostname), options.all ? [] : '');
        if (options.all) return callback(null, usable);
        return callback(null, first.address, first.family);
      },
      (error: unknown) => {
        const failure: NodeJS.ErrnoException = error instanceof Error ? error : new Error(String(error));
        callback(failure, options.all ? [] : '');
      },
    );
  };
}

/**
 * A connector that refuses forbidden addresses: a host that is an IP literal is checked here
 * (net.connect skips `lookup` for those), any other host is resolved by the guarded lookup.
 */
function guardedConnector(lookup: LookupFunction, opened: () => void): buildConnector.connector {
  const connect = buildConnector({ lookup });
  return (options, callback) => {
    const host = options.hostname;
    const reason = isIP(host) ? forbiddenAddressReason(host) : null;
    if (reason) return callback(new ForbiddenAddressError(host, host, reason), null);
    opened();
    connect(options, callback);
  };
}

export interface GuardedAgent {
  agent: Agent;
  /** How many connections the agent has started to open: a request that began with none opened went out on a kept-alive one. */
  connectionsOpened: () => number;
}

/**
 * One agent per sender: its pools of kept-alive connections (one per origin) are shared by every
 * send. Idle connections close after 4 s: most servers close idle keep-alive connections after 5 s
 * (Node) or more, and reusing one the server is closing at that moment fails the request; a
 * receiver's own keep-alive hint, when shorter, is honoured too.
 */
export function createGuardedAgent(resolve: ResolveHost): GuardedAgent {
  let opened = 0;
  const connect = guardedConnector(guardedLookup(resolve), () => opened++);
  return { agent: new Agent({ connect, keepAliveTimeout: 4_000, keepAliveMaxTimeout: 4_000 }), connectionsOpened: () => opened };
}
