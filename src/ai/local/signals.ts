import { phrases } from '../../domain/replies';
import type { IssueType } from '../../domain/ticket';
import type { Cue } from './lexicon';

// The labelling guide's deciding questions read as signals the first lexicon lacked (issue 17,
// second pass; eval/TRIAGE-NOTE.md explains each group). Over readable English text, like
// lexicon.ts: glossary.ts reads the French, German, Spanish and Portuguese forms as these words.

const cue = (weight: number, ...alternatives: string[]): Cue => ({ pattern: phrases(...alternatives), weight });

/** How a failure shows on screen or in a job, said without the word "error" (guide question 2). */
export const symptom = phrases(
  'blank( white)? (page|screen)',
  'grey box',
  '(says|shows) (no data|nothing|0\\b)',
  'no data',
  'just spins',
  'keeps (loading|spinning|resetting|logging)',
  '(are|is|get|gets) reset',
  'logged (me|us|them) out',
  'never (downloads|loads|opens|goes out|go out|sends)',
  'does not (load|open|download|save|show|sync|keep)',
  "have(n'?t| not) gone out",
  'stopped (firing|syncing|tagging|sending|working)',
  'arrive(s)? without',
  'cut off',
  'show(s)? up twice',
  'double-?booked',
  'something went wrong',
  'empty( file)?',
  'piling up',
  '0 tasks',
  'timing out',
  'are not sent',
  'no longer (appear|show|sync)',
  'returns nothing',
);

/** The product's data is gone or overwritten: the guide's "data lost" (critical, high). */
export const dataLoss = phrases(
  '(blank|empty|wiped|erased|overwritten|zero)( [a-z]+){0,3} (fields?|columns?|values?|amounts?)',
  'amounts are (all )?zero',
  '(information|data|records|contacts|deals) back',
  "deleted( [a-z']+){0,4} by accident",
  'by accident( [a-z]+){0,3} deleted',
  'accidentally deleted',
  'any way to (restore|recover|get (it|them) back)',
  '\\d+ (deals|contacts|records|users)( [a-z]+){0,2} deleted',
  'deleted (several|many|\\d+) (users|deals|contacts|records)',
);

/** Someone outside the customer's people is or was in the account (guide question 1; "critical"). */
export const intrusion = phrases(
  '(someone|somebody) (has )?(signed|logged) in(to)?',
  'signed in(to)?( [a-z]+){0,3} from [a-z]+',
  '(nobody|no one|none of us)( here)? (did|made) (this|that|it|these)',
  'none of us (made|did)',
  '(deletions|changes) none of us',
  'password( [a-z]+){0,4} (was|has been) changed',
  '(someone|somebody|a [a-z]+) (who left|we let go)( [a-z]+){0,6} (logged|signed|exported|deleted)',
  'belonging to someone who left',
  '(entered|got into|accessed) (our|my) (admin )?account',
);

/** Access exposed without anyone known to be in yet (guide: "high"). */
export const exposure = phrases(
  '(key|token)s?( [a-z]+){0,6} (public|github)',
  'public (github )?(repo|repository|channel|slack)',
  'typed (his|her|their|my|in (his|her|their|my)) password',
  'clicked (it|the link) and',
);

/** Money taken for something the customer does not have: the guide's "money taken wrongly". */
export const chargedWrongly = phrases(
  '(charged|billed|charges|charging)( [a-z]+){0,5} (when|but|although|though) (we|i) (have|had|only|are|were|never)',
  '(charges|charged|billed) us for \\d+ seats',
  '(charged|billed)( [a-z]+){0,4} (we|i) never (turned on|used|ordered|asked for)',
);

/** A near date said as "before <day>" (the first lexicon reads "by Friday"). */
export const beforeDay = phrases(
  'before (monday|tuesday|wednesday|thursday|friday|saturday|sunday|next week|the end of the (week|month))',
  'by the end of the month',
);

