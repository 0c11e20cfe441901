CREATE TABLE "ai_calls" (
	"id" text PRIMARY KEY NOT NULL,
	"ticket_id" text,
	"operation" text NOT NULL,
	"provider" text NOT NULL,
	"model" text NOT NULL,
	"prompt_version" text NOT NULL,
	"input_tokens" integer,
	"output_tokens" integer,
	"latency_ms" integer NOT NULL,
	"outcome" text NOT NULL,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "ai_calls_ticket_idx" ON "ai_calls" USING btree ("ticket_id","created_at");