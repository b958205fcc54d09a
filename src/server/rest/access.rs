//! Who may call what. [`ENDPOINTS`] is the one table of every route's token kind and scope;
//! [`authorize`] enforces it in a fixed order for every request:
//! bearer token (401: unknown, revoked, expired, paused) → IP allowlist (403 `ip_not_allowed`) →
//! rate limit (429) → token kind (403 `wrong_token_type`) → the plan's
//! Message API (403 `feature_not_available`) → scope: 403 `insufficient_scope` when the token
//! was never granted it, 403 `token_scope_blocked_by_plan` when it was but the plan of *today*
//! no longer allows it. (The codes are those TrekMail's MCP adapter explains to the agent.) Handlers then receive the [`Caller`].

use super::authenticate::record_use;
pub use super::authenticate::{authenticate, bearer_token, LAST_USED_WRITE_INTERVAL_MS};
use super::authenticate::{check_live, identify};
use super::error::ApiError;
use crate::domain::ip_allowlist::IpAllowlist;
use crate::domain::message_token::MessageScope;
use crate::domain::plan::PlanAccess;
use crate::domain::scope::Scope;
use crate::domain::scope_set::ScopeSet;
use crate::domain::token::TokenKind;
use crate::server::activity::RequestRecord;
use crate::server::client::ClientMeta;
use crate::server::mail::Reach;
use crate::server::state::AppState;
use crate::server::tokens::Actor;
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use http::{Method, StatusCode};

/// A scope a route can demand: a catalog scope (ops tokens) or a message scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grant {
    Ops(Scope),
    Message(MessageScope),
}

impl Grant {
    pub fn name(self) -> &'static str {
        match self {
            Grant::Ops(scope) => scope.name(),
            Grant::Message(scope) => scope.name(),
        }
    }
}

/// What a route demands of the caller's token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    /// Any valid token of the route's kind (the self-check endpoints).
    AnyScope,
    Scope(Grant),
    /// At least one of these scopes.
    OneOf(&'static [Grant]),
}

