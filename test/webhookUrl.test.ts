import { describe, expect, it } from 'vitest';
import { endpointUrlProblem, forbiddenAddressReason, isForbiddenAddress, type ResolveHost } from '../src/webhooks';

const selfOrigins = ['http://127.0.0.1:3000'];

/** A resolver answering from a table, so tests decide what a name points at. */
const resolverOf =
  (table: Record<string, string[]>): ResolveHost =>
  async (host) => {
    const addresses = table[host];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return addresses;
  };

const lookup = resolverOf({
  'hooks.example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
  'rebind.example.com': ['169.254.169.254'],
  'mixed.example.com': ['93.184.215.14', 'fd00:ec2::254'],
  'internal.example.com': ['10.0.0.5'],
  localhost: ['127.0.0.1', '::1'],
  'api.tandem.test': ['127.0.0.1'],
});

describe('endpointUrlProblem', () => {
  it.each([
    ['ftp://hooks.example.com/x', /scheme ftp: is not allowed/],
    ['javascript:alert(1)', /scheme javascript: is not allowed/],
    ['not a url', /not a valid URL/],
    ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a cloud metadata address/],
    ['http://[fe80::1]/', /fe80::1 is a link-local address/],
    ['http://[::ffff:169.254.169.254]/', /the IPv6 form of 169\.254\.169\.254, a cloud metadata address/],
    ['http://[::ffff:a9fe:a9fe]/', /cloud metadata address/],
    ['http://[64:ff9b::a9fe:a9fe]/', /cloud metadata address/],
    ['http://[fd00:ec2::254]/', /cloud metadata address \(AWS\)/],
    ['http://0xA9FEA9FE/', /169\.254\.169\.254 is a cloud metadata address/],
    ['http://2852039166/', /169\.254\.169\.254 is a cloud metadata address/],
    ['http://0251.0376.0251.0376/', /169\.254\.169\.254 is a cloud metadata address/],
    ['http://169.254.1.1/', /link-local/],
    ['http://metadata.google.internal/computeMetadata/v1/', /metadata\.google\.internal is a cloud metadata name/],
    ['http://METADATA.google.internal./', /metadata\.google\.internal is a cloud metadata name/],
    ['http://0.0.0.0/', /0\.0\.0\.0 is an unspecified address/],
    ['http://0/', /0\.0\.0\.0 is an unspecified address/],
    ['http://[::]/', /:: is an unspecified address/],
    ['http://224.0.0.1/', /multicast/],
    ['http://[ff02::1]/', /multicast/],
    ['http://255.255.255.255/', /broadcast/],
    ['http://rebind.example.com/hook', /rebind\.example\.com resolves to 169\.254\.169\.254, a cloud metadata address/],
    ['https://mixed.example.com/hook', /mixed\.example\.com resolves to fd00:ec2::254, a cloud metadata address/],
    ['http://nowhere.example.com/', /nowhere\.example\.com does not resolve \(ENOTFOUND\)/],
    ['http://user:pass@hooks.example.com/x', /carries credentials/],
    ['https://token@hooks.example.com/x', /carries credentials/],
    ['http://127.0.0.1:3000/v1/tickets', /127\.0\.0\.1:3000 is this API itself \(http:\/\/127\.0\.0\.1:3000\)/],
    ['http://localhost:3000/x', /localhost:3000 is this API itself/],
    ['https://localhost:3000/x', /localhost:3000 is this API itself/],
    ['http://127.0.0.2:3000/x', /is this API itself/],
    ['http://[::1]:3000/x', /::1:3000 is this API itself/],
    ['http://[::ffff:127.0.0.1]:3000/x', /is this API itself/],
    ['http://api.tandem.test:3000/x', /api\.tandem\.test:3000 is this API itself/],
  ])('refuses %s', async (url, why) => {
    expect(await endpointUrlProblem(url, { selfOrigins, lookup })).toMatch(why);
  });

  it.each([
    'http://127.0.0.1:9999/hook',
    'https://hooks.example.com/x',
    'http://10.0.0.5/x',
    'http://internal.example.com:8080/events',
    'http://172.16.4.2/x',
    'http://192.168.1.20/x',
    'http://[fd12:3456::1]/x',
    'http://localhost:3001/x',
    'http://[::ffff:10.0.0.5]/x',
    'https://hooks.example.com/x#fragment-is-not-sent',
  ])('allows %s', async (url) => {
    expect(await endpointUrlProblem(url, { selfOrigins, lookup })).toBeNull();
  });

  it("finds the API's own origin through the system resolver too", async () => {
    // No injected lookup: "localhost" is resolved the way the API's clients would resolve it.
    expect(await endpointUrlProblem('http://localhost:3000/x', { selfOrigins })).toMatch(/is this API itself/);
    expect(await endpointUrlProblem('http://localhost:3000/x', { selfOrigins: ['http://localhost:3000'] })).toMatch(/is this API itself/);
    expect(await endpointUrlProblem('http://127.0.0.1:3000/x', { selfOrigins: ['http://localhost:3000'] })).toMatch(/is this API itself/);
    expect(await endpointUrlProblem('http://localhost:4000/x', { selfOrigins })).toBeNull();
  });

  it('compares ports with the scheme defaults filled in', async () => {
    const options = { selfOrigins: ['https://api.tandem.test'], lookup };
    expect(await endpointUrlProblem('http://api.tandem.test:443/x', options)).toMatch(/is this API itself/);
    expect(await endpointUrlProblem('http://api.tandem.test/x', options)).toBeNull();
  });

  it('says which origin is wrong when a self origin is not a URL', async () => {
    // A scheme-less origin is a configuration mistake that would silently let the API call itself.
    await expect(endpointUrlProblem('http://10.0.0.5/x', { selfOrigins: ['127.0.0.1:3000'] })).rejects.toThrow(
      /127\.0\.0\.1:3000.*is not a URL/,
    );
    await expect(endpointUrlProblem('http://10.0.0.5:3000/x', { selfOrigins: ['localhost:3000'] })).rejects.toThrow(
      /localhost:3000.*is not a URL/,
    );
    await expect(endpointUrlProblem('http://10.0.0.5:3000/x', { selfOrigins: ['not an origin'] })).rejects.toThrow(/not an origin/);
  });
});

