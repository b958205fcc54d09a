//! The Tokens page's "Needs attention" panel: live tokens an owner should look at, each kind a
//! filter of the list kept in the URL (`?attention=idle`).

use serde::{Deserialize, Serialize};

/// Days without a call after which a used token counts as idle.
pub const IDLE_DAYS: i64 = 90;
/// Days a token may go unused from its creation before it counts as idle, and may hold a
/// high-risk scope without using it before it is flagged.
pub const UNUSED_GRACE_DAYS: i64 = 30;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Attention {
    /// Live and never expiring.
    NeverExpires,
    /// Unused for 90 days, or never used 30 days after its creation.
    Idle,
    /// Holding a high-risk scope its requests never used (held for over 30 days).
    UnusedHighRisk,
    /// Holding every scope the account's plan allows.
    AllScopes,
}

impl Attention {
    pub const ALL: [Attention; 4] = [
        Attention::NeverExpires,
        Attention::Idle,
        Attention::UnusedHighRisk,
        Attention::AllScopes,
    ];

    /// The URL word.
    pub fn as_str(self) -> &'static str {
        match self {
            Attention::NeverExpires => "never_expires",
            Attention::Idle => "idle",
            Attention::UnusedHighRisk => "unused_high_risk",
            Attention::AllScopes => "all_scopes",
        }
    }

    pub fn parse(value: &str) -> Option<Attention> {
        Attention::ALL
            .into_iter()
            .find(|attention| attention.as_str() == value)
    }

    /// The panel's words for `count` tokens of this kind.
    pub fn describe(self, count: u32) -> String {
        let tokens = if count == 1 { "token" } else { "tokens" };
        match self {
            Attention::NeverExpires => format!("{count} {tokens} never expire"),
            Attention::Idle => format!("{count} {tokens} unused for {IDLE_DAYS} days (or never used after {UNUSED_GRACE_DAYS})"),
            Attention::UnusedHighRisk => format!("{count} {tokens} hold high-risk scopes they never used"),
            Attention::AllScopes => format!("{count} {tokens} hold every scope"),
        }
    }

    /// What the filtered list shows, as its heading.
    pub fn heading(self) -> &'static str {
        match self {
            Attention::NeverExpires => "Live tokens that never expire",
            Attention::Idle => "Idle tokens",
            Attention::UnusedHighRisk => "Tokens holding high-risk scopes they never used",
            Attention::AllScopes => "Tokens holding every scope",
        }
    }
}

/// How many live tokens each kind holds (each counted up to the list's count cap + 1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttentionCounts(pub [u32; 4]);

impl AttentionCounts {
    pub fn get(&self, attention: Attention) -> u32 {
        let index = Attention::ALL
            .iter()
            .position(|a| *a == attention)
            .unwrap_or(0);
        self.0[index]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_words_round_trip_and_unknown_ones_are_none() {
        for attention in Attention::ALL {
            assert_eq!(Attention::parse(attention.as_str()), Some(attention));
        }
        assert_eq!(Attention::parse("stale"), None);
        assert_eq!(
            Attention::Idle.describe(1),
            "1 token unused for 90 days (or never used after 30)"
        );
    }
}
