//! Any text as a token, and any bytes as an `Authorization` header: never a panic; a token that
//! parses is exactly the text given and parses again the same; every refusal of the header is a
//! 401 `invalid_token` that says why.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trekmail_tokens::domain::token::TokenSecret;
use trekmail_tokens::domain::token_name::TokenName;
use trekmail_tokens::server::rest::access::bearer_token;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(token) = TokenSecret::parse(text) {
            assert_eq!(token.expose(), text);
            assert!(text.starts_with(&token.visible_prefix()));
            assert!(TokenSecret::parse(token.expose()) == Ok(token));
        }
        // A parsed name is already in its normal form.
        if let Ok(name) = TokenName::parse(text) {
            assert_eq!(TokenName::parse(name.as_str()).as_ref(), Ok(&name));
        }
    }

    let Ok(value) = http::HeaderValue::from_bytes(data) else {
        return;
    };
    let mut headers = http::HeaderMap::new();
    headers.insert(http::header::AUTHORIZATION, value);
    match bearer_token(&headers) {
        Ok(token) => assert!(std::str::from_utf8(data).unwrap().contains(token.expose())),
        Err(error) => {
            assert_eq!(error.status, http::StatusCode::UNAUTHORIZED);
            assert_eq!(error.body.code, "invalid_token");
            assert!(!error.body.message.is_empty());
        }
    }
});
