//! `server_idempotency`: the durable [`AsyncIdempotencyStore`] of the core's contract
//! (`molam_core::idempotency::store`), and the decoding both flavours share.
//!
//! A claim is one `INSERT … ON CONFLICT DO NOTHING` when the key is free (the common case, one
//! round trip). Otherwise the record is locked (`SELECT … FOR UPDATE`) and the core's
//! [`decide`] rules on it; an expired lease (a crashed holder) or an expired record is taken
//! over by writing the new token, in the same transaction.
//!
//! **Clock.** Leases and expiry use the database's `now()`, not the caller's `now_ms`: every
//! server of a deployment then judges a lease by the same clock, so a server whose clock runs
//! ahead cannot take over a lease that is still running elsewhere (and send a payment twice
//! while the first is in flight). `ClaimRequest::now_ms` and `complete`'s `now_ms` are ignored.

use deadpool_postgres::Pool;
use molam_core::error::IdempotencyError;
use molam_core::idempotency::{
    decide, should_store, AsyncIdempotencyStore, Claim, ClaimRequest, Decision, Fingerprint,
    IdempotencyKey, IdempotencyRecord, LockToken, RecordState, StoreFuture, StoredResponse,
    RECORD_TTL,
};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;

use crate::error::Error;
use crate::inbox::millis;
use crate::sql;

/// How often a claim starts over when the record it conflicted with vanished before it could
/// be locked (deleted by `release` or cleanup in between).
pub(crate) const CLAIM_ROUNDS: usize = 3;

/// How many times a store operation runs when the connection under it is lost (the server
/// ended the backend, or the socket broke): the first run and three more, each on a connection
/// taken afresh from the pool (which may itself be one the server has just ended, not yet seen
/// closed by the pool). See [`connection_lost`].
pub(crate) const CONNECTION_ATTEMPTS: u32 = 4;

/// The pause before each further attempt (10, 20, 40 ms): long enough for the pool to see the
/// ended sessions closed, so that it hands out a live connection rather than another dead one.
pub(crate) const RECONNECT: crate::Backoff = crate::Backoff {
    base: std::time::Duration::from_millis(10),
    max: std::time::Duration::from_millis(40),
};

/// Whether an error means the connection was lost rather than the statement refused: the
/// operation may then run again on another pooled connection. Every operation is safe to run
/// again: `complete` and `release` only touch the claim held with their token, and a claim
/// whose commit reached the database but whose answer was lost finds its own record again by
/// its token ([`sql::IDEMPOTENCY_INSERT`]), so it never lets a second request go out while the
/// first is in flight. Without this, a backend ended between the API's answer and `complete`
/// left the key in progress until its lease ran out, and every retry of it was a conflict.
pub(crate) fn connection_lost(error: &Error) -> bool {
    let database = match error {
        Error::Database(e) => e,
        Error::Pool(deadpool_postgres::PoolError::Backend(e)) => e,
        _ => return false,
    };
    database.is_closed()
        || database.code().is_some_and(|code| {
            *code == SqlState::ADMIN_SHUTDOWN
                || *code == SqlState::CRASH_SHUTDOWN
                || *code == SqlState::CANNOT_CONNECT_NOW
        })
        || std::error::Error::source(database).is_some_and(|s| s.is::<std::io::Error>())
}

type Param<'a> = &'a (dyn ToSql + Sync);

/// The parameters of [`sql::IDEMPOTENCY_INSERT`] and [`sql::IDEMPOTENCY_TAKE_OVER`].
pub(crate) struct ClaimArgs<'a> {
    scope: &'a str,
    key: &'a str,
    method: &'a str,
    path: &'a str,
    fingerprint: &'a [u8],
    token: i64,
    lease_ms: i64,
    retention_ms: i64,
}

impl<'a> ClaimArgs<'a> {
    pub(crate) fn new(request: &'a ClaimRequest<'_>) -> Self {
        ClaimArgs {
            scope: request.scope,
            key: request.key.as_str(),
            method: request.method,
            path: request.path,
            fingerprint: request.fingerprint.as_bytes(),
            token: request.token.to_i64(),
            lease_ms: millis(request.lease),
            retention_ms: millis(RECORD_TTL),
        }
    }

    pub(crate) fn params(&self) -> [Param<'_>; 8] {
        [
            &self.scope,
            &self.key,
            &self.method,
            &self.path,
            &self.fingerprint,
            &self.token,
            &self.lease_ms,
            &self.retention_ms,
        ]
    }
}

/// What a claim does once the existing record is locked.
pub(crate) enum AfterLock {
    /// Write the caller's token over the record.
    TakeOver,
    /// Answer without writing.
    Answer(Result<Claim, IdempotencyError>),
}

