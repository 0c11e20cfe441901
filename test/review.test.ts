import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aiDrafts, aiFeedback, approvedExamples, kbArticles, reviewItems, reviewVerdicts } from '../src/db/schema';
import type { ReviewItemView } from '../src/db/reviewItems';
import { demoCustomers } from '../src/db/seed';
import { isoWeek } from '../src/domain/weeks';
import { createOpenAISupportAI } from '../src/ai/openaiProvider';
import type { Database } from '../src/db/client';
import { openTestDatabase, startTestStack, uniqueId, type TestStack } from './support/harness';
import { operationOf, startOpenAIStub, wellBehaved, type OpenAIStub } from './support/openaiStub';
import { call } from './support/http';
import { everyQuadrant, testPolicy, waitForTicket } from './support/tickets';
import { waitFor } from './support/waitFor';

// The lead's weekly review on the real stack with the local provider: agents call answers out,
// the lead lists them once each and gives verdicts, and an accepted correction shows up in the
// next drafts of its category and in the share of drafts approved unchanged.
//
// The database is shared with every other test file of the run: each ticket here asks about
// made-up things (flumox, zentrix, quorvex), so the examples and articles these verdicts create
// match no other file's questions.

let stack: TestStack<'service' | 'ana' | 'bo' | 'lead'>;

beforeAll(async () => {
  stack = await startTestStack({
    // Every draft is held for review, the knowledge base's "no documented answer" ones too.
    policy: testPolicy({ quadrants: everyQuadrant('ai_review'), thresholds: { classificationConfidence: 0.3, draftConfidence: 0.1 } }),
    keys: { service: 'service', ana: 'agent', bo: 'agent', lead: 'lead' },
  });
});
afterAll(async () => stack?.close());

