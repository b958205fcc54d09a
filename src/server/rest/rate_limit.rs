//! The per-token request budget of the REST API.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;

/// Per-token request budget (`TREKMAIL_API_RATE_LIMIT` requests per minute, with bursts up to
/// the same number).
pub struct ApiRateLimiter {
    limiter: DefaultKeyedRateLimiter<i64>,
}

impl ApiRateLimiter {
    pub fn per_minute(requests: u32) -> ApiRateLimiter {
        let quota = Quota::per_minute(NonZeroU32::new(requests.max(1)).expect("at least 1"));
        ApiRateLimiter {
            limiter: RateLimiter::keyed(quota),
        }
    }

    /// `Err(seconds to wait)` when the token has used up its budget.
    pub fn check(&self, token_id: i64) -> Result<(), u64> {
        self.limiter.check_key(&token_id).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })?;
        // Forget idle tokens now and then so memory stays bounded by the active ones.
        if self.limiter.len() > 10_000 {
            self.limiter.retain_recent();
        }
        Ok(())
    }
}
