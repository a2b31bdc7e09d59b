//! A minimal pool of blocking connections: at most `max_size` open, taken from the idle list
//! or opened on demand, given back on drop unless broken; callers beyond the limit wait.

use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use postgres::{Client, Config, NoTls};

use crate::error::Error;

/// Blocking connections to one database, reused across calls and threads.
pub struct BlockingPool {
    config: Config,
    state: Mutex<Connections>,
    returned: Condvar,
    max_size: usize,
}

struct Connections {
    idle: Vec<Client>,
    /// Idle and loaned connections, plus those being opened.
    open: usize,
}

impl std::fmt::Debug for BlockingPool {
    /// No connection parameters: they may hold a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockingPool")
            .field("max_size", &self.max_size)
            .finish_non_exhaustive()
    }
}

impl BlockingPool {
    /// A pool for `config` with at most 16 connections (plain TCP or Unix socket).
    pub fn new(config: Config) -> Self {
        BlockingPool {
            config,
            state: Mutex::new(Connections {
                idle: Vec::new(),
                open: 0,
            }),
            returned: Condvar::new(),
            max_size: 16,
        }
    }

    /// A pool for a `postgres://` URL or a `key=value` connection string.
    pub fn connect(url: &str) -> Result<Self, Error> {
        Ok(Self::new(Config::from_str(url)?))
    }

    /// Opens at most `n` connections (at least 1); further callers wait for one to return.
    pub fn with_max_size(mut self, n: usize) -> Self {
        self.max_size = n.max(1);
        self
    }

    /// A connection: an idle one, a new one, or (at the limit) the next one given back.
    pub fn get(&self) -> Result<PooledClient<'_>, Error> {
        let mut state = self.lock();
        loop {
            if let Some(client) = state.idle.pop() {
                if client.is_closed() {
                    state.open -= 1;
                    continue;
                }
                return Ok(self.loan(client));
            }
            if state.open < self.max_size {
                state.open += 1;
                drop(state);
                return match self.config.connect(NoTls) {
                    Ok(client) => Ok(self.loan(client)),
                    Err(e) => {
                        self.lock().open -= 1;
                        self.returned.notify_one();
                        Err(e.into())
                    }
                };
            }
            state = self
                .returned
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    fn loan(&self, client: Client) -> PooledClient<'_> {
        PooledClient {
            pool: self,
            client: Some(client),
        }
    }

    /// The pool's state. Nothing panics while it is held, so a poisoned lock is still sound.
    fn lock(&self) -> MutexGuard<'_, Connections> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
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
            let mut state = self.pool.lock();
            if client.is_closed() {
                state.open -= 1;
            } else {
                state.idle.push(client);
            }
            drop(state);
            self.pool.returned.notify_one();
        }
    }
}
