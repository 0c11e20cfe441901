// A webhook receiver in its own process, so the sender's CPU is the sender's alone: answers
// every POST with 200 once its body has arrived, keeps connections alive, counts what it got.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

let received = 0;
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    received++;
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => console.log(`receiver on ${(server.address() as AddressInfo).port}`));
process.on('SIGTERM', () => {
  console.log(`received ${received}`);
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
