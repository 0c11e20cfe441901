-- Covering indexes for the feedback reports (src/db/aiQualityReport.ts, src/db/contributorsReport.ts):
-- each reads one kind of feedback, or the AI drafts, by time from the index alone (index-only
-- scans). Written as a custom migration because drizzle-orm 0.45's index builder has no INCLUDE;
-- the drizzle schema (schemaFeedback.ts, schema.ts) names them in comments.
CREATE INDEX IF NOT EXISTS "ai_feedback_current_explicit_idx" ON "ai_feedback" USING btree ("created_at") INCLUDE ("category", "rating", "flag", "correction", "reasons") WHERE "source" = 'explicit' AND "superseded_at" IS NULL;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "ai_feedback_corrections_idx" ON "ai_feedback" USING btree ("created_at") INCLUDE ("agent", "category", "draft_id", "source") WHERE "correction" IS NOT NULL AND "source" IN ('explicit', 'modify');--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "ai_feedback_takeover_idx" ON "ai_feedback" USING btree ("created_at") INCLUDE ("draft_id") WHERE "source" = 'takeover';--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "ai_feedback_modify_idx" ON "ai_feedback" USING btree ("created_at") INCLUDE ("draft_id", "edit_size") WHERE "source" = 'modify';--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "ai_drafts_created_idx" ON "ai_drafts" USING btree ("created_at") INCLUDE ("category", "outcome");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "ai_drafts_category_created_idx" ON "ai_drafts" USING btree ("category", "created_at") INCLUDE ("outcome");