async function draftAwaitingReview(subject: string, body: string) {
  const created = await call(stack.url, 'POST', '/v1/tickets', {
    key: stack.keys.service,
    body: { customer: { id: demoCustomers.freeTier }, channel: 'chat', subject, body },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return waitForTicket(stack.url, stack.keys.ana, created.body.ticketId, (s) => s.status === 'awaiting_review');
}

const feedback = (ticketId: string, body: unknown, key = stack.keys.ana) =>
  call(stack.url, 'POST', `/v1/tickets/${ticketId}/feedback`, { key, body });
const act = (ticketId: string, action: 'approve' | 'modify', body?: unknown, key = stack.keys.ana) =>
  call(stack.url, 'POST', `/v1/tickets/${ticketId}/actions/${action}`, { key, ...(body ? { body } : {}) });
const review = (week: string, key = stack.keys.lead) => call(stack.url, 'GET', `/v1/review?week=${week}`, { key });
const verdict = (itemId: string, body: unknown, key = stack.keys.lead) =>
  call(stack.url, 'POST', `/v1/review/${encodeURIComponent(itemId)}`, { key, body });

/** The feedback rows on a draft, once at least `n` are written. */
const feedbackRows = (draftId: string, n = 1) =>
  waitFor(
    () => stack.database.db.select().from(aiFeedback).where(eq(aiFeedback.draftId, draftId)),
    (rows) => rows.length >= n,
    { describe: `feedback on ${draftId}` },
  );

/** The review week the answer's feedback falls in (the week of its row, not of the clock now). */
const weekOf = async (draftId: string) => isoWeek((await feedbackRows(draftId))[0]!.createdAt);

describe('the weekly review', () => {
  // Set up once: each `it` below reads what the agents did here.
  let rated: Awaited<ReturnType<typeof draftAwaitingReview>>;
  let flagged: Awaited<ReturnType<typeof draftAwaitingReview>>;
  let rewritten: Awaited<ReturnType<typeof draftAwaitingReview>>;
  let touchedUp: Awaited<ReturnType<typeof draftAwaitingReview>>;
  let liked: Awaited<ReturnType<typeof draftAwaitingReview>>;
  let amended: Awaited<ReturnType<typeof draftAwaitingReview>>;
  let week: string;
  const ratedCorrection = 'Hello,\nOpen Flumox, choose Lanterns and press Rekindle twice.\nBest wishes';
  const rewrite = 'Hello there,\nIn Zentrix, choose Ledger and then Transfer.\nPick the quarterly sheet.\nCheers';
  const amendment = 'In Zentrix, choose Ledger, then Transfer, then Confirm; pick the quarterly sheet.';

  beforeAll(async () => {
    [rated, flagged, rewritten, touchedUp, liked, amended] = await Promise.all([
      draftAwaitingReview('How do I rekindle the flumox lanterns?', 'Hi, how do I rekindle the flumox lanterns?'),
      draftAwaitingReview('How do I polish the brindle gizmo?', 'Hi, how do I polish the brindle gizmo?'),
      draftAwaitingReview('How do I move the zentrix ledger?', 'Hi, how do I move the zentrix ledger to another sheet?'),
      draftAwaitingReview('How do I tune the wobbet dial?', 'Hi, how do I tune the wobbet dial?'),
      draftAwaitingReview('How do I fold the snorkel map?', 'Hi, how do I fold the snorkel map?'),
      draftAwaitingReview('Zentrix ledger transfer fails', 'Hi, how do I transfer the zentrix ledger? Nothing happens.'),
    ]);
    expect(
      (await feedback(rated.ticketId, { draftId: rated.draft!.id, rating: 'down', reasons: ['wrong_answer'], correction: ratedCorrection }))
        .status,
    ).toBe(201);
    expect((await feedback(flagged.ticketId, { draftId: flagged.draft!.id, flag: true }, stack.keys.bo)).status).toBe(201);
    expect((await act(rewritten.ticketId, 'modify', { body: rewrite })).status).toBe(200);
    expect((await act(touchedUp.ticketId, 'modify', { body: `${touchedUp.draft!.body}\n\nThanks for asking.` })).status).toBe(200);
    expect((await feedback(liked.ticketId, { draftId: liked.draft!.id, rating: 'up' })).status).toBe(201);
    expect(
      (await feedback(amended.ticketId, { draftId: amended.draft!.id, rating: 'down', correction: amendment }, stack.keys.bo)).status,
    ).toBe(201);
    for (const s of [rated, flagged, rewritten, touchedUp, liked, amended]) await feedbackRows(s.draft!.id);
    week = await weekOf(rated.draft!.id);
  });

  const itemOf = (body: { items: ReviewItemView[] }, draftId: string) => body.items.filter((i) => i.draft.id === draftId);

  it("lists the week's rated-down, flagged and heavily edited answers exactly once each, with the ticket, the AI's text, the correction and the agent, however often and concurrently it is listed", async () => {
    const listings = await Promise.all([review(week), review(week), review(week)]);
    listings.push(await review(week));
    for (const listing of listings) {
      expect(listing.status, JSON.stringify(listing.body)).toBe(200);
      expect(listing.body.week).toBe(week);
      for (const s of [rated, flagged, rewritten]) expect(itemOf(listing.body, s.draft!.id)).toHaveLength(1);
      // A line added, a thumbs up: normal review, not the lead's.
      expect(itemOf(listing.body, touchedUp.draft!.id)).toHaveLength(0);
      expect(itemOf(listing.body, liked.draft!.id)).toHaveLength(0);
    }
    const body = listings.at(-1)!.body;
    const [down] = itemOf(body, rated.draft!.id);
    expect(down).toMatchObject({
      status: 'open',
      why: ['rated_down'],
      ticket: { id: rated.ticketId, subject: 'How do I rekindle the flumox lanterns?', category: rated.classification!.issueType },
      draft: { body: rated.draft!.body },
      correction: ratedCorrection,
      agent: stack.names.ana,
      correctedBy: stack.names.ana,
      decision: null,
    });
    expect(down!.feedback[0]).toMatchObject({ agent: stack.names.ana, rating: 'down', reasons: ['wrong_answer'], current: true });
    expect(itemOf(body, flagged.draft!.id)[0]).toMatchObject({ why: ['flagged'], agent: stack.names.bo, correction: null });
    const [edited] = itemOf(body, rewritten.draft!.id);
    expect(edited).toMatchObject({
      why: ['heavily_modified'],
      correction: rewrite,
      draft: { body: rewritten.draft!.body, outcome: 'modified' },
    });
    expect(edited!.feedback[0]!.editSize).toBeGreaterThan(0.5);

    const rows = await stack.database.db
      .select()
      .from(reviewItems)
      .where(
        inArray(
          reviewItems.draftId,
          [rated, flagged, rewritten, touchedUp, liked].map((s) => s.draft!.id),
        ),
      );
    expect(rows.map((r) => r.draftId).sort()).toEqual([rated, flagged, rewritten].map((s) => s.draft!.id).sort());
    // Another week does not show them again.
    const [y, w] = week.split('-W').map(Number);
    const other = await review(`${w! > 1 ? y : y! - 1}-W${String(w! > 1 ? w! - 1 : 52).padStart(2, '0')}`);
    expect(other.status).toBe(200);
    for (const s of [rated, flagged, rewritten]) expect(itemOf(other.body, s.draft!.id)).toHaveLength(0);
  });

  it('records accept, knowledge-base and dismiss verdicts with an audit row each, and refuses a second verdict with 409', async () => {
    const listed = (await review(week)).body;
    const id = (s: typeof rated) => itemOf(listed, s.draft!.id)[0]!.itemId as string;

    // Nothing to approve: no agent corrected the flagged answer and the lead gave none.
    const nothing = await verdict(id(flagged), { verdict: 'accept_correction' });
    expect(nothing.status).toBe(400);
    expect(nothing.body.errors[0].field).toBe('body.correction');

    const accepted = await verdict(id(rated), { verdict: 'accept_correction', comment: 'right answer' });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
    expect(accepted.body).toMatchObject({ verdict: 'accept_correction', by: stack.names.lead, exampleId: expect.any(String) });
    const [example] = await stack.database.db.select().from(approvedExamples).where(eq(approvedExamples.id, accepted.body.exampleId));
    expect(example).toMatchObject({
      category: rated.classification!.issueType,
      answer: ratedCorrection,
      correctedBy: stack.names.ana,
      approvedBy: stack.names.lead,
    });
    expect(example!.question).toContain('rekindle the flumox lanterns');

    const published = await verdict(id(rewritten), { verdict: 'add_to_knowledge_base', title: 'Zentrix ledger transfers' });
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    expect(published.body.articleCreated).toBe(true);
    const [article] = await stack.database.db.select().from(kbArticles).where(eq(kbArticles.id, published.body.articleId));
    expect(article).toMatchObject({ title: 'Zentrix ledger transfers', body: rewrite });

    // A later correction of the same topic updates that article instead of adding a second one.
    const unknownArticle = await verdict(id(amended), { verdict: 'add_to_knowledge_base', articleId: 'kb_no_such_article' });
    expect(unknownArticle.status).toBe(400);
    expect(unknownArticle.body.errors[0].field).toBe('body.articleId');
    const updated = await verdict(id(amended), { verdict: 'add_to_knowledge_base', articleId: published.body.articleId });
    expect(updated.status, JSON.stringify(updated.body)).toBe(201);
    expect(updated.body).toMatchObject({ articleId: published.body.articleId, articleCreated: false });
    const [article2] = await stack.database.db.select().from(kbArticles).where(eq(kbArticles.id, published.body.articleId));
    expect(article2).toMatchObject({ title: 'Zentrix ledger transfers', body: amendment });

    const dismissed = await verdict(id(flagged), { verdict: 'dismiss', comment: 'fine as it was' });
    expect(dismissed.status).toBe(201);

    // Two leads at once on a decided item, and once more later: one verdict stands.
    const again = await Promise.all([verdict(id(rated), { verdict: 'dismiss' }), verdict(id(rated), { verdict: 'add_to_knowledge_base' })]);
    for (const r of again) {
      expect(r.status).toBe(409);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.body).toMatchObject({ verdict: 'accept_correction', decidedBy: stack.names.lead });
    }

    const audit = await stack.database.db
      .select()
      .from(reviewVerdicts)
      .where(inArray(reviewVerdicts.itemId, [id(rated), id(flagged), id(rewritten), id(amended)]));
    expect(audit.map((a) => [a.itemId, a.verdict, a.by]).sort()).toEqual(
      [
        [id(rated), 'accept_correction', stack.names.lead],
        [id(rewritten), 'add_to_knowledge_base', stack.names.lead],
        [id(amended), 'add_to_knowledge_base', stack.names.lead],
        [id(flagged), 'dismiss', stack.names.lead],
      ].sort(),
    );
    expect(audit.find((a) => a.itemId === id(rated))).toMatchObject({
      comment: 'right answer',
      correction: ratedCorrection,
      correctedBy: stack.names.ana,
    });

    const after = (await review(week)).body;
    for (const s of [rated, flagged, rewritten]) {
      const [item] = itemOf(after, s.draft!.id);
      expect(item).toMatchObject({ status: 'decided', decision: { by: stack.names.lead } });
    }
    expect(itemOf(after, flagged.draft!.id)[0]!.decision).toMatchObject({ verdict: 'dismiss', comment: 'fine as it was' });
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await call(stack.url, 'GET', '/v1/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/review', '/v1/review/{itemId}']));
    expect(doc.paths['/v1/review'].get.parameters).toContainEqual(expect.objectContaining({ name: 'week', in: 'query' }));
    expect(doc.paths['/v1/review/{itemId}'].post.responses).toHaveProperty('409');
  });

  it('refuses an unknown week, item or verdict and anyone but a lead', async () => {
    for (const bad of ['2026-48', '2026-W60', 'last-week']) {
      const r = await review(bad);
      expect(r.status, bad).toBe(400);
      expect(r.body.errors[0].field).toBe('query.week');
    }
    expect((await verdict('rv_no-such-draft', { verdict: 'dismiss' })).status).toBe(404);
    const listed = (await review(week)).body;
    const open = itemOf(listed, rated.draft!.id)[0]!.itemId as string;
    const unknown = await verdict(open, { verdict: 'approve' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0]).toMatchObject({ field: 'body.verdict', message: expect.stringContaining('"approve"') });
    for (const key of [stack.keys.ana, stack.keys.service]) {
      expect((await review(week, key)).status).toBe(403);
      expect((await verdict(open, { verdict: 'dismiss' }, key)).status).toBe(403);
    }
  });
});

