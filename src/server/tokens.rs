//! The token service: creating, listing and revoking tokens, with the audit event of each change
//! written in the same transaction. Both the dashboard and the REST API call these functions.

use super::audit::{record, AuditEntry};
use super::auth::SessionUser;
use super::context::ClientMeta;
use super::db::{begin_write, now_ms, Pool};
use super::keyset::{self, Direction};
use super::secrets::{new_token, sha256_hex};
use crate::api::audit::AuditAction;
use crate::api::error::AppError;
use crate::api::tokens::{CreatedToken, DomainOption, TokenRow};
use crate::api::{Cursor, Page};
use crate::domain::message_token::{Narrowing, NewMessageToken};
use crate::domain::new_token::{CreateTokenForm, DomainConstraint, Field, FieldErrors, NewToken};
use crate::domain::scope::{join_scopes, split_scopes};
use crate::domain::status::{StatusFilter, TokenStatus};
use crate::domain::token::{TokenKind, TokenSecret};
use sqlx::QueryBuilder;

pub async fn account_domains(
    pool: &Pool,
    account_id: i64,
) -> Result<Vec<DomainOption>, sqlx::Error> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("select domain_id, name from domain where account_id = $1 order by name")
            .bind(account_id)
            .fetch_all(pool)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| DomainOption { id, name })
        .collect())
}

