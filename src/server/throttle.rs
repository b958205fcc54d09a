//! Keeps password guessing slow without handing strangers a button that locks owners out.
//!
//! The rule (README, "Sign-in throttle"):
//! - Each **email + IP pair** gets [`PAIR_FREE`] failed attempts, then must wait before each
//!   further one: 1 s, 2 s, 4 s … doubling per failure up to [`MAX_DELAY`]. A guesser from one
//!   address gets about 15 guesses in 15 minutes; the owner on another address is not affected.
//! - An **email** gets [`EMAIL_FREE`] failures from all addresses together before the same
//!   delays apply to it everywhere (a guesser spread over many addresses), and an **IP** gets
//!   [`IP_FREE`] failures over all emails (one address spraying many accounts, generous because
//!   an office shares one address). An address the email signed in from successfully in the last
//!   [`TRUST_TTL`] is exempt from both: strangers cannot slow the owner down on their own network.
//! - An attempt is counted when it is admitted, before the password is checked, so simultaneous
//!   guesses cannot all pass the check; a successful sign-in gives its count back.
//! - Failures are forgotten [`WINDOW`] after the first. They are kept in the database
//!   (`login_failure`, `login_trust`), so every app server sharing it counts the same failures:
//!   N servers do not allow N times the guesses. Expired rows are deleted by the housekeeping.
//! - Concurrent attempts for the same key, on one server or several, cannot both take the last
//!   free failure: an attempt holds its keys' rows from reading them until it has counted itself.

use super::db::{self, begin_write, Pool, Query, Transaction};
use std::time::Duration;

/// Free failures per email + IP pair within [`WINDOW`].
pub const PAIR_FREE: u32 = 5;
/// Free failures per email, over all addresses, within [`WINDOW`].
pub const EMAIL_FREE: u32 = 50;
/// Free failures per IP, over all emails, within [`WINDOW`].
pub const IP_FREE: u32 = 100;
/// How long failures are remembered after the first one.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// The longest wait the delays grow to.
pub const MAX_DELAY: Duration = Duration::from_secs(15 * 60);
/// How long a successful sign-in exempts its address from the email and IP ceilings.
pub const TRUST_TTL: Duration = Duration::from_secs(30 * 24 * 60 * 60);

