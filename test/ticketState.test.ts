import { describe, expect, it } from 'vitest';
import { canComplete, deadlines, nextDeadline, ticketView, type DeadlineKind } from '../src/domain/ticketState';
import { testPolicy } from './support/tickets';
import { CREATED_AT, RESOLVED_AT, stateWith, type StateChanges } from './support/ticketStates';

// Pure: which timers run for a ticket in each state, and when a ticket may complete. Every
// timer has its own length, so a deadline's time says which timer it came from.
const timers = { customerReplyWindow: 1000, unresolvedTimeout: 2000, csatDelay: 300, csatWindow: 4000, reopenWindow: 5000 };
const policy = testPolicy({
  timers,
  sla: {
    P1: { review: '1h', firstHumanResponse: '1h', timers: { customerReplyWindow: 500 } },
    P2: { review: '1h', firstHumanResponse: '1h' },
    P3: { review: '1h', firstHumanResponse: '1h' },
    P4: { review: '1h', firstHumanResponse: '1h' },
  },
});
const noTurnLimit = testPolicy({ timers, triggers: { ...policy.triggers, unresolvedAfterTurns: { enabled: false, turns: 2 } } });

const DUE = CREATED_AT + 900_000;
const SINCE = CREATED_AT + 30_000;
const SURVEY_AT = RESOLVED_AT + 300;

describe('deadlines', () => {
  it('the test policy asks for a person after 2 unanswered AI turns', () => {
    expect(policy.triggers.unresolvedAfterTurns).toEqual({ enabled: true, turns: 2 });
  });

  const cases: [string, StateChanges, [DeadlineKind, number][]][] = [
    ['a ticket in triage', {}, []],
    ['a draft awaiting review', { status: 'awaiting_review', sla: { reviewDueAt: DUE } }, [['review_sla', DUE]]],
    ['a draft awaiting review past its SLA', { status: 'awaiting_review', sla: { reviewDueAt: DUE, reviewBreached: true } }, []],
    ['a draft awaiting review with no SLA', { status: 'awaiting_review' }, []],
    ['a reviewed draft sent (the review SLA stays behind)', { status: 'awaiting_customer', sla: { reviewDueAt: DUE } }, []],
    ['an escalated ticket', { status: 'escalated', sla: { firstHumanResponseDueAt: DUE } }, [['first_human_response_sla', DUE]]],
    [
      'a ticket an agent took, not yet answered',
      { status: 'human_handling', sla: { firstHumanResponseDueAt: DUE } },
      [['first_human_response_sla', DUE]],
    ],
    [
      'an escalated ticket a person answered',
      { status: 'escalated', sla: { firstHumanResponseDueAt: DUE, firstHumanResponseAt: DUE - 1 } },
      [],
    ],
    [
      'an escalated ticket past its SLA',
      { status: 'escalated', sla: { firstHumanResponseDueAt: DUE, firstHumanResponseBreached: true } },
      [],
    ],
    ['an escalated ticket with no SLA', { status: 'escalated' }, []],
    [
      'an AI answer, the first turn',
      { status: 'awaiting_customer', aiTurns: 1, sla: { awaitingCustomerSince: SINCE } },
      [['customer_reply_window', SINCE + 1000]],
    ],
    [
      'an AI answer at the turn limit',
      { status: 'awaiting_customer', aiTurns: 2, sla: { awaitingCustomerSince: SINCE } },
      [['unresolved_timeout', SINCE + 2000]],
    ],
    [
      'an AI answer past the turn limit',
      { status: 'awaiting_customer', aiTurns: 3, sla: { awaitingCustomerSince: SINCE } },
      [['unresolved_timeout', SINCE + 2000]],
    ],
    [
      'a P1 ticket waits as long as its priority says',
      {
        status: 'awaiting_customer',
        aiTurns: 1,
        priority: { score: 90, level: 'P1', breakdown: [] },
        sla: { awaitingCustomerSince: SINCE },
      },
      [['customer_reply_window', SINCE + 500]],
    ],
    [
      'an agent answered, the customer has yet to reply',
      { status: 'human_handling', aiTurns: 3, sla: { awaitingCustomerSince: SINCE, firstHumanResponseAt: SINCE } },
      [['customer_reply_window', SINCE + 1000]],
    ],
    ['awaiting the customer but escalated since', { status: 'escalated', sla: { awaitingCustomerSince: SINCE } }, []],
    ['awaiting the customer with no start time', { status: 'awaiting_customer', aiTurns: 1 }, []],
    [
      'resolved, survey not yet sent',
      { status: 'resolved', resolution: {} },
      [
        ['csat_survey', RESOLVED_AT + 300],
        ['reopen_window_end', RESOLVED_AT + 5000],
      ],
    ],
    [
      'resolved, survey sent',
      { status: 'resolved', resolution: {}, csat: { surveySentAt: SURVEY_AT } },
      [
        ['csat_reminder', SURVEY_AT + 2000],
        ['csat_window_end', SURVEY_AT + 4000],
        ['reopen_window_end', RESOLVED_AT + 5000],
      ],
    ],
    [
      'resolved, reminder sent',
      { status: 'resolved', resolution: {}, csat: { surveySentAt: SURVEY_AT, reminderSentAt: SURVEY_AT + 2000 } },
      [
        ['csat_window_end', SURVEY_AT + 4000],
        ['reopen_window_end', RESOLVED_AT + 5000],
      ],
    ],
    [
      'resolved, survey window over',
      { status: 'resolved', resolution: {}, csat: { surveySentAt: SURVEY_AT, windowClosed: true } },
      [['reopen_window_end', RESOLVED_AT + 5000]],
    ],
    [
      'resolved, scored before any survey (from the widget)',
      { status: 'resolved', resolution: {}, csat: { score: 5 } },
      [['reopen_window_end', RESOLVED_AT + 5000]],
    ],
    [
      'resolved, scored after the survey',
      { status: 'resolved', resolution: {}, csat: { surveySentAt: SURVEY_AT, score: 2 } },
      [['reopen_window_end', RESOLVED_AT + 5000]],
    ],
    ['resolved, scored, reopen window over', { status: 'resolved', resolution: { reopenWindowClosed: true }, csat: { score: 5 } }, []],
    ['resolved with no resolution recorded', { status: 'resolved' }, []],
    ['closed', { status: 'closed', resolution: { reopenWindowClosed: true } }, []],
  ];

  it.each(cases)('%s', (_name, changes, expected) => {
    expect(deadlines(stateWith(changes), policy).map((d) => [d.kind, d.at])).toEqual(expected);
  });

  it('with the turn limit off, an AI answer at the limit still waits only the reply window', () => {
    const s = stateWith({ status: 'awaiting_customer', aiTurns: 2, sla: { awaitingCustomerSince: SINCE } });
    expect(deadlines(s, noTurnLimit)).toEqual([{ kind: 'customer_reply_window', at: SINCE + 1000 }]);
  });
});

