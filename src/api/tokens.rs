//! Listing, creating and revoking tokens from the dashboard. Owner only.

use crate::domain::new_token::CreateTokenForm;
use crate::model::error::AppError;
use crate::model::tokens::{CreatedToken, DomainOption, StatusCounts, TokenRow};
use crate::model::Page;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// The owner's domains, for the create form.
#[server(endpoint = "account_domains")]
pub async fn account_domains() -> Result<Vec<DomainOption>, AppError> {
    use crate::api::context::{require_owner, state};
    // Context is read before the first await: during server rendering it is gone after one.
    let pool = state().pool.clone();
    let owner = require_owner().await?;
    crate::server::tokens::account_domains(&pool, owner.account_id)
        .await
        .map_err(AppError::from)
}

/// One page of the account's tokens in the view the URL describes: `status` (`active`,
/// `expired`, `revoked`, anything else for all), `q` (search), `sort` (`expires`, `last_used`,
/// anything else for newest first), `attention` (a "Needs attention" kind), as the page's URL
/// spells them.
#[server(endpoint = "list_tokens")]
pub async fn list_tokens(
    status: Option<String>,
    q: Option<String>,
    sort: Option<String>,
    attention: Option<String>,
    after: Option<i64>,
    before: Option<i64>,
) -> Result<Page<TokenRow>, AppError> {
    use crate::api::context::{require_owner, state};
    let pool = state().pool.clone();
    let owner = require_owner().await?;
    use crate::domain::token_query::TokenQuery;
    let query = TokenQuery::from_query(status.as_deref(), q.as_deref(), sort.as_deref())
        .with_attention(attention.as_deref());
    crate::server::tokens::list(
        &pool,
        owner.account_id,
        owner.access,
        &query,
        crate::model::Cursor { after, before },
    )
    .await
    .map_err(AppError::from)
}

/// How many tokens each status tab holds for this search (bounded; see `COUNT_CAP`).
#[server(endpoint = "count_tokens")]
pub async fn count_tokens(q: Option<String>) -> Result<StatusCounts, AppError> {
    use crate::api::context::{require_owner, state};
    let pool = state().pool.clone();
    let owner = require_owner().await?;
    let search = q
        .as_deref()
        .and_then(crate::domain::token_query::Search::parse);
    crate::server::tokens::counts(&pool, owner.account_id, search.as_ref())
        .await
        .map_err(AppError::from)
}

/// The "Needs attention" panel: how many live tokens need each kind of look (bounded).
#[server(endpoint = "count_attention")]
pub async fn count_attention() -> Result<crate::domain::attention::AttentionCounts, AppError> {
    use crate::api::context::{require_owner, state};
    let pool = state().pool.clone();
    let owner = require_owner().await?;
    crate::server::tokens::attention_counts(&pool, owner.account_id, owner.access)
        .await
        .map_err(AppError::from)
}

/// The account's tokens revoked by a leak report in the last 30 days: how many, and when the
/// latest was (`None`: none), for the Tokens page's banner.
#[server(endpoint = "recent_leak_reports")]
pub async fn recent_leak_reports() -> Result<Option<(i64, i64)>, AppError> {
    use crate::api::context::{require_owner, state};
    let pool = state().pool.clone();
    let owner = require_owner().await?;
    crate::server::tokens::recent_leaks(&pool, owner.account_id)
        .await
        .map_err(AppError::from)
}

/// One token of the account, for the revoke confirmation page.
#[server(endpoint = "find_token")]
pub async fn find_token(id: i64) -> Result<TokenRow, AppError> {
    use crate::api::context::{require_owner, state};
    let pool = state().pool.clone();
    let owner = require_owner().await?;
    crate::server::tokens::find(&pool, owner.account_id, id)
        .await
        .map_err(AppError::from)?
        .ok_or_else(|| AppError::NotFound.fail())
}

/// Creates an ops token. The answer holds the plaintext and is never cached.
#[server(endpoint = "create_token", input = Json)]
pub async fn create_token(form: CreateTokenForm) -> Result<CreatedToken, AppError> {
    use crate::api::context::{client_meta, no_store, require_owner, state};
    no_store();
    let (pool, client) = (state().pool.clone(), client_meta());
    let owner = require_owner().await?;
    crate::server::tokens::create_ops_token(&pool, &owner, &form, &client)
        .await
        .map_err(AppError::from)
}

