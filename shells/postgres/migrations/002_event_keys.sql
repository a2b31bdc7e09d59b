-- Molam SDK: key webhook events by a digest, so that any signed event can be recorded.
--
-- PostgreSQL 13+. Applied after 001 by `molam_postgres::migrate`, or by hand:
--
--     psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f migrations/002_event_keys.sql
--
-- Before, the unique index on (tenant, event_id) refused ids longer than an index row
-- (about 2,700 bytes), and text columns refused ids and types holding NUL: such events were
-- answered 503 on every delivery until the sender gave up. Now an event is keyed by
-- event_key = sha256(tenant's byte length as 8 bytes big-endian || tenant || event_id), the
-- core's EventKey; event_id and event_type stay readable text (a NUL shown as U+FFFD), and
-- when that text is not the exact value, the exact UTF-8 bytes are kept beside it.

ALTER TABLE received_webhooks ADD COLUMN IF NOT EXISTS event_key bytea;
ALTER TABLE received_webhooks ADD COLUMN IF NOT EXISTS event_id_exact bytea;
ALTER TABLE received_webhooks ADD COLUMN IF NOT EXISTS event_type_exact bytea;

-- The key of an event id (exact UTF-8 bytes) within a tenant. The SDK computes it itself
-- (molam_core::inbox::EventKey) and sends it; this function keys rows written by hand and
-- the rows that predate this migration.
CREATE OR REPLACE FUNCTION molam_event_key(tenant text, event_id bytea) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT
AS $$ SELECT sha256(int8send(octet_length(tenant)::bigint) || convert_to(tenant, 'UTF8') || event_id) $$;

UPDATE received_webhooks
SET event_key = molam_event_key(tenant, coalesce(event_id_exact, convert_to(event_id, 'UTF8')))
WHERE event_key IS NULL;

CREATE OR REPLACE FUNCTION molam_fill_event_key() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.event_key IS NULL THEN
        NEW.event_key := molam_event_key(
            NEW.tenant, coalesce(NEW.event_id_exact, convert_to(NEW.event_id, 'UTF8')));
    END IF;
    RETURN NEW;
END;
$$;

DROP TRIGGER IF EXISTS received_webhooks_fill_event_key ON received_webhooks;
CREATE TRIGGER received_webhooks_fill_event_key
    BEFORE INSERT ON received_webhooks
    FOR EACH ROW EXECUTE FUNCTION molam_fill_event_key();

ALTER TABLE received_webhooks ALTER COLUMN event_key SET NOT NULL;

CREATE UNIQUE INDEX IF NOT EXISTS received_webhooks_event_key_idx
    ON received_webhooks (event_key);

ALTER TABLE received_webhooks DROP CONSTRAINT IF EXISTS received_webhooks_tenant_event_id_key;
