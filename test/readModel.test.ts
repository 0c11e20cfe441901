import { describe, expect, it } from 'vitest';
import type { Enrichment } from '../src/domain/enrichment';
import type { Trigger } from '../src/domain/escalation';
import { readModelRow } from '../src/domain/readModel';
import type { Classification, EscalationSummary } from '../src/domain/ticket';
import { testPolicy } from './support/tickets';
import { CREATED_AT, RESOLVED_AT, freshState, stateWith, type StateChanges } from './support/ticketStates';

// Pure: the read-model row the workflow computes for a state, field by derived field.
const policy = testPolicy({
  timers: { customerReplyWindow: 1000, unresolvedTimeout: 2000, csatDelay: 300, csatWindow: 4000, reopenWindow: 5000 },
});

const REVIEW_DUE = CREATED_AT + 900_000;
const RESPONSE_DUE = CREATED_AT + 1_800_000;
const slaSet = { reviewDueAt: REVIEW_DUE, firstHumanResponseDueAt: RESPONSE_DUE };

const classification: Classification = {
  issueType: 'billing',
  complexity: 'low',
  repeatability: 'repeatable',
  urgency: 'medium',
  sentiment: 'neutral',
  requestsHuman: false,
  confidence: 0.9,
  summary: 'Charged twice',
};
// The row reads only who the customer is and their tier from an enrichment.
const enrichedAs = (customerId: string | null, tier: Enrichment['tier']) => ({ customerId, tier }) as Enrichment;
const trigger = (code: Trigger['code']): Trigger => ({ code, kind: 'hard', detail: code });
const summary: EscalationSummary = {
  customerNeeds: 'a refund',
  alreadyTried: [],
  whyEscalated: 'asked for a person',
  accountContext: 'pro',
  pageContext: null,
  suggestedNextStep: null,
};

