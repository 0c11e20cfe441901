CREATE TABLE "routing_policies" (
	"version" text PRIMARY KEY NOT NULL,
	"document" jsonb NOT NULL,
	"active" boolean DEFAULT false NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "routing_policies_one_active_idx" ON "routing_policies" USING btree ("active") WHERE "routing_policies"."active";