//! Demo accounts for `make run` (`TREKMAIL_DEMO=1`). Seeded only into a database with no
//! accounts, so a restart never duplicates or overwrites anything.

use super::auth::hash_now;
use super::db::{now_ms, Pool};
use crate::server::db;

/// Every demo user's password.
pub const DEMO_PASSWORD: &str = "trekmail-demo";

struct DemoAccount {
    name: &'static str,
    plan: &'static str,
    drive_addon: bool,
    users: &'static [(&'static str, &'static str)],
    domains: &'static [(&'static str, &'static [&'static str])],
}

const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        name: "Acme Pro",
        plan: "pro",
        drive_addon: false,
        users: &[("owner@pro.test", "owner"), ("member@pro.test", "member")],
        domains: &[
            ("acme.test", &["hello", "billing", "support"]),
            ("acme-mail.test", &["alerts", "ops"]),
            ("acme-shop.test", &["orders", "returns", "press"]),
        ],
    },
    DemoAccount {
        name: "Agency Co",
        plan: "agency",
        drive_addon: false,
        users: &[("owner@agency.test", "owner")],
        domains: &[
            ("agency.test", &["team", "clients"]),
            ("agency-clients.test", &["inbox", "reports"]),
        ],
    },
    DemoAccount {
        name: "Starter Co",
        plan: "starter",
        drive_addon: false,
        users: &[("owner@starter.test", "owner")],
        domains: &[
            ("starter.test", &["hello", "sales"]),
            ("starter-shop.test", &["orders"]),
        ],
    },
    DemoAccount {
        name: "Nano Co",
        plan: "nano",
        drive_addon: false,
        users: &[("owner@nano.test", "owner")],
        domains: &[("nano.test", &["me"])],
    },
    // Was on Pro and moved to Nano: its tokens ask for more than the plan now allows (see
    // `seed_downgraded_tokens`), which the Tokens list must say.
    DemoAccount {
        name: DOWNGRADED,
        plan: "nano",
        drive_addon: false,
        users: &[("owner@downgraded.test", "owner")],
        domains: &[("downgraded.test", &["support"])],
    },
    // For trying the account-wide lifecycle controls (token policy, "Revoke all…") without
    // touching the other accounts' tokens; the end-to-end tests use it for that too.
    DemoAccount {
        name: "Lifecycle Labs",
        plan: "pro",
        drive_addon: false,
        users: &[("owner@labs.test", "owner")],
        domains: &[("labs.test", &["agents"]), ("labs-edge.test", &["alerts"])],
    },
    DemoAccount {
        name: "Nano Drive Co",
        plan: "nano",
        drive_addon: true,
        users: &[("owner@nano-drive.test", "owner")],
        domains: &[("nano-drive.test", &["files"])],
    },
];

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// What arrives in every demo mailbox, oldest first: (from, subject, text, hours ago, unread).
const INBOX: &[(&str, &str, &str, i64, bool)] = &[
    (
        "welcome@trekmail.net",
        "Welcome to TrekMail",
        "Your mailbox is ready. Connect a mail client or use the API with a message token.",
        240,
        false,
    ),
    (
        "billing@cloudhost.example",
        "Invoice 2026-0412 paid",
        "Thanks, we received your payment of 49.00 EUR for invoice 2026-0412.",
        170,
        false,
    ),
    (
        "ana@partner-agency.example",
        "Proposal for the spring campaign",
        "Hi! Attached is our proposal for the spring campaign. Could we talk on Thursday?",
        98,
        false,
    ),
    (
        "noreply@status.example",
        "Scheduled maintenance on Sunday",
        "We will upgrade our database cluster on Sunday between 02:00 and 03:00 UTC.",
        52,
        false,
    ),
    (
        "li.wei@customer.example",
        "Question about my order #8812",
        "Hello, my order #8812 has not arrived yet. Can you check the tracking number?",
        20,
        true,
    ),
    (
        "jonas@team.example",
        "Re: Quarterly report draft",
        "Looks good to me. I added two comments on the revenue table.",
        6,
        true,
    ),
    (
        "alerts@monitoring.example",
        "Disk usage above 80% on web-2",
        "web-2 reports 83% disk usage on /var. Consider cleaning old logs.",
        2,
        true,
    ),
];

