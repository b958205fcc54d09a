//! Domains, mailboxes and forwarding, always seen through the token's domain constraint: a list
//! holds only the allowed domains, and anything under another domain is a 404 exactly like a
//! missing id. Handlers extract, call `server::mail`, and reply.

use super::access::Caller;
use super::error::ApiError;
use super::extract::{resource_id, ApiJson};
use super::params::{ApiQuery, Id, Int, PageNumber, Text};
use super::{timestamp, PageMeta};
use crate::domain::email::Address;
use crate::domain::field::present;
use crate::server::mail::{self, DomainFilter, DomainRecord, MailboxFilter, MailboxRecord};
use crate::server::paging::PageRequest;
use crate::server::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// `per_page` of the domain and mailbox lists.
type PerPage = Int<1, 100>;
const DEFAULT_PER_PAGE: i64 = 25;

fn paging(page: Option<PageNumber>, per_page: Option<PerPage>) -> PageRequest {
    PageRequest::asked(
        page.map(|Int(page)| page),
        per_page.map(|Int(n)| n),
        DEFAULT_PER_PAGE,
    )
}

#[derive(Serialize, ToSchema)]
pub struct Domain {
    id: i64,
    name: String,
    /// Always `active`: every domain here has passed its DNS checks.
    status: DomainStatus,
    mailboxes_count: i64,
    /// RFC 3339.
    created_at: String,
}

impl From<DomainRecord> for Domain {
    fn from(record: DomainRecord) -> Domain {
        Domain {
            id: record.domain_id,
            name: record.name,
            status: DomainStatus::Active,
            mailboxes_count: record.mailboxes,
            created_at: timestamp(record.created_at),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DomainStatus {
    PendingDns,
    Active,
    Suspended,
}

#[derive(Serialize, ToSchema)]
pub struct DomainList {
    data: Vec<Domain>,
    meta: PageMeta,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DomainQuery {
    /// Only domains in this state.
    status: Option<DomainStatus>,
    /// Part of the domain name, any case.
    #[param(inline)]
    search: Option<Text<255>>,
    /// From 1.
    #[param(inline)]
    page: Option<PageNumber>,
    /// Default 25.
    #[param(inline)]
    per_page: Option<PerPage>,
}

/// The account's domains (only the allowed ones for a constrained token), by name.
#[utoipa::path(get, path = "/api/v1/domains", tag = "domains", params(DomainQuery),
    responses((status = 200, description = "One page of domains", body = DomainList)))]
pub async fn list_domains(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<DomainQuery>,
) -> Result<Json<DomainList>, ApiError> {
    let page = paging(query.page, query.per_page);
    let filter = DomainFilter {
        search: query.search.map(|Text(search)| search),
        only_active: query.status.map(|status| status == DomainStatus::Active),
    };
    let (records, total) = mail::list_domains(&state.pool, caller.reach(), &filter, page).await?;
    Ok(Json(DomainList {
        data: records.into_iter().map(Domain::from).collect(),
        meta: PageMeta::new(page, total),
    }))
}

/// One domain.
#[utoipa::path(get, path = "/api/v1/domains/{id}", tag = "domains",
    params(("id" = i64, Path, description = "Domain id", minimum = 1)),
    responses((status = 200, description = "The domain", body = Domain)))]
