-- Molam SDK: durable idempotency, webhook inbox, per-tenant webhook secrets.
--
-- PostgreSQL 13+. Safe to re-run: every statement is IF NOT EXISTS / OR REPLACE, and the
-- triggers are dropped and re-created. Names are unqualified, so everything lands in the first
-- schema of the current search_path. Applied by `molam_postgres::migrate` (which records it in
-- schema_migrations with a checksum) or by hand:
--
--     psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f migrations/001_idempotency_and_webhooks.sql
--
-- All times are the database's clock (now()), so that servers with skewed clocks agree on
-- when a lease has expired.

CREATE TABLE IF NOT EXISTS schema_migrations (
    version    bigint      PRIMARY KEY,
    name       text        NOT NULL,
    checksum   text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- One row per (scope, Idempotency-Key) a merchant's server sent to Molam. While a request is
-- in flight the row is `in_progress` and leased (lock_token, locked_until); once a final answer
-- came back it is `completed` and holds that answer, replayed to any retry with the same key.
CREATE TABLE IF NOT EXISTS server_idempotency (
    id               bigserial   PRIMARY KEY,
    scope            text        NOT NULL,
    key              text        NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
    method           text        NOT NULL,
    path             text        NOT NULL,
    fingerprint      bytea       NOT NULL CHECK (octet_length(fingerprint) = 32),
    state            text        NOT NULL DEFAULT 'in_progress'
                                 CHECK (state IN ('in_progress', 'completed')),
    -- The holder's random token (molam_core LockToken, 64 bits); a stale holder's differs.
    lock_token       bigint,
    locked_until     timestamptz,
    response_status  integer     CHECK (response_status BETWEEN 100 AND 599),
    response_headers jsonb,
    response_body    bytea,
    request_id       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    expires_at       timestamptz NOT NULL DEFAULT now() + interval '24 hours',
    CONSTRAINT server_idempotency_scope_key_key UNIQUE (scope, key),
    CONSTRAINT server_idempotency_state_shape CHECK (
        (state = 'in_progress' AND lock_token IS NOT NULL AND locked_until IS NOT NULL
                               AND response_status IS NULL)
        OR (state = 'completed' AND lock_token IS NULL AND response_status IS NOT NULL
                                AND response_headers IS NOT NULL AND response_body IS NOT NULL)
    )
);

CREATE INDEX IF NOT EXISTS server_idempotency_expires_at_idx
    ON server_idempotency (expires_at);

-- The webhook inbox: every verified delivery is recorded here before Molam gets its 2xx, and
-- workers take events out with FOR UPDATE SKIP LOCKED and a lease.
CREATE TABLE IF NOT EXISTS received_webhooks (
    id               bigserial   PRIMARY KEY,
    -- '' for single-tenant receivers (NULL would defeat the unique constraint).
    tenant           text        NOT NULL DEFAULT '',
    event_id         text        NOT NULL,
    event_type       text        NOT NULL,
    -- The body exactly as received, so the signature can be checked again later.
    payload          bytea       NOT NULL,
    signature_header text,
    received_at      timestamptz NOT NULL DEFAULT now(),
    state            text        NOT NULL DEFAULT 'pending'
                                 CHECK (state IN ('pending', 'processing', 'succeeded',
                                                  'retryable', 'dead')),
    -- Incremented by every claim; it is also the fencing token of the current lease.
    attempts         integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts     integer     NOT NULL DEFAULT 8 CHECK (max_attempts >= 1),
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    locked_by        text,
    locked_until     timestamptz,
    last_error       text,
    processed_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT received_webhooks_tenant_event_id_key UNIQUE (tenant, event_id),
    CONSTRAINT received_webhooks_lease_shape CHECK (
        (state = 'processing') = (locked_until IS NOT NULL)
    )
);

-- Claimable now or later: what a worker scans first.
CREATE INDEX IF NOT EXISTS received_webhooks_claimable_idx
    ON received_webhooks (next_attempt_at, id)
    WHERE state IN ('pending', 'retryable');

-- Leased rows, scanned for expired leases (a crashed worker).
CREATE INDEX IF NOT EXISTS received_webhooks_leased_idx
    ON received_webhooks (locked_until)
    WHERE state = 'processing';

-- Finished rows, scanned by molam_cleanup_webhooks.
CREATE INDEX IF NOT EXISTS received_webhooks_finished_idx
    ON received_webhooks (processed_at)
    WHERE state IN ('succeeded', 'dead');

-- A tenant's webhook endpoint configuration on a multi-tenant platform.
CREATE TABLE IF NOT EXISTS webhook_subscriptions (
    id             bigserial   PRIMARY KEY,
    tenant         text        NOT NULL,
    description    text        NOT NULL DEFAULT '',
    enabled_events text[]      NOT NULL DEFAULT ARRAY['*'],
    active         boolean     NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS webhook_subscriptions_tenant_idx
    ON webhook_subscriptions (tenant)
    WHERE active;

-- Signing secrets of a subscription, one per key id. Rotation: add the new kid, let both be
-- valid for a while, then set expires_at on the old one.
CREATE TABLE IF NOT EXISTS webhook_secrets (
    id              bigserial   PRIMARY KEY,
    subscription_id bigint      NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    kid             text        CHECK (kid ~ '^[A-Za-z0-9_-]{1,64}$'),
    secret          text        NOT NULL CHECK (secret <> ''),
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- At most one secret per kid in a subscription, and at most one without a kid.
CREATE UNIQUE INDEX IF NOT EXISTS webhook_secrets_subscription_kid_idx
    ON webhook_secrets (subscription_id, coalesce(kid, ''));

-- Keeps updated_at honest whoever writes the row.
CREATE OR REPLACE FUNCTION molam_set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

DROP TRIGGER IF EXISTS server_idempotency_set_updated_at ON server_idempotency;
CREATE TRIGGER server_idempotency_set_updated_at
    BEFORE UPDATE ON server_idempotency
    FOR EACH ROW EXECUTE FUNCTION molam_set_updated_at();

DROP TRIGGER IF EXISTS received_webhooks_set_updated_at ON received_webhooks;
CREATE TRIGGER received_webhooks_set_updated_at
    BEFORE UPDATE ON received_webhooks
    FOR EACH ROW EXECUTE FUNCTION molam_set_updated_at();

DROP TRIGGER IF EXISTS webhook_subscriptions_set_updated_at ON webhook_subscriptions;
CREATE TRIGGER webhook_subscriptions_set_updated_at
    BEFORE UPDATE ON webhook_subscriptions
    FOR EACH ROW EXECUTE FUNCTION molam_set_updated_at();

DROP TRIGGER IF EXISTS webhook_secrets_set_updated_at ON webhook_secrets;
CREATE TRIGGER webhook_secrets_set_updated_at
    BEFORE UPDATE ON webhook_secrets
    FOR EACH ROW EXECUTE FUNCTION molam_set_updated_at();

-- Deletes idempotency records that expired at least `older_than` ago, `batch_size` rows per
-- DELETE, and returns how many it deleted. A record whose lease is still running is never
-- deleted, even past its expiry: its request may still be in flight.
CREATE OR REPLACE FUNCTION molam_cleanup_idempotency(
    older_than interval DEFAULT interval '0 seconds',
    batch_size integer DEFAULT 1000
) RETURNS bigint
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
    deleted bigint := 0;
    batch   bigint;
BEGIN
    IF batch_size IS NULL OR batch_size < 1 THEN
        RAISE EXCEPTION 'batch_size must be at least 1, got %', batch_size;
    END IF;
    LOOP
        DELETE FROM server_idempotency
        WHERE ctid IN (
            SELECT ctid FROM server_idempotency
            WHERE expires_at < now() - older_than
              AND (state = 'completed' OR locked_until < now())
            LIMIT batch_size
            FOR UPDATE SKIP LOCKED
        );
        GET DIAGNOSTICS batch = ROW_COUNT;
        deleted := deleted + batch;
        EXIT WHEN batch < batch_size;
    END LOOP;
    RETURN deleted;
END;
$$;

-- Deletes webhook events that finished (succeeded, or dead when `include_dead`) at least
-- `older_than` ago, `batch_size` rows per DELETE, and returns how many it deleted. Pending,
-- retryable and processing events are never touched. Keep `older_than` longer than Molam's
-- redelivery window, or a late duplicate would be recorded (and handled) again.
CREATE OR REPLACE FUNCTION molam_cleanup_webhooks(
    older_than interval DEFAULT interval '30 days',
    batch_size integer DEFAULT 1000,
    include_dead boolean DEFAULT false
) RETURNS bigint
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
    deleted bigint := 0;
    batch   bigint;
BEGIN
    IF batch_size IS NULL OR batch_size < 1 THEN
        RAISE EXCEPTION 'batch_size must be at least 1, got %', batch_size;
    END IF;
    LOOP
        DELETE FROM received_webhooks
        WHERE ctid IN (
            SELECT ctid FROM received_webhooks
            WHERE (state = 'succeeded' OR (include_dead AND state = 'dead'))
              AND processed_at < now() - older_than
            LIMIT batch_size
            FOR UPDATE SKIP LOCKED
        );
        GET DIAGNOSTICS batch = ROW_COUNT;
        deleted := deleted + batch;
        EXIT WHEN batch < batch_size;
    END LOOP;
    RETURN deleted;
END;
$$;
