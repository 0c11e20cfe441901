import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http2, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';

/**
 * The Temporal dev server speaks plaintext gRPC only, so TLS is tested through a TLS-terminating
 * gRPC proxy in front of it: a real HTTP/2 server with a real certificate chain (made with the
 * openssl CLI), optionally requiring client certificates (mTLS), that forwards each call to the
 * dev server and records what a Temporal Cloud front end would check: the client certificate
 * and the `authorization` header.
 */

export interface TestPki {
  dir: string;
  caPem: string;
  /** Files, as TEMPORAL_TLS_*_PATH would name them. */
  files: { ca: string; serverCert: string; serverKey: string; clientCert: string; clientKey: string };
  cleanup(): void;
}

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tandem-pki-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Tandem Test CA');
  const issue = (name: string, cn: string, extensions: string) => {
    openssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    writeFileSync(file(`${name}.ext`), extensions);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      `${name}.pem`,
      '-extfile',
      `${name}.ext`,
    );
  };
  issue(
    'server',
    'localhost',
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n',
  );
  issue('client', 'tandem-worker', 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n');
  return {
    dir,
    caPem: readFileSync(file('ca.pem'), 'utf8'),
    files: {
      ca: file('ca.pem'),
      serverCert: file('server.pem'),
      serverKey: file('server.key'),
      clientCert: file('client.pem'),
      clientKey: file('client.key'),
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface SeenCall {
  path: string;
  /** The verified client certificate's common name, when one was presented. */
  clientCertificate?: string;
  authorization?: string;
}

export interface TlsProxy {
  address: string;
  calls: SeenCall[];
  close(): Promise<void>;
}

// Hop-by-hop and pseudo headers are the proxy's own business on each leg.
const forwardable = (headers: IncomingHttpHeaders): OutgoingHttpHeaders =>
  Object.fromEntries(Object.entries(headers).filter(([k]) => !k.startsWith(':') && k !== 'connection' && k !== 'host'));

/** A gRPC-over-TLS front for `upstream` (host:port, plaintext); `mutual` requires a client certificate from the PKI's CA. */
export async function startTlsProxy(pki: TestPki, upstream: string, { mutual }: { mutual: boolean }): Promise<TlsProxy> {
  const calls: SeenCall[] = [];
  const server = http2.createSecureServer({
    key: readFileSync(pki.files.serverKey),
    cert: readFileSync(pki.files.serverCert),
    ca: pki.caPem,
    requestCert: mutual,
    rejectUnauthorized: mutual,
  });
  const origin = http2.connect(`http://${upstream}`);
  origin.on('error', () => {});
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  server.on('stream', (stream, headers) => {
    const socket = stream.session?.socket as TLSSocket | undefined;
    const peer = socket?.authorized ? socket.getPeerCertificate() : undefined;
    calls.push({
      path: String(headers[':path']),
      ...(peer?.subject?.CN ? { clientCertificate: String(peer.subject.CN) } : {}),
      ...(typeof headers.authorization === 'string' ? { authorization: headers.authorization } : {}),
    });
    const request = origin.request({ ':method': 'POST', ':path': headers[':path'], ...forwardable(headers) });
    stream.pipe(request);
    let trailers: OutgoingHttpHeaders = {};
    request.on('trailers', (t) => (trailers = forwardable(t)));
    request.on('response', (response) => {
      // A trailers-only answer (an error with no body) carries grpc-status in its headers.
      if (response['grpc-status'] !== undefined) {
        stream.respond(forwardable(response), { endStream: true });
        return;
      }
      stream.respond(forwardable(response), { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers(trailers));
      request.pipe(stream);
    });
    request.on('error', () => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
    stream.on('error', () => request.close(http2.constants.NGHTTP2_CANCEL));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        origin.close();
        server.close(() => resolve());
        // Clients may keep their sessions open; the test is done with them.
        for (const session of sessions) session.destroy();
      }),
  };
}
