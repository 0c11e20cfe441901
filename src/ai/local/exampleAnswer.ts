import type { ExampleHit } from '../../db/approvedExamples';
import { cutText } from '../../domain/text';
import type { Draft } from '../../domain/ticket';

// The local provider's answer from an approved example: the lead-approved text itself, under
// the usual greeting and page line, cited as an example so reviewers and reports see where it came from.

/** The approved answer without its own greeting and sign-off lines, which the draft supplies. */
function answerText(answer: string): string {
  const paragraphs = answer
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  const greeting = /^(hi|hello|hey|dear)\b[^\n]{0,40}[,!]?$/i;
  return (greeting.test(paragraphs[0] ?? '') ? paragraphs.slice(1) : paragraphs).join('\n\n');
}

export function fromApprovedExample(
  example: ExampleHit,
  where: string | null | undefined,
  intro: string,
  confidence: number,
): Pick<Draft, 'body' | 'confidence' | 'citations'> {
  // A follow-up after an unhelpful answer says so first; a first answer goes straight to it.
  const opening = intro.startsWith('Sorry') ? intro : '';
  const body = ['Hi,', where, opening, answerText(example.answer)].filter(Boolean).join('\n\n');
  const title = `Approved answer: ${cutText(example.question.split('\n')[0]!.trim(), 80, { ellipsis: true, atWord: true })}`;
  return { body, confidence, citations: [{ articleId: example.id, title, kind: 'example' }] };
}
