import { phrases } from '../../domain/replies';

// What the labelling guide reads for urgency and complexity beyond the topic: how near a
// deadline is, whether money was taken wrongly or access lost, whether a service is down, how
// much data or how many calls are hit, and whether the customer asks why something fails. Over
// readable English text (glossary.ts reads the French, German, Spanish and Portuguese words).

/** A near deadline: the guide's "medium" for a question with a date attached. */
export const deadline = phrases(
  'by (today|tonight|tomorrow|monday|tuesday|wednesday|thursday|friday|the end of (the )?(day|week|month)|end of (day|week|month)|eod)',
  '(ends|expires|runs out|is due|due) (today|tonight|tomorrow|this week|on [a-z]+day|in \\d+ (days|hours))',
  'before (our|the|my) (meeting|call|presentation|renewal|audit|deadline|demo|launch)',
  'deadline',
  'in \\d+ (minutes|hours)',
  'tomorrow',
);

/** Money taken wrongly: the guide's "high". */
export const moneyTakenWrongly = phrases(
  '(charged|billed|invoiced|charging|billing|invoice)( us| me)?( [a-z]+){0,4} twice',
  'twice (this|for|in)',
  'double(-| )(charge|charged|billed|billing)',
  '(charged|billed|charging|billing) (us |me )?for \\d+ seats',
  '(charged|billed) (my|our) card',
  '(charged|billed)( us| me)? again',
  '(wrong|incorrect) (amount|charge|plan)',
);

/** Access lost: the customer cannot work at all, the guide's "blocked". */
export const accessLost = phrases(
  'locked',
  'suspended',
  'deactivated',
  'cannot (get|log|sign) (in|into|back)',
  'cannot access',
  'lost (my )?phone',
  'no recovery codes?',
);

/** A service that is down, or was: at least "high" while it lasts. */
export const outage = phrases('outages?', 'downtime', '(is|was|went|are|were) down', 'down for');

/** Much data or many calls hit: investigation across the data, the guide's "high" complexity. */
export const widespread = phrases(
  'every (single )?(contact|record|deal|call|request|order|message|email)',
  'half (of )?(all|our|the)',
  '\\d+ ?% of',
  'thousands',
  'duplicating',
  'created twice',
  'clean (up|them up)',
);

/** The customer asks why it fails or whether failures are linked: investigation, a one-off. */
export const askWhy = phrases(
  '(tell me|explain|know) why',
  'why (does|is|do|are|did)( [a-z]+){0,3} (fail|failing|wrong|happen|happening)',
  'are (these|they|the two) related',
  'which (number|figure|total|one) is (right|correct)',
  'request id',
  'req_[a-z0-9]+',
  // 429 is the documented rate limit, not a one-off.
  '(returns|gives|get|getting) (an? )?4(?!29)\\d\\d',
);
