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
//! - Failures are forgotten [`WINDOW`] after the first. Kept in memory (a restart forgets it,
//!   which only helps someone who can restart the server anyway) and bounded: at most
//!   [`MAX_KEYS`] remembered keys, expired ones pruned; when full, attempts from addresses not
//!   yet known to succeed wait until entries expire.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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
/// Upper bound of remembered keys (each well under 200 bytes).
pub const MAX_KEYS: usize = 200_000;
/// Expired entries are swept at most this often, so a check is O(1) on average.
const PRUNE_EVERY: Duration = Duration::from_secs(30);

#[derive(Clone, Copy, Debug)]
struct Failures {
    count: u32,
    first: Instant,
    last: Instant,
}

impl Failures {
    /// How long to wait before the next attempt, if at all, given `free` free failures.
    fn wait(&self, free: u32, now: Instant) -> Option<Duration> {
        let excess = self.count.checked_sub(free)?;
        let delay = Duration::from_secs(1u64 << excess.min(20)).min(MAX_DELAY);
        let ready = self.last + delay;
        (ready > now).then(|| ready - now)
    }
}

#[derive(Default)]
struct State {
    failures: HashMap<Key, Failures>,
    /// (email, ip) pairs that signed in successfully, and when.
    trusted: HashMap<(String, String), Instant>,
    last_prune: Option<Instant>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Pair(String, String),
    Email(String),
    Ip(String),
}

/// An admitted attempt: counted as a failure until [`LoginThrottle::succeeded`] gives it back.
#[derive(Debug)]
pub struct Attempt {
    email: String,
    ip: String,
    keys: Vec<Key>,
}

#[derive(Default)]
pub struct LoginThrottle {
    state: Mutex<State>,
}

impl LoginThrottle {
    /// Admits an attempt and counts it, or says how long to wait. Atomic: of many simultaneous
    /// attempts, only as many as are free pass.
    pub fn admit(&self, email: &str, ip: &str) -> Result<Attempt, Duration> {
        self.admit_at(email, ip, Instant::now())
    }

    fn admit_at(&self, email: &str, ip: &str, now: Instant) -> Result<Attempt, Duration> {
        let email = email.trim().to_lowercase();
        let ip = address_key(ip);
        let mut state = self.state.lock().expect("throttle lock");
        state.prune(now);
        let trusted = state
            .trusted
            .get(&(email.clone(), ip.clone()))
            .is_some_and(|since| now.duration_since(*since) < TRUST_TTL);
        let mut keys = vec![(Key::Pair(email.clone(), ip.clone()), PAIR_FREE)];
        if !trusted {
            keys.push((Key::Email(email.clone()), EMAIL_FREE));
            keys.push((Key::Ip(ip.clone()), IP_FREE));
        }
        let wait = keys
            .iter()
            .filter_map(|(key, free)| state.failures.get(key)?.wait(*free, now))
            .max();
        if let Some(wait) = wait {
            return Err(wait);
        }
        let new_keys = keys
            .iter()
            .filter(|(key, _)| !state.failures.contains_key(key))
            .count();
        if !trusted && state.failures.len() + new_keys > MAX_KEYS {
            return Err(PRUNE_EVERY);
        }
        for (key, _) in &keys {
            let entry = state.failures.entry(key.clone()).or_insert(Failures {
                count: 0,
                first: now,
                last: now,
            });
            entry.count += 1;
            entry.last = now;
        }
        Ok(Attempt {
            email,
            ip,
            keys: keys.into_iter().map(|(key, _)| key).collect(),
        })
    }

    /// The password could not be checked (the server was busy or failed): the attempt counts
    /// against nobody.
    pub fn give_back(&self, attempt: Attempt) {
        self.state.lock().expect("throttle lock").uncount(&attempt);
    }

    /// The password was right: the attempt is not a failure, the pair's count is cleared and the
    /// address is trusted for this email.
    pub fn succeeded(&self, attempt: Attempt) {
        let mut state = self.state.lock().expect("throttle lock");
        state.uncount(&attempt);
        state
            .failures
            .remove(&Key::Pair(attempt.email.clone(), attempt.ip.clone()));
        if state.trusted.len() < MAX_KEYS {
            state
                .trusted
                .insert((attempt.email, attempt.ip), Instant::now());
        }
    }

    /// Forgets expired counters now (the periodic housekeeping calls this).
    pub fn prune_now(&self) {
        let mut state = self.state.lock().expect("throttle lock");
        state.last_prune = None;
        state.prune(Instant::now());
    }

    /// Remembered keys (failure counters and trusted pairs), for the memory-bound tests.
    pub fn remembered(&self) -> usize {
        let state = self.state.lock().expect("throttle lock");
        state.failures.len() + state.trusted.len()
    }
}

/// The key of a client address: an IPv4 address as it is, an IPv6 address by its /64 network
/// (one subscriber usually holds a whole /64, so counting single IPv6 addresses would let one
/// client appear as billions).
fn address_key(ip: &str) -> String {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => ipnet::Ipv6Net::new(v6, 64)
            .map(|net| net.trunc().to_string())
            .unwrap_or_else(|_| v6.to_string()),
        Ok(v4) => v4.to_string(),
        Err(_) => ip.to_string(),
    }
}

