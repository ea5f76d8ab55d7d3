CREATE TABLE "connection_flow_failures" (
	"event_id" text PRIMARY KEY NOT NULL,
	"tool" text NOT NULL,
	"category" text NOT NULL,
	"origin_id" text,
	"organization_name" text,
	"creator_email" text,
	"log_url" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "state_updated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "kombo_sync_id" text;--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "kombo_sync_state" text;--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "kombo_sync_ended_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "kombo_sync_log_url" text;--> statement-breakpoint
CREATE INDEX "connection_flow_failures_received_at_idx" ON "connection_flow_failures" USING btree ("received_at");