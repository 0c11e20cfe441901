CREATE TABLE "ai_capacity_targets" (
	"id" serial PRIMARY KEY NOT NULL,
	"quarter" text NOT NULL,
	"category" text,
	"target_share" double precision NOT NULL,
	"set_by" text NOT NULL,
	"set_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ai_feedback" (
	"id" text PRIMARY KEY NOT NULL,
	"ticket_id" text NOT NULL,
	"draft_id" text NOT NULL,
	"message_id" text,
	"agent" text NOT NULL,
	"source" text NOT NULL,
	"rating" text,
	"reasons" text[] DEFAULT '{}'::text[] NOT NULL,
	"correction" text,
	"flag" boolean DEFAULT false NOT NULL,
	"category" text,
	"edit_size" double precision,
	"created_at" timestamp with time zone NOT NULL,
	"superseded_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "approved_examples" (
	"id" text PRIMARY KEY NOT NULL,
	"category" text NOT NULL,
	"question" text NOT NULL,
	"answer" text NOT NULL,
	"source_item_id" text NOT NULL,
	"corrected_by" text,
	"approved_by" text NOT NULL,
	"search" "tsvector" GENERATED ALWAYS AS (to_tsvector('english', "approved_examples"."question")) STORED,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "overrides" (
	"ticket_id" text NOT NULL,
	"seq" integer NOT NULL,
	"field" text NOT NULL,
	"ai_value" text,
	"before" text,
	"after" text,
	"actor" text NOT NULL,
	"reason" text,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "overrides_ticket_id_seq_field_pk" PRIMARY KEY("ticket_id","seq","field")
);
--> statement-breakpoint
CREATE TABLE "review_items" (
	"id" text PRIMARY KEY NOT NULL,
	"week" text NOT NULL,
	"draft_id" text NOT NULL,
	"ticket_id" text NOT NULL,
	"category" text,
	"status" text DEFAULT 'open' NOT NULL,
	"verdict" text,
	"comment" text,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "review_verdicts" (
	"id" serial PRIMARY KEY NOT NULL,
	"item_id" text NOT NULL,
	"verdict" text NOT NULL,
	"comment" text,
	"correction" text,
	"corrected_by" text,
	"article_id" text,
	"by" text NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "ai_category" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "ai_complexity" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "ai_repeatability" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "ai_urgency" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "ai_priority_level" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "ai_mode" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "complexity" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "repeatability" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "urgency" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "human_touched" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "first_response_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "first_resolution_mode" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "first_resolved_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "ended_by" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "reopens" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "follow_ups" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "ms_ai" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "ms_review" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "ms_customer" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "ms_queue" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "ms_person" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "ai_capacity_targets_idx" ON "ai_capacity_targets" USING btree ("quarter",coalesce("category", ''));--> statement-breakpoint
CREATE INDEX "ai_feedback_created_idx" ON "ai_feedback" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "ai_feedback_draft_idx" ON "ai_feedback" USING btree ("draft_id","agent");--> statement-breakpoint
CREATE INDEX "ai_feedback_agent_idx" ON "ai_feedback" USING btree ("agent","created_at");--> statement-breakpoint
CREATE INDEX "ai_feedback_category_idx" ON "ai_feedback" USING btree ("category","created_at");--> statement-breakpoint
CREATE INDEX "approved_examples_category_idx" ON "approved_examples" USING btree ("category");--> statement-breakpoint
CREATE INDEX "approved_examples_search_idx" ON "approved_examples" USING gin ("search");--> statement-breakpoint
CREATE INDEX "overrides_at_idx" ON "overrides" USING btree ("at","field");--> statement-breakpoint
CREATE UNIQUE INDEX "review_items_draft_idx" ON "review_items" USING btree ("draft_id");--> statement-breakpoint
CREATE INDEX "review_items_week_idx" ON "review_items" USING btree ("week","status");--> statement-breakpoint
CREATE INDEX "review_verdicts_item_idx" ON "review_verdicts" USING btree ("item_id","at");--> statement-breakpoint
CREATE INDEX "tickets_created_idx" ON "tickets" USING btree ("created_at");