CREATE TABLE "embedded_refresh_pending" (
	"integration_id" text NOT NULL,
	"model" text NOT NULL,
	"child_id" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "embedded_refresh_pending_integration_id_model_child_id_pk" PRIMARY KEY("integration_id","model","child_id")
);
