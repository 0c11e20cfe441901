import { Context } from '@temporalio/activity';
import { askedWords } from '../ai/localProvider';
import type { DraftRequest, EscalationRequest, SupportAI, TicketForAI } from '../ai/supportAI';
import { nearestApprovedExamples } from '../db/approvedExamples';
import type { Db } from '../db/client';
import { splitAtReopen } from '../domain/aiView';
import { linksInKnowledgeBase } from '../db/knowledgeBase';
import { insertDraft, savedDraft } from '../db/ticketWrites';
import { linksIn } from '../domain/injection';
import type { Draft, TranscriptMessage } from '../domain/ticket';
import { guarded, type FailureOptions } from './failures';

/** The AI's steps: each wraps one call of the SupportAI port. */
export function aiActivities(db: Db, ai: SupportAI, options: FailureOptions) {
  const run = guarded(options);
  /** The draft with the links of it the knowledge base holds: the workflow reviews the others. */
  const withKnownLinks = async (draft: Draft): Promise<Draft> => {
    const links = linksIn(draft.body);
    return links.length === 0 ? draft : { ...draft, knownLinks: await run('draftResponse', () => linksInKnowledgeBase(db, links)) };
  };
  /** The lead's approved answers nearest to what the customer asks now (their latest message since a reopen). */
  const examplesFor = ({ ticket, transcript, classification }: DraftRequest) => {
    const latest = splitAtReopen(transcript, ticket.reopenedBy)
      .current.filter((m) => m.author === 'customer')
      .at(-1);
    const text = `${ticket.reopenedBy ? '' : ticket.subject} ${latest?.body ?? ticket.body}`;
    return nearestApprovedExamples(db, classification.issueType, askedWords(text));
  };
  return {
    classifyTicket: (ticket: TicketForAI) => run('classify', () => ai.classify(ticket)),

    /** Once written, a draft is what its id means: a retry returns it instead of asking the AI again. */
    async draftResponse(request: DraftRequest & { draftId: string }): Promise<Draft> {
      // Only a retry can find its draft already written; a first attempt skips the read.
      const saved = Context.current().info.attempt > 1 ? await run('draftResponse', () => savedDraft(db, request.draftId)) : undefined;
      if (saved) return withKnownLinks(saved);
      const examples = await run('draftResponse', () => examplesFor(request));
      const draft = await run('draftReply', () => ai.draftReply({ ...request, examples }));
      const stored = {
        ...draft,
        id: request.draftId,
        ticketId: request.ticket.ticketId,
        turn: request.turn,
        category: request.classification.issueType,
      };
      const inserted = await run('draftResponse', () => insertDraft(db, stored));
      // Lost a race with an earlier attempt that also finished: its draft is the one on record.
      return withKnownLinks(inserted ? draft : ((await run('draftResponse', () => savedDraft(db, request.draftId))) ?? draft));
    },

    summarizeEscalation: (request: EscalationRequest) => run('summarizeEscalation', () => ai.summarizeEscalation(request)),

    assessReply: (input: { reply: string; transcript: TranscriptMessage[]; ticketId?: string }) =>
      run('assessReply', () => ai.assessReply(input.reply, input.transcript, input.ticketId)),
  };
}