describe('isForbiddenAddress', () => {
  it.each([
    ['169.254.169.254', 'a cloud metadata address'],
    ['169.254.170.2', 'a cloud metadata address'],
    ['100.100.100.200', 'a cloud metadata address'],
    ['fd00:ec2::254', 'a cloud metadata address'],
    ['FD00:EC2:0:0:0:0:0:254', 'a cloud metadata address'],
    ['169.254.0.1', 'a link-local address'],
    ['fe80::1', 'a link-local address'],
    ['febf:ffff::1', 'a link-local address'],
    ['0.0.0.0', 'an unspecified address'],
    ['0.1.2.3', 'an unspecified address'],
    ['::', 'an unspecified address'],
    ['0:0:0:0:0:0:0:0', 'an unspecified address'],
    ['224.0.0.251', 'a multicast address'],
    ['239.255.255.250', 'a multicast address'],
    ['ff05::2', 'a multicast address'],
    ['255.255.255.255', 'a broadcast address'],
    ['::ffff:169.254.169.254', 'the IPv6 form of 169.254.169.254'],
    ['::ffff:a9fe:a9fe', 'the IPv6 form of 169.254.169.254'],
    ['::ffff:0.0.0.0', 'the IPv6 form of 0.0.0.0'],
    ['::169.254.169.254', 'the IPv6 form of 169.254.169.254'],
    ['::ffff:0:a9fe:a9fe', 'the IPv6 form of 169.254.169.254'],
    ['64:ff9b::169.254.169.254', 'the IPv6 form of 169.254.169.254'],
    ['64:ff9b:1::a9fe:a9fe', 'the IPv6 form of 169.254.169.254'],
    ['2002:a9fe:a9fe::1', 'the IPv6 form of 169.254.169.254'],
    ['metadata.google.internal', 'not an IP address'],
    ['0xA9FEA9FE', 'not an IP address'],
  ])('refuses %s (%s)', (ip, why) => {
    expect(isForbiddenAddress(ip)).toBe(true);
    expect(forbiddenAddressReason(ip)).toContain(why);
  });

  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '::1',
    '::ffff:127.0.0.1',
    '10.0.0.5',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.0.1',
    'fc00::1',
    'fd12:3456::1',
    '93.184.215.14',
    '2606:2800:21f:cb07:6820:80da:af6b:8b2c',
    '169.253.255.255',
    '169.255.0.1',
    '223.255.255.255',
    '::ffff:10.0.0.5',
    '2002:0a00:0005::1',
    'fec0::1',
  ])('allows %s', (ip) => {
    expect(isForbiddenAddress(ip)).toBe(false);
  });
});
