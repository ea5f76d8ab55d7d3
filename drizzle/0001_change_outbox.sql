CREATE TABLE "change_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"integration_id" text NOT NULL,
	"model" text NOT NULL,
	"run_id" bigint NOT NULL,
	"changed_ids" text[] NOT NULL,
	"deleted_ids" text[] NOT NULL,
	"kombo_time" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
