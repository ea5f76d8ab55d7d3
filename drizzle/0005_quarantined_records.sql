CREATE TABLE "quarantined_records" (
	"integration_id" text NOT NULL,
	"model" text NOT NULL,
	"record_id" text NOT NULL,
	"reason_code" text NOT NULL,
	"reason_class" text NOT NULL,
	"reason" text NOT NULL,
	"record_text" text NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"attempts" integer DEFAULT 1 NOT NULL,
	"last_run_id" bigint NOT NULL,
	CONSTRAINT "quarantined_records_integration_id_model_record_id_pk" PRIMARY KEY("integration_id","model","record_id")
);
