//! `token.expiring` (seven days ahead) and `token.expired`: nothing happens to a token when its
//! time comes, so the worker looks for them. Each token is announced once per event, by whichever
//! server records the notice first (`webhook_token_notice`'s key), in the transaction that writes
//! the outbox. Only live ops tokens of accounts with an endpoint subscribed to the event are
//! looked at; a token made to last a week or less is not announced as expiring (its owner just
//! chose that end), nor a paused one (it does not work now anyway: its expiry is announced when it
//! comes), a rotated secret's end is its rotation's (announced as `token.rotated`), and a token
//! that expired before the account had such an endpoint, or more than a week ago, is not
//! announced late. Changing a token's expiration clears its notices.

use crate::domain::webhook::WebhookEvent;
use crate::server::db::{self, begin_write, Pool};
use serde_json::json;

const DAY_MS: i64 = 86_400_000;
/// How long before its end a token is announced as expiring.
pub const WARNING_MS: i64 = 7 * DAY_MS;
/// Tokens announced per event and pass (the rest at the next pass, a second later).
const BATCH: i64 = 100;

const LIVE_OPS: &str = "select t.api_token_id, t.account_id, t.name, t.visible_prefix, t.expires_at
   from api_token t
  where t.revoked_at is null and t.kind = 'ops' and t.rotated_at is null and ";

/// Announces what is due at `now`; returns how many tokens were announced.
pub async fn announce(pool: &Pool, now: i64) -> Result<usize, sqlx::Error> {
    // The warning period is a constant of the code, written into the statement as a number.
    // An endpoint listening for the event: its events are words separated by single spaces.
    let listening = "exists (select 1 from webhook_endpoint e where e.account_id = t.account_id
                       and ' ' || e.events || ' ' like '% ' || $2 || ' %'";
    let expiring = format!(
        "t.expires_at > $1 and t.expires_at <= $1 + {WARNING_MS}
           and t.expires_at - t.created_at > {WARNING_MS} and t.paused_at is null
           and {listening})"
    );
    // Bounded below, so each pass reads a week of expiries, not every token that ever expired.
    let expired = format!(
        "t.expires_at <= $1 and t.expires_at > $1 - {WARNING_MS}
           and {listening} and e.created_at < t.expires_at)"
    );
    let mut announced = 0;
    for (event, condition) in [
        (WebhookEvent::TokenExpiring, expiring.as_str()),
        (WebhookEvent::TokenExpired, expired.as_str()),
    ] {
        let found: Vec<Found> = db::Query::build(&format!(
            "{LIVE_OPS} {condition}
               and not exists (select 1 from webhook_token_notice n
                                where n.api_token_id = t.api_token_id and n.event = $2)
             order by t.expires_at limit $3"
        ))
        .bind(now)
        .bind(event.as_str())
        .bind(BATCH)
        .fetch_all(pool)
        .await?;
        for token in found {
            announced += usize::from(announce_one(pool, event, &token).await?);
        }
    }
    Ok(announced)
}

/// `(id, account, name, visible prefix, expires_at)`.
type Found = (i64, i64, String, String, i64);

/// Records the notice and writes the outbox, unless another server did first.
async fn announce_one(
    pool: &Pool,
    event: WebhookEvent,
    token: &Found,
) -> Result<bool, sqlx::Error> {
    let (token_id, account_id, name, prefix, expires_at) = token;
    let mut tx = begin_write(pool).await?;
    let first = db::query(
        "insert into webhook_token_notice (api_token_id, event) values ($1, $2)
         on conflict do nothing",
    )
    .bind(*token_id)
    .bind(event.as_str())
    .execute(&mut tx)
    .await?
    .rows_affected()
        == 1;
    if first {
        let expires = chrono::DateTime::from_timestamp_millis(*expires_at)
            .unwrap_or_default()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let data = json!({
            "token": { "id": token_id, "name": name, "prefix": prefix, "kind": "ops" },
            "expires_at": expires,
        });
        super::enqueue(&mut tx, *account_id, event, data, db::now_ms()).await?;
    }
    db::commit_bookkeeping(tx).await?;
    Ok(first)
}