/// Creates an ops token for the owner's account and returns its plaintext (the only copy).
pub async fn create_ops_token(
    pool: &Pool,
    owner: &SessionUser,
    form: &CreateTokenForm,
    client: &ClientMeta,
) -> Result<CreatedToken, AppError> {
    let now = chrono::Utc::now();
    let domain_ids: Vec<i64> = account_domains(pool, owner.account_id)
        .await?
        .into_iter()
        .map(|domain| domain.id)
        .collect();
    let new = NewToken::parse(form, owner.access, &domain_ids, now.date_naive())
        .map_err(AppError::Invalid)?;
    let secret = new_token(TokenKind::Ops);
    let now_ms = now.timestamp_millis();

    let mut tx = begin_write(pool).await?;
    let (duplicates,): (i64,) = sqlx::query_as(
        "select count(*) from api_token
          where account_id = $1 and kind = 'ops' and name = $2
            and revoked_at is null and (expires_at is null or expires_at > $3)",
    )
    .bind(owner.account_id)
    .bind(new.name.as_str())
    .bind(now_ms)
    .fetch_one(&mut *tx)
    .await?;
    if duplicates > 0 {
        return Err(AppError::Invalid(FieldErrors::single(
            Field::Name,
            "An active token already has this name. Choose another name.",
        )));
    }
    let (token_id,): (i64,) = sqlx::query_as(
        "insert into api_token
            (account_id, kind, name, token_hash, visible_prefix, scopes, all_domains,
             expires_at, created_by_user_id, created_at)
         values ($1, 'ops', $2, $3, $4, $5, $6, $7, $8, $9)
         returning api_token_id",
    )
    .bind(owner.account_id)
    .bind(new.name.as_str())
    .bind(sha256_hex(secret.expose()))
    .bind(secret.visible_prefix())
    .bind(join_scopes(&new.scopes))
    .bind(i64::from(new.domains == DomainConstraint::AllDomains))
    .bind(
        new.expiration
            .expires_at(now)
            .map(|at| at.timestamp_millis()),
    )
    .bind(owner.user_id)
    .bind(now_ms)
    .fetch_one(&mut *tx)
    .await?;
    if let DomainConstraint::Only(ids) = &new.domains {
        for domain_id in ids {
            sqlx::query("insert into api_token_domain (api_token_id, domain_id) values ($1, $2)")
                .bind(token_id)
                .bind(domain_id)
                .execute(&mut *tx)
                .await?;
        }
    }
    record(
        &mut tx,
        AuditEntry {
            account_id: owner.account_id,
            action: AuditAction::TokenCreated,
            token_id,
            token_name: new.name.as_str(),
            token_prefix: &secret.visible_prefix(),
            actor: &owner.email,
            client,
            at: now_ms,
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(token_id, prefix = %secret.visible_prefix(), "token created");

    let row = find(pool, owner.account_id, token_id)
        .await?
        .ok_or(AppError::Internal)?;
    Ok(CreatedToken {
        token: secret.expose().to_string(),
        row,
    })
}

/// Revokes a token of the owner's account. A token of another account is "not found"; revoking
/// an already revoked token succeeds without a second audit event.
/// `actor` is the owner's email (dashboard) or the acting ops token (REST API).
pub async fn revoke(
    pool: &Pool,
    account_id: i64,
    token_id: i64,
    actor: &str,
    client: &ClientMeta,
) -> Result<(), AppError> {
    let now = now_ms();
    let mut tx = begin_write(pool).await?;
    let revoked: Option<(String, String, String)> = sqlx::query_as(
        "update api_token set revoked_at = $1
          where api_token_id = $2 and account_id = $3 and revoked_at is null
          returning name, visible_prefix, kind",
    )
    .bind(now)
    .bind(token_id)
    .bind(account_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((name, prefix, kind)) = revoked else {
        let exists: Option<(i64,)> = sqlx::query_as(
            "select api_token_id from api_token where api_token_id = $1 and account_id = $2",
        )
        .bind(token_id)
        .bind(account_id)
        .fetch_optional(&mut *tx)
        .await?;
        return exists.map(|_| ()).ok_or(AppError::NotFound);
    };
    let action = match TokenKind::parse(&kind) {
        Some(TokenKind::Message) => AuditAction::MessageTokenRevoked,
        _ => AuditAction::TokenRevoked,
    };
    record(
        &mut tx,
        AuditEntry {
            account_id,
            action,
            token_id,
            token_name: &name,
            token_prefix: &prefix,
            actor,
            client,
            at: now,
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(token_id, %prefix, "token revoked");
    Ok(())
}

/// A message token just minted by an ops token: its id and the only copy of its plaintext.
pub struct MintedMessageToken {
    pub id: i64,
    pub secret: TokenSecret,
    pub expires_at: Option<i64>,
    pub created_at: i64,
}

/// Mints a message token for one mailbox, with its audit event (the ops token as the actor).
/// The caller has already checked that the mailbox is the account's and within its reach.
pub async fn create_message_token(
    pool: &Pool,
    account_id: i64,
    mailbox: (i64, i64),
    new: &NewMessageToken,
    actor: (i64, &str),
    client: &ClientMeta,
) -> Result<MintedMessageToken, AppError> {
    let (mailbox_id, domain_id) = mailbox;
    let (actor_token_id, actor_name) = actor;
    let now = chrono::Utc::now();
    let now_ms = now.timestamp_millis();
    let secret = new_token(TokenKind::Message);
    let expires_at = new
        .expiration
        .expires_at(now)
        .map(|at| at.timestamp_millis());
    let mut tx = begin_write(pool).await?;
    // The token's one domain is its mailbox's, so the dashboard's Domains column reads true.
    let (token_id,): (i64,) = sqlx::query_as(
        "insert into api_token
            (account_id, kind, mailbox_id, name, token_hash, visible_prefix, scopes, all_domains,
             expires_at, created_by_token_id, created_at)
         values ($1, 'message', $2, $3, $4, $5, $6, 0, $7, $8, $9)
         returning api_token_id",
    )
    .bind(account_id)
    .bind(mailbox_id)
    .bind(new.name.as_str())
    .bind(sha256_hex(secret.expose()))
    .bind(secret.visible_prefix())
    .bind(new.scope_names().join(" "))
    .bind(expires_at)
    .bind(actor_token_id)
    .bind(now_ms)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("insert into api_token_domain (api_token_id, domain_id) values ($1, $2)")
        .bind(token_id)
        .bind(domain_id)
        .execute(&mut *tx)
        .await?;
    record(
        &mut tx,
        AuditEntry {
            account_id,
            action: AuditAction::MessageTokenCreated,
            token_id,
            token_name: new.name.as_str(),
            token_prefix: &secret.visible_prefix(),
            actor: actor_name,
            client,
            at: now_ms,
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(token_id, prefix = %secret.visible_prefix(), "message token created");
    Ok(MintedMessageToken {
        id: token_id,
        secret,
        expires_at,
        created_at: now_ms,
    })
}

/// Applies a [`Narrowing`] to a live message token, with its audit event.
pub async fn narrow_message_token(
    pool: &Pool,
    account_id: i64,
    token_id: i64,
    narrowing: &Narrowing,
    actor: &str,
    client: &ClientMeta,
) -> Result<(), AppError> {
    let now = now_ms();
    let mut tx = begin_write(pool).await?;
    let scopes = narrowing.scopes.as_ref().map(|scopes| {
        scopes
            .iter()
            .map(|s| s.name())
            .collect::<Vec<_>>()
            .join(" ")
    });
    let updated: Option<(String, String)> = sqlx::query_as(
        "update api_token
            set name = coalesce($1, name), scopes = coalesce($2, scopes),
                expires_at = coalesce($3, expires_at)
          where api_token_id = $4 and account_id = $5 and kind = 'message'
            and revoked_at is null and (expires_at is null or expires_at > $6)
          returning name, visible_prefix",
    )
    .bind(narrowing.name.as_ref().map(|name| name.as_str()))
    .bind(scopes)
    .bind(narrowing.expires_at)
    .bind(token_id)
    .bind(account_id)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((name, prefix)) = updated else {
        return Err(AppError::NotFound);
    };
    record(
        &mut tx,
        AuditEntry {
            account_id,
            action: AuditAction::MessageTokenNarrowed,
            token_id,
            token_name: &name,
            token_prefix: &prefix,
            actor,
            client,
            at: now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct TokenRecord {
    api_token_id: i64,
    kind: String,
    name: String,
    visible_prefix: String,
    scopes: String,
    all_domains: i64,
    mailbox: Option<String>,
    expires_at: Option<i64>,
    revoked_at: Option<i64>,
    created_at: i64,
    last_used_at: Option<i64>,
    last_used_ip: Option<String>,
}

const SELECT_TOKENS: &str = "select t.api_token_id, t.kind, t.name, t.visible_prefix, t.scopes,
        t.all_domains, m.local_part || '@' || md.name as mailbox, t.expires_at, t.revoked_at,
        t.created_at, t.last_used_at, t.last_used_ip
   from api_token t
   left join mailbox m on m.mailbox_id = t.mailbox_id
   left join domain md on md.domain_id = m.domain_id
  where t.account_id = ";

/// One page of the account's tokens, newest first.
pub async fn list(
    pool: &Pool,
    account_id: i64,
    filter: StatusFilter,
    cursor: Cursor,
) -> Result<Page<TokenRow>, sqlx::Error> {
    let now = now_ms();
    let fetch = |direction: Direction, limit: i64| async move {
        let mut query = QueryBuilder::<super::db::Db>::new(SELECT_TOKENS);
        query.push_bind(account_id);
        match filter {
            StatusFilter::All => {}
            StatusFilter::Only(TokenStatus::Revoked) => {
                query.push(" and t.revoked_at is not null");
            }
            StatusFilter::Only(TokenStatus::Active) => {
                query
                    .push(" and t.revoked_at is null and (t.expires_at is null or t.expires_at > ");
                query.push_bind(now).push(")");
            }
            StatusFilter::Only(TokenStatus::Expired) => {
                query
                    .push(" and t.revoked_at is null and t.expires_at <= ")
                    .push_bind(now);
            }
        }
        let (condition, bound, order) = direction.sql("t.api_token_id");
        if let Some(bound) = bound {
            query.push(" and ").push(condition).push_bind(bound);
        }
        query
            .push(format!(" order by t.api_token_id {order} limit "))
            .push_bind(limit);
        query.build_query_as::<TokenRecord>().fetch_all(pool).await
    };
    let (records, older, newer) =
        keyset::page(cursor, |r: &TokenRecord| r.api_token_id, fetch).await?;
    let rows = into_rows(pool, records, now).await?;
    Ok(Page {
        rows,
        older,
        newer,
        now,
    })
}

/// One token of the account, as the list shows it.
pub async fn find(
    pool: &Pool,
    account_id: i64,
    token_id: i64,
) -> Result<Option<TokenRow>, sqlx::Error> {
    let mut query = QueryBuilder::<super::db::Db>::new(SELECT_TOKENS);
    query
        .push_bind(account_id)
        .push(" and t.api_token_id = ")
        .push_bind(token_id);
    let records = query
        .build_query_as::<TokenRecord>()
        .fetch_all(pool)
        .await?;
    Ok(into_rows(pool, records, now_ms()).await?.into_iter().next())
}

/// Attaches the domain names of constrained tokens (one query for the whole page).
async fn into_rows(
    pool: &Pool,
    records: Vec<TokenRecord>,
    now: i64,
) -> Result<Vec<TokenRow>, sqlx::Error> {
    let constrained: Vec<i64> = records
        .iter()
        .filter(|r| r.all_domains == 0)
        .map(|r| r.api_token_id)
        .collect();
    let mut domain_names: Vec<(i64, String)> = Vec::new();
    if !constrained.is_empty() {
        let mut query = QueryBuilder::<super::db::Db>::new(
            "select td.api_token_id, d.name from api_token_domain td
               join domain d on d.domain_id = td.domain_id
              where td.api_token_id in (",
        );
        let mut ids = query.separated(", ");
        for id in &constrained {
            ids.push_bind(*id);
        }
        query.push(") order by d.name");
        domain_names = query.build_query_as().fetch_all(pool).await?;
    }
    Ok(records
        .into_iter()
        .map(|r| TokenRow {
            id: r.api_token_id,
            kind: TokenKind::parse(&r.kind).unwrap_or(TokenKind::Ops),
            status: TokenStatus::derive(r.revoked_at, r.expires_at, now),
            domains: (r.all_domains == 0).then(|| {
                domain_names
                    .iter()
                    .filter(|(id, _)| *id == r.api_token_id)
                    .map(|(_, name)| name.clone())
                    .collect()
            }),
            scopes: split_scopes(&r.scopes)
                .into_iter()
                .map(String::from)
                .collect(),
            name: r.name,
            visible_prefix: r.visible_prefix,
            mailbox: r.mailbox,
            expires_at: r.expires_at,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            last_used_ip: r.last_used_ip,
        })
        .collect())
}
