//! What the Tokens list shows: the status filter, the search text and the sort order, all kept in
//! the URL (`?status=active&q=deploy&sort=expires`) so a view survives a reload and can be shared.
//! Unknown or oversized values fall back to a sensible view rather than an error page: the URL is
//! hand-editable, and a list is always better than a refusal there.

use super::attention::Attention;
use super::status::StatusFilter;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};

/// The longest search kept; longer text is cut (no token name is longer, see `token_name`).
pub const MAX_SEARCH_CHARS: usize = 100;

/// The order of the list. Each order is total (ties broken by newest first), which keyset paging
/// needs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenSort {
    /// Newest first.
    #[default]
    Created,
    /// Soonest expiry first; tokens that never expire last.
    Expires,
    /// Most recently used first; never used last.
    LastUsed,
}

impl TokenSort {
    pub const OPTIONS: [(TokenSort, &'static str); 3] = [
        (TokenSort::Created, "Newest first"),
        (TokenSort::Expires, "Expiring soonest"),
        (TokenSort::LastUsed, "Recently used"),
    ];

    pub fn from_query(value: Option<&str>) -> TokenSort {
        match value {
            Some("expires") => TokenSort::Expires,
            Some("last_used") => TokenSort::LastUsed,
            _ => TokenSort::Created,
        }
    }

    /// `None` for the default order, which the URL leaves out.
    pub fn query_value(self) -> Option<&'static str> {
        match self {
            TokenSort::Created => None,
            TokenSort::Expires => Some("expires"),
            TokenSort::LastUsed => Some("last_used"),
        }
    }

    /// The select's value for this order (the default has one too).
    pub fn form_value(self) -> &'static str {
        self.query_value().unwrap_or("created")
    }
}

/// Search text: trimmed, never empty, at most [`MAX_SEARCH_CHARS`]. It matches a token whose name
/// contains it or whose visible prefix starts with it, ignoring case. A trailing `…` is dropped,
/// so a prefix copied from the list finds its token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Search(String);

impl Search {
    pub fn parse(value: &str) -> Option<Search> {
        let text: String = value
            .trim()
            .trim_end_matches('…')
            .trim_end()
            .chars()
            .take(MAX_SEARCH_CHARS)
            .collect();
        (!text.is_empty()).then_some(Search(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The SQL `LIKE` patterns (escape character `\`): name contains, prefix starts with.
    pub fn like_patterns(&self) -> (String, String) {
        let lower = self.0.to_lowercase();
        let mut escaped = String::with_capacity(lower.len());
        for c in lower.chars() {
            if matches!(c, '%' | '_' | '\\') {
                escaped.push('\\');
            }
            escaped.push(c);
        }
        (format!("%{escaped}%"), format!("{escaped}%"))
    }
}

/// The whole view of the list, without the page cursor.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenQuery {
    pub status: StatusFilter,
    pub search: Option<Search>,
    pub sort: TokenSort,
    /// One kind of the "Needs attention" panel (`?attention=idle`); unknown words are ignored.
    pub attention: Option<Attention>,
}

impl TokenQuery {
    pub fn from_query(status: Option<&str>, search: Option<&str>, sort: Option<&str>) -> Self {
        TokenQuery {
            status: StatusFilter::from_query(status),
            search: search.and_then(Search::parse),
            sort: TokenSort::from_query(sort),
            attention: None,
        }
    }

    /// The same view narrowed to one kind of the "Needs attention" panel (`?attention=`).
    pub fn with_attention(mut self, attention: Option<&str>) -> Self {
        self.attention = attention.and_then(Attention::parse);
        self
    }

    /// This view as a query string without the leading `?` (empty for the default view).
    pub fn to_query_string(&self) -> String {
        let mut pairs = Vec::new();
        if let Some(status) = self.status.query_value() {
            pairs.push(format!("status={status}"));
        }
        if let Some(search) = &self.search {
            let encoded = utf8_percent_encode(search.as_str(), NON_ALPHANUMERIC);
            pairs.push(format!("q={encoded}"));
        }
        if let Some(sort) = self.sort.query_value() {
            pairs.push(format!("sort={sort}"));
        }
        if let Some(attention) = self.attention {
            pairs.push(format!("attention={}", attention.as_str()));
        }
        pairs.join("&")
    }

    /// The same view with another status filter (the tabs keep the search and the order).
    pub fn with_status(&self, status: StatusFilter) -> TokenQuery {
        TokenQuery {
            status,
            ..self.clone()
        }
    }

    /// True when nothing narrows the list (the empty state then invites a first token).
    pub fn is_unfiltered(&self) -> bool {
        self.status == StatusFilter::All && self.search.is_none() && self.attention.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::status::TokenStatus;

    #[test]
    fn round_trips_through_the_url() {
        let query =
            TokenQuery::from_query(Some("revoked"), Some("  CI & deploy…"), Some("expires"));
        assert_eq!(query.status, StatusFilter::Only(TokenStatus::Revoked));
        assert_eq!(
            query.search.as_ref().map(Search::as_str),
            Some("CI & deploy")
        );
        assert_eq!(query.sort, TokenSort::Expires);
        assert_eq!(
            query.to_query_string(),
            "status=revoked&q=CI%20%26%20deploy&sort=expires"
        );
        let pairs: Vec<(String, String)> = form_urlencoded_pairs(&query.to_query_string());
        let again = TokenQuery::from_query(
            pairs
                .iter()
                .find(|(k, _)| k == "status")
                .map(|(_, v)| v.as_str()),
            pairs
                .iter()
                .find(|(k, _)| k == "q")
                .map(|(_, v)| v.as_str()),
            pairs
                .iter()
                .find(|(k, _)| k == "sort")
                .map(|(_, v)| v.as_str()),
        );
        assert_eq!(again, query);
    }

    fn form_urlencoded_pairs(query: &str) -> Vec<(String, String)> {
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| {
                let v = v.replace('+', " ");
                let bytes = percent_encoding::percent_decode_str(&v).collect::<Vec<u8>>();
                (k.to_string(), String::from_utf8(bytes).unwrap())
            })
            .collect()
    }

    #[test]
    fn hand_edited_urls_still_show_a_list() {
        let query = TokenQuery::from_query(Some("bogus"), Some("   "), Some("price"));
        assert_eq!(query, TokenQuery::default());
        assert!(query.is_unfiltered());
        assert_eq!(query.to_query_string(), "");
        let long = "x".repeat(500);
        let search = Search::parse(&long).unwrap();
        assert_eq!(search.as_str().chars().count(), MAX_SEARCH_CHARS);
    }

    #[test]
    fn like_patterns_escape_wildcards_and_ignore_case() {
        let search = Search::parse("50%_Off\\").unwrap();
        assert_eq!(
            search.like_patterns(),
            (
                "%50\\%\\_off\\\\%".to_string(),
                "50\\%\\_off\\\\%".to_string()
            )
        );
        let search = Search::parse("ÉTÉ").unwrap();
        assert_eq!(search.like_patterns().0, "%été%");
    }
}
