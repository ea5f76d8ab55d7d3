CREATE TABLE "integrations" (
	"id" text PRIMARY KEY NOT NULL,
	"tool" text NOT NULL,
	"category" text NOT NULL,
	"origin_id" text,
	"organization_name" text,
	"creator_email" text,
	"state" text,
	"setup_status" text,
	"qa_status" text,
	"is_paused" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ats_application_stages" (
	"integration_id" text NOT NULL,
	"id" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"remote_deleted_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"kombo_fetched_at" timestamp with time zone NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_run_id" bigint,
	"remote_id" text,
	"name" text,
	CONSTRAINT "ats_application_stages_pkey" PRIMARY KEY("integration_id","id")
);
--> statement-breakpoint
CREATE TABLE "ats_applications" (
	"integration_id" text NOT NULL,
	"id" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"remote_deleted_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"kombo_fetched_at" timestamp with time zone NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_run_id" bigint,
	"remote_id" text,
	"outcome" text,
	"rejection_reason_name" text,
	"rejected_at" timestamp with time zone,
	"current_stage_id" text,
	"job_id" text,
	"candidate_id" text,
	"screening_question_answers" jsonb,
	"custom_fields" jsonb,
	"integration_fields" jsonb,
	"remote_url" text,
	"remote_created_at" timestamp with time zone,
	"remote_updated_at" timestamp with time zone,
	"candidate" jsonb,
	"current_stage" jsonb,
	"job" jsonb,
	"interviews" jsonb,
	"offers" jsonb,
	CONSTRAINT "ats_applications_pkey" PRIMARY KEY("integration_id","id")
);
--> statement-breakpoint
CREATE TABLE "ats_candidates" (
	"integration_id" text NOT NULL,
	"id" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"remote_deleted_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"kombo_fetched_at" timestamp with time zone NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_run_id" bigint,
	"remote_id" text,
	"first_name" text,
	"last_name" text,
	"company" text,
	"title" text,
	"confidential" boolean,
	"source" text,
	"phone_numbers" jsonb,
	"email_addresses" jsonb,
	"social_media" jsonb,
	"location" jsonb,
	"custom_fields" jsonb,
	"integration_fields" jsonb,
	"remote_url" text,
	"remote_created_at" timestamp with time zone,
	"remote_updated_at" timestamp with time zone,
	"applications" jsonb,
	"tags" jsonb,
	CONSTRAINT "ats_candidates_pkey" PRIMARY KEY("integration_id","id")
);
--> statement-breakpoint
CREATE TABLE "ats_interviews" (
	"integration_id" text NOT NULL,
	"id" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"remote_deleted_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"kombo_fetched_at" timestamp with time zone NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_run_id" bigint,
	"remote_id" text,
	"title" text,
	"starting_at" timestamp with time zone,
	"ending_at" timestamp with time zone,
	"location" jsonb,
	"video_conferencing_url" text,
	"application_id" text,
	"stage_id" text,
	"canceled" boolean,
	"remote_created_at" timestamp with time zone,
	"remote_updated_at" timestamp with time zone,
	"users" jsonb,
	"application" jsonb,
	CONSTRAINT "ats_interviews_pkey" PRIMARY KEY("integration_id","id")
);
--> statement-breakpoint
CREATE TABLE "ats_jobs" (
	"integration_id" text NOT NULL,
	"id" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"remote_deleted_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"kombo_fetched_at" timestamp with time zone NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_run_id" bigint,
	"remote_id" text,
	"name" text,
	"job_code" text,
	"description" text,
	"confidential" boolean,
	"weekly_hours" double precision,
	"employment_type" text,
	"status" text,
	"visibility" text,
	"category" text,
	"department" text,
	"post_url" text,
	"experience_level" text,
	"remote_work_status" text,
	"salary_amount" double precision,
	"salary_amount_from" double precision,
	"salary_amount_to" double precision,
	"salary_currency" text,
	"salary_period" text,
	"location" jsonb,
	"custom_fields" jsonb,
	"integration_fields" jsonb,
	"remote_url" text,
	"opened_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"remote_created_at" timestamp with time zone,
	"remote_updated_at" timestamp with time zone,
	"contact_id" text,
	"stages" jsonb,
	"screening_questions" jsonb,
	"job_postings" jsonb,
	"hiring_team" jsonb,
	CONSTRAINT "ats_jobs_pkey" PRIMARY KEY("integration_id","id")
);
--> statement-breakpoint
CREATE TABLE "ats_offers" (
	"integration_id" text NOT NULL,
	"id" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"remote_deleted_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"kombo_fetched_at" timestamp with time zone NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_run_id" bigint,
	"remote_id" text,
	"status" text,
	"employment_start_date" timestamp with time zone,
	"application_id" text,
	"custom_fields" jsonb,
	"integration_fields" jsonb,
	"remote_created_at" timestamp with time zone,
	"remote_updated_at" timestamp with time zone,
	"application" jsonb,
	CONSTRAINT "ats_offers_pkey" PRIMARY KEY("integration_id","id")
);
--> statement-breakpoint
CREATE TABLE "ats_rejection_reasons" (
	"integration_id" text NOT NULL,
	"id" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"remote_deleted_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"kombo_fetched_at" timestamp with time zone NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_run_id" bigint,
	"remote_id" text,
	"name" text,
	CONSTRAINT "ats_rejection_reasons_pkey" PRIMARY KEY("integration_id","id")
);
--> statement-breakpoint
CREATE TABLE "ats_tags" (
	"integration_id" text NOT NULL,
	"id" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"remote_deleted_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"kombo_fetched_at" timestamp with time zone NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_run_id" bigint,
	"remote_id" text,
	"name" text,
	CONSTRAINT "ats_tags_pkey" PRIMARY KEY("integration_id","id")
);
--> statement-breakpoint
CREATE TABLE "ats_users" (
	"integration_id" text NOT NULL,
	"id" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"remote_deleted_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"kombo_fetched_at" timestamp with time zone NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_run_id" bigint,
	"remote_id" text,
	"first_name" text,
	"last_name" text,
	"email" text,
	"status" text,
	"system_roles" jsonb,
	CONSTRAINT "ats_users_pkey" PRIMARY KEY("integration_id","id")
);
--> statement-breakpoint
CREATE TABLE "hris_absence_types" (
	"integration_id" text NOT NULL,
	"id" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"remote_deleted_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"kombo_fetched_at" timestamp with time zone NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_run_id" bigint,
	"remote_id" text,
	"name" text,
	"unit" text,
	"half_days_supported" boolean,
	"exact_times_supported" boolean,
	CONSTRAINT "hris_absence_types_pkey" PRIMARY KEY("integration_id","id")
);
--> statement-breakpoint
CREATE TABLE "hris_absences" (
	"integration_id" text NOT NULL,
	"id" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"remote_deleted_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"kombo_fetched_at" timestamp with time zone NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_run_id" bigint,
	"remote_id" text,
	"employee_id" text NOT NULL,
	"approver_id" text,
	"start_date" text,
	"end_date" text,
	"start_half_day" boolean,
	"end_half_day" boolean,
	"start_time" text,
	"end_time" text,
	"amount" double precision,
	"unit" text,
	"status" text,
	"employee_note" text,
	"type_id" text,
	"remote_created_at" timestamp with time zone,
	"remote_updated_at" timestamp with time zone,
	"type" jsonb,
	CONSTRAINT "hris_absences_pkey" PRIMARY KEY("integration_id","id")
);
--> statement-breakpoint
CREATE TABLE "hris_employees" (
	"integration_id" text NOT NULL,
	"id" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"remote_deleted_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"kombo_fetched_at" timestamp with time zone NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_run_id" bigint,
	"remote_id" text,
	"employee_number" text,
	"first_name" text,
	"last_name" text,
	"nationality" text,
	"display_full_name" text,
	"job_title" text,
	"work_email" text,
	"personal_email" text,
	"mobile_phone_number" text,
	"ssn" text,
	"tax_id" text,
	"gender" text,
	"ethnicity" text,
	"marital_status" text,
	"employment_status" text,
	"employment_type" text,
	"weekly_hours" double precision,
	"avatar" text,
	"work_location_id" text,
	"legal_entity_id" text,
	"manager_id" text,
	"home_address" jsonb,
	"bank_accounts" jsonb,
	"date_of_birth" timestamp with time zone,
	"start_date" timestamp with time zone,
	"termination_date" timestamp with time zone,
	"remote_created_at" timestamp with time zone,
	"custom_fields" jsonb,
	"integration_fields" jsonb,
	"employments" jsonb,
	"time_off_balances" jsonb,
	"manager" jsonb,
	"groups" jsonb,
	"legal_entity" jsonb,
	"work_location" jsonb,
	CONSTRAINT "hris_employees_pkey" PRIMARY KEY("integration_id","id")
);
--> statement-breakpoint
CREATE TABLE "hris_employments" (
	"integration_id" text NOT NULL,
	"id" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"remote_deleted_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"kombo_fetched_at" timestamp with time zone NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_run_id" bigint,
	"remote_id" text,
	"employee_id" text NOT NULL,
	"job_title" text,
	"pay_rate" double precision,
	"pay_period" text,
	"pay_frequency" text,
	"employment_type" text,
	"pay_currency" text,
	"effective_date" timestamp with time zone,
	"custom_fields" jsonb,
	"integration_fields" jsonb,
	CONSTRAINT "hris_employments_pkey" PRIMARY KEY("integration_id","id")
);
--> statement-breakpoint
CREATE TABLE "hris_groups" (
	"integration_id" text NOT NULL,
	"id" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"remote_deleted_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"kombo_fetched_at" timestamp with time zone NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_run_id" bigint,
	"remote_id" text,
	"name" text,
	"type" text,
	"parent_id" text,
	CONSTRAINT "hris_groups_pkey" PRIMARY KEY("integration_id","id")
);
--> statement-breakpoint
CREATE TABLE "hris_legal_entities" (
	"integration_id" text NOT NULL,
	"id" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"remote_deleted_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"kombo_fetched_at" timestamp with time zone NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_run_id" bigint,
	"remote_id" text,
	"name" text,
	"address" jsonb,
	CONSTRAINT "hris_legal_entities_pkey" PRIMARY KEY("integration_id","id")
);
--> statement-breakpoint
CREATE TABLE "hris_locations" (
	"integration_id" text NOT NULL,
	"id" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"remote_deleted_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"kombo_fetched_at" timestamp with time zone NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_run_id" bigint,
	"remote_id" text,
	"name" text,
	"address" jsonb,
	"type" text,
	CONSTRAINT "hris_locations_pkey" PRIMARY KEY("integration_id","id")
);
--> statement-breakpoint
CREATE TABLE "hris_time_off_balances" (
	"integration_id" text NOT NULL,
	"id" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"remote_deleted_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"kombo_fetched_at" timestamp with time zone NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_run_id" bigint,
	"remote_id" text,
	"employee_id" text NOT NULL,
	"type_id" text NOT NULL,
	"balance" double precision,
	"balance_unit" text,
	"used" double precision,
	"used_unit" text,
	"type" jsonb,
	CONSTRAINT "hris_time_off_balances_pkey" PRIMARY KEY("integration_id","id")
);
--> statement-breakpoint
CREATE TABLE "sync_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"integration_id" text NOT NULL,
	"kind" text NOT NULL,
	"trigger" text NOT NULL,
	"request_ids" text[] DEFAULT '{}' NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"status" text DEFAULT 'running' NOT NULL,
	"counts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"error" text
);
--> statement-breakpoint
CREATE UNLOGGED TABLE "sync_seen_ids" (
	"run_id" bigint NOT NULL,
	"model" text NOT NULL,
	"id" text NOT NULL,
	CONSTRAINT "sync_seen_ids_run_id_model_id_pk" PRIMARY KEY("run_id","model","id")
);
--> statement-breakpoint
CREATE TABLE "sync_state" (
	"integration_id" text NOT NULL,
	"model" text NOT NULL,
	"watermark" timestamp with time zone,
	"last_delta_sync_at" timestamp with time zone,
	"last_full_sync_at" timestamp with time zone,
	"last_success_at" timestamp with time zone,
	"last_error_code" text,
	"last_error_message" text,
	"last_error_log_url" text,
	"last_error_at" timestamp with time zone,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"skipped_reason" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sync_state_integration_id_model_pk" PRIMARY KEY("integration_id","model")
);
--> statement-breakpoint
CREATE INDEX "integrations_origin_id_idx" ON "integrations" USING btree ("origin_id");--> statement-breakpoint
CREATE INDEX "ats_application_stages_deleted_idx" ON "ats_application_stages" USING btree ("integration_id","remote_deleted_at");--> statement-breakpoint
CREATE INDEX "ats_applications_deleted_idx" ON "ats_applications" USING btree ("integration_id","remote_deleted_at");--> statement-breakpoint
CREATE INDEX "ats_applications_candidate_id_idx" ON "ats_applications" USING btree ("integration_id","candidate_id");--> statement-breakpoint
CREATE INDEX "ats_applications_job_id_idx" ON "ats_applications" USING btree ("integration_id","job_id");--> statement-breakpoint
CREATE INDEX "ats_candidates_deleted_idx" ON "ats_candidates" USING btree ("integration_id","remote_deleted_at");--> statement-breakpoint
CREATE INDEX "ats_interviews_deleted_idx" ON "ats_interviews" USING btree ("integration_id","remote_deleted_at");--> statement-breakpoint
CREATE INDEX "ats_interviews_application_id_idx" ON "ats_interviews" USING btree ("integration_id","application_id");--> statement-breakpoint
CREATE INDEX "ats_jobs_deleted_idx" ON "ats_jobs" USING btree ("integration_id","remote_deleted_at");--> statement-breakpoint
CREATE INDEX "ats_jobs_status_idx" ON "ats_jobs" USING btree ("integration_id","status");--> statement-breakpoint
CREATE INDEX "ats_offers_deleted_idx" ON "ats_offers" USING btree ("integration_id","remote_deleted_at");--> statement-breakpoint
CREATE INDEX "ats_offers_application_id_idx" ON "ats_offers" USING btree ("integration_id","application_id");--> statement-breakpoint
CREATE INDEX "ats_rejection_reasons_deleted_idx" ON "ats_rejection_reasons" USING btree ("integration_id","remote_deleted_at");--> statement-breakpoint
CREATE INDEX "ats_tags_deleted_idx" ON "ats_tags" USING btree ("integration_id","remote_deleted_at");--> statement-breakpoint
CREATE INDEX "ats_users_deleted_idx" ON "ats_users" USING btree ("integration_id","remote_deleted_at");--> statement-breakpoint
CREATE INDEX "ats_users_email_idx" ON "ats_users" USING btree ("integration_id","email");--> statement-breakpoint
CREATE INDEX "hris_absence_types_deleted_idx" ON "hris_absence_types" USING btree ("integration_id","remote_deleted_at");--> statement-breakpoint
CREATE INDEX "hris_absences_deleted_idx" ON "hris_absences" USING btree ("integration_id","remote_deleted_at");--> statement-breakpoint
CREATE INDEX "hris_absences_employee_id_idx" ON "hris_absences" USING btree ("integration_id","employee_id");--> statement-breakpoint
CREATE INDEX "hris_employees_deleted_idx" ON "hris_employees" USING btree ("integration_id","remote_deleted_at");--> statement-breakpoint
CREATE INDEX "hris_employees_work_email_idx" ON "hris_employees" USING btree ("integration_id","work_email");--> statement-breakpoint
CREATE INDEX "hris_employees_manager_id_idx" ON "hris_employees" USING btree ("integration_id","manager_id");--> statement-breakpoint
CREATE INDEX "hris_employees_employment_status_idx" ON "hris_employees" USING btree ("integration_id","employment_status");--> statement-breakpoint
CREATE INDEX "hris_employments_deleted_idx" ON "hris_employments" USING btree ("integration_id","remote_deleted_at");--> statement-breakpoint
CREATE INDEX "hris_employments_employee_id_idx" ON "hris_employments" USING btree ("integration_id","employee_id");--> statement-breakpoint
CREATE INDEX "hris_groups_deleted_idx" ON "hris_groups" USING btree ("integration_id","remote_deleted_at");--> statement-breakpoint
CREATE INDEX "hris_groups_parent_id_idx" ON "hris_groups" USING btree ("integration_id","parent_id");--> statement-breakpoint
CREATE INDEX "hris_legal_entities_deleted_idx" ON "hris_legal_entities" USING btree ("integration_id","remote_deleted_at");--> statement-breakpoint
CREATE INDEX "hris_locations_deleted_idx" ON "hris_locations" USING btree ("integration_id","remote_deleted_at");--> statement-breakpoint
CREATE INDEX "hris_time_off_balances_deleted_idx" ON "hris_time_off_balances" USING btree ("integration_id","remote_deleted_at");--> statement-breakpoint
CREATE INDEX "hris_time_off_balances_employee_id_idx" ON "hris_time_off_balances" USING btree ("integration_id","employee_id");--> statement-breakpoint
CREATE INDEX "sync_runs_integration_id_id_idx" ON "sync_runs" USING btree ("integration_id","id");