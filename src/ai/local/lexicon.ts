import { phrases } from '../../domain/replies';
import type { IssueType } from '../../domain/ticket';

// The local triage's weighted lexicon, over readable English text (cues.ts folds the text and
// glossary.ts reads French, German and Spanish support words as English). A cue's weight says
// how much one mention tells: "refund" is billing for certain, "card" only perhaps.

export interface Cue {
  pattern: RegExp;
  weight: number;
}
const cue = (weight: number, ...alternatives: string[]): Cue => ({ pattern: phrases(...alternatives), weight });

export const lexicon: Record<IssueType, Cue[]> = {
  billing: [
    cue(3, 'refund(s|ed)?', 'overdue', 'charged twice', 'double charged', 'duplicate charge'),
    cue(2, 'invoice(s|d)?', 'bill(ing|ed)?', 'charge(d|s)?', 'payment( method)?', 'subscription', 'pric(e|es|ing)', 'cost(s)?', 'how much'),
    cue(2, 'receipt(s)?', 'vat', 'tax', 'downgrad(e|ed|ing)', 'upgrad(e|ed|ing)', 'discount', 'seats', 'prorat(ed|a)', 'paid'),
    cue(2, 'credit note', 'trial', 'quote', 'billing entity', 'billed for'),
    cue(1, 'card', 'plan', 'renewal', 'cancel', 'annual', 'monthly', 'contract'),
  ],
  technical: [
    cue(3, 'crash(es|ed|ing)?', 'outages?', 'redirect loop', 'spf', 'dkim', '5\\d\\d( error)?', '429( too many requests)?'),
    cue(2, 'error(s)?', 'bug', 'broken', 'not working', 'does not work', 'fail(s|ed|ing|ure)?', 'timeout', 'times out', 'slow'),
    cue(2, 'latency', 'down', 'stuck', 'not updat(ed|ing)', 'has not updated', 'sync(ing|ed)?', 'spam folder(s)?', 'too large'),
    cue(2, 'disappeared', 'performance', 'stopped( working| receiving| posting)?', 'nothing happens', 'duplicating'),
    cue(
      2,
      '(returns|gives|get|getting) (an? )?(4(?!29)\\d\\d|5\\d\\d)',
      'request id',
      'does not (add up|match)',
      '(totals?|numbers?|figures?) (are |is )?wrong',
    ),
    cue(1, 'api', 'integration(s)?', 'webhook(s)?', 'endpoint', 'export(s|ed)?', 'import(s|ed)?', 'upload(ing)?', 'load(s|ing)?', 'app'),
  ],
  account: [
    cue(3, 'transfer (the )?ownership', 'delete (my|our) (account|data|workspace)', 'rename (my |our |the )?workspace', 'company name'),
    cue(
      3,
      '(change|update|edit) (the |my |our )?e-?mail( address)?',
      'merge (them|accounts)',
      'two accounts',
      'data subject access request',
    ),
    cue(2, 'ownership', 'verif(y|ication)', 'locked out', 'gdpr', 'e-?mail address'),
    cue(3, 'suspended', 'reactivat(e|ion)', 'lost (my )?phone', 'recovery codes?', '(get|got) (back )?in(to)? (my|our) account'),
    cue(
      1,
      'password',
      'login',
      'sign(ing)? ?in',
      '2fa',
      'two-factor',
      'account',
      'sso',
      'saml',
      'invite',
      'teammate',
      'members?',
      'workspace',
    ),
  ],
  how_to: [
    cue(2, 'how (do|can|to|would|should|does)', 'where (is|can|do|are)', 'is it possible', 'what is the (best )?way', 'tell me how'),
    cue(
      2,
      'is there (a|an) (way|list|setting|shortcut|option|integration|endpoint)',
      'how many',
      'which (header|setting|option|menu|page)',
    ),
    cue(1, 'can i', 'steps?', 'guide', 'set ?up', 'how long', 'is there'),
  ],
  feature_request: [
    cue(3, 'would be (nice|great|useful|helpful)', 'it would be great', 'please add', 'any plans (for|to)', 'do you plan to'),
    cue(2, 'feature', 'add support', 'wish', 'roadmap', 'suggest(ion)?', 'plan to support'),
    cue(1, 'do you have (a|an)'),
  ],
  security: [
    cue(3, 'hack(ed)?', 'breach', 'phishing', 'unauthori[sz]ed', 'compromised', 'vulnerab(le|ility)', 'leak(ed|s)?'),
    cue(3, 'suspicious (login|activity|email)', 'security questionnaire', 'soc ?2', 'data residency', 'still ha(d|s) access'),
    cue(
      3,
      'data processing agreement',
      'dpa',
      'sub-?processors',
      'unknown (ip|device|location)',
      '(ip|device|location) (we|i) (do not|did not) (know|recognize|recognise)',
    ),
    cue(3, 'from another country', 'lock the account'),
    cue(
      2,
      '(a|an) (login|sign-in) from',
      'logged in(to)?( [a-z]+){0,3} from (a|an|another) (country|location)',
      'looks like yours',
      'strange domain',
      'hosted in (the )?(eu|us|europe)',
      'lock (the |our )?account',
    ),
  ],
  other: [
    cue(3, 'partnership', 'reseller', 'hiring', 'careers?( page)?', 'just wanted to say', 'great job'),
    cue(2, 'job application', 'account manager', 'discuss (the )?terms', 'love (it|how)', '(is|was|looks) fantastic'),
    cue(3, 'webinar', 'journalist', 'press (inquiry|enquiry)', 'interview', 'thank(s| you) for the (quick |fast )?(fix|work)'),
  ],
};