describe('learning from accepted corrections', () => {
  const questions = [
    ['How do I recalibrate the quorvex sprocket?', 'Hi, how do I recalibrate the quorvex sprocket? Its gauge drifts.'],
    ['Quorvex sprocket recalibration', 'Hello, how can I recalibrate my quorvex sprocket? The gauge keeps drifting.'],
    ['Recalibrating a quorvex sprocket', 'Hi, how do I recalibrate the quorvex sprocket gauge when it drifts?'],
  ] as const;
  const answer =
    'Hello,\nHold the quorvex sprocket button for five seconds until the gauge blinks green.\nThen choose Recalibrate.\nRegards';
  const answerLine = 'Hold the quorvex sprocket button for five seconds until the gauge blinks green.';

  /**
   * The agents' round on the category's questions: an agent approves a draft unchanged when it
   * gives the right answer and sends the right answer instead when it does not.
   */
  async function round() {
    const states = await Promise.all(questions.map(([subject, body]) => draftAwaitingReview(subject, body)));
    for (const s of states) {
      const right = s.draft!.body.includes(answerLine);
      expect((await act(s.ticketId, right ? 'approve' : 'modify', right ? undefined : { body: answer })).status).toBe(200);
    }
    await waitFor(
      () =>
        stack.database.db
          .select()
          .from(aiDrafts)
          .where(
            inArray(
              aiDrafts.ticketId,
              states.map((s) => s.ticketId),
            ),
          ),
      (rows) => rows.length === states.length && rows.every((r) => r.outcome === 'approved' || r.outcome === 'modified'),
      { describe: 'every draft reviewed' },
    );
    return states;
  }

  /** The approval-unchanged share (`approvedUnchangedShare`): of the category's reviewed AI drafts on these tickets, those approved without an edit. */
  async function approvedUnchangedShare(ticketIds: string[], category: string) {
    const [row] = await stack.database.db
      .select({
        share: sql<number>`(count(*) filter (where ${aiDrafts.outcome} = 'approved'))::float / nullif(count(*) filter (where ${aiDrafts.outcome} in ('approved', 'modified')), 0)`,
      })
      .from(aiDrafts)
      .where(and(inArray(aiDrafts.ticketId, ticketIds), eq(aiDrafts.category, category as 'how_to')));
    return row!.share;
  }

  /** The first round's tickets: their drafts were rewritten, so each is a review item. */
  let before: Awaited<ReturnType<typeof round>> = [];

  it('drafts of the category cite and use the approved example after accept_correction, and the approval-unchanged share rises', async () => {
    before = await round();
    const category = before[0]!.classification!.issueType;
    expect(before.every((s) => s.classification!.issueType === category)).toBe(true);
    expect(before.some((s) => s.draft!.citations.some((c) => c.kind === 'example'))).toBe(false);
    const shareBefore = await approvedUnchangedShare(
      before.map((s) => s.ticketId),
      category,
    );

    const first = before[0]!.draft!.id;
    const week = await weekOf(first);
    const listed = (await review(week)).body;
    const [item] = listed.items.filter((i: { draft: { id: string } }) => i.draft.id === first);
    expect(item, 'the rewritten draft is in the review').toBeDefined();
    const accepted = await verdict(item.itemId, { verdict: 'accept_correction' });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);

    const after = await round();
    for (const s of after) {
      expect(s.classification!.issueType).toBe(category);
      expect(s.draft!.citations).toContainEqual(expect.objectContaining({ articleId: accepted.body.exampleId, kind: 'example' }));
      expect(s.draft!.body).toContain(answerLine);
      expect(s.draft!.body).not.toContain('Regards'); // its own sign-off, not the example's
    }
    const shareAfter = await approvedUnchangedShare(
      after.map((s) => s.ticketId),
      category,
    );
    expect(shareAfter).toBeGreaterThan(shareBefore);
    // Nothing to correct any more: no edits recorded as feedback on the replayed tickets.
    const edits = await stack.database.db
      .select()
      .from(aiFeedback)
      .where(
        and(
          inArray(
            aiFeedback.ticketId,
            after.map((s) => s.ticketId),
          ),
          eq(aiFeedback.source, 'modify'),
        ),
      );
    expect(edits).toHaveLength(0);
  });

  it('of two verdicts given at once on an open item, one stands and the other is a 409', async () => {
    // The first round's second rewrite: still open (only the first was accepted).
    const draftId = before[1]!.draft!.id;
    const week = await weekOf(draftId);
    const [item] = (await review(week)).body.items.filter((i: ReviewItemView) => i.draft.id === draftId);
    const answers = await Promise.all([
      verdict(item.itemId, { verdict: 'dismiss' }),
      verdict(item.itemId, { verdict: 'accept_correction' }),
      verdict(item.itemId, { verdict: 'add_to_knowledge_base', title: 'Quorvex sprockets' }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409]);
    const audit = await stack.database.db.select().from(reviewVerdicts).where(eq(reviewVerdicts.itemId, item.itemId));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.verdict).toBe(answers.find((a) => a.status === 201)!.body.verdict);
  });
});

