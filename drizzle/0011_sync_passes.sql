CREATE TABLE "sync_passes" (
	"integration_id" text NOT NULL,
	"model" text NOT NULL,
	"pass_id" bigint NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"cursor" text,
	"pages" integer DEFAULT 0 NOT NULL,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"checkpointed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sync_passes_integration_id_model_pk" PRIMARY KEY("integration_id","model")
);