/** Nothing at all can be opened or used: the guide's "blocked". */
export const blockedOut = phrases('cannot (open|use|do) anything', 'completely (blocked|stuck)', 'cannot work');

/** A whole team or the whole service is hit (guide: "critical" when it fails). */
export const wholeTeam = phrases(
  '(every one|all|each|none) of (our|the) \\d+',
  'all \\d+ of (us|our)',
  '(our )?\\d+ (agents|reps|people|users|members|staff)( [a-z]+){0,3} (cannot|can not|nobody)',
  '(nobody|no one) (here )?can',
  'we are answering nobody',
  'whole (dashboard|app|platform|system|inbox|service)',
  'for any of our \\d+',
);

/** A wish, however it is put: it outranks the technical words it mentions (guide question 6). */
export const wish = phrases(
  "is (that|this|it) something you( are|'re)? (considering|planning)",
  'would (be|love) (nice|great|useful|helpful|a) ',
  'would love (a|an|to have)',
  'it would be great if',
  'would be great to',
  'any plans',
  'on the roadmap',
  'would like to (be able to )?add our own',
);

/** A compliance or residency question (guide question 1): security, not "other". */
export const compliance = phrases(
  '(data|data cent(er|re)s?|servers?)( [a-z]+){0,3} in the eu',
  'eu only',
  'stays? in the eu',
  'which region',
  'pen ?test',
  'dpo',
);

/** Personal data or an account erased on request: a standard procedure (repeatable). */
export const erasure = phrases('erase', 'delete (my|our) (account|data)', '(delete|remove) (all )?(my|our) (personal )?data');

/** Outreach: press, talks, studies, case studies, jobs. One-off contacts, low complexity. */
export const outreach = phrases(
  'journalist',
  'press',
  'interview',
  'case study',
  'testimonial',
  'conference',
  'give a talk',
  'thesis',
  'hiring',
  'careers?',
  'job (application|opening|offer)',
  '(is|are) the role',
);

/** A failure that must be explained or traced: recurring, a figure, a release (unique). */
export const traced = phrases(
  'since (monday|tuesday|wednesday|thursday|friday|saturday|sunday|the weekend|last week|your (update|release))',
  '(second|third|fourth) time',
  'second time',
  'others on the team',
  'colleagues( [a-z]+){0,4} (are|seem) fine',
  'only (me|for me)',
  'nothing changed',
  '\\d+ times',
);

/** More weighted cues, by type, merged into the lexicon. */
export const moreCues: Partial<Record<IssueType, Cue[]>> = {
  // A symptom or lost data is a failure of the product, whatever the topic words beside it.
  technical: [
    { pattern: symptom, weight: 2 },
    { pattern: dataLoss, weight: 2 },
  ],
  how_to: [
    cue(2, 'where did [a-z ]+ go', 'what is the (quickest|fastest|easiest|simplest) way', "what's the (quickest|fastest|easiest|best) way"),
    cue(1, 'is there any way'),
  ],
  feature_request: [cue(3, "is (that|this|it) something you( are|'re)? (considering|planning)", 'would love (a|an)', 'any plans')],
  security: [
    cue(
      4,
      'someone (has )?(signed|logged) in(to)?',
      'nobody here did',
      'none of us (made|did)',
      'password( [a-z]+){0,4} (was|has been) changed',
    ),
    cue(4, 'belonging to someone who left', '(who left|we let go)( [a-z]+){0,6} (logged|signed|exported|deleted)'),
    cue(3, '(key|token)s?( [a-z]+){0,6} (public|github)', 'public (github )?(repo|repository)', 'typed (his|her|their|my) password'),
    cue(3, '(data|data cent(er|re)s?|servers?)( [a-z]+){0,3} in the eu', 'eu only', 'which region', 'pen ?test'),
  ],
  other: [cue(3, 'case study', 'testimonial', 'conference', 'give a talk', 'thesis', 'pass it on')],
};
