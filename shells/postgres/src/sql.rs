//! Every SQL statement this crate sends, once: the async and the blocking flavours both use
//! these constants, so a rule (who may claim, when a lease expires, when an event is dead) is
//! written in exactly one place.
//!
//! Times are always the database's `now()`: every server of a deployment then agrees on when
//! a lease has expired, whatever their own clocks say. Durations travel as milliseconds
//! (`bigint`), timestamps come back as Unix milliseconds.

// ---- migrations ----

/// Serializes migrators of the same schema until the end of the transaction.
pub(crate) const MIGRATION_LOCK: &str = "SELECT pg_advisory_xact_lock(\
     hashtextextended('molam_postgres.migrate:' || current_schema(), 0))";

/// Whether the current schema has a `schema_migrations` table yet.
pub(crate) const MIGRATIONS_TABLE_EXISTS: &str = "SELECT to_regclass(\
     quote_ident(current_schema()) || '.schema_migrations') IS NOT NULL";

/// The checksum recorded for a version ($1).
pub(crate) const MIGRATION_CHECKSUM: &str =
    "SELECT checksum FROM schema_migrations WHERE version = $1";

/// Records an applied migration: version, name, checksum.
pub(crate) const RECORD_MIGRATION: &str =
    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)";

// ---- server_idempotency ----

/// Claims a free key: scope, key, method, path, fingerprint, token, lease ms, retention ms.
/// Returns a row when the key was free, none when a record exists already. A record in
/// progress under this very token is this claim's own, committed by an earlier run whose
/// answer the connection lost: it is returned too, so the claim can run again safely (a token
/// is drawn afresh for every claim; see `crate::idempotency::connection_lost`).
pub(crate) const IDEMPOTENCY_INSERT: &str = "INSERT INTO server_idempotency \
     (scope, key, method, path, fingerprint, state, lock_token, locked_until, expires_at) \
     VALUES ($1, $2, $3, $4, $5, 'in_progress', $6, \
             now() + $7::bigint * interval '1 millisecond', \
             now() + greatest($7::bigint, $8::bigint) * interval '1 millisecond') \
     ON CONFLICT (scope, key) DO UPDATE SET lock_token = EXCLUDED.lock_token \
     WHERE server_idempotency.state = 'in_progress' \
       AND server_idempotency.lock_token = EXCLUDED.lock_token \
     RETURNING id";

/// Locks an existing record (scope, key) for the rest of the transaction and reads what
/// `decide` needs, with the database's now (Unix ms) and whether the record has expired.
pub(crate) const IDEMPOTENCY_LOCK: &str = "SELECT fingerprint, state, \
         (extract(epoch FROM locked_until) * 1000)::bigint, \
         response_status, response_headers::text, response_body, \
         (extract(epoch FROM now()) * 1000)::bigint, expires_at <= now() \
     FROM server_idempotency WHERE scope = $1 AND key = $2 FOR UPDATE";

/// Takes over a record the core let proceed (expired lease, or expired record): scope, key,
/// method, path, fingerprint, token, lease ms, retention ms.
pub(crate) const IDEMPOTENCY_TAKE_OVER: &str = "UPDATE server_idempotency SET \
     method = $3, path = $4, fingerprint = $5, state = 'in_progress', lock_token = $6, \
     locked_until = now() + $7::bigint * interval '1 millisecond', \
     response_status = NULL, response_headers = NULL, response_body = NULL, request_id = NULL, \
     expires_at = now() + greatest($7::bigint, $8::bigint) * interval '1 millisecond' \
     WHERE scope = $1 AND key = $2";

/// Stores the final answer of the claim held with a token: scope, key, token, status,
/// headers (JSON text), body, request id, retention ms. Nothing happens if the token no
/// longer holds the claim.
pub(crate) const IDEMPOTENCY_COMPLETE: &str = "UPDATE server_idempotency SET \
     state = 'completed', lock_token = NULL, locked_until = NULL, \
     response_status = $4, response_headers = $5::text::jsonb, response_body = $6, \
     request_id = $7, expires_at = now() + $8::bigint * interval '1 millisecond' \
     WHERE scope = $1 AND key = $2 AND state = 'in_progress' AND lock_token = $3";

/// Forgets the claim held with a token (no final answer), so a retry may proceed at once:
/// scope, key, token. Nothing happens if the token no longer holds the claim.
pub(crate) const IDEMPOTENCY_RELEASE: &str = "DELETE FROM server_idempotency \
     WHERE scope = $1 AND key = $2 AND state = 'in_progress' AND lock_token = $3";

// ---- received_webhooks ----

/// Records a delivery unless its key is known: tenant, event id (text), type (text),
/// payload, signature header, max attempts, received at (Unix seconds), event key, exact id
/// bytes, exact type bytes (both NULL when the text is exact). Returns the new row id, or no
/// row (a duplicate).
pub(crate) const INBOX_RECORD: &str = "INSERT INTO received_webhooks \
     (tenant, event_id, event_type, payload, signature_header, max_attempts, received_at, \
      event_key, event_id_exact, event_type_exact) \
     VALUES ($1, $2, $3, $4, $5, $6, to_timestamp($7::bigint), $8, $9, $10) \
     ON CONFLICT (event_key) DO NOTHING \
     RETURNING id";

