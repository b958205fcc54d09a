//! Tokens the API has already looked up, so a request need not read the database again.
//!
//! **Revocation stays immediate.** Every entry records [`db::write_generation`] as it was *before*
//! its database read, and is trusted only while that number is unchanged. Every write
//! transaction bumps the number after it commits ([`db::commit`]), before the change is
//! acknowledged; so a request that arrives after a revoke was acknowledged finds every entry
//! older than the revoke stale and reads the database, which holds the revoke. An entry read
//! *during* the revoke carries the older number and is stale too. The same holds for narrowing a
//! message token and for everything the lifecycle adds.
//!
//! **Changes made behind the app's back** (a script or the billing system updating a plan in the
//! database) bump nothing; they are seen once an entry is [`MAX_AGE`] old.
//!
//! **Only with SQLite.** The write generation counts this process's writes, and a SQLite database
//! has one server. On PostgreSQL another server's revocation bumps nothing here, and no message
//! between servers (`LISTEN/NOTIFY` included) is sure to arrive before the next request does, so
//! the cache is off there ([`TokenCache::off`]): every request reads its token from the database,
//! and a revocation through any server is refused by every server on the very next request.
//!
//! **Unknown tokens** are remembered too (a misconfigured client retrying the same wrong token),
//! apart from the known ones so a flood of random tokens cannot evict them. A remembered unknown
//! hash cannot hide a token created later: that would need the new token's SHA-256 to equal one
//! already sent, i.e. guessing a 190-bit secret; the generation rule drops them anyway.

use super::access::Caller;
use crate::server::db;
use quick_cache::sync::Cache;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long an entry may serve without a write through the app invalidating it.
pub const MAX_AGE: Duration = Duration::from_secs(5);
/// Live tokens kept (about 1 KB each).
const KNOWN_CAPACITY: usize = 20_000;
/// Unknown token hashes kept (about 100 bytes each).
const UNKNOWN_CAPACITY: usize = 10_000;

/// A token as its last database read found it.
pub struct Verified {
    pub caller: Caller,
    pub revoked_at: Option<i64>,
    /// When its "last used" was last written (0: never); updated as the API writes it.
    pub last_used_at: AtomicI64,
}

#[derive(Clone)]
struct Entry<T> {
    value: T,
    generation: u64,
    read_at: Instant,
}

impl<T> Entry<T> {
    fn fresh(&self, generation: u64) -> bool {
        self.generation == generation && self.read_at.elapsed() < MAX_AGE
    }
}

/// What a lookup found without the database.
pub enum Hit {
    Known(Arc<Verified>),
    Unknown,
}

pub struct TokenCache {
    known: Cache<String, Entry<Arc<Verified>>>,
    unknown: Cache<String, Entry<()>>,
    on: bool,
}

impl Default for TokenCache {
    fn default() -> Self {
        TokenCache {
            known: Cache::new(KNOWN_CAPACITY),
            unknown: Cache::new(UNKNOWN_CAPACITY),
            on: true,
        }
    }
}

impl TokenCache {
    /// The cache for a pool: on for SQLite, off for PostgreSQL (see the module's comment).
    pub fn for_engine(engine: db::Engine) -> TokenCache {
        match engine {
            db::Engine::Sqlite => TokenCache::default(),
            db::Engine::Postgres => TokenCache::off(),
        }
    }

    /// A cache that remembers nothing.
    pub fn off() -> TokenCache {
        TokenCache {
            known: Cache::new(1),
            unknown: Cache::new(1),
            on: false,
        }
    }

    /// The token with this SHA-256 (hex), if an entry is still trusted.
    pub fn get(&self, hash: &str) -> Option<Hit> {
        if !self.on {
            return None;
        }
        let generation = db::write_generation();
        if let Some(entry) = self.known.get(hash) {
            if entry.fresh(generation) {
                return Some(Hit::Known(entry.value));
            }
        }
        match self.unknown.get(hash) {
            Some(entry) if entry.fresh(generation) => Some(Hit::Unknown),
            _ => None,
        }
    }

    /// Remembers a database read that started at `generation`.
    pub fn remember(&self, hash: String, generation: u64, found: Option<Arc<Verified>>) {
        if !self.on {
            return;
        }
        let read_at = Instant::now();
        match found {
            Some(value) => self.known.insert(
                hash,
                Entry {
                    value,
                    generation,
                    read_at,
                },
            ),
            None => self.unknown.insert(
                hash,
                Entry {
                    value: (),
                    generation,
                    read_at,
                },
            ),
        }
    }
}

impl Verified {
    pub fn last_used_at(&self) -> Option<i64> {
        match self.last_used_at.load(Ordering::Relaxed) {
            0 => None,
            at => Some(at),
        }
    }

    pub fn set_last_used_at(&self, at: i64) {
        self.last_used_at.store(at, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(generation: u64, age: Duration) -> Entry<()> {
        Entry {
            value: (),
            generation,
            read_at: Instant::now() - age,
        }
    }

    #[test]
    fn an_entry_is_trusted_only_at_its_generation_and_while_young() {
        assert!(entry(7, Duration::ZERO).fresh(7));
        assert!(!entry(7, Duration::ZERO).fresh(8), "a write since the read");
        assert!(
            !entry(7, MAX_AGE).fresh(7),
            "a change behind the app's back"
        );
    }

    #[test]
    fn an_unknown_token_is_forgotten_after_a_write() {
        let cache = TokenCache::default();
        let generation = db::write_generation();
        cache.remember("ab".into(), generation, None);
        assert!(matches!(cache.get("ab"), Some(Hit::Unknown)));
        db::note_write();
        assert!(cache.get("ab").is_none());
    }
}
