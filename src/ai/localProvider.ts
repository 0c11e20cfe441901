import { desc, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { kbArticles } from '../db/schema';
import { pageViewFor, splitAtReopen } from '../domain/aiView';
import { answersTheSameQuestion } from '../domain/review';
import type { Draft, EscalationSummary } from '../domain/ticket';
import { significantWords } from '../integrations/postgres';
import { readable } from './local/cues';
import { toEnglish } from './local/glossary';
import { fromApprovedExample } from './local/exampleAnswer';
import { pagePreamble, withoutAsksThePageAnswers } from './local/pageAnswer';
import { assessReplyText } from './local/replies';
import { summarizeLocally } from './local/summary';
import { meaningful } from './local/transcript';
import { classifyText } from './local/triage';
import type { DraftRequest, EscalationRequest, SupportAI } from './supportAI';

// @2: the page state in the reply, no request for what it holds, a stale page said to be stale.
const LOCAL_DRAFT_PROMPT_VERSION = 'local-draft@2';

interface ArticleHit {
  id: string;
  title: string;
  body: string;
  rank: number;
  /** How many of the customer's significant words the article contains. */
  matched: number;
  /** How many significant words the customer used (at most 16). */
  asked: number;
}

/**
 * The customer's words a search asks for. The articles are English: French, German and Spanish
 * support words are read as English, and their function words ("bonjour", "comment", "nous") are
 * not counted as asked.
 */
export const askedWords = (text: string) => significantWords(meaningful(toEnglish(readable(text))).join(' '), 16);

/** Knowledge-base articles ranked by PostgreSQL full-text search over the customer's words. */
export async function searchKnowledgeBase(db: Db, text: string, limit = 3): Promise<ArticleHit[]> {
  const words = askedWords(text);
  if (words.length === 0) return [];
  const query = sql`to_tsquery('english', ${words.join(' | ')})`;
  const rank = sql<number>`ts_rank(${kbArticles.search}, ${query})`.mapWith(Number);
  const matched =
    sql<number>`(select count(*) from unnest(string_to_array(${words.join(' ')}, ' ')) as w where ${kbArticles.search} @@ to_tsquery('english', w))`.mapWith(
      Number,
    );
  const hits = await db
    .select({ id: kbArticles.id, title: kbArticles.title, body: kbArticles.body, rank, matched })
    .from(kbArticles)
    .where(sql`${kbArticles.search} @@ ${query}`)
    .orderBy(desc(rank))
    .limit(limit);
  return hits.map((h) => ({ ...h, asked: words.length }));
}

/**
 * How sure the local provider is that an article answers the customer: mostly how many of their
 * words it covers (one shared word such as "account" is a coincidence, not an answer), a little
 * how strongly it ranks. A weak match falls below the policy's draft threshold, so a person answers.
 */
function answerConfidence(hit: Pick<ArticleHit, 'rank' | 'matched' | 'asked'>, turn: number): number {
  const coverage = Math.min(1, hit.matched / Math.min(4, hit.asked));
  const strength = Math.min(1, hit.rank / 0.3);
  // Later turns mean the first answer did not help: be less sure of the next one.
  const confidence = (0.2 + 0.55 * coverage + 0.15 * strength) * (turn > 1 ? 0.85 : 1);
  return Math.round(confidence * 100) / 100;
}

const firstSentences = (text: string, n: number) => text.split(/(?<=[.!?])\s+/).slice(0, n);

/** How the reply opens, from what the customer's last message says (no apology for a thanks or a new question). */
function opening(latest: string, turn: number, reopened: boolean): string {
  if (turn === 1 || reopened) return 'Here is how to do this:';
  const { verdict } = assessReplyText(latest);
  if (verdict === 'unresolved' || verdict === 'partially_resolved') return 'Sorry that did not sort it out yet. Here is what should help:';
  return verdict === 'new_question' ? 'Here is how to do that:' : 'Here is more detail:';
}

/**
 * The provider used when no model is configured: deterministic, offline, and it says plainly
 * when the knowledge base has no answer so the policy sends the ticket to a person.
 */
export function createLocalSupportAI(db: Db): SupportAI {
  return {
    name: 'local',

    async classify(ticket) {
      return classifyText(ticket.subject, ticket.body, ticket.pageContext);
    },

    async draftReply({ ticket, transcript, turn, examples }: DraftRequest): Promise<Draft> {
      // After a reopen the new message is the question: the settled one no longer steers the search.
      const { current } = splitAtReopen(transcript, ticket.reopenedBy);
      const reopened = ticket.reopenedBy !== undefined;
      const answering = current.filter((m) => m.author === 'customer').at(-1);
      const latest = answering?.body ?? ticket.body;
      const earlier = turn === 1 || reopened ? '' : ticket.body;
      const hits = await searchKnowledgeBase(db, `${reopened ? '' : ticket.subject} ${latest} ${earlier}`);
      const page = pageViewFor(ticket, answering);
      const where = pagePreamble(page, turn === 1);
      const best = hits[0];
      // A lead approved this answer to this question: it beats whatever the articles say.
      const example = examples?.find(answersTheSameQuestion);
      if (example) {
        const intro = opening(latest, turn, reopened);
        return {
          ...fromApprovedExample(example, where, intro, answerConfidence(example, intro.startsWith('Sorry') ? turn : 1)),
          promptVersion: LOCAL_DRAFT_PROMPT_VERSION,
          provider: 'local',
        };
      }
      if (!best || best.rank < 0.01) {
        return {
          body: [
            'Hi,',
            where,
            "Thanks for your message. I couldn't find a documented answer to this, so I've passed it to a teammate who will follow up here.",
          ]
            .filter(Boolean)
            .join('\n\n'),
          confidence: 0.25,
          citations: [],
          promptVersion: LOCAL_DRAFT_PROMPT_VERSION,
          provider: 'local',
        };
      }
      const cited = hits.filter((h) => h.rank >= best.rank / 3);
      const intro = opening(latest, turn, reopened);
      const confidence = answerConfidence(best, intro.startsWith('Sorry') ? turn : 1);
      const body = [
        'Hi,',
        where,
        intro,
        withoutAsksThePageAnswers(firstSentences(best.body, 4), page).join(' '),
        `More detail: ${cited.map((h) => `"${h.title}"`).join(', ')}.`,
        'If anything is unclear, just reply here.',
      ]
        .filter(Boolean)
        .join('\n\n');
      return {
        body,
        confidence,
        citations: cited.map((h) => ({ articleId: h.id, title: h.title })),
        promptVersion: LOCAL_DRAFT_PROMPT_VERSION,
        provider: 'local',
      };
    },

    async summarizeEscalation(request: EscalationRequest): Promise<EscalationSummary> {
      return summarizeLocally(request);
    },

    async assessReply(reply) {
      return assessReplyText(reply);
    },
  };
}