fn ms(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// The failures counted for one key within its window.
#[derive(Clone, Copy, Debug, sqlx::FromRow)]
pub struct Failures {
    pub failures: i64,
    pub first_at: i64,
    pub last_at: i64,
}

impl Failures {
    /// How long to wait before the next attempt, if at all, given `free` free failures.
    pub fn wait(&self, free: u32, now: i64) -> Option<Duration> {
        let excess = u32::try_from(self.failures).ok()?.checked_sub(free)?;
        let delay = Duration::from_secs(1u64 << excess.min(20)).min(MAX_DELAY);
        let ready = self.last_at.saturating_add(ms(delay));
        (ready > now).then(|| Duration::from_millis((ready - now) as u64))
    }
}

/// An admitted attempt: counted as a failure until [`LoginThrottle::succeeded`] gives it back.
#[derive(Debug)]
pub struct Attempt {
    email: String,
    ip: String,
    keys: Vec<String>,
}

/// Why an attempt was not admitted.
#[derive(Debug)]
pub enum Refused {
    /// Too many failures: wait this long.
    Wait(Duration),
    /// The counters could not be read or written.
    Db(sqlx::Error),
}

impl From<sqlx::Error> for Refused {
    fn from(error: sqlx::Error) -> Self {
        Refused::Db(error)
    }
}

/// The sign-in throttle: the rule above, over the counters in the database.
#[derive(Clone)]
pub struct LoginThrottle {
    pool: Pool,
}

impl LoginThrottle {
    pub fn new(pool: Pool) -> LoginThrottle {
        LoginThrottle { pool }
    }

    /// Admits an attempt and counts it, or says how long to wait. Atomic: of many simultaneous
    /// attempts, on any server, only as many as are free pass.
    pub async fn admit(&self, email: &str, ip: &str) -> Result<Attempt, Refused> {
        self.admit_at(email, ip, db::now_ms()).await
    }

    /// [`LoginThrottle::admit`] at the time `now` (Unix milliseconds).
    pub async fn admit_at(&self, email: &str, ip: &str, now: i64) -> Result<Attempt, Refused> {
        let email = email.trim().to_lowercase();
        let ip = address_key(ip);
        let trusted: Option<(i32,)> =
            db::query("select 1 from login_trust where email = $1 and ip = $2 and trusted_at > $3")
                .bind(&email)
                .bind(&ip)
                .bind(now - ms(TRUST_TTL))
                .fetch_optional(&self.pool)
                .await?;
        let mut keys = vec![(format!("pair:{email} {ip}"), PAIR_FREE)];
        if trusted.is_none() {
            keys.push((format!("email:{email}"), EMAIL_FREE));
            keys.push((format!("ip:{ip}"), IP_FREE));
        }
        // Always in the same order, so attempts locking several keys never wait on each other
        // in a circle.
        keys.sort();
        let names = || keys.iter().map(|(key, _)| key.as_str());
        // A plain read first: an attempt that must wait (every attempt of a flood, once its free
        // failures are spent) writes nothing and locks nothing.
        let rows: Vec<Counter> = counters(names(), "").fetch_all(&self.pool).await?;
        if let Some(wait) = longest_wait(&keys, &rows, now) {
            return Err(Refused::Wait(wait));
        }
        // Every key gets a row (its own statement: rows are locked below, and PostgreSQL can
        // only lock rows that exist).
        let mut create = Query::build(
            "insert into login_failure (throttle_key, failures, first_at, last_at) values ",
        );
        for (index, key) in names().enumerate() {
            create.push(if index == 0 { "(" } else { ", (" });
            create
                .push_bind(key)
                .push(", 0, ")
                .push_bind(now)
                .push(", ")
                .push_bind(now)
                .push(")");
        }
        create.push(" on conflict (throttle_key) do nothing");
        create.execute(&self.pool).await?;

        // Read again, holding the rows until this attempt is counted: of simultaneous attempts,
        // on any server, only as many as are free pass.
        let mut tx = begin_write(&self.pool).await?;
        let lock = tx.hold_rows_for_update();
        let rows: Vec<Counter> = counters(names(), lock).fetch_all(&mut tx).await?;
        if let Some(wait) = longest_wait(&keys, &rows, now) {
            tx.rollback().await?;
            return Err(Refused::Wait(wait));
        }
        let mut count = Query::build(
            "update login_failure set
                failures = case when first_at <= $1 then 1 else failures + 1 end,
                first_at = case when first_at <= $1 then $2 else first_at end,
                last_at = $2
              where throttle_key in (",
        )
        .bind(now - ms(WINDOW))
        .bind(now);
        count.push_list(names()).push(")");
        count.execute(&mut tx).await?;
        db::commit(tx).await?;
        let keys = keys.into_iter().map(|(key, _)| key).collect();
        Ok(Attempt { email, ip, keys })
    }

    /// The password could not be checked (the server was busy or failed): the attempt counts
    /// against nobody.
    pub async fn give_back(&self, attempt: Attempt) -> Result<(), sqlx::Error> {
        let mut tx = begin_write(&self.pool).await?;
        uncount(&mut tx, &attempt).await?;
        db::commit(tx).await
    }

    /// The password was right: the attempt is not a failure, the pair's count is cleared and the
    /// address is trusted for this email.
    pub async fn succeeded(&self, attempt: Attempt) -> Result<(), sqlx::Error> {
        let now = db::now_ms();
        let mut tx = begin_write(&self.pool).await?;
        uncount(&mut tx, &attempt).await?;
        db::query("delete from login_failure where throttle_key = $1")
            .bind(format!("pair:{} {}", attempt.email, attempt.ip))
            .execute(&mut tx)
            .await?;
        db::query(
            "insert into login_trust (email, ip, trusted_at) values ($1, $2, $3)
             on conflict (email, ip) do update set trusted_at = excluded.trusted_at",
        )
        .bind(&attempt.email)
        .bind(&attempt.ip)
        .bind(now)
        .execute(&mut tx)
        .await?;
        db::commit(tx).await
    }

    /// Remembered keys (failure counters and trusted pairs), for the tests.
    pub async fn remembered(&self) -> Result<i64, sqlx::Error> {
        let (count,): (i64,) = db::query(
            "select (select count(*) from login_failure) + (select count(*) from login_trust)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(count)
    }
}

/// The statements that delete what has expired by `now`, and the time each compares with: for
/// the housekeeping, which deletes in batches (`$1` the time, `$2` the batch size). The outer
/// condition repeats the inner one: on PostgreSQL a row renewed meanwhile is checked again.
pub fn expired(now: i64) -> [(&'static str, i64); 2] {
    [
        (
            "delete from login_failure where first_at <= $1 and throttle_key in
               (select throttle_key from login_failure where first_at <= $1 limit $2)",
            now - ms(WINDOW),
        ),
        (
            "delete from login_trust where trusted_at <= $1 and (email, ip) in
               (select email, ip from login_trust where trusted_at <= $1 limit $2)",
            now - ms(TRUST_TTL),
        ),
    ]
}

/// A key's counter as stored: key, failures, first and last failure.
type Counter = (String, i64, i64, i64);

/// The counters of `keys`, in key order (the order rows are locked in, with `lock`).
fn counters<'q>(keys: impl Iterator<Item = &'q str>, lock: &str) -> Query<'q> {
    let mut read = Query::build(
        "select throttle_key, failures, first_at, last_at from login_failure where throttle_key in (",
    );
    read.push_list(keys)
        .push(") order by throttle_key")
        .push(lock);
    read
}

/// The longest wait any of the keys imposes at `now`, if any.
fn longest_wait(keys: &[(String, u32)], rows: &[Counter], now: i64) -> Option<Duration> {
    rows.iter()
        .filter_map(|(key, failures, first_at, last_at)| {
            let free = keys.iter().find(|(name, _)| name == key)?.1;
            let failures = Failures {
                failures: *failures,
                first_at: *first_at,
                last_at: *last_at,
            };
            // A window that has passed counts as no failures.
            (failures.first_at > now - ms(WINDOW))
                .then(|| failures.wait(free, now))
                .flatten()
        })
        .max()
}

async fn uncount(tx: &mut Transaction<'_>, attempt: &Attempt) -> Result<(), sqlx::Error> {
    // The rows in key order first, as an attempt takes them, so the two never wait in a circle.
    let lock = tx.hold_rows_for_update();
    let _: Vec<Counter> = counters(attempt.keys.iter().map(String::as_str), lock)
        .fetch_all(&mut *tx)
        .await?;
    let mut statement = Query::build(
        "update login_failure set failures = failures - 1 where failures > 0 and throttle_key in (",
    );
    statement
        .push_list(attempt.keys.iter().map(String::as_str))
        .push(")");
    statement.execute(&mut *tx).await?;
    Ok(())
}

/// The key of a client address: an IPv4 address as it is, an IPv6 address by its /64 network
/// (one subscriber usually holds a whole /64, so counting single IPv6 addresses would let one
/// client appear as billions).
pub fn address_key(ip: &str) -> String {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => ipnet::Ipv6Net::new(v6, 64)
            .map(|net| net.trunc().to_string())
            .unwrap_or_else(|_| v6.to_string()),
        Ok(v4) => v4.to_string(),
        Err(_) => ip.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_doubles_and_never_exceeds_the_maximum() {
        let after = |failures: i64| Failures {
            failures,
            first_at: 0,
            last_at: 0,
        };
        assert_eq!(
            after(PAIR_FREE.into()).wait(PAIR_FREE, 0),
            Some(Duration::from_secs(1))
        );
        assert_eq!(after(6).wait(PAIR_FREE, 0), Some(Duration::from_secs(2)));
        assert_eq!(after(6).wait(PAIR_FREE, 2_000), None);
        assert_eq!(after(4).wait(PAIR_FREE, 0), None);
        assert!(after(500).wait(PAIR_FREE, 0).unwrap() <= MAX_DELAY);
    }
}
