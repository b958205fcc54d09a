//! The one error type every server function returns. It crosses the network intact (JSON), so
//! the browser can put field messages next to their fields and tell "sign in" from "not yours".

use crate::domain::new_token::FieldErrors;
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
    /// 422: input broke a rule; each message belongs to a form field.
    #[error("{0}")]
    Invalid(FieldErrors),
    /// 401 or 429: a refused sign-in, with the sentence to show.
    #[error("{0}")]
    Refused(String),
    /// 403: a state-changing request from another site.
    #[error("This request came from another site and was refused.")]
    CrossSite,
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
            AppError::Invalid(_) => 422,
            AppError::Refused(_) => 401,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}
