//! `POST /api/v1/credentials/revoke`: a leak report, sent without a token by whoever found our
//! secrets where they should not be (a secret scanner, a security researcher, the owner). Every
//! secret in it that still works is revoked at once (`tokens::revoke_reported`). The reply is
//! the same whatever the strings were; each address (an IPv6 client by its /64, as sign-in
//! counts it) may send [`REPORTS_PER_MINUTE`] reports a minute, and all addresses together
//! [`ALL_REPORTS_PER_MINUTE`], counted in the database so several servers count together.

use super::error::ApiError;
use super::extract::ApiJson;
use crate::server::client::ClientMeta;
use crate::server::db::{self, now_ms};
use crate::server::state::AppState;
use crate::server::tokens::{self, MAX_REPORTED};
use axum::extract::{FromRequest, Request, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use http::StatusCode;
use serde::Deserialize;

/// Reports one address may send per clock minute.
pub const REPORTS_PER_MINUTE: i64 = 10;
/// Reports every address together may send per clock minute: each report can cost up to 100
/// lookups, and addresses are cheap to come by (a botnet), so the endpoint has a ceiling too.
pub const ALL_REPORTS_PER_MINUTE: i64 = 600;
/// The key the ceiling is counted under (no address looks like it).
const EVERYONE: &str = "*";

/// The body: GitHub's credential revocation shape.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeakReport {
    /// Strings that look like TrekMail tokens (`tm_live_…`, `tm_msg_…`), at most 100.
    credentials: Vec<String>,
}

pub async fn report(
    State(state): State<AppState>,
    Extension(request_id): Extension<super::error::RequestId>,
    request: Request,
) -> Response {
    let client = ClientMeta::from_request(
        request.headers(),
        request.extensions(),
        state.config.trust_proxy,
    );
    // Counted first: a flood of malformed reports is limited too.
    match count_report(&state, &client.ip).await {
        Ok(true) => {}
        Ok(false) => return ApiError::rate_limited(60).into_response(),
        Err(error) => return ApiError::from(error).into_response(),
    }
    let body = match ApiJson::<LeakReport>::from_request(request, &state).await {
        Ok(ApiJson(body)) => body,
        Err(error) => return error.into_response(),
    };
    if body.credentials.len() > MAX_REPORTED {
        let mut error = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "limit_exceeded",
            format!("Send at most {MAX_REPORTED} credentials per report."),
        );
        error.body.field = Some("credentials".into());
        error.body.limit = Some(MAX_REPORTED);
        return error.into_response();
    }
    match tokens::revoke_reported(&state.pool, &body.credentials, &client).await {
        Ok(revoked) => {
            tracing::info!(revoked, reported = body.credentials.len(), request_id = %request_id.0, "leak report");
            (
                StatusCode::ACCEPTED,
                Json(serde_json::json!({
                    "message": "Thank you. Every TrekMail token in the report that still worked has been revoked, and its owner told."
                })),
            )
                .into_response()
        }
        Err(error) => ApiError::from(error).into_response(),
    }
}

/// Counts this report against its address's minute and everyone's; false once either is spent.
async fn count_report(state: &AppState, ip: &str) -> Result<bool, sqlx::Error> {
    let minute = now_ms() / 60_000;
    let address = crate::server::throttle::address_key(ip);
    for (key, limit) in [
        (address.as_str(), REPORTS_PER_MINUTE),
        (EVERYONE, ALL_REPORTS_PER_MINUTE),
    ] {
        let (reports,): (i64,) = db::query(
            "insert into leak_report_count (ip, minute, reports) values ($1, $2, 1)
             on conflict (ip, minute) do update set reports = leak_report_count.reports + 1
             returning reports",
        )
        .bind(key)
        .bind(minute)
        .fetch_one(&state.pool)
        .await?;
        if reports > limit {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The housekeeping's rule: minutes before the previous one are done with.
pub fn expired(now: i64) -> (&'static str, i64) {
    (
        "delete from leak_report_count where (ip, minute) in
           (select ip, minute from leak_report_count where minute < $1 limit $2)",
        now / 60_000 - 1,
    )
}
