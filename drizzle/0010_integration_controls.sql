ALTER TABLE "integrations" ADD COLUMN "pause_changed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "models" text[];--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "full_interval_ms" bigint;--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "safety_net_interval_ms" bigint;