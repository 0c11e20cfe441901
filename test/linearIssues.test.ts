import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLinearIssueTracker, linearClient } from '../src/integrations/linearIssues';
import { IntegrationError } from '../src/integrations/ports';
import { startHttpStub, type StubCall } from './support/httpStub';

// Answers in the shape of Linear's GraphQL API: { data: { issues: { nodes, pageInfo } } }, and its
// errors: { errors: [{ message, extensions: { code, type, userPresentableMessage } }] }.
const issues = [
  {
    identifier: 'ENG-142',
    title: 'Invoice PDF shows VAT twice',
    url: 'https://linear.app/acme/issue/ENG-142',
    state: { name: 'In Progress', type: 'started' },
  },
  {
    identifier: 'ENG-150',
    title: 'Export times out',
    url: 'https://linear.app/acme/issue/ENG-150',
    state: { name: 'Todo', type: 'unstarted' },
  },
];
function route(call: StubCall) {
  const body = call.body as { variables: { filter: { or: { description?: { containsIgnoreCase: string } }[] } } };
  const mentions = JSON.stringify(body.variables.filter).includes('omar@globex.example');
  return { body: { data: { issues: { nodes: mentions ? issues : [], pageInfo: { hasNextPage: false, endCursor: null } } } } };
}
const graphqlError = (code: string, type: string, message: string) => ({
  errors: [{ message, extensions: { code, type, userPresentableMessage: message } }],
});

let stub: Awaited<ReturnType<typeof startHttpStub>>;
let tracker: ReturnType<typeof createLinearIssueTracker>;
beforeAll(async () => {
  stub = await startHttpStub(route);
  tracker = createLinearIssueTracker({ client: linearClient({ apiKey: 'lin_api_test', apiUrl: `${stub.url}/graphql` }) });
});
afterAll(() => stub?.close());
beforeEach(() => {
  stub.calls.length = 0;
});

describe('Linear issue-tracker adapter', () => {
  it('asks for open issues mentioning the customer in one query and maps them', async () => {
    const found = await tracker.linkedIssues({ customerId: 'cus_globex_omar', customerEmail: 'omar@globex.example' });
    expect(found).toEqual([
      { id: 'ENG-142', title: 'Invoice PDF shows VAT twice', status: 'In Progress', url: 'https://linear.app/acme/issue/ENG-142' },
      { id: 'ENG-150', title: 'Export times out', status: 'Todo', url: 'https://linear.app/acme/issue/ENG-150' },
    ]);
    expect(stub.calls).toHaveLength(1);
    const [call] = stub.calls;
    expect(call!.method).toBe('POST');
    expect(call!.path).toBe('/graphql');
    expect(call!.headers.authorization).toBe('lin_api_test');
    const { query, variables } = call!.body as { query: string; variables: { first: number; filter: Record<string, unknown> } };
    expect(query).toMatch(/issues\(filter: \$filter, first: \$first/);
    expect(variables.first).toBe(5);
    expect(variables.filter).toEqual({
      or: [
        { description: { containsIgnoreCase: 'omar@globex.example' } },
        { attachments: { url: { containsIgnoreCase: 'omar@globex.example' } } },
        { description: { containsIgnoreCase: 'cus_globex_omar' } },
        { attachments: { url: { containsIgnoreCase: 'cus_globex_omar' } } },
      ],
      state: { type: { nin: ['completed', 'canceled'] } },
    });
  });

  it('returns nothing for a customer no issue mentions, and asks nothing without an email or id', async () => {
    expect(await tracker.linkedIssues({ customerEmail: 'sam@pixel.example' })).toEqual([]);
    stub.calls.length = 0;
    expect(await tracker.linkedIssues({})).toEqual([]);
    expect(stub.calls).toHaveLength(0);
  });

  it('maps a rate limit (with Retry-After) to retryable, a server error to retryable, bad auth to non-retryable', async () => {
    stub.once({ status: 429, headers: { 'retry-after': '4' }, body: graphqlError('RATELIMITED', 'ratelimited', 'Rate limit exceeded') });
    const limited = await tracker.linkedIssues({ customerEmail: 'omar@globex.example' }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(IntegrationError);
    expect(limited).toMatchObject({ retryable: true, retryAfterMs: 4000 });

    stub.once({ status: 500, body: graphqlError('INTERNAL_SERVER_ERROR', 'internal error', 'Something went wrong') });
    expect(await tracker.linkedIssues({ customerEmail: 'omar@globex.example' }).catch((e: unknown) => e)).toMatchObject({
      retryable: true,
    });

    stub.once({
      status: 400,
      body: graphqlError('AUTHENTICATION_ERROR', 'authentication error', 'Authentication required, not authenticated'),
    });
    const denied = await tracker.linkedIssues({ customerEmail: 'omar@globex.example' }).catch((e: unknown) => e);
    expect(denied).toMatchObject({ retryable: false });
    expect((denied as Error).message).toContain('LINEAR_API_KEY');
  });
});
