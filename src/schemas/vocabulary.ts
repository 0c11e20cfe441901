import { z } from 'zod';
import type * as words from '../domain/vocabulary';
import {
  channels,
  complexities,
  escalatingSentiments,
  handlingModes,
  issueTypes,
  messageAuthors,
  planChangeKinds,
  priorityLevels,
  repeatabilities,
  replyVerdicts,
  resolutionModes,
  sentiments,
  ticketStatuses,
  tiers,
  urgencies,
} from '../domain/vocabulary';

// The domain's words as zod enums, built from the same lists the workflow and the database use,
// so a word added to the vocabulary is accepted everywhere at once. Each carries its type too.

export type Channel = words.Channel;
export const Channel = z.enum(channels);
export type IssueType = words.IssueType;
export const IssueType = z.enum(issueTypes);
export type Complexity = words.Complexity;
export const Complexity = z.enum(complexities);
export type Repeatability = words.Repeatability;
export const Repeatability = z.enum(repeatabilities);
export type Urgency = words.Urgency;
export const Urgency = z.enum(urgencies);
export type Sentiment = words.Sentiment;
export const Sentiment = z.enum(sentiments);
export type EscalatingSentiment = words.EscalatingSentiment;
export const EscalatingSentiment = z.enum(escalatingSentiments);
export type ReplyVerdict = words.ReplyVerdict;
export const ReplyVerdict = z.enum(replyVerdicts);
export type TicketStatus = words.TicketStatus;
export const TicketStatus = z.enum(ticketStatuses);
export type HandlingMode = words.HandlingMode;
export const HandlingMode = z.enum(handlingModes);
export type ResolutionMode = words.ResolutionMode;
export const ResolutionMode = z.enum(resolutionModes);
export type MessageAuthor = words.MessageAuthor;
export const MessageAuthor = z.enum(messageAuthors);
export type Tier = words.Tier;
export const Tier = z.enum(tiers);
export type PriorityLevel = words.PriorityLevel;
export const PriorityLevel = z.enum(priorityLevels);
export type PlanChangeKind = words.PlanChangeKind;
export const PlanChangeKind = z.enum(planChangeKinds);
