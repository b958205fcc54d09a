//! The mail service: an account's domains and mailboxes, a mailbox's forwarding and its messages,
//! always seen through what the calling token may reach. Anything under a domain outside its
//! reach is [`Error::NotFound`], exactly like a missing id.

/// Listing a mailbox's messages and queueing outgoing mail.
pub mod messages;

use super::db::{now_ms, push_contains, Pool, Query, Row};
use super::liveness::token_still_live;
use super::paging::{fetch_page, PageRequest};
use crate::domain::email::{read_list, store_list};
use crate::domain::field::FieldErrors;
use crate::domain::forwarding::{Forwarding, ForwardingError};
use crate::domain::plan::{Plan, PlanAccess};
use crate::server::db;

/// What a token can see: its account, and the domains its constraint allows (`None`: all).
#[derive(Clone, Copy, Debug)]
pub struct Reach<'a> {
    pub account_id: i64,
    pub domain_ids: Option<&'a [i64]>,
}

impl Reach<'_> {
    pub fn can_see_domain(&self, domain_id: i64) -> bool {
        self.domain_ids.is_none_or(|ids| ids.contains(&domain_id))
    }

    /// Adds "and <column> in (the reachable domains)" for a constrained token.
    fn push_constraint(&self, query: &mut Query<'_>, column: &str) {
        let Some(ids) = self.domain_ids else { return };
        if ids.is_empty() {
            query.push(" and 1 = 0");
            return;
        }
        query.push(format!(" and {column} in ("));
        query.push_list(ids.iter().copied());
        query.push(")");
    }
}

/// Why the mail service refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Missing, another account's, or outside the token's domains (all look the same).
    #[error("not found")]
    NotFound,
    /// More forwarding targets than the plan allows.
    #[error("the {plan} plan allows {cap} forwarding targets; {given} were given")]
    OverCap {
        plan: Plan,
        cap: usize,
        given: usize,
    },
    #[error("{0}")]
    Invalid(FieldErrors),
    /// Forwarding turned on with no target given or kept.
    #[error("no forwarding targets")]
    NoTargets,
    /// The acting token was revoked or expired (or lost the scope) before the change committed.
    #[error("the acting token is no longer valid")]
    TokenGone,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

#[derive(Debug, sqlx::FromRow)]
pub struct DomainRecord {
    pub domain_id: i64,
    pub name: String,
    pub created_at: i64,
    pub mailboxes: i64,
}

const SELECT_DOMAINS: &str = "select d.domain_id, d.name, d.created_at,
        (select count(*) from mailbox m where m.domain_id = d.domain_id) as mailboxes
   from domain d where d.account_id = ";

/// Which domains a list holds.
#[derive(Clone, Debug, Default)]
pub struct DomainFilter {
    /// Part of the name, any case.
    pub search: Option<String>,
    /// Only `active` can match: every domain here has passed its DNS checks.
    pub only_active: Option<bool>,
}

/// The reachable domains, by name, and how many there are.
pub async fn list_domains(
    pool: &Pool,
    reach: Reach<'_>,
    filter: &DomainFilter,
    page: PageRequest,
) -> Result<(Vec<DomainRecord>, i64)> {
    let narrow = |query: &mut Query<'_>| {
        query.push_bind(reach.account_id);
        reach.push_constraint(query, "d.domain_id");
        if let Some(search) = &filter.search {
            push_contains(query, "d.name", search);
        }
        if filter.only_active == Some(false) {
            query.push(" and 1 = 0");
        }
    };
    let count = "select count(*) from domain d where d.account_id = ";
    Ok(fetch_page(pool, (count, SELECT_DOMAINS), narrow, "d.name", page).await?)
}

pub async fn find_domain(pool: &Pool, reach: Reach<'_>, id: i64) -> Result<DomainRecord> {
    find_one(pool, reach, SELECT_DOMAINS, "d.domain_id", id).await
}

/// The one row of `select` (which ends in `account_id = `) whose `id_column` is `id`, if the
/// token can reach its domain.
async fn find_one<T>(
    pool: &Pool,
    reach: Reach<'_>,
    select: &str,
    id_column: &str,
    id: i64,
) -> Result<T>
where
    T: Row,
{
    let mut query = Query::build(select);
    query
        .push_bind(reach.account_id)
        .push(format!(" and {id_column} = "))
        .push_bind(id);
    reach.push_constraint(&mut query, "d.domain_id");
    query.fetch_optional(pool).await?.ok_or(Error::NotFound)
}

#[derive(Debug, sqlx::FromRow)]
pub struct MailboxRecord {
    pub mailbox_id: i64,
    pub local_part: String,
    pub domain_id: i64,
    pub domain: String,
    pub forwarding_enabled: i64,
    pub forwarding_keep_copy: i64,
    pub forwarding_targets: String,
    pub created_at: i64,
}

