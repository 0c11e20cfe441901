import { log, patched } from '@temporalio/workflow';
import { answersSurvey, csatRefusal, scoreFromReply } from '../../domain/csat';
import { aiFailedTrigger, triggersAfterReply } from '../../domain/escalation';
import { addressesTheAI, findInjection } from '../../domain/injection';
import type { TicketState } from '../../domain/ticketState';
import { keepsResolved } from '../../domain/replies';
import type { ReplyAssessment, TranscriptMessage } from '../../domain/ticket';
import { takeCsatScore } from './customer';
import { failureReason } from './failures';
import type { TicketRun } from './run';

/** A message that addresses the AI, in any language the detector reads (older tickets: English). */
function addressesAI(s: TicketState, body: string): boolean {
  if (!patched('injection-everywhere')) return addressesTheAI(body);
  const found = findInjection([{ field: 'message', text: body }]);
  if (found.length > 0) s.injection = [...(s.injection ?? []), ...found].slice(-20);
  return found.length > 0;
}

/**
 * A customer message, taken off the inbox by the main loop: on a resolved ticket it answers the
 * survey (a bare number) or reopens it; otherwise the AI reads it and the ticket moves on (a
 * person, a resolution, or the AI's next reply).
 */
export async function customerTurn(run: TicketRun, m: TranscriptMessage) {
  const { s, policy } = run;
  run.conversation.addToTranscript(m);
  s.sla.awaitingCustomerSince = null;
  run.log.record('customer_message', 'customer', { messageId: m.id });
  // The mission's follow-up: the customer wrote again after our first answer, and not just to thank us.
  if (s.firstResponseAt && !keepsResolved(m.body) && !answersSurvey(s, m.body)) s.customerFollowUps = (s.customerFollowUps ?? 0) + 1;
  if (s.status === 'resolved') {
    // "4" after the survey is its answer, never a new question: it cannot reopen the ticket.
    if (answersSurvey(s, m.body) && patched('number-after-survey-is-a-score')) {
      const score = scoreFromReply(m.body)!;
      const refusal = s.csat.score !== null ? 'the survey was already answered' : csatRefusal(s, score);
      if (refusal) return run.log.record('csat_refused', 'customer', { reason: refusal, via: 'reply' });
      return takeCsatScore(run, score, null, 'reply', m.postedBy?.name ?? null);
    }
    if (!s.resolution || s.resolution.reopenWindowClosed) return;
    // "Thanks, all good" on a resolved ticket is a thank-you, not a new question.
    if (keepsResolved(m.body) && patched('thanks-keep-resolved')) return run.log.record('thanks_received', 'customer');
    s.followUps++;
    s.resolution = null;
    run.log.record('reopened', 'customer', { followUps: s.followUps });
    if (s.mode === 'human') {
      // The customer is waiting on a person again: the first-response SLA runs afresh.
      if (patched('reopen-rearms-first-response')) run.armFirstHumanResponse(Date.now());
      run.log.setStatus(s.assignee ? 'human_handling' : 'escalated', 'customer');
      return;
    }
    s.aiTurns = 0;
    // A reopening message is read like any other: it may ask for a person or address the AI.
    if (!patched('reopen-assesses-reply')) return run.aiTurn();
  }
  if (s.mode === 'human' || s.status === 'escalated' || s.status === 'human_handling') return;
  const epoch = run.aiEpoch;
  let assessment: ReplyAssessment;
  try {
    assessment = await run.ai.assessReply({ reply: m.body, transcript: s.transcript, ticketId: s.ticketId });
  } catch (err) {
    if (epoch !== run.aiEpoch) return;
    log.warn('reply assessment failed; escalating', { error: failureReason(err) });
    return run.escalate([aiFailedTrigger('assessment', failureReason(err))]);
  }
  run.log.record('reply_assessed', 'ai', { ...assessment });
  // A person took over or resolved while the reply was read: the turn is theirs.
  if (epoch !== run.aiEpoch) return;
  if (s.mode === 'ai_auto' && addressesAI(s, m.body)) {
    s.mode = 'ai_review';
    s.routedMode = 'ai_review'; // a handback keeps the review
    run.log.record('review_required', 'system', { reason: 'the customer message addresses the AI: a person reviews the reply' });
  }
  if (s.mode !== 'ai_auto' && s.mode !== 'ai_review') return; // a human took over meanwhile
  const triggers = triggersAfterReply(assessment, s.aiTurns, policy);
  if (triggers.length > 0) return run.escalate(triggers);
  if (assessment.verdict === 'resolved') {
    await run.conversation.discardDraft('system');
    return run.conversation.resolve('customer_confirmed', 'customer');
  }
  if (s.draft) await run.conversation.discardDraft('system'); // the customer said more: redraft with it
  await run.aiTurn();
}