describe('nextDeadline', () => {
  it.each<[string, StateChanges, DeadlineKind | null]>([
    ['nothing running', { status: 'awaiting_customer' }, null],
    ['one timer', { status: 'awaiting_review', sla: { reviewDueAt: DUE } }, 'review_sla'],
    ['the survey before the reopen window', { status: 'resolved', resolution: {} }, 'csat_survey'],
    ['the reminder before the window end', { status: 'resolved', resolution: {}, csat: { surveySentAt: SURVEY_AT } }, 'csat_reminder'],
    // Listed last, due first: the reopen window ends before a late survey's reminder.
    [
      'the soonest, not the first listed',
      { status: 'resolved', resolution: {}, csat: { surveySentAt: RESOLVED_AT + 4000 } },
      'reopen_window_end',
    ],
  ])('%s', (_name, changes, kind) => {
    expect(nextDeadline(stateWith(changes), policy)?.kind ?? null).toBe(kind);
  });

  it('is the first of the view’s deadlines, which come soonest first', () => {
    const s = stateWith({ status: 'resolved', resolution: {}, csat: { surveySentAt: RESOLVED_AT + 4000 } });
    const view = ticketView(s, policy);
    expect(view.deadlines.map((d) => d.kind)).toEqual(['reopen_window_end', 'csat_reminder', 'csat_window_end']);
    expect(view.deadlines[0]).toEqual(nextDeadline(s, policy));
  });
});

describe('canComplete', () => {
  const done = { status: 'resolved', resolution: { reopenWindowClosed: true } } as const;

  it.each<[string, StateChanges]>([
    ['resolved, scored, reopen window over', { ...done, csat: { score: 4 } }],
    ['resolved, survey window over unanswered, reopen window over', { ...done, csat: { surveySentAt: SURVEY_AT, windowClosed: true } }],
  ])('completes: %s', (_name, changes) => {
    expect(canComplete(stateWith(changes))).toBe(true);
  });

  it.each<[string, StateChanges]>([
    ['the reopen window still open', { status: 'resolved', resolution: {}, csat: { score: 4 } }],
    ['the survey still open', { ...done, csat: { surveySentAt: SURVEY_AT } }],
    ['no survey sent yet', done],
    ['reopened by the customer (no longer resolved)', { ...done, status: 'awaiting_customer', csat: { score: 4 } }],
    ['escalated', { ...done, status: 'escalated', csat: { score: 4 } }],
    ['resolved with no resolution recorded', { status: 'resolved', csat: { score: 4 } }],
    ['a fresh ticket', {}],
  ])('waits: %s', (_name, changes) => {
    expect(canComplete(stateWith(changes))).toBe(false);
  });
});
