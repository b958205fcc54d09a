//! Any bytes as the JSON body of each API request that takes one (the first byte picks which),
//! read as the API reads it: never a panic, and every refusal is a 400 `invalid_json` or a 422
//! `validation_error` naming the field, with a message. A message draft that reads is then
//! checked by its own rules, which must not panic either.
#![no_main]

use http::StatusCode;
use libfuzzer_sys::fuzz_target;
use trekmail_tokens::domain::outgoing::{Draft, OutgoingMessage};
use trekmail_tokens::server::rest::account::VerifyRequest;
use trekmail_tokens::server::rest::error::ApiError;
use trekmail_tokens::server::rest::extract::parse_json;
use trekmail_tokens::server::rest::mail::ForwardingRequest;
use trekmail_tokens::server::rest::message_tokens::{CreateMessageToken, NarrowMessageToken};

fn refused_clearly(error: ApiError) {
    match error.status {
        StatusCode::BAD_REQUEST => assert_eq!(error.body.code, "invalid_json"),
        StatusCode::UNPROCESSABLE_ENTITY => {
            assert_eq!(error.body.code, "validation_error");
            // Named as the request named it: an unknown key `""` is the field `""`.
            assert!(error.body.field.is_some());
        }
        other => panic!("a body was refused with {other}"),
    }
    assert!(!error.body.message.is_empty());
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    let read = match which % 5 {
        0 => parse_json::<CreateMessageToken>(body).map(drop),
        1 => parse_json::<NarrowMessageToken>(body).map(drop),
        2 => parse_json::<ForwardingRequest>(body).map(drop),
        3 => parse_json::<VerifyRequest>(body).map(drop),
        _ => parse_json::<Draft>(body).map(|draft| {
            let _ = OutgoingMessage::parse(draft);
        }),
    };
    if let Err(error) = read {
        refused_clearly(error);
    }
});
