CREATE TABLE "maintenance_runs" (
	"task" text PRIMARY KEY NOT NULL,
	"claimed_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"result" jsonb
);
--> statement-breakpoint
CREATE TABLE "purged_records" (
	"integration_id" text NOT NULL,
	"model" text NOT NULL,
	"record_id" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"purged_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "purged_records_integration_id_model_record_id_pk" PRIMARY KEY("integration_id","model","record_id")
);
--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "last_run_id" bigint;--> statement-breakpoint
CREATE INDEX "ats_application_stages_purge_idx" ON "ats_application_stages" USING btree ("remote_deleted_at") WHERE "ats_application_stages"."remote_deleted_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "ats_applications_purge_idx" ON "ats_applications" USING btree ("remote_deleted_at") WHERE "ats_applications"."remote_deleted_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "ats_candidates_purge_idx" ON "ats_candidates" USING btree ("remote_deleted_at") WHERE "ats_candidates"."remote_deleted_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "ats_interviews_purge_idx" ON "ats_interviews" USING btree ("remote_deleted_at") WHERE "ats_interviews"."remote_deleted_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "ats_jobs_purge_idx" ON "ats_jobs" USING btree ("remote_deleted_at") WHERE "ats_jobs"."remote_deleted_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "ats_offers_purge_idx" ON "ats_offers" USING btree ("remote_deleted_at") WHERE "ats_offers"."remote_deleted_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "ats_rejection_reasons_purge_idx" ON "ats_rejection_reasons" USING btree ("remote_deleted_at") WHERE "ats_rejection_reasons"."remote_deleted_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "ats_roles_purge_idx" ON "ats_roles" USING btree ("remote_deleted_at") WHERE "ats_roles"."remote_deleted_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "ats_tags_purge_idx" ON "ats_tags" USING btree ("remote_deleted_at") WHERE "ats_tags"."remote_deleted_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "ats_users_purge_idx" ON "ats_users" USING btree ("remote_deleted_at") WHERE "ats_users"."remote_deleted_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "hris_absence_types_purge_idx" ON "hris_absence_types" USING btree ("remote_deleted_at") WHERE "hris_absence_types"."remote_deleted_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "hris_absences_purge_idx" ON "hris_absences" USING btree ("remote_deleted_at") WHERE "hris_absences"."remote_deleted_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "hris_employee_document_categories_purge_idx" ON "hris_employee_document_categories" USING btree ("remote_deleted_at") WHERE "hris_employee_document_categories"."remote_deleted_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "hris_employee_skill_assignments_purge_idx" ON "hris_employee_skill_assignments" USING btree ("remote_deleted_at") WHERE "hris_employee_skill_assignments"."remote_deleted_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "hris_employees_purge_idx" ON "hris_employees" USING btree ("remote_deleted_at") WHERE "hris_employees"."remote_deleted_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "hris_employments_purge_idx" ON "hris_employments" USING btree ("remote_deleted_at") WHERE "hris_employments"."remote_deleted_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "hris_groups_purge_idx" ON "hris_groups" USING btree ("remote_deleted_at") WHERE "hris_groups"."remote_deleted_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "hris_legal_entities_purge_idx" ON "hris_legal_entities" USING btree ("remote_deleted_at") WHERE "hris_legal_entities"."remote_deleted_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "hris_locations_purge_idx" ON "hris_locations" USING btree ("remote_deleted_at") WHERE "hris_locations"."remote_deleted_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "hris_performance_review_cycles_purge_idx" ON "hris_performance_review_cycles" USING btree ("remote_deleted_at") WHERE "hris_performance_review_cycles"."remote_deleted_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "hris_performance_reviews_purge_idx" ON "hris_performance_reviews" USING btree ("remote_deleted_at") WHERE "hris_performance_reviews"."remote_deleted_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "hris_skills_purge_idx" ON "hris_skills" USING btree ("remote_deleted_at") WHERE "hris_skills"."remote_deleted_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "hris_staffing_entities_purge_idx" ON "hris_staffing_entities" USING btree ("remote_deleted_at") WHERE "hris_staffing_entities"."remote_deleted_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "hris_time_off_balances_purge_idx" ON "hris_time_off_balances" USING btree ("remote_deleted_at") WHERE "hris_time_off_balances"."remote_deleted_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "hris_timesheets_purge_idx" ON "hris_timesheets" USING btree ("remote_deleted_at") WHERE "hris_timesheets"."remote_deleted_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "sync_runs_started_at_idx" ON "sync_runs" USING btree ("started_at");--> statement-breakpoint
CREATE INDEX "sync_runs_failed_idx" ON "sync_runs" USING btree ("id") WHERE "sync_runs"."status" IN ('failed', 'partial');--> statement-breakpoint
CREATE INDEX "sync_state_failing_idx" ON "sync_state" USING btree ("integration_id") WHERE "sync_state"."consecutive_failures" > 0;--> statement-breakpoint
CREATE INDEX "sync_state_last_success_idx" ON "sync_state" USING btree ("last_success_at") WHERE "sync_state"."skipped_reason" IS NULL;--> statement-breakpoint
-- hand-written
-- Runs started before the column existed: each integration's latest run.
UPDATE "integrations" AS i SET "last_run_id" = r.max_id
FROM (SELECT "integration_id", max("id") AS max_id FROM "sync_runs" GROUP BY "integration_id") AS r
WHERE r."integration_id" = i."id";
