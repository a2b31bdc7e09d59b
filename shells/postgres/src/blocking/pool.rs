//! A minimal pool of blocking connections: taken from the idle list or opened on demand,
//! given back on drop unless broken.

use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::sync::{Mutex, PoisonError};

use postgres::{Client, Config, NoTls};

use crate::error::Error;

/// Blocking connections to one database, reused across calls and threads.
pub struct BlockingPool {
    config: Config,
    idle: Mutex<Vec<Client>>,
    max_idle: usize,
}

impl std::fmt::Debug for BlockingPool {
    /// No connection parameters: they may hold a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockingPool")
            .field("max_idle", &self.max_idle)
            .finish_non_exhaustive()
    }
}

impl BlockingPool {
    /// A pool for `config` keeping at most 16 idle connections (plain TCP or Unix socket).
    pub fn new(config: Config) -> Self {
        BlockingPool {
            config,
            idle: Mutex::new(Vec::new()),
            max_idle: 16,
        }
    }

    /// A pool for a `postgres://` URL or a `key=value` connection string.
    pub fn connect(url: &str) -> Result<Self, Error> {
        Ok(Self::new(Config::from_str(url)?))
    }

    /// Keeps at most `n` idle connections.
    pub fn with_max_idle(mut self, n: usize) -> Self {
        self.max_idle = n;
        self
    }

    /// A connection: an idle one, or a new one.
    pub fn get(&self) -> Result<PooledClient<'_>, Error> {
        let reused = self.idle_list().pop();
        let client = match reused {
            Some(client) if !client.is_closed() => client,
            _ => self.config.connect(NoTls)?,
        };
        Ok(PooledClient {
            pool: self,
            client: Some(client),
        })
    }

    /// The idle list. Nothing panics while it is held, so a poisoned lock is still sound.
    fn idle_list(&self) -> std::sync::MutexGuard<'_, Vec<Client>> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A connection on loan from a [`BlockingPool`]; dereferences to [`postgres::Client`].
pub struct PooledClient<'a> {
    pool: &'a BlockingPool,
    client: Option<Client>,
}

impl Deref for PooledClient<'_> {
    type Target = Client;

    fn deref(&self) -> &Client {
        self.client
            .as_ref()
            .expect("a PooledClient holds its client until dropped")
    }
}

impl DerefMut for PooledClient<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.client
            .as_mut()
            .expect("a PooledClient holds its client until dropped")
    }
}

impl Drop for PooledClient<'_> {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            let mut idle = self.pool.idle_list();
            if !client.is_closed() && idle.len() < self.pool.max_idle {
                idle.push(client);
            }
        }
    }
}