/// Decodes the locked record ([`sql::IDEMPOTENCY_LOCK`]) and applies the core's rule.
pub(crate) fn after_lock(
    row: &tokio_postgres::Row,
    request: &ClaimRequest<'_>,
) -> Result<AfterLock, Error> {
    let now_ms: i64 = row.try_get(6)?;
    let expired: bool = row.try_get(7)?;
    let record = if expired {
        None
    } else {
        Some(record_from_row(row)?)
    };
    let key = || request.key.to_string();
    Ok(match decide(record.as_ref(), request.fingerprint, now_ms) {
        Decision::Proceed => AfterLock::TakeOver,
        Decision::Replay(response) => AfterLock::Answer(Ok(Claim::Replay(response))),
        Decision::InProgress => AfterLock::Answer(Err(IdempotencyError::InProgress { key: key() })),
        Decision::Mismatch => {
            AfterLock::Answer(Err(IdempotencyError::FingerprintMismatch { key: key() }))
        }
    })
}

fn unexpected(detail: String) -> Error {
    Error::UnexpectedRow {
        table: "server_idempotency",
        detail,
    }
}

fn record_from_row(row: &tokio_postgres::Row) -> Result<IdempotencyRecord, Error> {
    let bytes: Vec<u8> = row.try_get(0)?;
    let bytes: [u8; 32] = bytes
        .try_into()
        .map_err(|b: Vec<u8>| unexpected(format!("fingerprint of {} bytes", b.len())))?;
    let state: String = row.try_get(1)?;
    let state = match state.as_str() {
        "in_progress" => RecordState::InProgress {
            locked_until_ms: row.try_get(2)?,
        },
        "completed" => {
            let status: i32 = row.try_get(3)?;
            let headers: String = row.try_get(4)?;
            RecordState::Completed(StoredResponse {
                status: u16::try_from(status)
                    .map_err(|_| unexpected(format!("response status {status}")))?,
                headers: serde_json::from_str(&headers)
                    .map_err(|e| unexpected(format!("response headers: {e}")))?,
                body: row.try_get(5)?,
            })
        }
        other => return Err(unexpected(format!("state {other:?}"))),
    };
    Ok(IdempotencyRecord {
        fingerprint: Fingerprint::from_bytes(bytes),
        state,
    })
}

/// The parameters of [`sql::IDEMPOTENCY_COMPLETE`], or `None` when the core says the answer
/// is not final (then the claim is released instead, per the contract).
pub(crate) struct CompleteArgs<'a> {
    scope: &'a str,
    key: &'a str,
    token: i64,
    status: i32,
    headers: String,
    body: &'a [u8],
    request_id: Option<&'a str>,
    retention_ms: i64,
}

impl<'a> CompleteArgs<'a> {
    pub(crate) fn new(
        scope: &'a str,
        key: &'a IdempotencyKey,
        token: &LockToken,
        response: &'a StoredResponse,
    ) -> Result<Option<Self>, Error> {
        if !should_store(response.status) {
            return Ok(None);
        }
        let headers = serde_json::to_string(&response.headers)
            .map_err(|e| unexpected(format!("response headers: {e}")))?;
        let request_id = response.request_id();
        Ok(Some(CompleteArgs {
            scope,
            key: key.as_str(),
            token: token.to_i64(),
            status: i32::from(response.status),
            headers,
            body: &response.body,
            request_id,
            retention_ms: millis(RECORD_TTL),
        }))
    }

    pub(crate) fn params(&self) -> [Param<'_>; 8] {
        [
            &self.scope,
            &self.key,
            &self.token,
            &self.status,
            &self.headers,
            &self.body,
            &self.request_id,
            &self.retention_ms,
        ]
    }
}

pub(crate) fn vanished(key: &IdempotencyKey) -> IdempotencyError {
    IdempotencyError::Store(format!(
        "idempotency record for {key} kept vanishing while being claimed"
    ))
}

impl From<Error> for IdempotencyError {
    fn from(e: Error) -> Self {
        IdempotencyError::Store(e.to_string())
    }
}

/// The PostgreSQL idempotency store for the async (tokio) client.
///
/// ```no_run
/// # async fn demo(pool: deadpool_postgres::Pool) -> Result<(), molam_postgres::Error> {
/// use molam_postgres::PgIdempotencyStore;
/// molam_postgres::migrate(&pool).await?;
/// let store = PgIdempotencyStore::new(pool);
/// // Hand `store` to the client builder: `.idempotency_store(store)`.
/// # let _ = store; Ok(()) }
/// ```
#[derive(Clone)]
pub struct PgIdempotencyStore {
    pool: Pool,
}