/** Something is wrong, not merely asked about: a failure, money taken, access lost, data gone. */
export const problem = phrases(
  'error(s)?',
  'bug',
  'crash(es|ed|ing)?',
  'broken',
  'not working',
  'does not work',
  'did not work',
  'fail(s|ed|ing|ure)?',
  'declined',
  'charged',
  'double',
  'outages?',
  'down',
  '(arriv(e|es|ing)|delivered|comes?|coming)( \\d+ (minutes|hours))? late',
  'delayed',
  'missing',
  'wrong',
  'lost',
  'stuck',
  'locked out',
  'blocked',
  'expired?',
  'not updat(ed|ing)',
  'has not updated',
  'disappeared',
  'read-only',
  'never (received|arrives|arrived)',
  'too large',
  'redirect loop',
  'stopped',
  'cannot (log|sign|access|work|login)',
  'slow',
  'spam folder(s)?',
  'nothing happens',
  'invalid',
  'keeps (saying|failing|crashing)',
  'suspended',
  'locked',
  'duplicating',
);

/** What makes a problem a malfunction of the product rather than a question about it. */
export const malfunction = phrases(
  'every time',
  'always',
  'since (your|the|yesterday|this morning|noon|friday|monday|last)',
  'after (your|the) (update|release)',
  'for everyone',
  'none of (our|us)',
  'all (our )?users',
  'redirect loop',
  '5\\d\\d',
  // An error message quoted: 'gives "file too large"', "we get 'invalid audience'".
  '(gives|says|shows|returns|get|getting)( me| us)?( an?)?( error)? ["\'“]',
  'crash(es|ed)?',
  'spam folder(s)?',
);

/** The whole team or the whole business is hit. */
export const broadImpact = phrases(
  'everyone',
  'everybody',
  'all (our |of our )?users',
  'none of (our|us)',
  'whole (company|team|sales team|business)',
  'entire (company|team)',
  'we cannot work',
  'cannot work',
  'blocking (our|the) (whole|production|business|orders)',
  'production (is )?down',
  'all (our|of our) [a-z]+ (fail|are failing|failed)',
  '\\d{2,} users',
);

/** Data lost or a security incident under way. */
export const incident = phrases(
  'data loss',
  'lost (all )?(our|my) data',
  '(records|data|contacts|deals) (disappeared|are missing|missing|gone|deleted)',
  'missing( [a-z]+)?( about| around)? [\\d.,]+ (records|contacts|deals)',
  '(restore|recover) (them|it|the data|our data)',
  'from another country',
  'unknown (ip|device|location)',
  '(ip|device|location) (we|i) (do not|did not) (know|recognize|recognise)',
  'disappeared',
  'suspicious (login|activity)',
  '(login|logged in|logged into|sign-in|signed in)( [a-z]+){0,3} from (a|an|another)( other)? (country|location)',
  'hacked',
  'still had access',
  'account takeover',
);

// Groups the complexity, repeatability and urgency rules read, each a notion of the labelling guide.

/** An attack or an exposure (as opposed to a compliance question). */
export const attack = phrases(
  'hack(ed)?',
  'breach',
  'phishing',
  'unauthori[sz]ed',
  'compromised',
  'suspicious (login|activity|email)',
  'still ha(d|s) access',
  'looks like yours',
  'strange domain',
  '(a|an) (login|sign-in) from',
  'logged in(to)?( [a-z]+){0,3} from (a|an|another) (country|location)',
);

/** A problem that needs investigating: it recurs, it trends, or nothing on the customer's side explains it. */
export const investigation = phrases(
  'nothing changed on our side',
  '(second|third|fourth|fifth|\\d+(st|nd|rd|th)) (outage|incident|time)',
  'again',
  'third time',
  'over the last (two|three|few|\\d+) (days|weeks)',
);

/** Already wrong and blocking, or money taken wrongly. */
export const blocking = phrases(
  'urgent(ly)?',
  'asap',
  'as soon as possible',
  'immediately',
  'right now',
  'blocked',
  'read-only',
  'locked out',
  'lock the account',
  'cannot (log|sign) in',
  'charged twice',
  'double charged',
  'duplicate charge',
);

/** A failure that began recently and is still going on. */
export const ongoing = phrases('since (yesterday|this morning|today|\\d{1,2}(:\\d\\d)? ?(am|pm|utc)?)', 'over the last');

/** A billing matter on the customer's own account (a case, not a question about prices). */
export const billingCase = phrases(
  'refund',
  'billed for',
  'credit note',
  'billing entity',
  'charged',
  'overdue',
  'paid',
  'correct(ion|ed)?',
  'missing',
  'discuss',
  'increase',
  'downgrad(e|ed|ing)',
  'declined',
  'cancel',
);

/** A negotiation: a one-off by nature. */
export const negotiation = phrases('discuss', 'negotiat(e|ion)', '(price|prices) increase', 'contract terms');

/** Account administration that needs the account's specifics (as opposed to a setting the customer changes). */
export const accountCase = phrases(
  'suspended',
  'lost (my )?phone',
  'recovery codes?',
  'transfer (the )?ownership',
  'ownership',
  'delete (my|our) (account|data|workspace)',
  'gdpr',
  'data subject',
  'merge',
  'two accounts',
  'verif(y|ication)',
);

/** A specific failure that needs looking into: a crash, a version, a figure, a stuck job, a date. */
export const oneOffFailure = phrases(
  'crash(es|ed)?',
  'version',
  '\\d+ ?%',
  'stuck at',
  'since (monday|tuesday|wednesday|thursday|friday|saturday|sunday)',
  'keeps failing',
);

/** A business conversation rather than support. */
export const business = phrases('partnership', 'reseller', 'hiring', 'job (application|opening|offer)', 'careers?', 'discuss');
