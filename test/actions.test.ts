import { expect, it } from 'vitest';
import { actionNames, parseActionPayload, type ActionName } from '../src/domain/actions';
import { ActionPayloads } from '../src/schemas/actions';

/**
 * The workflow reads action payloads without zod (it must not load it); the API reads them with
 * zod. Both must accept and refuse the same payloads and produce the same values.
 */
const long = (n: number) => 'x'.repeat(n);
const common: unknown[] = [
  null,
  [],
  'approve',
  {},
  { agentId: '' },
  { agentId: '   ' },
  { agentId: 42 },
  { agentId: long(101) },
  { agentId: `  ${long(100)}  ` },
  { agentId: ' ana ' },
  { agentId: 'ana', extra: 'dropped' },
];
const cases: Record<ActionName, unknown[]> = {
  approve: [],
  takeover: [],
  modify: [
    { agentId: 'ana', body: ' Hi \n' },
    { agentId: 'ana', body: '' },
    { agentId: 'ana', body: long(20_001) },
    { agentId: 'ana', body: 'ok', note: long(2000) },
    { agentId: 'ana', body: 'ok', note: long(2001) },
    { agentId: 'ana', body: 'ok', note: 7 },
    { agentId: 'ana', body: 'ok', note: '  kept as written ' },
  ],
  assign: [{ agentId: 'lee', assignee: ' ana ' }, { agentId: 'lee', assignee: '' }, { agentId: 'lee' }],
  reply: [
    { agentId: 'ana', body: 'Done.' },
    { agentId: 'ana', body: ['Done.'] },
  ],
  resolve: [
    { agentId: 'ana' },
    { agentId: 'ana', reason: ' fixed ' },
    { agentId: 'ana', reason: '' },
    { agentId: 'ana', reason: long(101) },
  ],
  handback: [
    { agentId: 'ana', note: 'AI can take it' },
    { agentId: 'ana', note: null },
  ],
  reclassify: [
    { agentId: 'ana', changes: { urgency: 'critical' } },
    {
      agentId: 'ana',
      changes: { issueType: 'billing', requestsHuman: false, sentiment: 'negative', complexity: 'low', repeatability: 'semi' },
    },
    { agentId: 'ana', changes: {} },
    { agentId: 'ana', changes: { urgency: 'whenever' } },
    { agentId: 'ana', changes: { requestsHuman: 'yes' } },
    { agentId: 'ana', changes: { colour: 'red' } },
    { agentId: 'ana', changes: { urgency: 'low', colour: 'red' } },
    { agentId: 'ana', changes: 'urgent' },
    { agentId: 'ana' },
  ],
  note: [
    { agentId: 'ana', body: ' Called the customer. ' },
    { agentId: 'ana', body: '' },
    { agentId: 'ana' },
    { agentId: 'ana', body: long(20_001) },
  ],
  reprioritize: [
    { agentId: 'lee', level: 'P1', reason: 'outage for a key account' },
    { agentId: 'lee', level: 'P5', reason: 'x' },
    { agentId: 'lee', level: 'P2' },
    { agentId: 'lee', level: 'P2', reason: ' ' },
  ],
  feedback: [
    {
      agentId: 'ana',
      draftId: 't:draft:3',
      rating: 'down',
      reasons: ['tone', 'wrong_answer', 'tone'],
      correction: 'Say this.',
      flag: true,
    },
    { agentId: 'ana', draftId: 't:draft:3', rating: 'up' },
    { agentId: 'ana', draftId: 't:draft:3', rating: 'meh' },
    { agentId: 'ana', draftId: 't:draft:3', reasons: ['rude'] },
    { agentId: 'ana', draftId: 't:draft:3', correction: 'é'.repeat(10_240) },
    { agentId: 'ana', draftId: 't:draft:3', correction: 'é'.repeat(10_241) },
    { agentId: 'ana', draftId: 't:draft:3', correction: '   ' },
    { agentId: 'ana', draftId: 't:draft:3', flag: 'yes' },
    { agentId: 'ana', rating: 'up' },
    { agentId: 'ana', draftId: 't:draft:3', messageId: 't:out:4', rating: 'up' },
  ],
};

it.each(actionNames.flatMap((action) => [...common, ...cases[action]].map((raw) => [action, JSON.stringify(raw), raw] as const)))(
  '%s %s: the workflow and the API agree',
  (action, _label, raw) => {
    const api = ActionPayloads[action].safeParse(raw);
    const workflow = parseActionPayload(action, raw);
    expect('payload' in workflow).toBe(api.success);
    if (api.success && 'payload' in workflow) expect(workflow.payload).toEqual(api.data);
  },
);
