import { overrideFields, type OverrideField } from './outcomes';
import { DEFAULT_MIN_SAMPLE, wilson, type Share } from './stats';
import { complexities, handlingModes, issueTypes, priorityLevels, repeatabilities, urgencies } from './vocabulary';
import { weekLabeller } from './weeks';

// How often people change the AI's triage, decided once: per field, of the tickets with an AI call,
// how many no person touched ("not reviewed": never counted as correct), how many a person
// overrode, and of the reviewed ones how many kept the AI's value; the confusion matrix AI → final
// over the reviewed tickets, each cell a share of its AI row with its Wilson interval.

export const triageGroupings = ['week', 'category', 'field'] as const;
export type TriageGrouping = (typeof triageGroupings)[number];

/** What the aggregate query gives: tickets by AI value, final value, reviewed, overridden. */
export interface TriageCell {
  week: string | null;
  category: string | null;
  field: OverrideField;
  ai: string;
  final: string | null;
  reviewed: boolean;
  overridden: boolean;
  n: number;
}

export interface MatrixRow {
  ai: string;
  reviewed: number;
  notReviewed: number;
  /** Final values of the reviewed tickets the AI called `ai`, each a share of `reviewed`. */
  final: { value: string | null; count: number; share: Share }[];
}

export type TriageRow = {
  week?: string;
  category?: string | null;
  field: OverrideField;
  /** Tickets with an AI call on this field. */
  tickets: number;
  /** A person touched the ticket (approved, edited, replied, took over, assigned, reclassified, resolved) or overrode a field. */
  reviewed: number;
  notReviewed: Share;
  /** Tickets on which a person changed this field (of all tickets with an AI call). */
  overridden: Share;
  overriddenOfReviewed: Share;
  /** Reviewed tickets whose final value is the AI's. */
  aiKept: Share;
  /** Fewer reviewed tickets than DEFAULT_MIN_SAMPLE: shown, too few to act on. */
  smallSample: boolean;
  matrix: MatrixRow[];
};

const valueOrder: Record<OverrideField, readonly string[]> = {
  issueType: issueTypes,
  complexity: complexities,
  repeatability: repeatabilities,
  urgency: urgencies,
  priority: priorityLevels,
  mode: handlingModes,
};
const rank = (order: readonly (string | null)[], v: string | null) => {
  const i = order.indexOf(v);
  return i === -1 ? order.length : i;
};

interface Acc {
  key: { week?: string; category?: string | null; field: OverrideField };
  tickets: number;
  reviewed: number;
  overridden: number;
  kept: number;
  rows: Map<string, { reviewed: number; notReviewed: number; final: Map<string | null, number> }>;
}

export function triageRows(cells: TriageCell[], groupBy: readonly TriageGrouping[]): TriageRow[] {
  const byWeek = groupBy.includes('week');
  const byCategory = groupBy.includes('category');
  const groups = new Map<string, Acc>();
  const weekOfMonday = weekLabeller();
  for (const c of cells) {
    const week = byWeek && c.week ? weekOfMonday(c.week) : undefined;
    const key = { ...(week ? { week } : {}), ...(byCategory ? { category: c.category } : {}), field: c.field };
    const id = JSON.stringify(key);
    let acc = groups.get(id);
    if (!acc) groups.set(id, (acc = { key, tickets: 0, reviewed: 0, overridden: 0, kept: 0, rows: new Map() }));
    acc.tickets += c.n;
    if (c.overridden) acc.overridden += c.n;
    let row = acc.rows.get(c.ai);
    if (!row) acc.rows.set(c.ai, (row = { reviewed: 0, notReviewed: 0, final: new Map() }));
    if (!c.reviewed) {
      row.notReviewed += c.n;
      continue;
    }
    acc.reviewed += c.n;
    if (c.final === c.ai) acc.kept += c.n;
    row.reviewed += c.n;
    row.final.set(c.final, (row.final.get(c.final) ?? 0) + c.n);
  }
  const rows = [...groups.values()].map((acc): TriageRow => {
    const order = valueOrder[acc.key.field];
    return {
      ...acc.key,
      tickets: acc.tickets,
      reviewed: acc.reviewed,
      notReviewed: wilson(acc.tickets - acc.reviewed, acc.tickets),
      overridden: wilson(acc.overridden, acc.tickets),
      overriddenOfReviewed: wilson(acc.overridden, acc.reviewed),
      aiKept: wilson(acc.kept, acc.reviewed),
      smallSample: acc.reviewed < DEFAULT_MIN_SAMPLE,
      matrix: [...acc.rows.entries()]
        .sort(([a], [b]) => rank(order, a) - rank(order, b))
        .map(([ai, r]) => ({
          ai,
          reviewed: r.reviewed,
          notReviewed: r.notReviewed,
          final: [...r.final.entries()]
            .sort(([a], [b]) => rank(order, a) - rank(order, b))
            .map(([value, count]) => ({ value, count, share: wilson(count, r.reviewed) })),
        })),
    };
  });
  const categoryRank = (c: string | null | undefined) => rank(issueTypes, c ?? null);
  return rows.sort(
    (a, b) =>
      (a.week ?? '').localeCompare(b.week ?? '') ||
      categoryRank(a.category) - categoryRank(b.category) ||
      overrideFields.indexOf(a.field) - overrideFields.indexOf(b.field),
  );
}
