//! Passwords (Argon2id), server-side sessions, and who the caller is.

use super::db::{now_ms, Pool};
use super::secrets::{random_base62, sha256_hex};
use crate::domain::plan::{Plan, PlanAccess};
use crate::domain::role::Role;
use crate::domain::token_policy::TokenPolicy;
use crate::model::session::{Viewer, TOUR_DONE_COOKIE};
use crate::server::db;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

/// Name of the session cookie over plain HTTP.
pub const SESSION_COOKIE: &str = "tm_session";
/// Name of the session cookie when the site is served over HTTPS (`TREKMAIL_SECURE_COOKIES`):
/// browsers accept a `__Host-` cookie only with `Secure`, `Path=/` and no `Domain`, so neither a
/// sibling subdomain nor a plain-HTTP page can plant or overwrite it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-tm_session";

/// How the session cookie is written for one response.
#[derive(Clone, Copy, Debug)]
pub struct CookiePolicy {
    /// Named [`SECURE_SESSION_COOKIE`] (HTTPS configured).
    pub host_prefixed: bool,
    /// Marked `Secure`: HTTPS configured, or a trusted proxy says this request came over HTTPS.
    pub secure: bool,
}

impl CookiePolicy {
    pub fn for_request(config: &super::config::Config, headers: &http::HeaderMap) -> Self {
        CookiePolicy {
            host_prefixed: config.secure_cookies,
            secure: super::security::site_scheme(headers, config) == "https",
        }
    }

    fn name(self) -> &'static str {
        cookie_name(self.host_prefixed)
    }
}

fn cookie_name(host_prefixed: bool) -> &'static str {
    if host_prefixed {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

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
    /// The account's token policy, which the create form follows.
    pub policy: TokenPolicy,
}

impl SessionUser {
    pub fn viewer(&self) -> Viewer {
        Viewer {
            email: self.email.clone(),
            role: self.role,
            account_name: self.account_name.clone(),
            access: self.access,
            tour_done: self.tour_done,
            policy: self.policy.clone(),
        }
    }
}

/// Argon2 is deliberately slow and takes 19 MiB per hash, so hashing runs on a fixed set of
/// threads, one per core: at most that many hashes run at once (memory stays flat under a flood
/// of sign-ins, and the async workers stay free), and a request that cannot get a thread within
/// [`HASH_QUEUE_WAIT`] is told the server is busy instead of queueing without bound.
pub const HASH_QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// The server is too busy checking passwords to take another one right now.
#[derive(Debug, thiserror::Error)]
#[error("the server is busy checking other sign-ins")]
pub struct Busy;

struct Hashers {
    permits: std::sync::Arc<tokio::sync::Semaphore>,
    jobs: std::sync::Mutex<std::sync::mpsc::Sender<Box<dyn FnOnce() + Send>>>,
}

static HASHERS: std::sync::LazyLock<Hashers> = std::sync::LazyLock::new(|| {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let (jobs, queue) = std::sync::mpsc::channel::<Box<dyn FnOnce() + Send>>();
    let queue = std::sync::Arc::new(std::sync::Mutex::new(queue));
    for index in 0..threads {
        let queue = queue.clone();
        std::thread::Builder::new()
            .name(format!("argon2-{index}"))
            .spawn(move || loop {
                let job = queue.lock().expect("hash queue").recv();
                match job {
                    Ok(job) => job(),
                    Err(_) => break,
                }
            })
            .expect("starting a hashing thread");
    }
    Hashers {
        permits: std::sync::Arc::new(tokio::sync::Semaphore::new(threads)),
        jobs: std::sync::Mutex::new(jobs),
    }
});

/// Runs `work` on a hashing thread once one is free (waiting at most [`HASH_QUEUE_WAIT`]).
async fn on_hashing_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Busy> {
    let hashers = &*HASHERS;
    let permit = tokio::time::timeout(HASH_QUEUE_WAIT, hashers.permits.clone().acquire_owned())
        .await
        .map_err(|_| Busy)?
        .expect("the hashing semaphore is never closed");
    let (done, result) = tokio::sync::oneshot::channel();
    // The job owns the permit: a client that hangs up drops this future, but its hash still
    // holds a thread until it is done, so hung-up requests cannot pile up work behind the limit.
    let job: Box<dyn FnOnce() + Send> = Box::new(move || {
        let _ = done.send(work());
        drop(permit);
    });
    hashers
        .jobs
        .lock()
        .expect("hash queue")
        .send(job)
        .expect("hashing threads run as long as the process");
    Ok(result.await.expect("a hashing job always answers"))
}

pub async fn hash_password(password: String) -> Result<String, Busy> {
    on_hashing_thread(move || hash_now(&password)).await
}