async fn seed_inbox(
    tx: &mut super::db::Transaction<'_>,
    mailbox_id: i64,
    address: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    for (index, (from, subject, text, hours_ago, unread)) in INBOX.iter().enumerate() {
        db::query(
            "insert into message (mailbox_id, folder, message_ref, from_address, to_addresses, subject,
                                  body_text, unread, status, created_at)
             values ($1, 'INBOX', $2, $3, $4, $5, $6, $7, 'received', $8)",
        )
        .bind(mailbox_id)
        .bind(format!("demo-{mailbox_id}-{index}@trekmail.test"))
        .bind(from)
        .bind(crate::domain::email::store_list(&[address]))
        .bind(subject)
        .bind(text)
        .bind(i64::from(*unread))
        .bind(now - hours_ago * 60 * 60 * 1000)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// Seeds the demo accounts if the database has no account yet. Returns whether it seeded.
pub async fn seed_if_empty(pool: &Pool) -> Result<bool, sqlx::Error> {
    let (accounts,): (i64,) = db::query("select count(*) from account")
        .fetch_one(pool)
        .await?;
    if accounts > 0 {
        return Ok(false);
    }
    match seed(pool).await {
        // Another server sharing the database seeded it at the same moment (its rows committed
        // first, so this transaction's same emails and domains were refused, and rolled back).
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => Ok(false),
        seeded => seeded.map(|()| true),
    }
}

async fn seed(pool: &Pool) -> Result<(), sqlx::Error> {
    let password_hash = tokio::task::spawn_blocking(|| hash_now(DEMO_PASSWORD))
        .await
        .expect("hashing the demo password");
    let now = now_ms();
    let mut tx = super::db::begin_write(pool).await?;
    for account in ACCOUNTS {
        let (account_id,): (i64,) = db::query(
            "insert into account (name, plan, drive_addon, created_at) values ($1, $2, $3, $4) returning account_id",
        )
        .bind(account.name)
        .bind(account.plan)
        .bind(i64::from(account.drive_addon))
        .bind(now)
        .fetch_one(&mut tx)
        .await?;
        if account.drive_addon {
            db::query("update account set drive_addon_size_gb = 100, drive_addon_renews_at = $1 where account_id = $2")
                .bind(now + 30 * DAY_MS)
                .bind(account_id)
                .execute(&mut tx)
                .await?;
        }
        for (email, role) in account.users {
            db::query(
                "insert into app_user (account_id, email, password_hash, role, created_at) values ($1, $2, $3, $4, $5)",
            )
            .bind(account_id)
            .bind(email)
            .bind(&password_hash)
            .bind(role)
            .bind(now)
            .execute(&mut tx)
            .await?;
        }
        for (domain, mailboxes) in account.domains {
            let (domain_id,): (i64,) = db::query(
                "insert into domain (account_id, name, created_at) values ($1, $2, $3) returning domain_id",
            )
            .bind(account_id)
            .bind(domain)
            .bind(now)
            .fetch_one(&mut tx)
            .await?;
            for local_part in *mailboxes {
                let (mailbox_id,): (i64,) = db::query(
                    "insert into mailbox (domain_id, local_part, created_at) values ($1, $2, $3) returning mailbox_id",
                )
                .bind(domain_id)
                .bind(local_part)
                .bind(now)
                .fetch_one(&mut tx)
                .await?;
                seed_inbox(&mut tx, mailbox_id, &format!("{local_part}@{domain}"), now).await?;
            }
        }
    }
    seed_downgraded_tokens(&mut tx, now).await?;
    super::db::commit(tx).await
}

const DOWNGRADED: &str = "Downgraded Co";

/// Tokens the downgraded account made while it was on Pro: an all-scope ops token, a read-only
/// one, and a message token it minted. Their secrets were never shown to anyone (the hashes are
/// of fixed demo strings), so they only show how the list reads after a downgrade.
async fn seed_downgraded_tokens(
    tx: &mut super::db::Transaction<'_>,
    now: i64,
) -> Result<(), sqlx::Error> {
    use crate::domain::scope::Scope;
    use sha2::{Digest, Sha256};
    let (account_id, mailbox_id): (i64, i64) = db::query(
        "select a.account_id, m.mailbox_id from account a
           join domain d on d.account_id = a.account_id
           join mailbox m on m.domain_id = d.domain_id
          where a.name = $1",
    )
    .bind(DOWNGRADED)
    .fetch_one(&mut *tx)
    .await?;
    let all: Vec<&str> = Scope::all().map(Scope::name).collect();
    let read_only: Vec<&str> = Scope::all()
        .filter(|scope| scope.is_read_only())
        .map(Scope::name)
        .collect();
    let tokens = [
        (
            "ops",
            "Deploy pipeline",
            "tm_live_d3m0a11s",
            all.join(" "),
            None,
            None,
        ),
        (
            "ops",
            "Reporting",
            "tm_live_d3m0r3ad",
            read_only.join(" "),
            None,
            None,
        ),
        (
            "message",
            "Support agent",
            "tm_msg_d3m0m5g1",
            "messages:read messages:send".to_string(),
            Some(mailbox_id),
            Some(()),
        ),
    ];
    let mut ops_id = None;
    for (kind, name, prefix, scopes, mailbox, minted) in tokens {
        let hash = format!("{:x}", Sha256::digest(format!("demo {prefix}")));
        let (token_id,): (i64,) = db::query(
            "insert into api_token (account_id, kind, mailbox_id, name, token_hash, visible_prefix,
                                    scopes, all_domains, expires_at, created_by_token_id, created_at)
             values ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $10) returning api_token_id",
        )
        .bind(account_id)
        .bind(kind)
        .bind(mailbox)
        .bind(name)
        .bind(&hash)
        .bind(prefix)
        .bind(&scopes)
        .bind(now + 60 * DAY_MS)
        .bind(minted.and(ops_id))
        .bind(now - 40 * DAY_MS)
        .fetch_one(&mut *tx)
        .await?;
        ops_id = ops_id.or(Some(token_id));
    }
    Ok(())
}
