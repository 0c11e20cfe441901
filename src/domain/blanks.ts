import type { Enrichment } from './enrichment';
import { cutText } from './text';
import type { Classification } from './ticket';

// Where a ticket starts when nothing is known yet. Zod-free, like everything workflow code loads.

/** What triage says when the AI could not classify: nothing known, so a person decides. */
export const unclassified = (subject: string): Classification => ({
  issueType: 'other',
  complexity: 'high',
  repeatability: 'unique',
  urgency: 'medium',
  sentiment: 'neutral',
  requestsHuman: false,
  confidence: 0,
  summary: cutText(subject, 200, { ellipsis: true, atWord: true }),
});

/** Enrichment before any source has answered; each lookup fills its part or records a gap. */
export const emptyEnrichment = (customerId: string | null): Enrichment => ({
  customerId,
  accountId: null,
  accountName: null,
  tier: null,
  plan: null,
  mrrCents: null,
  billingStatus: null,
  accountAgeDays: null,
  recentPlanChanges: [],
  churnSignal: false,
  openTickets: 0,
  recentTickets: 0,
  similarOpenTickets: [],
  linkedIssues: [],
  lifecycleStage: null,
  accountOwner: null,
  gaps: [],
});