impl Needs {
    /// The scopes that satisfy the route, by name (none for `AnyScope`).
    pub fn names(self) -> Vec<&'static str> {
        match self {
            Needs::AnyScope => Vec::new(),
            Needs::Scope(grant) => vec![grant.name()],
            Needs::OneOf(grants) => grants.iter().map(|grant| grant.name()).collect(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Endpoint {
    pub method: Method,
    /// As routed and documented (`{id}` for a path parameter).
    pub path: &'static str,
    pub token: TokenKind,
    pub needs: Needs,
}

const fn ops(method: Method, path: &'static str, needs: Needs) -> Endpoint {
    Endpoint {
        method,
        path,
        token: TokenKind::Ops,
        needs,
    }
}

const fn message(method: Method, path: &'static str, needs: Needs) -> Endpoint {
    Endpoint {
        method,
        path,
        token: TokenKind::Message,
        needs,
    }
}

/// A catalog scope as a route's need; the name is checked against the catalog at build time.
const fn scope(name: &'static str) -> Needs {
    Needs::Scope(Grant::Ops(Scope::known(name)))
}

const MANAGE_MESSAGE_TOKENS: Needs = scope("mailboxes:message-tokens:manage");
const LIST_MESSAGES: Needs = Needs::OneOf(&[
    Grant::Message(MessageScope::Read),
    Grant::Message(MessageScope::Write),
]);
const SEND_MESSAGES: Needs = Needs::Scope(Grant::Message(MessageScope::Send));

/// Every API route and what it needs. The router refuses to start if a route is missing here,
/// and a test checks this table against the OpenAPI document.
#[rustfmt::skip] // one row per route reads best as a table
pub const ENDPOINTS: &[Endpoint] = &[
    ops(Method::GET, "/api/v1/me", Needs::AnyScope),
    message(Method::GET, "/api/v1/messages/_me", Needs::AnyScope),
    ops(Method::GET, "/api/v1/account", scope("account:read")),
    ops(Method::GET, "/api/v1/domains", scope("domains:read")),
    ops(Method::GET, "/api/v1/domains/{id}", scope("domains:read")),
    ops(Method::GET, "/api/v1/mailboxes", scope("mailboxes:read")),
    ops(Method::GET, "/api/v1/mailboxes/{id}", scope("mailboxes:read")),
    ops(Method::GET, "/api/v1/mailboxes/{id}/forwarding", scope("mailboxes:forwarding:read")),
    ops(Method::PUT, "/api/v1/mailboxes/{id}/forwarding", scope("mailboxes:forwarding:write")),
    ops(Method::POST, "/api/v1/mailboxes/{id}/message-tokens", MANAGE_MESSAGE_TOKENS),
    ops(Method::GET, "/api/v1/mailboxes/{id}/message-tokens", MANAGE_MESSAGE_TOKENS),
    ops(Method::PATCH, "/api/v1/message-tokens/{id}", MANAGE_MESSAGE_TOKENS),
    ops(Method::DELETE, "/api/v1/message-tokens/{id}", MANAGE_MESSAGE_TOKENS),
    message(Method::GET, "/api/v1/messages", LIST_MESSAGES),
    message(Method::POST, "/api/v1/messages/send", SEND_MESSAGES),
    ops(Method::GET, "/api/v1/verify/credits", scope("verify:read")),
    ops(Method::POST, "/api/v1/verify", scope("verify:write")),
    ops(Method::GET, "/api/v1/drive/addon", scope("drive:addon:read")),
];

/// The route a request is for; a HEAD is its GET without the body.
pub fn endpoint(method: &Method, path: &str) -> Option<&'static Endpoint> {
    let method = if method == Method::HEAD {
        &Method::GET
    } else {
        method
    };
    ENDPOINTS
        .iter()
        .find(|endpoint| endpoint.method == *method && endpoint.path == path)
}

/// The methods a route serves, for a 405's `Allow` (HEAD comes with GET).
pub fn allowed_methods(path: &str) -> Vec<String> {
    let mut methods: Vec<String> = ENDPOINTS
        .iter()
        .filter(|endpoint| endpoint.path == path)
        .map(|endpoint| endpoint.method.to_string())
        .collect();
    if methods.iter().any(|method| method == "GET") {
        methods.push("HEAD".into());
    }
    methods
}

/// The token behind a request, from the database or the verified-token cache (`token_cache.rs`:
/// a revocation made through the app still applies to the very next call).
#[derive(Clone, Debug)]
pub struct Caller {
    pub token_id: i64,
    pub kind: TokenKind,
    pub account_id: i64,
    pub account_name: String,
    pub access: PlanAccess,
    pub name: String,
    pub prefix: String,
    /// As granted at creation (or narrowed since).
    pub scopes: ScopeSet,
    /// `None`: every domain of the account.
    pub domain_ids: Option<Vec<i64>>,
    /// The one mailbox of a message token.
    pub mailbox_id: Option<i64>,
    pub expires_at: Option<i64>,
    pub created_at: i64,
    /// How the audit log names this token as an actor.
    pub actor: String,
    /// Where its calls may come from (empty: anywhere).
    pub ip_allowlist: IpAllowlist,
    /// An old secret a rotation is retiring: it stops working at `expires_at`.
    pub rotated_out: bool,
    /// Set while paused: refused before any handler runs.
    pub paused_at: Option<i64>,
    /// The ops token that minted a message token, as it is now.
    pub maker: Option<Maker>,
}

/// The ops token that minted a message token: the message token works only while it does, and
/// only from where it may be used.
#[derive(Clone, Debug)]
pub struct Maker {
    pub revoked: bool,
    pub expires_at: Option<i64>,
    pub paused: bool,
    pub ip_allowlist: IpAllowlist,
}

impl Caller {
    /// The granted scopes the account's current plan still allows.
    pub fn effective_scopes(&self) -> Vec<String> {
        match self.kind {
            TokenKind::Ops => self
                .scopes
                .ops()
                .into_iter()
                .filter(|scope| self.access.allows(*scope))
                .map(|scope| scope.name().to_string())
                .collect(),
            TokenKind::Message if self.access.has_message_api() => self.scopes.to_strings(),
            TokenKind::Message => Vec::new(),
        }
    }

    /// What the token can see, for the services.
    pub fn reach(&self) -> Reach<'_> {
        Reach {
            account_id: self.account_id,
            domain_ids: self.domain_ids.as_deref(),
        }
    }

    /// This token acting on the account, as the audit trail names it.
    pub fn acting(&self) -> Actor<'_> {
        Actor {
            token_id: self.token_id,
            name: &self.actor,
        }
    }

