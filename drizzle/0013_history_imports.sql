CREATE TABLE "history_imports" (
	"id" text PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"file_name" text,
	"status" text NOT NULL,
	"rows" integer DEFAULT 0 NOT NULL,
	"classified" integer DEFAULT 0 NOT NULL,
	"problems" jsonb,
	"workflow_id" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "imported_tickets" (
	"id" text PRIMARY KEY NOT NULL,
	"import_id" text NOT NULL,
	"source" text NOT NULL,
	"external_id" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"solved_at" timestamp with time zone,
	"subject" text NOT NULL,
	"description" text NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"channel" text,
	"requester_email" text,
	"assignee" text,
	"replies" integer,
	"first_reply_minutes" double precision,
	"handle_minutes" double precision,
	"csat" integer,
	"reopens" integer DEFAULT 0 NOT NULL,
	"issue_type" text,
	"complexity" text,
	"repeatability" text,
	"urgency" text,
	"classified_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "imported_tickets_source_external" ON "imported_tickets" USING btree ("source","external_id");--> statement-breakpoint
CREATE INDEX "imported_tickets_created" ON "imported_tickets" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "imported_tickets_unclassified" ON "imported_tickets" USING btree ("import_id","id") WHERE "imported_tickets"."classified_at" is null;