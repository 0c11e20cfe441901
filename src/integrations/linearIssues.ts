import {
  AuthenticationLinearError,
  ForbiddenLinearError,
  InvalidInputLinearError,
  LinearClient,
  LinearError,
  RatelimitedLinearError,
  parseLinearError,
} from '@linear/sdk';
import type { LinkedIssue } from '../domain/enrichment';
import { IntegrationError, type CustomerRef, type IssueTracker } from './ports';

export function linearClient(options: { apiKey: string; apiUrl?: string | undefined }): LinearClient {
  return new LinearClient({ apiKey: options.apiKey, ...(options.apiUrl ? { apiUrl: options.apiUrl } : {}) });
}

// One raw query instead of the SDK's lazy models: `issue.state` there is a request per issue.
const query = /* GraphQL */ `
  query TandemLinkedIssues($filter: IssueFilter, $first: Int) {
    issues(filter: $filter, first: $first, orderBy: updatedAt) {
      nodes {
        identifier
        title
        url
        state {
          name
          type
        }
      }
    }
  }
`;

interface IssuesResponse {
  issues: { nodes: { identifier: string; title: string; url: string | null; state: { name: string; type: string } | null }[] };
}

/** Open issues that mention the customer (their email or id) in the description or a linked URL. */
function linkedIssueFilter(ref: CustomerRef) {
  const needles = [ref.customerEmail, ref.customerId].filter((v): v is string => Boolean(v));
  return {
    or: needles.flatMap((needle) => [
      { description: { containsIgnoreCase: needle } },
      { attachments: { url: { containsIgnoreCase: needle } } },
    ]),
    state: { type: { nin: ['completed', 'canceled'] } },
  };
}

function linearFailure(err: unknown): IntegrationError {
  const e = err instanceof LinearError ? err : parseLinearError(err as never);
  if (e instanceof RatelimitedLinearError)
    return new IntegrationError('Linear rate limit', true, e.retryAfter !== undefined ? e.retryAfter * 1000 : 10_000);
  if (e instanceof AuthenticationLinearError || e instanceof ForbiddenLinearError) {
    return new IntegrationError(`Linear refused the key (check LINEAR_API_KEY): ${e.message}`, false);
  }
  if (e instanceof InvalidInputLinearError) return new IntegrationError(`Linear rejected the query: ${e.message}`, false);
  return new IntegrationError(`Linear: ${e.message}`, true);
}

export function createLinearIssueTracker({ client, maxIssues = 5 }: { client: LinearClient; maxIssues?: number }): IssueTracker {
  return {
    name: 'linear',
    async linkedIssues(ref): Promise<LinkedIssue[]> {
      if (!ref.customerEmail && !ref.customerId) return [];
      try {
        const res = await client.client.rawRequest<IssuesResponse, Record<string, unknown>>(query, {
          filter: linkedIssueFilter(ref),
          first: maxIssues,
        });
        return (res.data?.issues.nodes ?? []).map((i) => ({
          id: i.identifier,
          title: i.title,
          status: i.state?.name ?? 'unknown',
          url: i.url,
        }));
      } catch (err) {
        throw linearFailure(err);
      }
    },
  };
}
