ALTER TABLE "messages" ADD COLUMN "posted_by" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "posted_as" text;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "scope" text DEFAULT 'own' NOT NULL;--> statement-breakpoint
-- Service keys made before scopes keep reaching every ticket, as they did; new ones reach their own.
UPDATE "api_keys" SET "scope" = 'all' WHERE "role" = 'service';
