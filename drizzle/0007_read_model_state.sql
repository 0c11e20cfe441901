ALTER TABLE "tickets" ADD COLUMN "request_hash" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "state" jsonb;