CREATE TABLE "ats_roles" (
	"integration_id" text NOT NULL,
	"id" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"remote_deleted_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"raw_hash" "bytea",
	"kombo_fetched_at" timestamp with time zone NOT NULL,
	"kombo_fetch_order" bigint DEFAULT 0 NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_run_id" bigint,
	"remote_id" text,
	"remote_label" text,
	"scope" text,
	"unified_type" text,
	CONSTRAINT "ats_roles_pkey" PRIMARY KEY("integration_id","id")
);
--> statement-breakpoint
CREATE TABLE "hris_employee_document_categories" (
	"integration_id" text NOT NULL,
	"id" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"remote_deleted_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"raw_hash" "bytea",
	"kombo_fetched_at" timestamp with time zone NOT NULL,
	"kombo_fetch_order" bigint DEFAULT 0 NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_run_id" bigint,
	"remote_id" text,
	"name" text,
	CONSTRAINT "hris_employee_document_categories_pkey" PRIMARY KEY("integration_id","id")
);
--> statement-breakpoint
CREATE TABLE "hris_employee_skill_assignments" (
	"integration_id" text NOT NULL,
	"id" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"remote_deleted_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"raw_hash" "bytea",
	"kombo_fetched_at" timestamp with time zone NOT NULL,
	"kombo_fetch_order" bigint DEFAULT 0 NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_run_id" bigint,
	"employee_id" text NOT NULL,
	"skill_id" text NOT NULL,
	"current_level" text,
	CONSTRAINT "hris_employee_skill_assignments_pkey" PRIMARY KEY("integration_id","id")
);
--> statement-breakpoint
CREATE TABLE "hris_performance_review_cycles" (
	"integration_id" text NOT NULL,
	"id" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"remote_deleted_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"raw_hash" "bytea",
	"kombo_fetched_at" timestamp with time zone NOT NULL,
	"kombo_fetch_order" bigint DEFAULT 0 NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_run_id" bigint,
	"remote_id" text,
	"name" text,
	"review_period_start_date" timestamp with time zone,
	CONSTRAINT "hris_performance_review_cycles_pkey" PRIMARY KEY("integration_id","id")
);
--> statement-breakpoint
CREATE TABLE "hris_performance_reviews" (
	"integration_id" text NOT NULL,
	"id" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"remote_deleted_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"raw_hash" "bytea",
	"kombo_fetched_at" timestamp with time zone NOT NULL,
	"kombo_fetch_order" bigint DEFAULT 0 NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_run_id" bigint,
	"remote_id" text,
	"type" text,
	"summary_comment" text,
	"summary_rating" jsonb,
	"reviewee" jsonb,
	"reviewer" jsonb,
	"review_cycle" jsonb,
	CONSTRAINT "hris_performance_reviews_pkey" PRIMARY KEY("integration_id","id")
);
--> statement-breakpoint
CREATE TABLE "hris_skills" (
	"integration_id" text NOT NULL,
	"id" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"remote_deleted_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"raw_hash" "bytea",
	"kombo_fetched_at" timestamp with time zone NOT NULL,
	"kombo_fetch_order" bigint DEFAULT 0 NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_run_id" bigint,
	"remote_id" text,
	"name" text,
	"description" text,
	"ordered_levels" jsonb,
	CONSTRAINT "hris_skills_pkey" PRIMARY KEY("integration_id","id")
);
--> statement-breakpoint
CREATE TABLE "hris_staffing_entities" (
	"integration_id" text NOT NULL,
	"id" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"remote_deleted_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"raw_hash" "bytea",
	"kombo_fetched_at" timestamp with time zone NOT NULL,
	"kombo_fetch_order" bigint DEFAULT 0 NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_run_id" bigint,
	"remote_id" text,
	"name" text,
	"model_type" text,
	"description" text,
	"status" text,
	"employment_types" jsonb,
	"number_of_openings" double precision,
	"parent_id" text,
	"remote_url" text,
	"remote_created_at" timestamp with time zone,
	"remote_updated_at" timestamp with time zone,
	"custom_fields" jsonb,
	"integration_fields" jsonb,
	"locations" jsonb,
	"legal_entities" jsonb,
	"groups" jsonb,
	CONSTRAINT "hris_staffing_entities_pkey" PRIMARY KEY("integration_id","id")
);
--> statement-breakpoint
CREATE TABLE "hris_timesheets" (
	"integration_id" text NOT NULL,
	"id" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"remote_deleted_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"raw_hash" "bytea",
	"kombo_fetched_at" timestamp with time zone NOT NULL,
	"kombo_fetch_order" bigint DEFAULT 0 NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_run_id" bigint,
	"remote_id" text,
	"employee_id" text NOT NULL,
	"started_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"timezone" text,
	"payable_hours" double precision,
	"unpaid_break_minutes" double precision,
	"breaks" jsonb,
	"approval_status" text,
	"approved_at" timestamp with time zone,
	"comment" text,
	"custom_fields" jsonb,
	"integration_fields" jsonb,
	CONSTRAINT "hris_timesheets_pkey" PRIMARY KEY("integration_id","id")
);
--> statement-breakpoint
CREATE INDEX "ats_roles_deleted_idx" ON "ats_roles" USING btree ("integration_id","remote_deleted_at");--> statement-breakpoint
CREATE INDEX "hris_employee_document_categories_deleted_idx" ON "hris_employee_document_categories" USING btree ("integration_id","remote_deleted_at");--> statement-breakpoint
CREATE INDEX "hris_employee_skill_assignments_deleted_idx" ON "hris_employee_skill_assignments" USING btree ("integration_id","remote_deleted_at");--> statement-breakpoint
CREATE INDEX "hris_employee_skill_assignments_employee_id_idx" ON "hris_employee_skill_assignments" USING btree ("integration_id","employee_id");--> statement-breakpoint
CREATE INDEX "hris_performance_review_cycles_deleted_idx" ON "hris_performance_review_cycles" USING btree ("integration_id","remote_deleted_at");--> statement-breakpoint
CREATE INDEX "hris_performance_reviews_deleted_idx" ON "hris_performance_reviews" USING btree ("integration_id","remote_deleted_at");--> statement-breakpoint
CREATE INDEX "hris_skills_deleted_idx" ON "hris_skills" USING btree ("integration_id","remote_deleted_at");--> statement-breakpoint
CREATE INDEX "hris_staffing_entities_deleted_idx" ON "hris_staffing_entities" USING btree ("integration_id","remote_deleted_at");--> statement-breakpoint
CREATE INDEX "hris_staffing_entities_parent_id_idx" ON "hris_staffing_entities" USING btree ("integration_id","parent_id");--> statement-breakpoint
CREATE INDEX "hris_timesheets_deleted_idx" ON "hris_timesheets" USING btree ("integration_id","remote_deleted_at");--> statement-breakpoint
CREATE INDEX "hris_timesheets_employee_id_idx" ON "hris_timesheets" USING btree ("integration_id","employee_id");