pub async fn get_domain(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Domain>, ApiError> {
    let record = mail::find_domain(&state.pool, caller.reach(), resource_id(&id)?).await?;
    Ok(Json(record.into()))
}

#[derive(Serialize, ToSchema)]
pub struct Mailbox {
    id: i64,
    address: String,
    local_part: String,
    domain_id: i64,
    domain: String,
    forwarding_enabled: bool,
    /// RFC 3339.
    created_at: String,
}

impl From<&MailboxRecord> for Mailbox {
    fn from(record: &MailboxRecord) -> Mailbox {
        Mailbox {
            id: record.mailbox_id,
            address: record.address(),
            local_part: record.local_part.clone(),
            domain_id: record.domain_id,
            domain: record.domain.clone(),
            forwarding_enabled: record.forwarding_enabled == 1,
            created_at: timestamp(record.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MailboxList {
    data: Vec<Mailbox>,
    meta: PageMeta,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MailboxQuery {
    /// Only this domain's mailboxes.
    #[param(inline)]
    domain_id: Option<Id>,
    /// Part of the address, any case.
    #[param(inline)]
    search: Option<Text<255>>,
    /// From 1.
    #[param(inline)]
    page: Option<PageNumber>,
    /// Default 25.
    #[param(inline)]
    per_page: Option<PerPage>,
}

/// The account's mailboxes (of the allowed domains), by address.
#[utoipa::path(get, path = "/api/v1/mailboxes", tag = "mailboxes", params(MailboxQuery),
    responses((status = 200, description = "One page of mailboxes", body = MailboxList)))]
pub async fn list_mailboxes(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<MailboxQuery>,
) -> Result<Json<MailboxList>, ApiError> {
    let page = paging(query.page, query.per_page);
    let filter = MailboxFilter {
        domain_id: query.domain_id.map(|Int(id)| id),
        search: query.search.map(|Text(search)| search),
    };
    let (records, total) = mail::list_mailboxes(&state.pool, caller.reach(), &filter, page).await?;
    Ok(Json(MailboxList {
        data: records.iter().map(Mailbox::from).collect(),
        meta: PageMeta::new(page, total),
    }))
}

/// One mailbox.
#[utoipa::path(get, path = "/api/v1/mailboxes/{id}", tag = "mailboxes",
    params(("id" = i64, Path, description = "Mailbox id", minimum = 1)),
    responses((status = 200, description = "The mailbox", body = Mailbox)))]
pub async fn get_mailbox(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Mailbox>, ApiError> {
    let record = mail::find_mailbox(&state.pool, caller.reach(), resource_id(&id)?).await?;
    Ok(Json(Mailbox::from(&record)))
}

#[derive(Serialize, ToSchema)]
pub struct ForwardingReply {
    mailbox_id: i64,
    address: String,
    enabled: bool,
    targets: Vec<String>,
    keep_copy: bool,
    /// The most targets the account's plan allows per mailbox.
    destination_limit: usize,
}

impl ForwardingReply {
    fn new(record: &MailboxRecord, caller: &Caller) -> ForwardingReply {
        ForwardingReply {
            mailbox_id: record.mailbox_id,
            address: record.address(),
            enabled: record.forwarding_enabled == 1,
            targets: record.targets(),
            keep_copy: record.forwarding_keep_copy == 1,
            destination_limit: caller.access.forwarding_target_cap(),
        }
    }
}

/// A mailbox's forwarding.
#[utoipa::path(get, path = "/api/v1/mailboxes/{id}/forwarding", tag = "mailboxes",
    params(("id" = i64, Path, description = "Mailbox id", minimum = 1)),
    responses((status = 200, description = "The forwarding", body = ForwardingReply)))]
pub async fn get_forwarding(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ForwardingReply>, ApiError> {
    let record = mail::find_mailbox(&state.pool, caller.reach(), resource_id(&id)?).await?;
    Ok(Json(ForwardingReply::new(&record, &caller)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForwardingRequest {
    /// Whether mail is forwarded; on needs at least one target (given, or kept from before:
    /// turning it on with none at all is a 409 `no_forwarding_targets`).
    enabled: bool,
    /// The addresses to forward to, each once, never the mailbox itself, at most the plan's
    /// `destination_limit` (5 Starter, 15 Pro, 30 Agency); absent keeps the current ones.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Vec<Address>>, max_items = 30, nullable = false)]
    targets: Option<Vec<String>>,
    /// Keep a copy in the mailbox too. Default true.
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    keep_copy: Option<bool>,
}

/// Replaces a mailbox's forwarding. One bad target refuses the whole change.
#[utoipa::path(put, path = "/api/v1/mailboxes/{id}/forwarding", tag = "mailboxes",
    params(("id" = i64, Path, description = "Mailbox id", minimum = 1)),
    request_body = ForwardingRequest,
    responses((status = 200, description = "The forwarding as saved", body = ForwardingReply)))]
pub async fn set_forwarding(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ForwardingRequest>,
) -> Result<Json<ForwardingReply>, ApiError> {
    let change = mail::ForwardingChange {
        enabled: request.enabled,
        targets: request.targets.as_deref(),
        keep_copy: request.keep_copy,
    };
    let saved = mail::set_forwarding(
        &state.pool,
        caller.reach(),
        caller.access,
        resource_id(&id)?,
        change,
        caller.token_id,
    )
    .await?;
    Ok(Json(ForwardingReply::new(&saved, &caller)))
}
