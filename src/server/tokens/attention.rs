//! "Needs attention": the SQL condition for each kind of live token an owner should look at,
//! used both to count them for the panel and to filter the list (`?attention=idle`). Each is a
//! condition on the token's own row (and, for unused high-risk scopes, the day summaries of its
//! request log), so the list keeps its keyset paging and the counts stay bounded reads.

use crate::domain::attention::{Attention, AttentionCounts, IDLE_DAYS, UNUSED_GRACE_DAYS};
use crate::domain::plan::PlanAccess;
use crate::domain::scope::Scope;
use crate::model::tokens::COUNT_CAP;
use crate::server::db::{now_ms, Pool, Query};
use crate::server::rest::access::{Grant, Needs, ENDPOINTS};

const DAY_MS: i64 = crate::domain::activity::DAY_MS;

/// Adds "and the token needs this attention" to a query over `api_token t`.
pub fn push_attention(sql: &mut Query<'_>, attention: Attention, access: PlanAccess, now: i64) {
    // Live: not revoked, not expired, not an old secret a rotation is retiring.
    sql.push(" and t.revoked_at is null and t.replaced_by_token_id is null and (t.expires_at is null or t.expires_at > ")
        .push_bind(now)
        .push(")");
    match attention {
        Attention::NeverExpires => {
            sql.push(" and t.expires_at is null");
        }
        Attention::Idle => {
            sql.push(" and ((t.last_used_at is not null and t.last_used_at < ")
                .push_bind(now - IDLE_DAYS * DAY_MS)
                .push(") or (t.last_used_at is null and t.created_at < ")
                .push_bind(now - UNUSED_GRACE_DAYS * DAY_MS)
                .push("))");
        }
        Attention::AllScopes => {
            sql.push(" and t.kind = 'ops'");
            for scope in access.allowed_scopes() {
                push_holds(sql, scope);
            }
        }
        Attention::UnusedHighRisk => {
            sql.push(" and t.kind = 'ops' and t.created_at < ")
                .push_bind(now - UNUSED_GRACE_DAYS * DAY_MS)
                .push(" and (1 = 0");
            for scope in Scope::all().filter(|scope| scope.is_high_risk()) {
                sql.push(" or (1 = 1");
                push_holds(sql, scope);
                let routes: Vec<_> = ENDPOINTS
                    .iter()
                    .filter(|endpoint| needs_scope(endpoint.needs, scope))
                    .collect();
                // A scope no route needs can never have been used.
                if !routes.is_empty() {
                    sql.push(
                        " and not exists (select 1 from api_request_day d
                           where d.api_token_id = t.api_token_id and d.authorized > 0 and (1 = 0",
                    );
                    for endpoint in routes {
                        sql.push(" or (d.method = ")
                            .push_bind(endpoint.method.as_str())
                            .push(" and d.route = ")
                            .push_bind(endpoint.path)
                            .push(")");
                    }
                    sql.push("))");
                }
                sql.push(")");
            }
            sql.push(")");
        }
    }
}

/// "and the token holds `scope`": its stored names are separated by single spaces.
fn push_holds(sql: &mut Query<'_>, scope: Scope) {
    sql.push(" and (' ' || t.scopes || ' ') like ")
        .push_bind(format!("% {} %", scope.name()));
}

fn needs_scope(needs: Needs, scope: Scope) -> bool {
    match needs {
        Needs::AnyScope => false,
        Needs::Scope(grant) => grant == Grant::Ops(scope),
        Needs::OneOf(grants) => grants.contains(&Grant::Ops(scope)),
    }
}

/// How many live tokens of the account need each kind of attention (each up to the cap + 1).
pub async fn attention_counts(
    pool: &Pool,
    account_id: i64,
    access: PlanAccess,
) -> Result<AttentionCounts, sqlx::Error> {
    let now = now_ms();
    let mut counts = AttentionCounts::default();
    for (count, attention) in counts.0.iter_mut().zip(Attention::ALL) {
        let mut sql =
            Query::build("select count(*) from (select 1 from api_token t where t.account_id = ");
        sql.push_bind(account_id);
        push_attention(&mut sql, attention, access, now);
        sql.push(" limit ")
            .push_bind(i64::from(COUNT_CAP) + 1)
            .push(") capped");
        let (n,): (i64,) = sql.fetch_one(pool).await?;
        *count = u32::try_from(n).unwrap_or(u32::MAX);
    }
    Ok(counts)
}
