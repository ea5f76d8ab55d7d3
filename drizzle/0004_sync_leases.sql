CREATE TABLE "sync_leases" (
	"integration_id" text PRIMARY KEY NOT NULL,
	"token" bigint NOT NULL,
	"holder" text NOT NULL,
	"run_id" bigint,
	"acquired_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "sync_runs_running_idx" ON "sync_runs" USING btree ("started_at") WHERE "sync_runs"."status" = 'running';