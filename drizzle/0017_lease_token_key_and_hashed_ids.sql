ALTER TABLE "quarantined_records" ADD COLUMN "record_id_hashed" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "sync_leases_integration_id_token_key" ON "sync_leases" USING btree ("integration_id","token");--> statement-breakpoint
-- hand-written
-- Ids quarantined before the bound (MAX_RECORD_ID_BYTES = 512 in packages/catalog) move to their hashed key, so they
-- are never put in an `ids` refetch again.
UPDATE "quarantined_records"
SET "record_id" = 'sha256:' || encode(sha256(convert_to("record_id", 'UTF8')), 'hex'), "record_id_hashed" = true
WHERE octet_length("record_id") > 512;