describe('readModelRow', () => {
  it('carries the ticket as created, and nothing derived, for a fresh ticket', () => {
    const row = readModelRow(freshState(), policy);
    expect(row).toMatchObject({
      id: 't-1',
      workflowId: 'ticket-t-1',
      externalId: null,
      customerId: null,
      channel: 'chat',
      subject: 'Password reset',
      body: 'How do I reset my password?',
      pageContext: null,
      status: 'triaging',
      mode: null,
      category: null,
      tier: null,
      priorityLevel: null,
      priorityScore: null,
      assignee: null,
      escalated: false,
      escalationReason: null,
      escalationSummary: null,
      classification: null,
      slaDeadline: null,
      slaBreached: false,
      policyVersion: 'test-1',
      resolutionMode: null,
      resolutionReason: null,
      resolvedAt: null,
      csatScore: null,
      csatComment: null,
      requestHash: null,
      version: 0,
      createdAt: CREATED_AT,
    });
  });

  // The deadline an agent races: review while a draft waits, first response until a person answers.
  it.each<[string, StateChanges, number | null]>([
    ['triaging', { sla: slaSet }, null],
    ['awaiting_review', { status: 'awaiting_review', sla: slaSet }, REVIEW_DUE],
    ['awaiting_review with no SLA', { status: 'awaiting_review' }, null],
    ['escalated', { status: 'escalated', sla: slaSet }, RESPONSE_DUE],
    [
      'escalated, answered (still the first-response deadline)',
      { status: 'escalated', sla: { ...slaSet, firstHumanResponseAt: CREATED_AT + 1 } },
      RESPONSE_DUE,
    ],
    ['human_handling, not yet answered', { status: 'human_handling', sla: slaSet }, RESPONSE_DUE],
    ['human_handling, answered', { status: 'human_handling', sla: { ...slaSet, firstHumanResponseAt: CREATED_AT + 1 } }, null],
    ['awaiting_customer', { status: 'awaiting_customer', sla: { ...slaSet, awaitingCustomerSince: CREATED_AT } }, null],
    ['resolved', { status: 'resolved', resolution: {}, sla: slaSet }, null],
    ['closed', { status: 'closed', resolution: { reopenWindowClosed: true }, sla: slaSet }, null],
  ])('slaDeadline while %s', (_name, changes, expected) => {
    expect(readModelRow(stateWith(changes), policy).slaDeadline).toBe(expected);
  });

  it.each<[string, StateChanges, boolean]>([
    ['no SLA missed', { sla: slaSet }, false],
    ['the review SLA missed', { sla: { ...slaSet, reviewBreached: true } }, true],
    ['the first-response SLA missed', { sla: { ...slaSet, firstHumanResponseBreached: true } }, true],
  ])('slaBreached with %s', (_name, changes, expected) => {
    expect(readModelRow(stateWith(changes), policy).slaBreached).toBe(expected);
  });

  it.each<[string, StateChanges, { escalated: boolean; escalationReason: string | null; escalationSummary: EscalationSummary | null }]>([
    ['never escalated', {}, { escalated: false, escalationReason: null, escalationSummary: null }],
    [
      'escalated for one reason, summary pending',
      { status: 'escalated', escalation: { triggers: [trigger('customer_requested_human')], summary: null, at: CREATED_AT } },
      { escalated: true, escalationReason: 'customer_requested_human', escalationSummary: null },
    ],
    [
      'escalated for two reasons, in the order they fired',
      {
        status: 'escalated',
        escalation: { triggers: [trigger('frustrated_customer'), trigger('unresolved_after_turns')], summary, at: CREATED_AT },
      },
      { escalated: true, escalationReason: 'frustrated_customer,unresolved_after_turns', escalationSummary: summary },
    ],
    [
      'escalated, then resolved (it stays escalated)',
      { status: 'resolved', resolution: {}, escalation: { triggers: [trigger('draft_failed')], summary, at: CREATED_AT } },
      { escalated: true, escalationReason: 'draft_failed', escalationSummary: summary },
    ],
  ])('escalation fields: %s', (_name, changes, expected) => {
    expect(readModelRow(stateWith(changes), policy)).toMatchObject(expected);
  });

  it.each<[string, StateChanges, Record<string, unknown>]>([
    ['unresolved', {}, { resolutionMode: null, resolutionReason: null, resolvedAt: null, csatScore: null, csatComment: null }],
    [
      'resolved by the AI, unscored',
      { status: 'resolved', resolution: {} },
      { resolutionMode: 'ai_only', resolutionReason: 'customer_confirmed', resolvedAt: RESOLVED_AT, csatScore: null, csatComment: null },
    ],
    [
      'resolved by an agent and scored',
      {
        status: 'resolved',
        resolution: { mode: 'human_only', reason: 'fixed_by_agent', by: 'agent-ana' },
        csat: { score: 3, comment: 'slow', at: RESOLVED_AT + 1 },
      },
      { resolutionMode: 'human_only', resolutionReason: 'fixed_by_agent', resolvedAt: RESOLVED_AT, csatScore: 3, csatComment: 'slow' },
    ],
  ])('resolution fields: %s', (_name, changes, expected) => {
    expect(readModelRow(stateWith(changes), policy)).toMatchObject(expected);
  });

  it.each<[string, StateChanges, string | null]>([
    [
      'enrichment’s customer first',
      { ticket: { ...freshState().ticket, customerId: 'cus-asked' }, enrichment: enrichedAs('cus-found', 'pro') },
      'cus-found',
    ],
    [
      'the ticket’s customer when enrichment found none',
      { ticket: { ...freshState().ticket, customerId: 'cus-asked' }, enrichment: enrichedAs(null, null) },
      'cus-asked',
    ],
    ['the ticket’s customer before enrichment', { ticket: { ...freshState().ticket, customerId: 'cus-asked' } }, 'cus-asked'],
    ['none when nobody is known', {}, null],
  ])('customerId: %s', (_name, changes, expected) => {
    expect(readModelRow(stateWith(changes), policy).customerId).toBe(expected);
  });

  it('takes category, tier, priority, mode and assignee from the triage and the agent', () => {
    const row = readModelRow(
      stateWith({
        status: 'human_handling',
        mode: 'human',
        assignee: 'agent-ana',
        classification,
        enrichment: enrichedAs('cus-1', 'enterprise'),
        priority: { score: 61, level: 'P2', breakdown: [] },
      }),
      policy,
    );
    expect(row).toMatchObject({
      category: 'billing',
      tier: 'enterprise',
      priorityLevel: 'P2',
      priorityScore: 61,
      mode: 'human',
      assignee: 'agent-ana',
      classification,
    });
  });

  it.each<[string, string | undefined, string | null]>([
    ['the create request’s fingerprint', 'sha256:abc', 'sha256:abc'],
    ['null for a ticket created before fingerprints', undefined, null],
  ])('requestHash: %s', (_name, requestHash, expected) => {
    const base = freshState();
    const ticket = requestHash === undefined ? base.ticket : { ...base.ticket, requestHash };
    expect(readModelRow({ ...base, ticket }, policy).requestHash).toBe(expected);
  });

  it('carries externalId and page context from the ticket', () => {
    const base = freshState();
    const pageContext = { pageUrl: 'https://app.example.com/billing', recentActions: ['opened invoice'] };
    const row = readModelRow({ ...base, ticket: { ...base.ticket, externalId: 'crm-7', pageContext } }, policy);
    expect(row).toMatchObject({ externalId: 'crm-7', pageContext });
  });

  describe('the state column', () => {
    const resolved = stateWith({
      status: 'resolved',
      resolution: {},
      aiTurns: 1,
      version: 7,
      timeline: [{ seq: 1, at: CREATED_AT, type: 'status_changed', actor: 'workflow' }],
    });

    it('is the view less the transcript and timeline (rows of their own)', () => {
      const row = readModelRow(resolved, policy);
      expect(Object.keys(row.state)).not.toContain('transcript');
      expect(Object.keys(row.state)).not.toContain('timeline');
      const { transcript: _transcript, timeline: _timeline, ...rest } = resolved;
      expect(row.state).toMatchObject(rest);
      expect(row.version).toBe(7);
    });

    it('holds the deadlines and outcome the policy gives', () => {
      const { state } = readModelRow(resolved, policy);
      expect(state.deadlines.map((d) => d.kind)).toEqual(['csat_survey', 'reopen_window_end']);
      expect(state.outcome).toMatchObject({
        ticketId: 't-1',
        resolutionMode: 'ai_only',
        resolutionReason: 'customer_confirmed',
        escalated: false,
        aiTurns: 1,
      });
    });

    it('without the policy (inputs recorded before rows carried it), keeps what the snapshot had', () => {
      expect(readModelRow(resolved).state).toMatchObject({ deadlines: [], outcome: null });
      const view = { ...resolved, deadlines: [{ kind: 'csat_survey' as const, at: RESOLVED_AT + 300 }], outcome: null };
      expect(readModelRow(view).state.deadlines).toEqual(view.deadlines);
    });
  });
});