describe('the OpenAI provider and approved examples', () => {
  let openai: TestStack<'service' | 'ana'>;
  let stub: OpenAIStub;
  let aiDatabase: Database;

  beforeAll(async () => {
    // The model cites whatever approved answer it was given, as the prompt asks.
    stub = await startOpenAIStub((request) => {
      if (operationOf(request) !== 'draft') return wellBehaved(request);
      const user = request.body.messages.find((m) => m.role === 'user')!.content;
      const example = /\[(ex_[^\]]+)\]/.exec(user)?.[1];
      return {
        content: JSON.stringify({ body: 'Hi,\n\nPress the plinth lever twice.', confidence: 0.9, citations: example ? [example] : [] }),
      };
    });
    aiDatabase = await openTestDatabase();
    const ai = createOpenAISupportAI({
      db: aiDatabase.db,
      baseURL: stub.baseURL,
      apiKey: 'sk-test',
      model: 'gpt-test',
      temperature: 0,
      timeoutMs: 5000,
    });
    openai = await startTestStack({
      policy: testPolicy({ quadrants: everyQuadrant('ai_review') }),
      keys: { service: 'service', ana: 'agent' },
      worker: { ai },
    });
  });
  afterAll(async () => {
    await openai?.close();
    await stub?.close();
    await aiDatabase?.close();
  });

  it("gives the model the category's nearest approved answer as a few-shot example, and keeps its citation as an example", async () => {
    // The stub classifies every ticket as a how-to: the example is filed there, as a verdict files it.
    const exampleId = uniqueId('ex_review');
    const approved = 'Pull the plinth lever twice, then wait for the glimmer lamp.';
    await openai.database.db.insert(approvedExamples).values({
      id: exampleId,
      category: 'how_to',
      question: 'How do I reset the plinth glimmer lamp?',
      answer: approved,
      sourceItemId: 'rv_test',
      approvedBy: 'lead-test',
    });
    const created = await call(openai.url, 'POST', '/v1/tickets', {
      key: openai.keys.service,
      body: {
        customer: { id: demoCustomers.freeTier },
        channel: 'chat',
        subject: 'Plinth glimmer lamp',
        body: 'How do I reset the plinth glimmer lamp?',
      },
    });
    expect(created.status).toBe(201);
    const state = await waitForTicket(openai.url, openai.keys.ana, created.body.ticketId, (s) => s.status === 'awaiting_review');
    const draftRequest = stub.requests.find(
      (r) => operationOf(r) === 'draft' && r.body.messages.some((m) => m.content.includes('plinth glimmer')),
    );
    const prompt = draftRequest!.body.messages.find((m) => m.role === 'user')!.content;
    expect(prompt).toContain(`[${exampleId}]`);
    expect(prompt).toContain(`Approved answer: ${approved}`);
    expect(draftRequest!.body.messages[0]!.content).toContain('Approved answers');
    expect(state.draft!.citations).toEqual([
      { articleId: exampleId, title: expect.stringContaining('plinth glimmer lamp'), kind: 'example' },
    ]);
  });
});
