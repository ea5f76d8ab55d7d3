ALTER TABLE "ats_application_stages" ADD COLUMN "kombo_fetch_order" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "ats_applications" ADD COLUMN "kombo_fetch_order" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "ats_candidates" ADD COLUMN "kombo_fetch_order" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "ats_interviews" ADD COLUMN "kombo_fetch_order" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "ats_jobs" ADD COLUMN "kombo_fetch_order" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "ats_offers" ADD COLUMN "kombo_fetch_order" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "ats_rejection_reasons" ADD COLUMN "kombo_fetch_order" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "ats_tags" ADD COLUMN "kombo_fetch_order" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "ats_users" ADD COLUMN "kombo_fetch_order" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "hris_absence_types" ADD COLUMN "kombo_fetch_order" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "hris_absences" ADD COLUMN "kombo_fetch_order" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "hris_employees" ADD COLUMN "kombo_fetch_order" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "hris_employments" ADD COLUMN "kombo_fetch_order" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "hris_groups" ADD COLUMN "kombo_fetch_order" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "hris_legal_entities" ADD COLUMN "kombo_fetch_order" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "hris_locations" ADD COLUMN "kombo_fetch_order" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "hris_time_off_balances" ADD COLUMN "kombo_fetch_order" bigint DEFAULT 0 NOT NULL;