//! `Idempotency-Key` on POST/PUT/DELETE: the first successful reply is stored for 24 hours per
//! token; a retry with the same key and the same request gets that reply again (with
//! `Idempotent-Replayed: true`) without acting twice, and the same key on a different request is
//! refused with 422 `idempotency_key_reused`. Only 2xx replies are kept, so a client can fix a
//! refused request and retry with its key. A plaintext token is never stored: a replayed token
//! creation answers with the token's details and a `notice` saying so, but without `token`.
//!
//! A claimed key always settles: the request runs in its own task from the claim on, so a client
//! that hangs up while the request waits for the database does not cancel it half-way; the task
//! still stores the reply (or releases the key on a refusal), and the retry gets the replay. A claim left by a
//! process that died mid-request expires after [`CLAIM_TTL`], and the next retry runs afresh.
//! Old records are pruned by `server::maintenance`.

use super::access::Caller;
use super::error::ApiError;
use crate::server::db;
use crate::server::db::now_ms;
use crate::server::secrets::sha256_hex;
use crate::server::state::AppState;
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, Method, StatusCode};
use tracing::Instrument;

pub const REPLAY_WINDOW_MS: i64 = 24 * 60 * 60 * 1000;
const MAX_KEY_LEN: usize = 255;
/// How long an unsettled claim is honoured: well past the longest a request may run.
pub const CLAIM_TTL_MS: i64 = 60 * 1000;
/// The longest a request with a key may run before it is stopped and its key released.
pub const REQUEST_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

pub async fn idempotency(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mutating = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    let key = request.headers().get("idempotency-key").cloned();
    let (Some(key), true) = (key, mutating) else {
        return next.run(request).await;
    };
    // In its own task, from the claim to its settlement: if the client hangs up while the request
    // waits for the database, dropping this future must not leave a claim behind unsettled, with
    // the change itself perhaps committed.
    let run = async move {
        match run(&state, key, request, next).await {
            Ok(response) | Err(response) => response,
        }
    };
    tokio::spawn(run.instrument(tracing::Span::current()))
        .await
        .unwrap_or_else(|_| ApiError::internal().into_response())
}

