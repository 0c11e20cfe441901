DROP INDEX "tickets_external_id_idx";--> statement-breakpoint
CREATE INDEX "tickets_external_id_idx" ON "tickets" USING btree ("external_id");