    /// A message token's one mailbox.
    pub fn own_mailbox(&self) -> Result<i64, ApiError> {
        self.mailbox_id.ok_or_else(|| {
            tracing::error!(token_id = self.token_id, "message token without a mailbox");
            ApiError::internal()
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        parts.extensions.get::<Caller>().cloned().ok_or_else(|| {
            tracing::error!(path = %parts.uri.path(), "API handler without an authorized caller");
            ApiError::internal()
        })
    }
}

/// The checks of the module comment, run for every routed API request; then the request, once
/// its token is known (live or not), goes to the token's request log.
pub async fn authorize(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let (started, arrived) = (std::time::Instant::now(), crate::server::db::now_ms());
    let matched = request.extensions().get::<MatchedPath>().cloned();
    let path = matched.as_ref().map_or("", MatchedPath::as_str);
    // Every documented route is in the table (the router checks at start-up); what is left is
    // a method the route does not serve.
    let Some(endpoint) = endpoint(request.method(), path) else {
        return ApiError::method_not_allowed(allowed_methods(path)).into_response();
    };
    let client = ClientMeta::from_request(
        request.headers(),
        request.extensions(),
        state.config.trust_proxy,
    );
    let mut token_id = None;
    let checked = check(
        &state,
        endpoint,
        request.headers(),
        &client.ip,
        &mut token_id,
    )
    .await;
    let record = token_id
        .filter(|_| state.activity.enabled())
        .map(|token_id| {
            let request_id = request
                .extensions()
                .get::<super::error::RequestId>()
                .map(|id| id.0.clone())
                .unwrap_or_default();
            RequestRecord {
                token_id,
                at: arrived,
                method: endpoint.method.as_str(),
                route: endpoint.path,
                target_id: target_id(endpoint.path, request.uri().path()),
                status: 0,
                error_code: "",
                ip: client.ip.clone(),
                user_agent: client.user_agent.clone(),
                request_id,
                duration_us: 0,
                authorized: checked.is_ok(),
            }
        });
    let logged = Pending {
        log: &state.activity,
        record,
        started,
    };
    let response = match checked {
        Ok(caller) => {
            crate::server::telemetry::record_token_prefix(&caller.prefix);
            request.extensions_mut().insert(caller);
            request.extensions_mut().insert(client);
            next.run(request).await
        }
        Err(error) => error.into_response(),
    };
    logged.finish(
        response.status().as_u16(),
        response
            .extensions()
            .get::<ApiError>()
            .map_or("", |error| error.body.code),
    );
    response
}

/// A request's log record until its response is ready. If the client goes away first, the
/// server drops the request's future, and with it this: the request is then logged as 499
/// `client_closed_request` (nginx's word), so a caller cannot hide a call by hanging up.
struct Pending<'a> {
    log: &'a crate::server::activity::ActivityLog,
    record: Option<RequestRecord>,
    started: std::time::Instant,
}

impl Pending<'_> {
    fn finish(mut self, status: u16, error_code: &'static str) {
        self.queue(status, error_code);
    }

    fn queue(&mut self, status: u16, error_code: &'static str) {
        if let Some(mut record) = self.record.take() {
            record.status = status;
            record.error_code = error_code;
            record.duration_us =
                i64::try_from(self.started.elapsed().as_micros()).unwrap_or(i64::MAX);
            self.log.record(record);
        }
    }
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        self.queue(499, "client_closed_request");
    }
}

/// The number in the path where the route has `{id}` (0 when it has none).
fn target_id(route: &str, path: &str) -> i64 {
    route
        .split('/')
        .zip(path.split('/'))
        .find(|(template, _)| *template == "{id}")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0)
}

async fn check(
    state: &AppState,
    endpoint: &Endpoint,
    headers: &http::HeaderMap,
    client_ip: &str,
    token_id: &mut Option<i64>,
) -> Result<Caller, ApiError> {
    let secret = bearer_token(headers)?;
    let token = identify(&state.pool, &state.token_cache, &secret).await?;
    *token_id = Some(token.caller.token_id);
    check_live(&token)?;
    let caller = token.caller.clone();
    // Its own allowlist, and a message token's maker's as it is now (tightening an ops token's
    // list binds what it minted before).
    let ip = client_ip.parse::<std::net::IpAddr>().ok();
    let lists = std::iter::once(&caller.ip_allowlist)
        .chain(caller.maker.as_ref().map(|maker| &maker.ip_allowlist));
    let refused = lists
        .filter(|list| !list.is_empty())
        .any(|list| !ip.is_some_and(|ip| list.allows(ip)));
    if refused {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "ip_not_allowed",
            format!(
                "This token only accepts calls from its allowed IP addresses; this call came from {client_ip}."
            ),
        ));
    }
    // Only a call let in counts as a use: one from outside the allowlist never starts a grace
    // period or shows its address as the last use.
    record_use(&state.pool, &token, client_ip).await;
    if let Err(seconds) = state.api_rate_limiter.check(caller.token_id) {
        return Err(ApiError::rate_limited(seconds));
    }
    if caller.kind != endpoint.token {
        let (used, wanted) = match endpoint.token {
            TokenKind::Ops => ("a message token (tm_msg_)", "an ops token (tm_live_)"),
            TokenKind::Message => ("an ops token (tm_live_)", "a message token (tm_msg_)"),
        };
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "wrong_token_type",
            format!("This endpoint needs {wanted}; the request used {used}."),
        ));
    }
    // The self-check still answers (with no effective scopes), so clients can start and explain.
    if caller.kind == TokenKind::Message
        && !caller.access.has_message_api()
        && endpoint.needs != Needs::AnyScope
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "feature_not_available",
            format!(
                "Message tokens need the Pro or Agency plan; this account is on {}.",
                caller.access.plan
            ),
        ));
    }
    let wanted = endpoint.needs.names();
    if wanted.is_empty() {
        return Ok(caller);
    }
    let effective = caller.effective_scopes();
    if wanted
        .iter()
        .any(|scope| effective.iter().any(|has| has == scope))
    {
        return Ok(caller);
    }
    let granted: Vec<&'static str> = wanted
        .iter()
        .copied()
        .filter(|scope| caller.scopes.contains(scope))
        .collect();
    if granted.is_empty() {
        Err(ApiError::insufficient_scope(&wanted))
    } else {
        Err(ApiError::scope_blocked_by_plan(
            &granted,
            caller.access.plan,
        ))
    }
}
