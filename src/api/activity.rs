//! A token's detail page: its settings, history and activity; "Narrow to what it used". Owner only.

use crate::model::activity::{RequestPage, TokenDetail};
use crate::model::error::AppError;
use leptos::prelude::*;

/// Everything the detail page shows about one of the account's tokens (404 for any other id).
#[server(endpoint = "get_token_detail")]
pub async fn get_token_detail(id: i64) -> Result<TokenDetail, AppError> {
    use crate::api::context::{require_owner, state};
    let state = state();
    let owner = require_owner().await?;
    crate::server::activity::detail(
        &state.pool,
        owner.account_id,
        id,
        state.config.activity_days,
    )
    .await
    .map_err(AppError::from)?
    .ok_or_else(|| AppError::NotFound.fail())
}

/// One page of a token's logged requests, filtered by status class (`ok`, `4xx`, `5xx`) and
/// route template; a bad filter is refused naming it.
#[server(endpoint = "list_token_requests")]
pub async fn list_token_requests(
    id: i64,
    class: Option<String>,
    route: Option<String>,
    after: Option<i64>,
    before: Option<i64>,
) -> Result<RequestPage, AppError> {
    use crate::api::context::{require_owner, state};
    use crate::domain::activity::RequestFilter;
    let pool = state().pool.clone();
    let owner = require_owner().await?;
    let routes = crate::server::activity::report::routes();
    let filter = RequestFilter::parse(class.as_deref(), route.as_deref(), &routes)
        .map_err(AppError::Invalid)?;
    let cursor = crate::model::Cursor { after, before };
    let page = crate::server::activity::requests(&pool, owner.account_id, id, &filter, cursor)
        .await
        .map_err(AppError::from)?
        .ok_or_else(|| AppError::NotFound.fail())?;
    Ok(RequestPage {
        filter,
        page,
        routes: routes.into_iter().map(String::from).collect(),
    })
}

/// What "Narrow to what it used" would change, in words, one change each (the message tokens it
/// would revoke included), or why it would not narrow (nothing to remove, a log that does not
/// cover its 30 days): the confirmation page says so, a page like any other (not an error).
#[server(endpoint = "preview_narrowing")]
pub async fn preview_narrowing(id: i64) -> Result<Result<Vec<String>, String>, AppError> {
    use crate::api::context::{client_meta, require_owner, state};
    use crate::server::tokens::{narrow_to_usage, Error};
    let (state, client) = (state(), client_meta());
    let owner = require_owner().await?;
    let days = state.config.activity_days;
    match narrow_to_usage(&state.pool, &owner, id, days, false, &client).await {
        Ok(detail) => Ok(Ok(detail.split("; ").map(str::to_string).collect())),
        Err(Error::Invalid(why) | Error::Widens(why)) => Ok(Err(why.to_string())),
        Err(error) => Err(error.into()),
    }
}

/// "Narrow to what it used": removes the scopes (and domains) the last 30 days of requests did
/// not use, then returns to the token's page confirming it.
#[server(endpoint = "narrow_token")]
pub async fn narrow_token(id: i64) -> Result<(), AppError> {
    use crate::api::context::{client_meta, require_owner, state};
    let (state, client) = (state(), client_meta());
    let owner = require_owner().await?;
    let days = state.config.activity_days;
    crate::server::tokens::narrow_to_usage(&state.pool, &owner, id, days, true, &client).await?;
    leptos_axum::redirect(&format!(
        "{}?narrowed=1",
        crate::model::routes::token_detail(id)
    ));
    Ok(())
}
