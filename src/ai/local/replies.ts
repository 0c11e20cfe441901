import { blank, closureIn, count, gratitudeIn } from '../../domain/replies';
import type { ReplyAssessment } from '../../domain/ticket';
import { cuesIn, readable, sentimentOf, wantsPerson } from './cues';

/**
 * What a customer's reply says about their issue, by cues in four languages, read in order of
 * what matters most: a request for a person; a change of subject; part solved and part not;
 * still broken; settled (it worked, found it, thanks); otherwise unclear (a follow-up question,
 * "I will try tomorrow"). Thanks alone is never "unresolved": that takes a failure cue.
 */
export function assessReplyText(reply: string): ReplyAssessment {
  const text = readable(reply);
  const sentiment = sentimentOf(reply);
  const { failure, partialPraise, deferral, newTopic } = cuesIn;
  const failing = count(failure, text);
  const asks = text.includes('?');
  const verdict = (v: ReplyAssessment['verdict'], confidence: number): ReplyAssessment => ({ verdict: v, sentiment, confidence });

  if (count(wantsPerson, text) > 0) return verdict('wants_human', 0.9);
  if (count(newTopic, text) > 0) return verdict('new_question', 0.75);
  // Praise of a part, read once the failures are blanked ("not working" praises nothing).
  if (count(partialPraise, blank(failure, text)) > 0 && (failing > 0 || asks)) return verdict('partially_resolved', 0.7);
  if (failing > 0) return verdict('unresolved', 0.8);
  if (count(deferral, text) > 0) return verdict('unclear', 0.5);
  const closing = closureIn(text);
  if (!asks && closing + gratitudeIn(text) > 0) return verdict('resolved', closing > 0 ? 0.85 : 0.7);
  return verdict('unclear', 0.4);
}