impl State {
    fn uncount(&mut self, attempt: &Attempt) {
        for key in &attempt.keys {
            if let Some(entry) = self.failures.get_mut(key) {
                entry.count = entry.count.saturating_sub(1);
            }
        }
    }

    fn prune(&mut self, now: Instant) {
        if self
            .last_prune
            .is_some_and(|last| now.duration_since(last) < PRUNE_EVERY)
        {
            return;
        }
        self.last_prune = Some(now);
        self.failures
            .retain(|_, failures| now.duration_since(failures.first) < WINDOW);
        self.trusted
            .retain(|_, since| now.duration_since(*since) < TRUST_TTL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fail(throttle: &LoginThrottle, email: &str, ip: &str, now: Instant) -> Result<(), Duration> {
        throttle.admit_at(email, ip, now).map(drop)
    }

    #[test]
    fn a_pair_gets_its_free_failures_then_doubling_delays() {
        let throttle = LoginThrottle::default();
        let t0 = Instant::now();
        for _ in 0..PAIR_FREE {
            fail(&throttle, "a@x.test", "1.1.1.1", t0).unwrap();
        }
        // The attempt that would be the sixth failure must wait 1 s after the fifth.
        assert_eq!(
            fail(&throttle, "A@x.test", "1.1.1.1", t0),
            Err(Duration::from_secs(1))
        );
        fail(
            &throttle,
            "a@x.test",
            "1.1.1.1",
            t0 + Duration::from_secs(1),
        )
        .unwrap();
        assert_eq!(
            fail(
                &throttle,
                "a@x.test",
                "1.1.1.1",
                t0 + Duration::from_secs(1)
            ),
            Err(Duration::from_secs(2))
        );
    }

    #[test]
    fn a_stranger_does_not_slow_the_owner_on_another_address() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..PAIR_FREE {
            fail(&throttle, "owner@x.test", "6.6.6.6", now).unwrap();
        }
        assert!(fail(&throttle, "owner@x.test", "6.6.6.6", now).is_err());
        let attempt = throttle.admit_at("owner@x.test", "1.1.1.1", now).unwrap();
        throttle.succeeded(attempt);
    }

    #[test]
    fn many_addresses_against_one_email_hit_its_ceiling_but_not_the_owners_known_address() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        let attempt = throttle.admit_at("owner@x.test", "1.1.1.1", now).unwrap();
        throttle.succeeded(attempt);
        for i in 0..EMAIL_FREE {
            fail(
                &throttle,
                "owner@x.test",
                &format!("10.0.{}.{}", i / 200, i % 200),
                now,
            )
            .unwrap();
        }
        assert!(
            fail(&throttle, "owner@x.test", "9.9.9.9", now).is_err(),
            "a new address waits"
        );
        assert!(
            throttle.admit_at("owner@x.test", "1.1.1.1", now).is_ok(),
            "the owner's usual address does not"
        );
    }

    #[test]
    fn one_address_spraying_emails_hits_the_ip_ceiling() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        for i in 0..IP_FREE {
            fail(&throttle, &format!("user{i}@x.test"), "9.9.9.9", now).unwrap();
        }
        assert!(fail(&throttle, "fresh@x.test", "9.9.9.9", now).is_err());
        assert!(fail(&throttle, "fresh@x.test", "9.9.9.10", now).is_ok());
    }

    #[test]
    fn success_gives_the_attempt_back() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..PAIR_FREE - 1 {
            fail(&throttle, "a@x.test", "1.1.1.1", now).unwrap();
        }
        let attempt = throttle.admit_at("a@x.test", "1.1.1.1", now).unwrap();
        throttle.succeeded(attempt);
        for _ in 0..PAIR_FREE {
            fail(&throttle, "a@x.test", "1.1.1.1", now).unwrap();
        }
    }

    #[test]
    fn failures_are_forgotten_after_the_window() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..PAIR_FREE {
            fail(&throttle, "a@x.test", "1.1.1.1", now).unwrap();
        }
        assert!(fail(&throttle, "a@x.test", "1.1.1.1", now).is_err());
        let later = now + WINDOW + PRUNE_EVERY;
        assert!(fail(&throttle, "a@x.test", "1.1.1.1", later).is_ok());
        assert_eq!(throttle.remembered(), 3, "old entries were swept");
    }

    #[test]
    fn an_ipv6_client_counts_as_its_slash_64() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        for i in 0..PAIR_FREE {
            fail(&throttle, "a@x.test", &format!("2001:db8:1:2::{i:x}"), now).unwrap();
        }
        assert!(fail(&throttle, "a@x.test", "2001:db8:1:2:ffff::1", now).is_err());
        assert!(fail(&throttle, "a@x.test", "2001:db8:1:3::1", now).is_ok());
    }

    #[test]
    fn an_attempt_given_back_counts_against_nobody() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..PAIR_FREE * 3 {
            let attempt = throttle.admit_at("a@x.test", "1.1.1.1", now).unwrap();
            throttle.give_back(attempt);
        }
        assert!(fail(&throttle, "a@x.test", "1.1.1.1", now).is_ok());
    }

    #[test]
    fn the_delay_never_exceeds_the_maximum() {
        let failures = Failures {
            count: 500,
            first: Instant::now(),
            last: Instant::now(),
        };
        assert!(failures.wait(PAIR_FREE, Instant::now()).unwrap() <= MAX_DELAY);
    }
}
