//! Slows down password guessing: after too many failed sign-ins for one email, or from one IP,
//! further attempts are refused for a while. Kept in memory: a restart forgets it, which only
//! helps someone who can restart the server anyway.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed per email within [`WINDOW`].
pub const MAX_FAILURES_PER_EMAIL: u32 = 5;
/// Failures allowed per IP within [`WINDOW`] (an office behind one NAT shares it).
pub const MAX_FAILURES_PER_IP: u32 = 20;
/// How long failures are remembered, and how long a lock lasts.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginThrottle {
    /// `Err(wait)` while either key is locked.
    pub fn check(&self, email: &str, ip: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let mut failures = self.failures.lock().expect("throttle lock");
        failures.retain(|_, (_, first)| now.duration_since(*first) < WINDOW);
        let locked = [
            (email_key(email), MAX_FAILURES_PER_EMAIL),
            (ip_key(ip), MAX_FAILURES_PER_IP),
        ]
        .into_iter()
        .filter_map(|(key, max)| {
            failures
                .get(&key)
                .filter(|(count, _)| *count >= max)
                .map(|(_, first)| WINDOW.saturating_sub(now.duration_since(*first)))
        })
        .max();
        match locked {
            Some(wait) => Err(wait),
            None => Ok(()),
        }
    }

    pub fn record_failure(&self, email: &str, ip: &str) {
        let now = Instant::now();
        let mut failures = self.failures.lock().expect("throttle lock");
        for key in [email_key(email), ip_key(ip)] {
            failures.entry(key).or_insert((0, now)).0 += 1;
        }
    }

    /// A successful sign-in clears the email's count (not the IP's).
    pub fn record_success(&self, email: &str) {
        self.failures
            .lock()
            .expect("throttle lock")
            .remove(&email_key(email));
    }
}

fn email_key(email: &str) -> String {
    format!("email:{}", email.trim().to_lowercase())
}

fn ip_key(ip: &str) -> String {
    format!("ip:{ip}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_an_email_after_repeated_failures_and_success_clears_it() {
        let throttle = LoginThrottle::default();
        for _ in 0..MAX_FAILURES_PER_EMAIL {
            assert!(throttle.check("a@x.test", "1.1.1.1").is_ok());
            throttle.record_failure("A@x.test", "1.1.1.1");
        }
        assert!(
            throttle.check("a@x.test", "2.2.2.2").is_err(),
            "locked whatever the IP"
        );
        assert!(
            throttle.check("b@x.test", "1.1.1.1").is_ok(),
            "the IP is not locked yet"
        );
        throttle.record_success("a@x.test");
        assert!(throttle.check("a@x.test", "1.1.1.1").is_ok());
    }

    #[test]
    fn locks_an_ip_spraying_many_emails() {
        let throttle = LoginThrottle::default();
        for i in 0..MAX_FAILURES_PER_IP {
            throttle.record_failure(&format!("user{i}@x.test"), "9.9.9.9");
        }
        let wait = throttle.check("fresh@x.test", "9.9.9.9").unwrap_err();
        assert!(wait <= WINDOW);
    }
}
