//! The one error type every server function returns. It crosses the network intact (JSON), so
//! the browser can put field messages next to their fields and tell "sign in" from "not yours".

use crate::domain::field::FieldErrors;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// 401: no valid session.
    #[error("Please sign in to continue.")]
    Unauthenticated,
    /// 403: signed in, but not the account owner.
    #[error("Only the account owner can manage API tokens.")]
    OwnerOnly,
    /// 404: missing, or belongs to another account (the two look the same on purpose).
    #[error("Not found.")]
    NotFound,
    /// 409: the change cannot be made as things stand (e.g. the account's token limit).
    #[error("{0}")]
    Conflict(String),
    /// 422: input broke a rule; each message belongs to a form field.
    #[error("{0}")]
    Invalid(FieldErrors),
    /// 401: a refused sign-in, with the sentence to show.
    #[error("{0}")]
    Refused(String),
    /// 429: too many attempts, or the server is busy; the sentence says how long to wait.
    #[error("{0}")]
    Throttled(String),
    /// 400: the request itself is malformed (not a form mistake a person made).
    #[error("This request is malformed ({0}).")]
    BadRequest(String),
    /// 413: the body is larger than any valid request.
    #[error("This request is too large.")]
    TooLarge,
    /// 415: the body is not in the format this function reads.
    #[error("This request's Content-Type is not accepted here; send {0}.")]
    UnsupportedMediaType(String),
    /// 403: a state-changing request from another site.
    #[error("This request came from another site and was refused.")]
    CrossSite,
    /// 503: the database cannot serve or store anything right now (its disk is full, it went
    /// read-only or cannot be reached); nothing was changed.
    #[error("The server cannot reach or write its database right now (for example, its disk is full). Nothing was changed; please try again in a few minutes.")]
    Unavailable,
    /// 500: the detail is logged on the server, never sent.
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The request never reached the function, or its answer never came back.
    #[error("The request did not go through ({0}). Check your connection and try again.")]
    Transport(String),
}

impl AppError {
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Unauthenticated => 401,
            AppError::OwnerOnly | AppError::CrossSite => 403,
            AppError::NotFound => 404,
            AppError::Conflict(_) => 409,
            AppError::Invalid(_) => 422,
            AppError::Refused(_) => 401,
            AppError::Throttled(_) => 429,
            AppError::BadRequest(_) => 400,
            AppError::TooLarge => 413,
            AppError::UnsupportedMediaType(_) => 415,
            AppError::Internal | AppError::Transport(_) => 500,
            AppError::Unavailable => 503,
        }
    }

    /// Sets the HTTP status of the server-function response that carries this error, and hands
    /// it back. Every refusal goes through here, so the status and the error never disagree.
    pub fn fail(self) -> AppError {
        #[cfg(feature = "ssr")]
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(status) = http::StatusCode::from_u16(self.status_code()) {
                response.set_status(status);
            }
        }
        self
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// Errors raised before the function runs (its arguments could not be read) are the
    /// caller's fault: 400 (413 for an oversized body), never 500. On the server the response
    /// status is set here, once, for every server function.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let error = match value {
            ServerFnErrorErr::Args(detail) | ServerFnErrorErr::Deserialization(detail) => {
                if detail.contains("length limit exceeded") {
                    AppError::TooLarge
                } else {
                    AppError::BadRequest(short(&detail))
                }
            }
            other => AppError::Transport(other.to_string()),
        };
        error.fail()
    }
}

/// The first line of a parser's complaint, bounded, for a 400's message.
fn short(detail: &str) -> String {
    let line = detail.lines().next().unwrap_or("");
    let mut text: String = line.chars().take(200).collect();
    if text.is_empty() {
        text = "unreadable arguments".into();
    }
    text
}