/// Hashes on the calling thread: for start-up work (demo seeding), which has nobody to answer
/// "busy" to.
pub fn hash_now(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing with default parameters cannot fail")
        .to_string()
}

pub async fn verify_password(password: String, hash: String) -> Result<bool, Busy> {
    on_hashing_thread(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
}

/// A hash of nothing in particular, verified against when the email is unknown, so that a wrong
/// email and a wrong password take the same time.
static DUMMY_HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();

/// Why a sign-in could not be checked.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error(transparent)]
    Busy(#[from] Busy),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Checks an email and password; `None` for any mismatch, without saying which part was wrong.
pub async fn authenticate(
    pool: &Pool,
    email: &str,
    password: &str,
) -> Result<Option<i64>, AuthError> {
    let row: Option<(i64, String)> =
        db::query("select user_id, password_hash from app_user where email = $1")
            .bind(email.trim().to_lowercase())
            .fetch_optional(pool)
            .await?;
    match row {
        Some((user_id, hash)) => Ok(verify_password(password.to_string(), hash)
            .await?
            .then_some(user_id)),
        None => {
            let dummy = DUMMY_HASH
                .get_or_try_init(|| hash_password("not a password".into()))
                .await?;
            verify_password(password.to_string(), dummy.clone()).await?;
            Ok(None)
        }
    }
}

/// Starts a session and returns the cookie value (the only copy of the session id).
pub async fn create_session(pool: &Pool, user_id: i64, days: i64) -> Result<String, sqlx::Error> {
    let session_id = random_base62(43);
    let now = now_ms();
    db::query("insert into session (session_hash, user_id, created_at, expires_at) values ($1, $2, $3, $4)")
        .bind(sha256_hex(&session_id))
        .bind(user_id)
        .bind(now)
        .bind(now + days * 86_400_000)
        .execute(pool)
        .await?;
    Ok(session_id)
}

pub async fn delete_session(pool: &Pool, session_id: &str) -> Result<(), sqlx::Error> {
    db::query("delete from session where session_hash = $1")
        .bind(sha256_hex(session_id))
        .execute(pool)
        .await?;
    Ok(())
}

/// Records that the user finished or dismissed the guided tour; the first time is kept.
pub async fn mark_tour_done(pool: &Pool, user_id: i64) -> Result<(), sqlx::Error> {
    db::query("update app_user set tour_done_at = coalesce(tour_done_at, $1) where user_id = $2")
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
    token_max_lifetime_days: Option<i64>,
    token_default_expiration: String,
}

/// The user behind a session cookie, if the session exists and has not expired.
pub async fn user_for_session(
    pool: &Pool,
    session_id: &str,
) -> Result<Option<SessionUser>, sqlx::Error> {
    let row: Option<SessionRow> = db::query(
        "select u.user_id, u.account_id, u.email, u.role, u.tour_done_at,
                a.name as account_name, a.plan, a.drive_addon, a.token_max_lifetime_days,
                a.token_default_expiration
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
            policy: TokenPolicy {
                max_lifetime_days: row
                    .token_max_lifetime_days
                    .and_then(|days| u32::try_from(days).ok()),
                default_expiration: row.token_default_expiration,
            },
        })
    }))
}

/// The `Set-Cookie` value that stores a session in the browser.
pub fn session_cookie(session_id: &str, days: i64, policy: CookiePolicy) -> String {
    let secure = policy.secure || policy.host_prefixed;
    cookie::Cookie::build((policy.name(), session_id.to_string()))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::days(days))
        .build()
        .to_string()
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_session_cookie(policy: CookiePolicy) -> String {
    let secure = policy.secure || policy.host_prefixed;
    cookie::Cookie::build((policy.name(), ""))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::ZERO)
        .build()
        .to_string()
}

/// The session id from a request's `Cookie` headers (only the configured cookie name counts:
/// with HTTPS configured, a plain `tm_session` planted by someone else is ignored).
pub fn session_id_from_headers(headers: &http::HeaderMap, host_prefixed: bool) -> Option<String> {
    cookie_value(headers, cookie_name(host_prefixed))
}

/// Whether this browser says its user finished or dismissed the tour (see [`TOUR_DONE_COOKIE`]).
pub fn tour_done_in_browser(headers: &http::HeaderMap) -> bool {
    cookie_value(headers, TOUR_DONE_COOKIE).is_some()
}

/// The `Set-Cookie` value that forgets [`TOUR_DONE_COOKIE`], at sign-in and sign-out.
pub fn clear_tour_done_cookie() -> String {
    cookie::Cookie::build((TOUR_DONE_COOKIE, ""))
        .path("/")
        .same_site(cookie::SameSite::Lax)
        .max_age(cookie::time::Duration::ZERO)
        .build()
        .to_string()
}

fn cookie_value(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_string())
}