/// Leases up to $2 events to worker $1 for $3 ms: first events whose lease expired (their
/// worker died) with attempts left, then pending or retryable events that are due, oldest
/// first. Each part walks its own partial index, so a claim costs the same whatever the
/// backlog. Every claim counts as an attempt and its number is the lease's fencing token.
/// Events whose lease expired on their last attempt are dead-lettered on the way.
pub(crate) const INBOX_CLAIM: &str = "WITH buried AS ( \
         UPDATE received_webhooks SET state = 'dead', locked_by = NULL, locked_until = NULL, \
             processed_at = now(), last_error = 'lease expired on the last attempt' \
         WHERE state = 'processing' AND locked_until < now() AND attempts >= max_attempts \
     ), rescued AS ( \
         SELECT id FROM received_webhooks \
         WHERE state = 'processing' AND locked_until < now() AND attempts < max_attempts \
         ORDER BY locked_until \
         LIMIT $2 \
         FOR UPDATE SKIP LOCKED \
     ), due AS ( \
         SELECT id FROM received_webhooks \
         WHERE state IN ('pending', 'retryable') AND next_attempt_at <= now() \
         ORDER BY next_attempt_at, id \
         LIMIT greatest($2 - (SELECT count(*) FROM rescued), 0) \
         FOR UPDATE SKIP LOCKED \
     ), picked AS ( \
         SELECT id FROM rescued UNION ALL SELECT id FROM due \
     ) \
     UPDATE received_webhooks w SET state = 'processing', attempts = w.attempts + 1, \
         locked_by = $1, locked_until = now() + $3::bigint * interval '1 millisecond' \
     FROM picked WHERE w.id = picked.id \
     RETURNING w.id, w.tenant, w.event_id, w.event_type, w.payload, w.signature_header, \
         w.attempts, w.max_attempts, (extract(epoch FROM w.received_at) * 1000)::bigint, \
         w.event_id_exact, w.event_type_exact";

/// Events waiting to be handled (received, or failed and due again later): the inbox backlog.
pub(crate) const INBOX_BACKLOG: &str = "SELECT count(*) FROM received_webhooks \
     WHERE state IN ('pending', 'retryable')";

/// Extends a lease still held: id, attempt (the lease token), lease ms from now. No row: the
/// lease was lost (it expired and another worker took the event over).
pub(crate) const INBOX_RENEW: &str = "UPDATE received_webhooks SET \
     locked_until = now() + $3::bigint * interval '1 millisecond' \
     WHERE id = $1 AND state = 'processing' AND attempts = $2 \
     RETURNING id";

/// Marks a leased event handled: id, attempt (the lease token). No row: the lease was lost.
pub(crate) const INBOX_SUCCEED: &str = "UPDATE received_webhooks SET state = 'succeeded', \
     locked_by = NULL, locked_until = NULL, processed_at = now(), last_error = NULL \
     WHERE id = $1 AND state = 'processing' AND attempts = $2 \
     RETURNING state";

/// Records a failed attempt: id, attempt, error, retry delay ms. The event is retried after
/// the delay, or dead-lettered when it has used its last attempt. Returns the new state;
/// no row: the lease was lost.
pub(crate) const INBOX_FAIL: &str = "UPDATE received_webhooks SET \
     state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'retryable' END, \
     next_attempt_at = CASE WHEN attempts >= max_attempts THEN next_attempt_at \
                            ELSE now() + $4::bigint * interval '1 millisecond' END, \
     processed_at = CASE WHEN attempts >= max_attempts THEN now() END, \
     last_error = left($3, 4096), locked_by = NULL, locked_until = NULL \
     WHERE id = $1 AND state = 'processing' AND attempts = $2 \
     RETURNING state";

/// Gives back a leased event that was never handed to the handler (shutdown): id, attempt.
/// The attempt is not counted and the event is due at once.
pub(crate) const INBOX_RELEASE: &str = "UPDATE received_webhooks SET \
     state = CASE WHEN attempts <= 1 THEN 'pending' ELSE 'retryable' END, \
     attempts = attempts - 1, locked_by = NULL, locked_until = NULL, next_attempt_at = now() \
     WHERE id = $1 AND state = 'processing' AND attempts = $2 \
     RETURNING 'released'";

// ---- webhook_subscriptions / webhook_secrets ----

/// Every signing secret a tenant ($1) accepts now: of its active subscriptions, not expired,
/// newest first. (Which of them a `kid` selects is the core's rule, not SQL's.)
pub(crate) const TENANT_SECRETS: &str = "SELECT s.kid, s.secret \
     FROM webhook_secrets s JOIN webhook_subscriptions sub ON sub.id = s.subscription_id \
     WHERE sub.tenant = $1 AND sub.active \
       AND (s.expires_at IS NULL OR s.expires_at > now()) \
     ORDER BY s.created_at DESC, s.id DESC";
