//! The core's sync `IdempotencyStore` on PostgreSQL: the async store's statements and rules
//! (`crate::idempotency`), run over blocking connections.

use molam_core::error::IdempotencyError;
use molam_core::idempotency::{
    Claim, ClaimRequest, IdempotencyKey, IdempotencyStore, LockToken, StoredResponse,
};

use super::pool::BlockingPool;
use crate::error::Error;
use crate::idempotency::{
    after_lock, connection_lost, vanished, AfterLock, ClaimArgs, CompleteArgs, CLAIM_ROUNDS,
    CONNECTION_ATTEMPTS, RECONNECT,
};
use crate::sql;

/// The PostgreSQL idempotency store for the blocking client. Same contract, same clock (the
/// database's) as [`crate::PgIdempotencyStore`].
///
/// ```no_run
/// # fn demo() -> Result<(), molam_postgres::Error> {
/// use molam_postgres::blocking::{BlockingPool, PgBlockingIdempotencyStore};
/// let pool = BlockingPool::connect("postgres://postgres@127.0.0.1:5432/shop")?;
/// let store = PgBlockingIdempotencyStore::new(pool);
/// // Hand `store` to the blocking client builder: `.idempotency_store(store)`.
/// # let _ = store; Ok(()) }
/// ```
#[derive(Debug)]
pub struct PgBlockingIdempotencyStore {
    pool: BlockingPool,
}

impl PgBlockingIdempotencyStore {
    /// A store over a blocking pool (migrated with [`super::migrate`]).
    pub fn new(pool: BlockingPool) -> Self {
        PgBlockingIdempotencyStore { pool }
    }

    /// Runs `operation` again on a fresh pooled connection when the connection under it was
    /// lost (see `crate::idempotency::connection_lost`: every operation here is safe to rerun).
    fn on_connection<T>(
        &self,
        mut operation: impl FnMut() -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut attempt = 1;
        loop {
            match operation() {
                Err(e) if attempt < CONNECTION_ATTEMPTS && connection_lost(&e) => {
                    std::thread::sleep(RECONNECT.delay(attempt));
                    attempt += 1;
                }
                done => return done,
            }
        }
    }

    fn claim_key(
        &self,
        request: &ClaimRequest<'_>,
    ) -> Result<Result<Claim, IdempotencyError>, Error> {
        self.on_connection(|| self.claim_once(request))
    }

    fn claim_once(
        &self,
        request: &ClaimRequest<'_>,
    ) -> Result<Result<Claim, IdempotencyError>, Error> {
        let args = ClaimArgs::new(request);
        let proceed = Ok(Claim::Proceed {
            token: request.token,
        });
        let mut client = self.pool.get()?;
        for _ in 0..CLAIM_ROUNDS {
            if client
                .query_opt(sql::IDEMPOTENCY_INSERT, &args.params())?
                .is_some()
            {
                return Ok(proceed);
            }
            let mut tx = client.transaction()?;
            let Some(row) = tx.query_opt(
                sql::IDEMPOTENCY_LOCK,
                &[&request.scope, &request.key.as_str()],
            )?
            else {
                continue;
            };
            let answer = match after_lock(&row, request)? {
                AfterLock::TakeOver => {
                    tx.execute(sql::IDEMPOTENCY_TAKE_OVER, &args.params())?;
                    proceed
                }
                AfterLock::Answer(answer) => answer,
            };
            tx.commit()?;
            return Ok(answer);
        }
        Ok(Err(vanished(request.key)))
    }

    fn release_key(
        &self,
        scope: &str,
        key: &IdempotencyKey,
        token: &LockToken,
    ) -> Result<(), Error> {
        let token = token.to_i64();
        self.on_connection(|| {
            self.pool
                .get()?
                .execute(sql::IDEMPOTENCY_RELEASE, &[&scope, &key.as_str(), &token])?;
            Ok(())
        })
    }
}

impl IdempotencyStore for PgBlockingIdempotencyStore {
    fn claim(&self, request: &ClaimRequest<'_>) -> Result<Claim, IdempotencyError> {
        self.claim_key(request)?
    }

    /// `now_ms` is ignored: the database's clock decides (see [`crate::PgIdempotencyStore`]).
    fn complete(
        &self,
        scope: &str,
        key: &IdempotencyKey,
        token: &LockToken,
        response: &StoredResponse,
        _now_ms: i64,
    ) -> Result<(), IdempotencyError> {
        match CompleteArgs::new(scope, key, token, response)? {
            Some(args) => Ok(self.on_connection(|| {
                self.pool
                    .get()?
                    .execute(sql::IDEMPOTENCY_COMPLETE, &args.params())?;
                Ok(())
            })?),
            None => Ok(self.release_key(scope, key, token)?),
        }
    }

    fn release(
        &self,
        scope: &str,
        key: &IdempotencyKey,
        token: &LockToken,
    ) -> Result<(), IdempotencyError> {
        Ok(self.release_key(scope, key, token)?)
    }
}