impl std::fmt::Debug for PgIdempotencyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgIdempotencyStore").finish_non_exhaustive()
    }
}

impl PgIdempotencyStore {
    /// A store over a connection pool (migrated with [`crate::migrate`]).
    pub fn new(pool: Pool) -> Self {
        PgIdempotencyStore { pool }
    }

    async fn claim_key(
        &self,
        request: &ClaimRequest<'_>,
    ) -> Result<Result<Claim, IdempotencyError>, Error> {
        let mut attempt = 1;
        loop {
            match self.claim_once(request).await {
                Err(e) if attempt < CONNECTION_ATTEMPTS && connection_lost(&e) => {
                    tokio::time::sleep(RECONNECT.delay(attempt)).await;
                    attempt += 1;
                }
                answer => return answer,
            }
        }
    }

    async fn claim_once(
        &self,
        request: &ClaimRequest<'_>,
    ) -> Result<Result<Claim, IdempotencyError>, Error> {
        let args = ClaimArgs::new(request);
        let proceed = Ok(Claim::Proceed {
            token: request.token,
        });
        let mut client = self.pool.get().await?;
        for _ in 0..CLAIM_ROUNDS {
            if client
                .query_opt(sql::IDEMPOTENCY_INSERT, &args.params())
                .await?
                .is_some()
            {
                return Ok(proceed);
            }
            let tx = client.transaction().await?;
            let Some(row) = tx
                .query_opt(sql::IDEMPOTENCY_LOCK, &[&args.scope, &args.key])
                .await?
            else {
                continue;
            };
            let answer = match after_lock(&row, request)? {
                AfterLock::TakeOver => {
                    tx.execute(sql::IDEMPOTENCY_TAKE_OVER, &args.params())
                        .await?;
                    proceed
                }
                AfterLock::Answer(answer) => answer,
            };
            tx.commit().await?;
            return Ok(answer);
        }
        Ok(Err(vanished(request.key)))
    }

    async fn complete_key(
        &self,
        scope: &str,
        key: &IdempotencyKey,
        token: &LockToken,
        response: &StoredResponse,
    ) -> Result<(), Error> {
        let mut attempt = 1;
        loop {
            match self.complete_once(scope, key, token, response).await {
                Err(e) if attempt < CONNECTION_ATTEMPTS && connection_lost(&e) => {
                    tokio::time::sleep(RECONNECT.delay(attempt)).await;
                    attempt += 1;
                }
                done => return done,
            }
        }
    }

    async fn complete_once(
        &self,
        scope: &str,
        key: &IdempotencyKey,
        token: &LockToken,
        response: &StoredResponse,
    ) -> Result<(), Error> {
        let client = self.pool.get().await?;
        match CompleteArgs::new(scope, key, token, response)? {
            Some(args) => {
                client
                    .execute(sql::IDEMPOTENCY_COMPLETE, &args.params())
                    .await?
            }
            None => {
                let token = token.to_i64();
                client
                    .execute(sql::IDEMPOTENCY_RELEASE, &[&scope, &key.as_str(), &token])
                    .await?
            }
        };
        Ok(())
    }

    async fn release_key(
        &self,
        scope: &str,
        key: &IdempotencyKey,
        token: &LockToken,
    ) -> Result<(), Error> {
        let token = token.to_i64();
        let mut attempt = 1;
        loop {
            let run = async {
                let client = self.pool.get().await?;
                client
                    .execute(sql::IDEMPOTENCY_RELEASE, &[&scope, &key.as_str(), &token])
                    .await?;
                Ok(())
            };
            match run.await {
                Err(e) if attempt < CONNECTION_ATTEMPTS && connection_lost(&e) => {
                    tokio::time::sleep(RECONNECT.delay(attempt)).await;
                    attempt += 1;
                }
                done => return done,
            }
        }
    }
}

impl AsyncIdempotencyStore for PgIdempotencyStore {
    fn claim<'a>(&'a self, request: &'a ClaimRequest<'_>) -> StoreFuture<'a, Claim> {
        Box::pin(async move { self.claim_key(request).await? })
    }

    /// `now_ms` is ignored: see the module documentation on the clock.
    fn complete<'a>(
        &'a self,
        scope: &'a str,
        key: &'a IdempotencyKey,
        token: &'a LockToken,
        response: &'a StoredResponse,
        _now_ms: i64,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move { Ok(self.complete_key(scope, key, token, response).await?) })
    }

    fn release<'a>(
        &'a self,
        scope: &'a str,
        key: &'a IdempotencyKey,
        token: &'a LockToken,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move { Ok(self.release_key(scope, key, token).await?) })
    }
}
