//! The Webhooks tab: the account's endpoints, one endpoint's deliveries, adding (on its own page,
//! which reveals the secret once), deleting and "Send test event". Owner only.

use crate::model::error::AppError;
use crate::model::webhooks::{EndpointDetail, EndpointRow};
use leptos::prelude::*;

#[server(endpoint = "list_webhooks")]
pub async fn list_webhooks() -> Result<Vec<EndpointRow>, AppError> {
    use crate::api::context::{require_owner, state};
    let pool = state().pool.clone();
    let owner = require_owner().await?;
    Ok(crate::server::webhooks::list_endpoints(&pool, owner.account_id).await?)
}

/// One endpoint with its latest deliveries (404 for another account's).
#[server(endpoint = "get_webhook")]
pub async fn get_webhook(id: i64) -> Result<EndpointDetail, AppError> {
    use crate::api::context::{require_owner, state};
    let pool = state().pool.clone();
    let owner = require_owner().await?;
    crate::server::webhooks::endpoint_detail(&pool, owner.account_id, id)
        .await?
        .ok_or_else(|| AppError::NotFound.fail())
}

/// Deletes an endpoint and its deliveries, then returns to the list confirming it.
#[server(endpoint = "delete_webhook")]
pub async fn delete_webhook(id: i64) -> Result<(), AppError> {
    use crate::api::context::{client_meta, require_owner, state};
    let (pool, client) = (state().pool.clone(), client_meta());
    let owner = require_owner().await?;
    crate::server::webhooks::delete_endpoint(&pool, &owner, id, &client).await?;
    leptos_axum::redirect(&format!("{}?deleted=1", crate::model::routes::WEBHOOKS));
    Ok(())
}

/// Queues a `webhook.test` delivery to the endpoint, then returns to its page.
#[server(endpoint = "send_test_webhook")]
pub async fn send_test_webhook(id: i64) -> Result<(), AppError> {
    use crate::api::context::{require_owner, state};
    let pool = state().pool.clone();
    let owner = require_owner().await?;
    crate::server::webhooks::send_test(&pool, &owner, id).await?;
    leptos_axum::redirect(&format!("{}?tested=1", crate::model::routes::webhook(id)));
    Ok(())
}

/// Adds the endpoint the add page's form describes, once per request (see `OncePerRequest`).
#[cfg(feature = "ssr")]
pub async fn create_webhook_from_page(
    fields: Vec<(String, String)>,
    once: crate::api::tokens::OncePerRequest<crate::model::webhooks::CreatedEndpoint>,
) -> Result<crate::model::webhooks::CreatedEndpoint, AppError> {
    use crate::api::context::{client_meta, require_owner, state};
    let state = state();
    let (pool, client) = (state.pool.clone(), client_meta());
    let allow_private = state.config.webhooks_allow_private;
    let owner = require_owner().await;
    crate::api::tokens::answer_page(once, move || async move {
        crate::server::webhooks::create_endpoint(&pool, &owner?, &fields, allow_private, &client)
            .await
            .map_err(AppError::from)
    })
    .await
}
