// Keep-alive agents that refuse to connect to a forbidden address. The check runs where the
// connection is made, on the address the socket will actually use, so a name that resolved to a
// harmless address at registration and to a metadata address now (DNS rebinding) is still refused.
// It lives in the agents rather than in each request: every new socket an agent opens, for any
// caller, goes through it; a kept-alive socket was checked when it was opened and its peer cannot
// change.
import type { LookupAddress, LookupOptions } from 'node:dns';
import http, { type ClientRequestArgs } from 'node:http';
import https from 'node:https';
import { isIP, Socket, type LookupFunction } from 'node:net';
import type { Duplex } from 'node:stream';
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

type ConnectCallback = (err: Error | null, stream: Duplex) => void;
type Connect = (options: ClientRequestArgs, callback?: ConnectCallback) => Duplex | null | undefined;

/**
 * net.connect skips `lookup` for a host that is already an IP address, so literal addresses are
 * checked here; every other host gets the guarded lookup, whatever lookup the request asked for.
 */
function connectGuarded(options: ClientRequestArgs, callback: ConnectCallback | undefined, lookup: LookupFunction, connect: Connect) {
  const host = options.host ?? options.hostname ?? '';
  const reason = isIP(host) ? forbiddenAddressReason(host) : null;
  if (reason) {
    const error = new ForbiddenAddressError(host, host, reason);
    // The agent expects the callback after createConnection has returned, as for a real connect,
    // and ignores the stream when given an error: a closed socket only fills the parameter.
    process.nextTick(() => callback?.(error, new Socket().destroy()));
    return undefined;
  }
  return connect({ ...options, lookup }, callback);
}

// Free sockets are closed after 4 s idle: most servers close idle keep-alive connections after 5 s
// (Node) or more, and reusing one the server is closing at that moment fails the request.
const agentOptions: http.AgentOptions = { keepAlive: true, timeout: 4_000, scheduling: 'lifo' };

export interface GuardedAgents {
  http: http.Agent;
  https: https.Agent;
}

/** One pair of agents per sender: their pools of kept-alive connections are shared by every send. */
export function createGuardedAgents(resolve: ResolveHost): GuardedAgents {
  const lookup = guardedLookup(resolve);
  class GuardedHttpAgent extends http.Agent {
    override createConnection(options: ClientRequestArgs, callback?: ConnectCallback) {
      return connectGuarded(options, callback, lookup, (o, cb) => super.createConnection(o, cb));
    }
  }
  class GuardedHttpsAgent extends https.Agent {
    override createConnection(options: ClientRequestArgs, callback?: ConnectCallback) {
      return connectGuarded(options, callback, lookup, (o, cb) => super.createConnection(o, cb));
    }
  }
  return { http: new GuardedHttpAgent(agentOptions), https: new GuardedHttpsAgent(agentOptions) };
}
