DROP INDEX "ai_capacity_targets_idx";--> statement-breakpoint
CREATE INDEX "ai_capacity_targets_quarter_idx" ON "ai_capacity_targets" USING btree ("quarter","category","set_at");