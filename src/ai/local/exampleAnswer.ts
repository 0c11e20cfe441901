import type { ExampleHit } from '../../domain/review';
import { cutText } from '../../domain/text';
import type { Draft } from '../../domain/ticket';

// The local provider's answer from an approved example: the lead-approved text itself, under
// the usual greeting and page line, cited as an example so reviewers and reports see where it came from.

const greeting = /^(hi|hello|hey|dear)\b[^,!]{0,40}[,!]?$/i;
const signOff = /^(best|best wishes|kind regards|regards|cheers|thanks|many thanks|thank you)[,!.]?$/i;

/** The approved answer without its own greeting and sign-off lines: the draft has its own. */
function answerText(answer: string): string {
  const lines = answer.trim().split('\n');
  if (lines.length > 1 && greeting.test(lines[0]!.trim())) lines.shift();
  if (lines.length > 1 && signOff.test(lines.at(-1)!.trim())) lines.pop();
  return lines.join('\n').trim();
}

export function fromApprovedExample(
  example: ExampleHit,
  where: string | null | undefined,
  intro: string,
  confidence: number,
): Pick<Draft, 'body' | 'confidence' | 'citations'> {
  // A follow-up after an unhelpful answer says so first; a first answer goes straight to it.
  const opening = intro.startsWith('Sorry') ? intro : '';
  const body = ['Hi,', where, opening, answerText(example.answer), 'If anything is unclear, just reply here.'].filter(Boolean).join('\n\n');
  const title = `Approved answer: ${cutText(example.question.split('\n')[0]!.trim(), 80, { ellipsis: true, atWord: true })}`;
  return { body, confidence, citations: [{ articleId: example.id, title, kind: 'example' }] };
}