impl MailboxRecord {
    pub fn address(&self) -> String {
        format!("{}@{}", self.local_part, self.domain)
    }

    pub fn targets(&self) -> Vec<String> {
        read_list(&self.forwarding_targets)
    }
}

const SELECT_MAILBOXES: &str = "select m.mailbox_id, m.local_part, d.domain_id, d.name as domain,
        m.forwarding_enabled, m.forwarding_keep_copy, m.forwarding_targets, m.created_at
   from mailbox m join domain d on d.domain_id = m.domain_id where d.account_id = ";

/// Which mailboxes a list holds.
#[derive(Clone, Debug, Default)]
pub struct MailboxFilter {
    pub domain_id: Option<i64>,
    /// Part of the address, any case.
    pub search: Option<String>,
}

/// The reachable mailboxes, by address, and how many there are. A domain outside the token's
/// reach is as missing as one that does not exist.
pub async fn list_mailboxes(
    pool: &Pool,
    reach: Reach<'_>,
    filter: &MailboxFilter,
    page: PageRequest,
) -> Result<(Vec<MailboxRecord>, i64)> {
    if let Some(domain_id) = filter.domain_id {
        find_domain(pool, reach, domain_id).await?;
    }
    let narrow = |query: &mut Query<'_>| {
        query.push_bind(reach.account_id);
        reach.push_constraint(query, "d.domain_id");
        if let Some(domain_id) = filter.domain_id {
            query.push(" and d.domain_id = ").push_bind(domain_id);
        }
        if let Some(search) = &filter.search {
            push_contains(query, "m.local_part || '@' || d.name", search);
        }
    };
    let count = "select count(*) from mailbox m join domain d on d.domain_id = m.domain_id where d.account_id = ";
    let order = "d.name, m.local_part";
    Ok(fetch_page(pool, (count, SELECT_MAILBOXES), narrow, order, page).await?)
}

pub async fn find_mailbox(pool: &Pool, reach: Reach<'_>, id: i64) -> Result<MailboxRecord> {
    find_one(pool, reach, SELECT_MAILBOXES, "m.mailbox_id", id).await
}

/// A mailbox's address, by id (no reach check: for the token that belongs to it).
pub async fn mailbox_address(
    pool: &Pool,
    mailbox_id: i64,
) -> std::result::Result<String, sqlx::Error> {
    let (address,): (String,) = db::query(
        "select m.local_part || '@' || d.name from mailbox m
           join domain d on d.domain_id = m.domain_id where m.mailbox_id = $1",
    )
    .bind(mailbox_id)
    .fetch_one(pool)
    .await?;
    Ok(address)
}

/// A forwarding change as the client sent it.
#[derive(Clone, Copy, Debug)]
pub struct ForwardingChange<'a> {
    pub enabled: bool,
    /// `None` keeps the current targets.
    pub targets: Option<&'a [String]>,
    pub keep_copy: Option<bool>,
}

/// Replaces a mailbox's forwarding (one bad target refuses the whole change) and returns the
/// mailbox as saved. The acting token must still be live when the change commits.
pub async fn set_forwarding(
    pool: &Pool,
    reach: Reach<'_>,
    access: PlanAccess,
    mailbox_id: i64,
    change: ForwardingChange<'_>,
    acting_token_id: i64,
) -> Result<MailboxRecord> {
    let mailbox = find_mailbox(pool, reach, mailbox_id).await?;
    let cap = access.forwarding_target_cap();
    let forwarding = Forwarding::parse(
        change.enabled,
        change.targets,
        change.keep_copy,
        &mailbox.address(),
        mailbox.targets(),
        cap,
    )
    .map_err(|error| match error {
        ForwardingError::OverCap { cap, given } => Error::OverCap {
            plan: access.plan,
            cap,
            given,
        },
        ForwardingError::Invalid(errors) => Error::Invalid(errors),
        ForwardingError::NoTargets => Error::NoTargets,
    })?;
    let updated = db::query(concat!(
        "update mailbox set forwarding_enabled = $1, forwarding_keep_copy = $2, forwarding_targets = $3
          where mailbox_id = $4 and ",
        token_still_live!("$5", "$6")
    ))
    .bind(i64::from(forwarding.enabled))
    .bind(i64::from(forwarding.keep_copy))
    .bind(store_list(&forwarding.targets))
    .bind(mailbox.mailbox_id)
    .bind(acting_token_id)
    .bind(now_ms())
    .execute(pool)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(Error::TokenGone);
    }
    tracing::info!(mailbox_id = mailbox.mailbox_id, "forwarding saved");
    find_mailbox(pool, reach, mailbox.mailbox_id).await
}
