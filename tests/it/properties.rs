//! Bad input at scale: properties of the parsers every request goes through, each checked on
//! thousands of generated inputs (proptest, a fixed number of cases so the run is bounded).

use chrono::NaiveDate;
use proptest::prelude::*;
use trekmail_tokens::domain::expiration::{parse_lifetime, FORM_WORDS, MESSAGE_TOKEN_WORDS};
use trekmail_tokens::domain::new_token::{CreateTokenForm, NewToken};
use trekmail_tokens::domain::plan::{Plan, PlanAccess};
use trekmail_tokens::domain::scope::Scope;
use trekmail_tokens::domain::scope_set::ScopeSet;
use trekmail_tokens::domain::token::{TokenKind, TokenSecret};
use trekmail_tokens::domain::token_name::{TokenName, MAX_NAME_CHARS};

const BASE62: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn kind() -> impl Strategy<Value = TokenKind> {
    prop_oneof![Just(TokenKind::Ops), Just(TokenKind::Message)]
}

fn access() -> impl Strategy<Value = PlanAccess> {
    (prop::sample::select(Plan::ALL.to_vec()), any::<bool>())
        .prop_map(|(plan, addon)| PlanAccess::new(plan, addon))
}

/// Any text, weighted towards what breaks parsers: white space, marks, invisible and
/// direction characters, long runs.
fn nasty_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ a-zA-Z0-9\\t\\u{200b}\\u{202e}\\u{0301}\\u{fe0f}\\u{85}é€😀-]{0,120}",
        ".{0,500}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn a_made_token_parses_back_to_itself(kind in kind(), body in "[0-9A-Za-z]{32}") {
        let token = TokenSecret::from_random_body(kind, &body).unwrap();
        let parsed = TokenSecret::parse(token.expose()).unwrap();
        prop_assert_eq!(parsed.expose(), token.expose());
        prop_assert!(token.visible_prefix().len() < token.expose().len());
    }

    #[test]
    fn any_one_character_changed_is_refused(
        kind in kind(),
        body in "[0-9A-Za-z]{32}",
        position in any::<prop::sample::Index>(),
        replacement in any::<prop::sample::Index>(),
    ) {
        let token = TokenSecret::from_random_body(kind, &body).unwrap();
        let text = token.expose();
        let prefix = match kind { TokenKind::Ops => "tm_live_".len(), TokenKind::Message => "tm_msg_".len() };
        let at = prefix + position.index(text.len() - prefix);
        let old = text.as_bytes()[at] as char;
        let new = BASE62.chars().filter(|c| *c != old).nth(replacement.index(61)).unwrap();
        let mut changed = text.to_string();
        changed.replace_range(at..=at, &new.to_string());
        prop_assert!(TokenSecret::parse(&changed).is_err(), "{} was accepted", changed);
    }

    #[test]
    fn the_token_parser_refuses_anything_else_without_panicking(text in nasty_text()) {
        // Random text is never a well-formed token (a checksum would have to match by chance).
        prop_assert!(TokenSecret::parse(&text).is_err());
    }

    #[test]
    fn a_parsed_name_is_already_in_its_normal_form(raw in nasty_text()) {
        if let Ok(name) = TokenName::parse(&raw) {
            let text = name.as_str();
            prop_assert_eq!(TokenName::parse(text), Ok(name.clone()), "parsing again changes nothing");
            prop_assert!(!text.is_empty() && text.chars().count() <= MAX_NAME_CHARS);
            prop_assert_eq!(text.trim(), text);
            prop_assert!(!text.contains("  "));
            prop_assert!(!text.chars().any(char::is_control));
        }
    }

    #[test]
    fn expiry_words_are_exact_and_never_panic(raw in nasty_text()) {
        for words in [FORM_WORDS, MESSAGE_TOKEN_WORDS] {
            let known = words.iter().any(|(word, _, _)| *word == raw);
            prop_assert_eq!(parse_lifetime(&raw, words).is_ok(), known);
        }
    }

    #[test]
    fn stored_scopes_read_back_as_written(picks in prop::sample::subsequence(Scope::all().collect::<Vec<_>>(), 0..=12)) {
        let set = ScopeSet::of_ops(&picks);
        let again = ScopeSet::read(&set.stored());
        prop_assert_eq!(again.stored(), set.stored());
        prop_assert_eq!(again.ops().len(), picks.len());
    }

    #[test]
    fn stored_scopes_of_any_text_never_panic(raw in nasty_text()) {
        let set = ScopeSet::read(&raw);
        prop_assert!(set.to_strings().iter().all(|name| Scope::all().any(|s| s.name() == name)
            || ["messages:read", "messages:write", "messages:send"].contains(&name.as_str())));
    }

    /// The plan rule: whatever a form asks for, an accepted token holds only scopes its plan
    /// allows, at least one, and only the account's own domains.
    #[test]
    fn an_accepted_token_never_exceeds_its_plan(
        access in access(),
        name in nasty_text(),
        expiration in prop::sample::select(vec!["7d", "30d", "90d", "never", "custom", "", "1y"]),
        day in 0u32..800,
        scopes in prop::collection::vec(prop_oneof![
            prop::sample::select(Scope::all().map(|s| s.name().to_string()).collect::<Vec<_>>()),
            nasty_text(),
        ], 0..8),
        domain_mode in prop::sample::select(vec!["all", "selected", "", "some"]),
        domain_ids in prop::collection::vec(-2i64..8, 0..4),
    ) {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let form = CreateTokenForm {
            name,
            expiration: expiration.to_string(),
            expiration_date: (today + chrono::Days::new(u64::from(day))).to_string(),
            scopes,
            domain_mode: domain_mode.to_string(),
            domain_ids,
            ip_allowlist: String::new(),
        };
        let policy = trekmail_tokens::domain::token_policy::TokenPolicy::default();
        let limits = trekmail_tokens::domain::new_token::Limits {
            access,
            account_domain_ids: &[1, 2, 3],
            policy: &policy,
            now: today.and_hms_opt(12, 0, 0).unwrap().and_utc(),
        };
        if let Ok(token) = NewToken::parse(&form, limits) {
            prop_assert!(!token.scopes.is_empty());
            prop_assert!(token.scopes.iter().all(|scope| access.allows(*scope)));
            if let trekmail_tokens::domain::new_token::DomainConstraint::Only(ids) = &token.domains {
                prop_assert!(!ids.is_empty() && ids.iter().all(|id| [1, 2, 3].contains(id)));
            }
        }
    }
}