async fn run(
    state: &AppState,
    key: HeaderValue,
    request: Request,
    next: Next,
) -> Result<Response, Response> {
    let key = key
        .to_str()
        .ok()
        .filter(|key| {
            !key.is_empty() && key.len() <= MAX_KEY_LEN && key.bytes().all(|b| b.is_ascii_graphic())
        })
        .ok_or_else(|| {
            ApiError::validation(
                "Idempotency-Key",
                format!("The Idempotency-Key must be 1 to {MAX_KEY_LEN} visible ASCII characters."),
            )
            .into_response()
        })?
        .to_string();
    let token_id = request
        .extensions()
        .get::<Caller>()
        .map(|caller| caller.token_id)
        .ok_or_else(|| ApiError::internal().into_response())?;

    let (parts, body) = request.into_parts();
    let body = to_bytes(body, super::MAX_BODY_BYTES)
        .await
        .map_err(|_| ApiError::payload_too_large().into_response())?;
    let mut fingerprint = format!("{} {}\n", parts.method, parts.uri).into_bytes();
    fingerprint.extend_from_slice(&body);
    let request_hash = sha256_hex(&String::from_utf8_lossy(&fingerprint));

    let pool = &state.pool;
    let now = now_ms();
    // This request's claim: settling it only touches the row while it is still this claim, never
    // a later request's that took over an expired one.
    let claim_id = uuid::Uuid::new_v4().to_string();
    let db_error = |error: sqlx::Error| ApiError::from(error).into_response();
    let claimed = db::query(
        "insert into idempotency_record (api_token_id, idempotency_key, request_hash, created_at, claim_id)
         values ($1, $2, $3, $4, $7)
         on conflict (api_token_id, idempotency_key) do update
            set request_hash = excluded.request_hash, created_at = excluded.created_at,
                claim_id = excluded.claim_id, status = null, response_body = null
          where idempotency_record.created_at < $5
            and (idempotency_record.status is null or idempotency_record.created_at < $6)",
    )
    .bind(token_id)
    .bind(&key)
    .bind(&request_hash)
    .bind(now)
    // An unsettled claim older than this was abandoned by a process that died.
    .bind(now - CLAIM_TTL_MS)
    // A settled reply older than this has left the replay window.
    .bind(now - REPLAY_WINDOW_MS)
    .bind(&claim_id)
    .execute(pool)
    .await
    .map_err(db_error)?
    .rows_affected()
        == 1;

    if !claimed {
        let in_use = || {
            ApiError::new(
                StatusCode::CONFLICT,
                "idempotency_key_in_use",
                "A request with this Idempotency-Key is still being processed. Retry in a moment.",
            )
            .retryable(true)
            .into_response()
        };
        let stored: Option<(String, Option<i64>, Option<String>)> = db::query(
            "select request_hash, status, response_body from idempotency_record
              where api_token_id = $1 and idempotency_key = $2",
        )
        .bind(token_id)
        .bind(&key)
        .fetch_optional(pool)
        .await
        .map_err(db_error)?;
        // Gone since the claim was refused: its request failed and let the key go (on another
        // server, a moment ago). A retry claims it.
        let Some((stored_hash, status, stored_body)) = stored else {
            return Err(in_use());
        };
        if stored_hash != request_hash {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "This Idempotency-Key was already used for a different request in the last 24 hours. Use a new key.",
            )
            .into_response());
        }
        let (Some(status), Some(stored_body)) = (status, stored_body) else {
            return Err(in_use());
        };
        let status = StatusCode::from_u16(status as u16).unwrap_or(StatusCode::OK);
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            stored_body,
        )
            .into_response();
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
        return Ok(response);
    }

    let claim = Claim {
        pool: pool.clone(),
        token_id,
        key,
        claim_id,
    };
    // Bounded well under CLAIM_TTL_MS, so a claim is never taken over while its request still
    // runs: a request that overruns is stopped (its transaction rolls back) and releases the key.
    let run = next.run(Request::from_parts(parts, Body::from(body)));
    let response = match tokio::time::timeout(REQUEST_LIMIT, run).await {
        Ok(response) => response,
        Err(_) => {
            claim.release().await;
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "timeout",
                "The request took too long and was stopped; nothing was changed. Retry with the same Idempotency-Key.",
            )
            .into_response());
        }
    };
    if !response.status().is_success() {
        claim.release().await;
        return Ok(response);
    }
    let (parts, body) = response.into_parts();
    let bytes = to_bytes(body, usize::MAX)
        .await
        .map_err(|_| ApiError::internal().into_response())?;
    let stored = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        // A token creation: stored without the plaintext, and with a notice saying so.
        Ok(serde_json::Value::Object(mut object)) if object.contains_key("token") => {
            object.remove("token");
            object.insert("notice".into(), REPLAYED_TOKEN_NOTICE.into());
            serde_json::Value::Object(object).to_string()
        }
        // Anything else is replayed byte for byte.
        _ => String::from_utf8_lossy(&bytes).into_owned(),
    };
    claim.settle(parts.status.as_u16(), stored).await;
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

/// Said in a replayed token creation, in place of the plaintext that is never stored.
pub const REPLAYED_TOKEN_NOTICE: &str = "This is a replay of an earlier request with the same \
    Idempotency-Key. The plaintext token was shown only once, in the first reply, and is not \
    stored anywhere. If it was lost, revoke this token (DELETE /api/v1/message-tokens/{id}) and \
    mint a new one with a new Idempotency-Key.";

/// A claimed key, settled or released exactly for this claim.
struct Claim {
    pool: crate::server::db::Pool,
    token_id: i64,
    key: String,
    claim_id: String,
}

impl Claim {
    /// Stores the reply for replays. The change is already committed, so a failed write is
    /// retried a few times before it is left to expire (logged).
    async fn settle(&self, status: u16, body: String) {
        let write = || {
            db::query(
                "update idempotency_record set status = $1, response_body = $2
                  where api_token_id = $3 and idempotency_key = $4 and claim_id = $5",
            )
            .bind(i64::from(status))
            .bind(&body)
            .bind(self.token_id)
            .bind(&self.key)
            .bind(&self.claim_id)
            .execute(&self.pool)
        };
        self.retry("store the reply", write).await;
    }

    /// Frees the key for a fresh run (nothing was changed, or nothing worth replaying).
    async fn release(&self) {
        let write = || {
            db::query(
                "delete from idempotency_record
                  where api_token_id = $1 and idempotency_key = $2 and claim_id = $3",
            )
            .bind(self.token_id)
            .bind(&self.key)
            .bind(&self.claim_id)
            .execute(&self.pool)
        };
        self.retry("release the key", write).await;
    }

    async fn retry<F, Fut>(&self, what: &str, write: F)
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<crate::server::db::Executed, sqlx::Error>>,
    {
        for attempt in 1..=3 {
            match write().await {
                Ok(_) => return,
                Err(error) if attempt == 3 => {
                    tracing::error!(%error, key = %self.key, "could not {what}; the claim expires in a minute");
                }
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(100 * attempt)).await,
            }
        }
    }
}
