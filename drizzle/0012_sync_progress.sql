CREATE TABLE "sync_progress" (
	"integration_id" text NOT NULL,
	"model" text NOT NULL,
	"run_id" bigint NOT NULL,
	"is_full_pass" boolean NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"pages_done" integer DEFAULT 0 NOT NULL,
	"records_done" integer DEFAULT 0 NOT NULL,
	"expected_records" integer,
	"expected_pages" integer,
	"last_full_records" integer,
	"last_full_pages" integer,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "sync_progress_integration_id_model_pk" PRIMARY KEY("integration_id","model")
);
