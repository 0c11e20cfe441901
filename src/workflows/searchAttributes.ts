import { defineSearchAttributeKey } from '@temporalio/common';

// Typed search attributes every ticket upserts on each status change, so ops can filter in
// Temporal Web and the CLI. The dev server's SQLite store has 10 Keyword, 3 Int and 3 Bool
// slots: this list stays well inside that budget.
export const TicketStatus = defineSearchAttributeKey('TicketStatus', 'KEYWORD');
export const TicketPriority = defineSearchAttributeKey('TicketPriority', 'KEYWORD');
export const TicketCategory = defineSearchAttributeKey('TicketCategory', 'KEYWORD');
export const CustomerTier = defineSearchAttributeKey('CustomerTier', 'KEYWORD');
export const HandlingMode = defineSearchAttributeKey('HandlingMode', 'KEYWORD');
export const AssignedAgent = defineSearchAttributeKey('AssignedAgent', 'KEYWORD');
export const Escalated = defineSearchAttributeKey('Escalated', 'BOOL');
export const PriorityScore = defineSearchAttributeKey('PriorityScore', 'INT');

export const ticketSearchAttributes = [
  TicketStatus,
  TicketPriority,
  TicketCategory,
  CustomerTier,
  HandlingMode,
  AssignedAgent,
  Escalated,
  PriorityScore,
];
