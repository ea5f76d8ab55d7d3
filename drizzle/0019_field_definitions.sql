CREATE TABLE "custom_field_definitions" (
	"integration_id" text NOT NULL,
	"id" text NOT NULL,
	"model" text NOT NULL,
	"key" text NOT NULL,
	"label" text,
	"raw" jsonb NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"removed_at" timestamp with time zone,
	"description" text,
	"integration_field_id" text,
	CONSTRAINT "custom_field_definitions_pkey" PRIMARY KEY("integration_id","id")
);
--> statement-breakpoint
CREATE TABLE "integration_field_definitions" (
	"integration_id" text NOT NULL,
	"id" text NOT NULL,
	"model" text NOT NULL,
	"key" text NOT NULL,
	"label" text,
	"raw" jsonb NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"removed_at" timestamp with time zone,
	"type" text NOT NULL,
	"is_passthrough_enabled" boolean NOT NULL,
	CONSTRAINT "integration_field_definitions_pkey" PRIMARY KEY("integration_id","id")
);
--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "field_definitions_refreshed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "field_definitions_error" text;--> statement-breakpoint
CREATE INDEX "custom_field_definitions_model_idx" ON "custom_field_definitions" USING btree ("integration_id","model");--> statement-breakpoint
CREATE INDEX "integration_field_definitions_model_idx" ON "integration_field_definitions" USING btree ("integration_id","model");