/// The create page's POST (without JavaScript), acted on once per request: rendering a page may
/// build it more than once before it is sent, and each build asks for the outcome. A build can
/// also be dropped half-way; the creation therefore runs as its own task, started by the first
/// build that asks, and a dropped build never leaves it half-done for the next one to repeat
/// (that happened: about one test run in three created the token, then refused the same name).
/// `T` is the page's answer: a new secret to reveal (create, rotate), or what changed (edit).
#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct OncePerRequest<T = CreatedToken>(std::sync::Arc<std::sync::OnceLock<PageOutcome<T>>>);

#[cfg(feature = "ssr")]
impl<T> Default for OncePerRequest<T> {
    fn default() -> Self {
        OncePerRequest(Default::default())
    }
}

#[cfg(feature = "ssr")]
type PageOutcome<T> = tokio::sync::watch::Receiver<Option<Result<T, AppError>>>;

#[cfg(feature = "ssr")]
impl<T: Clone + Send + Sync + 'static> OncePerRequest<T> {
    /// `work`'s answer: started on the first call, awaited by every call.
    async fn run<F>(&self, work: impl FnOnce() -> F) -> Result<T, AppError>
    where
        F: std::future::Future<Output = Result<T, AppError>> + Send + 'static,
    {
        let mut answer = self
            .0
            .get_or_init(|| {
                let (done, answer) = tokio::sync::watch::channel(None);
                let work = work();
                tokio::spawn(async move {
                    let _ = done.send(Some(work.await));
                });
                answer
            })
            .clone();
        let outcome = match answer.wait_for(Option::is_some).await {
            Ok(outcome) => outcome.clone(),
            Err(_) => None,
        };
        outcome.unwrap_or(Err(AppError::Internal))
    }
}

/// Creates the token the create page's form describes, once per request (see [`OncePerRequest`]).
/// `once` is read from the context by the page's component body, not inside its resource.
#[cfg(feature = "ssr")]
pub async fn create_token_from_page(
    form: CreateTokenForm,
    once: OncePerRequest,
) -> Result<CreatedToken, AppError> {
    use crate::api::context::{client_meta, require_owner, state};
    // Everything the task needs is read here, where the request's context is.
    let (pool, client) = (state().pool.clone(), client_meta());
    let owner = require_owner().await;
    answer_page(once, move || async move {
        crate::server::tokens::create_ops_token(&pool, &owner?, &form, &client)
            .await
            .map_err(AppError::from)
    })
    .await
}

/// A page's answer to its form (a new secret to reveal, what changed), made once per request: every build of
/// the page gets the same answer, and the response its status and `no-store`.
#[cfg(feature = "ssr")]
pub async fn answer_page<T, F>(
    once: OncePerRequest<T>,
    work: impl FnOnce() -> F,
) -> Result<T, AppError>
where
    T: Clone + Send + Sync + 'static,
    F: std::future::Future<Output = Result<T, AppError>> + Send + 'static,
{
    let outcome = once.run(work).await;
    match &outcome {
        Ok(_) => crate::api::context::no_store(),
        Err(error) => {
            error.clone().fail();
        }
    }
    outcome
}

/// Revokes a token of the caller's account. Permanent; revoking again changes nothing.
#[server(endpoint = "revoke_token")]
pub async fn revoke_token(id: i64) -> Result<(), AppError> {
    use crate::api::context::{client_meta, require_owner, state};
    let (pool, client) = (state().pool.clone(), client_meta());
    let owner = require_owner().await?;
    use crate::server::tokens::RevokedBy;
    crate::server::tokens::revoke(
        &pool,
        owner.account_id,
        id,
        RevokedBy::Owner(&owner.email),
        &client,
    )
    .await
    .map_err(AppError::from)?;
    // A plain form post (the confirmation page without JavaScript) returns to the list, which
    // confirms the change; the dialog's call ignores this and reloads the list itself.
    leptos_axum::redirect(&format!("{}?revoked={id}", crate::model::routes::TOKENS));
    Ok(())
}
