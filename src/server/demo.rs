//! Demo accounts for `make run` (`TREKMAIL_DEMO=1`). Seeded only into a database with no
//! accounts, so a restart never duplicates or overwrites anything.

use super::auth::hash_password;
use super::db::{now_ms, Pool};

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
    DemoAccount {
        name: "Nano Drive Co",
        plan: "nano",
        drive_addon: true,
        users: &[("owner@nano-drive.test", "owner")],
        domains: &[("nano-drive.test", &["files"])],
    },
];

/// Seeds the demo accounts if the database has no account yet. Returns whether it seeded.
pub async fn seed_if_empty(pool: &Pool) -> Result<bool, sqlx::Error> {
    let (accounts,): (i64,) = sqlx::query_as("select count(*) from account")
        .fetch_one(pool)
        .await?;
    if accounts > 0 {
        return Ok(false);
    }
    let password_hash = hash_password(DEMO_PASSWORD.to_string()).await;
    let now = now_ms();
    let mut tx = pool.begin().await?;
    for account in ACCOUNTS {
        let (account_id,): (i64,) = sqlx::query_as(
            "insert into account (name, plan, drive_addon, created_at) values ($1, $2, $3, $4) returning account_id",
        )
        .bind(account.name)
        .bind(account.plan)
        .bind(i64::from(account.drive_addon))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        for (email, role) in account.users {
            sqlx::query(
                "insert into app_user (account_id, email, password_hash, role, created_at) values ($1, $2, $3, $4, $5)",
            )
            .bind(account_id)
            .bind(email)
            .bind(&password_hash)
            .bind(role)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        for (domain, mailboxes) in account.domains {
            let (domain_id,): (i64,) = sqlx::query_as(
                "insert into domain (account_id, name, created_at) values ($1, $2, $3) returning domain_id",
            )
            .bind(account_id)
            .bind(domain)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            for local_part in *mailboxes {
                sqlx::query(
                    "insert into mailbox (domain_id, local_part, created_at) values ($1, $2, $3)",
                )
                .bind(domain_id)
                .bind(local_part)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
        }
    }
    tx.commit().await?;
    Ok(true)
}
