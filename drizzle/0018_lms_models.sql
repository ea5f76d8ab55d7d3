CREATE TABLE "lms_course_progressions" (
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
	"user_id" text NOT NULL,
	"course_revision_id" text NOT NULL,
	"status" text,
	"enrolled_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"user" jsonb,
	"course_revision" jsonb,
	CONSTRAINT "lms_course_progressions_pkey" PRIMARY KEY("integration_id","id")
);
--> statement-breakpoint
CREATE TABLE "lms_courses" (
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
	"provider_id" text,
	"origin_id" text,
	"remote_created_at" timestamp with time zone,
	"custom_fields" jsonb,
	"integration_fields" jsonb,
	"provider" jsonb,
	"revisions" jsonb,
	CONSTRAINT "lms_courses_pkey" PRIMARY KEY("integration_id","id")
);
--> statement-breakpoint
CREATE TABLE "lms_skills" (
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
	"remote_created_at" timestamp with time zone,
	"custom_fields" jsonb,
	"integration_fields" jsonb,
	CONSTRAINT "lms_skills_pkey" PRIMARY KEY("integration_id","id")
);
--> statement-breakpoint
CREATE TABLE "lms_users" (
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
	"first_name" text,
	"last_name" text,
	"work_email" text,
	"status" text,
	"remote_created_at" timestamp with time zone,
	"custom_fields" jsonb,
	"integration_fields" jsonb,
	CONSTRAINT "lms_users_pkey" PRIMARY KEY("integration_id","id")
);
--> statement-breakpoint
CREATE INDEX "lms_course_progressions_deleted_idx" ON "lms_course_progressions" USING btree ("integration_id","remote_deleted_at");--> statement-breakpoint
CREATE INDEX "lms_course_progressions_purge_idx" ON "lms_course_progressions" USING btree ("remote_deleted_at") WHERE "lms_course_progressions"."remote_deleted_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "lms_course_progressions_user_id_idx" ON "lms_course_progressions" USING btree ("integration_id","user_id");--> statement-breakpoint
CREATE INDEX "lms_course_progressions_course_revision_id_idx" ON "lms_course_progressions" USING btree ("integration_id","course_revision_id");--> statement-breakpoint
CREATE INDEX "lms_courses_deleted_idx" ON "lms_courses" USING btree ("integration_id","remote_deleted_at");--> statement-breakpoint
CREATE INDEX "lms_courses_purge_idx" ON "lms_courses" USING btree ("remote_deleted_at") WHERE "lms_courses"."remote_deleted_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "lms_courses_provider_id_idx" ON "lms_courses" USING btree ("integration_id","provider_id");--> statement-breakpoint
CREATE INDEX "lms_skills_deleted_idx" ON "lms_skills" USING btree ("integration_id","remote_deleted_at");--> statement-breakpoint
CREATE INDEX "lms_skills_purge_idx" ON "lms_skills" USING btree ("remote_deleted_at") WHERE "lms_skills"."remote_deleted_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "lms_users_deleted_idx" ON "lms_users" USING btree ("integration_id","remote_deleted_at");--> statement-breakpoint
CREATE INDEX "lms_users_purge_idx" ON "lms_users" USING btree ("remote_deleted_at") WHERE "lms_users"."remote_deleted_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "lms_users_work_email_idx" ON "lms_users" USING btree ("integration_id","work_email");