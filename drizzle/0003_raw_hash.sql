ALTER TABLE "ats_application_stages" ADD COLUMN "raw_hash" bytea;--> statement-breakpoint
ALTER TABLE "ats_applications" ADD COLUMN "raw_hash" bytea;--> statement-breakpoint
ALTER TABLE "ats_candidates" ADD COLUMN "raw_hash" bytea;--> statement-breakpoint
ALTER TABLE "ats_interviews" ADD COLUMN "raw_hash" bytea;--> statement-breakpoint
ALTER TABLE "ats_jobs" ADD COLUMN "raw_hash" bytea;--> statement-breakpoint
ALTER TABLE "ats_offers" ADD COLUMN "raw_hash" bytea;--> statement-breakpoint
ALTER TABLE "ats_rejection_reasons" ADD COLUMN "raw_hash" bytea;--> statement-breakpoint
ALTER TABLE "ats_tags" ADD COLUMN "raw_hash" bytea;--> statement-breakpoint
ALTER TABLE "ats_users" ADD COLUMN "raw_hash" bytea;--> statement-breakpoint
ALTER TABLE "hris_absence_types" ADD COLUMN "raw_hash" bytea;--> statement-breakpoint
ALTER TABLE "hris_absences" ADD COLUMN "raw_hash" bytea;--> statement-breakpoint
ALTER TABLE "hris_employees" ADD COLUMN "raw_hash" bytea;--> statement-breakpoint
ALTER TABLE "hris_employments" ADD COLUMN "raw_hash" bytea;--> statement-breakpoint
ALTER TABLE "hris_groups" ADD COLUMN "raw_hash" bytea;--> statement-breakpoint
ALTER TABLE "hris_legal_entities" ADD COLUMN "raw_hash" bytea;--> statement-breakpoint
ALTER TABLE "hris_locations" ADD COLUMN "raw_hash" bytea;--> statement-breakpoint
ALTER TABLE "hris_time_off_balances" ADD COLUMN "raw_hash" bytea;