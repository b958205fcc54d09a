//! Passwords (Argon2id), server-side sessions, and who the caller is.

use super::db::{now_ms, Pool};
use super::secrets::{random_base62, sha256_hex};
use crate::api::session::{Role, Viewer};
use crate::domain::plan::{Plan, PlanAccess};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "tm_session";

/// A signed-in user, as the server knows it.
#[derive(Clone, Debug)]
pub struct SessionUser {
    pub user_id: i64,
    pub account_id: i64,
    pub email: String,
    pub role: Role,
    pub account_name: String,
    pub access: PlanAccess,
    pub tour_done: bool,
}

impl SessionUser {
    pub fn viewer(&self) -> Viewer {
        Viewer {
            email: self.email.clone(),
            role: self.role,
            account_name: self.account_name.clone(),
            access: self.access,
            tour_done: self.tour_done,
        }
    }
}

/// Hashing is deliberately slow, so it runs on a blocking thread.
pub async fn hash_password(password: String) -> String {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .expect("argon2 hashing with default parameters cannot fail")
            .to_string()
    })
    .await
    .expect("hashing thread")
}

pub async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A hash of nothing in particular, verified against when the email is unknown, so that a wrong
/// email and a wrong password take the same time.
static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Checks an email and password; `None` for any mismatch, without saying which part was wrong.
pub async fn authenticate(
    pool: &Pool,
    email: &str,
    password: &str,
) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64, String)> =
        sqlx::query_as("select user_id, password_hash from app_user where email = $1")
            .bind(email.trim().to_lowercase())
            .fetch_optional(pool)
            .await?;
    match row {
        Some((user_id, hash)) => Ok(verify_password(password.to_string(), hash)
            .await
            .then_some(user_id)),
        None => {
            let dummy = match DUMMY_HASH.get() {
                Some(hash) => hash.clone(),
                None => {
                    let hash = hash_password("not a password".into()).await;
                    DUMMY_HASH.get_or_init(|| hash).clone()
                }
            };
            verify_password(password.to_string(), dummy).await;
            Ok(None)
        }
    }
}

/// Starts a session and returns the cookie value (the only copy of the session id).
pub async fn create_session(pool: &Pool, user_id: i64, days: i64) -> Result<String, sqlx::Error> {
    let session_id = random_base62(43);
    let now = now_ms();
    sqlx::query("insert into session (session_hash, user_id, created_at, expires_at) values ($1, $2, $3, $4)")
        .bind(sha256_hex(&session_id))
        .bind(user_id)
        .bind(now)
        .bind(now + days * 86_400_000)
        .execute(pool)
        .await?;
    Ok(session_id)
}

pub async fn delete_session(pool: &Pool, session_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("delete from session where session_hash = $1")
        .bind(sha256_hex(session_id))
        .execute(pool)
        .await?;
    Ok(())
}

/// Records that the user finished or dismissed the guided tour; the first time is kept.
pub async fn mark_tour_done(pool: &Pool, user_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("update app_user set tour_done_at = coalesce(tour_done_at, $1) where user_id = $2")
        .bind(now_ms())
        .bind(user_id)
        .execute(pool)
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    user_id: i64,
    account_id: i64,
    email: String,
    role: String,
    account_name: String,
    plan: String,
    drive_addon: i64,
    tour_done_at: Option<i64>,
}

/// The user behind a session cookie, if the session exists and has not expired.
pub async fn user_for_session(
    pool: &Pool,
    session_id: &str,
) -> Result<Option<SessionUser>, sqlx::Error> {
    let row: Option<SessionRow> = sqlx::query_as(
        "select u.user_id, u.account_id, u.email, u.role, u.tour_done_at,
                a.name as account_name, a.plan, a.drive_addon
           from session s
           join app_user u on u.user_id = s.user_id
           join account a on a.account_id = u.account_id
          where s.session_hash = $1 and s.expires_at > $2",
    )
    .bind(sha256_hex(session_id))
    .bind(now_ms())
    .fetch_optional(pool)
    .await?;
    Ok(row.and_then(|row| {
        Some(SessionUser {
            user_id: row.user_id,
            account_id: row.account_id,
            email: row.email,
            role: if row.role == "owner" {
                Role::Owner
            } else {
                Role::Member
            },
            account_name: row.account_name,
            access: PlanAccess::new(Plan::parse(&row.plan)?, row.drive_addon == 1),
            tour_done: row.tour_done_at.is_some(),
        })
    }))
}

/// The `Set-Cookie` value that stores a session in the browser.
pub fn session_cookie(session_id: &str, days: i64, secure: bool) -> String {
    cookie::Cookie::build((SESSION_COOKIE, session_id.to_string()))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::days(days))
        .build()
        .to_string()
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_session_cookie(secure: bool) -> String {
    cookie::Cookie::build((SESSION_COOKIE, ""))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::ZERO)
        .build()
        .to_string()
}

/// The session id from a request's `Cookie` headers.
pub fn session_id_from_headers(headers: &http::HeaderMap) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == SESSION_COOKIE)
        .map(|cookie| cookie.value().to_string())
}
