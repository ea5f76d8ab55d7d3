ALTER TABLE "integrations" ADD COLUMN "last_run_id" bigint;--> statement-breakpoint
CREATE INDEX "sync_runs_failed_idx" ON "sync_runs" USING btree ("id") WHERE "sync_runs"."status" IN ('failed', 'partial');--> statement-breakpoint
CREATE INDEX "sync_state_failing_idx" ON "sync_state" USING btree ("integration_id") WHERE "sync_state"."consecutive_failures" > 0;--> statement-breakpoint
CREATE INDEX "sync_state_last_success_idx" ON "sync_state" USING btree ("last_success_at") WHERE "sync_state"."skipped_reason" IS NULL;--> statement-breakpoint
-- hand-written
-- Runs started before the column existed: each integration's latest run.
UPDATE "integrations" AS i SET "last_run_id" = r.max_id
FROM (SELECT "integration_id", max("id") AS max_id FROM "sync_runs" GROUP BY "integration_id") AS r
WHERE r."integration_id" = i."id";
