-- Accounts, users, domains, mailboxes, sessions, API tokens and their audit trail.
-- Portable SQL (SQLite and PostgreSQL), except the primary keys: `integer primary key` is SQLite's
-- rowid alias; the PostgreSQL migrations use `bigint generated always as identity`.
-- Every timestamp is Unix time in milliseconds (bigint), UTC by definition.
-- Never edit this file once it has shipped; add a new migration instead.

create table account (
    account_id   integer primary key,
    name         text    not null,
    -- nano | starter | pro | agency (domain::plan::Plan)
    plan         text    not null constraint account_plan_known check (plan in ('nano', 'starter', 'pro', 'agency')),
    -- 1 while the Drive Storage Add-on is active
    drive_addon  integer not null default 0 constraint account_drive_addon_flag check (drive_addon in (0, 1)),
    created_at   bigint  not null
);

create table app_user (
    user_id        integer primary key,
    account_id     bigint  not null references account (account_id),
    -- stored lower-cased; sign-in lower-cases too
    email          text    not null constraint app_user_email_key unique,
    -- Argon2id PHC string
    password_hash  text    not null,
    -- only the owner manages tokens
    role           text    not null constraint app_user_role_known check (role in ('owner', 'member')),
    -- when the guided tour was finished or dismissed (null: invite the user)
    tour_done_at   bigint,
    created_at     bigint  not null
);

create table domain (
    domain_id   integer primary key,
    account_id  bigint  not null references account (account_id),
    name        text    not null constraint domain_name_key unique,
    created_at  bigint  not null
);
create index domain_account_idx on domain (account_id);

create table mailbox (
    mailbox_id  integer primary key,
    domain_id   bigint  not null references domain (domain_id),
    local_part  text    not null,
    created_at  bigint  not null,
    constraint mailbox_address_key unique (domain_id, local_part)
);

-- A signed-in browser. The cookie holds a random id; only its SHA-256 is stored here.
create table session (
    session_hash  text    primary key,
    user_id       bigint  not null references app_user (user_id),
    created_at    bigint  not null,
    expires_at    bigint  not null
);
create index session_user_idx on session (user_id);

-- Ops tokens (tm_live_) and message tokens (tm_msg_). The plaintext is never stored.
create table api_token (
    api_token_id     integer primary key,
    account_id       bigint  not null references account (account_id),
    -- ops | message
    kind             text    not null constraint api_token_kind_known check (kind in ('ops', 'message')),
    -- the one mailbox of a message token; null for ops tokens
    mailbox_id       bigint  references mailbox (mailbox_id),
    name             text    not null,
    -- hex SHA-256 of the full plaintext token: the only way to find a token from a request
    token_hash       text    not null constraint api_token_hash_key unique,
    -- kind prefix plus the first 8 characters, shown in the dashboard
    visible_prefix   text    not null,
    -- scope names separated by single spaces
    scopes           text    not null,
    -- 1: every domain of the account; 0: only those in api_token_domain
    all_domains      integer not null constraint api_token_all_domains_flag check (all_domains in (0, 1)),
    -- null: never expires; the token stops working at this instant
    expires_at       bigint,
    -- null while not revoked; revocation is permanent
    revoked_at       bigint,
    last_used_at     bigint,
    last_used_ip     text,
    -- the owner who created it (ops tokens) or null (message tokens, made by an ops token)
    created_by_user_id bigint references app_user (user_id),
    -- the ops token that minted it (message tokens)
    created_by_token_id bigint references api_token (api_token_id),
    created_at       bigint  not null,
    constraint api_token_message_has_mailbox check ((kind = 'message') = (mailbox_id is not null))
);
-- Keyset pagination of an account's tokens, newest first.
create index api_token_account_idx on api_token (account_id, api_token_id);

-- The domain constraint of a token whose all_domains is 0.
create table api_token_domain (
    api_token_id  bigint not null references api_token (api_token_id),
    domain_id     bigint not null references domain (domain_id),
    primary key (api_token_id, domain_id)
);

-- Who did what to which token, written in the same transaction as the change.
-- Name and prefix are copied so the trail still reads well if a token row ever goes away.
create table audit_event (
    audit_event_id  integer primary key,
    account_id      bigint  not null references account (account_id),
    -- token_created | token_revoked | message_token_created | message_token_revoked
    action          text    not null,
    api_token_id    bigint  references api_token (api_token_id),
    token_name      text    not null,
    token_prefix    text    not null,
    -- the owner's email, or the acting ops token's name and prefix
    actor           text    not null,
    ip              text    not null,
    user_agent      text    not null,
    created_at      bigint  not null
);
create index audit_event_account_idx on audit_event (account_id, audit_event_id);
create index audit_event_account_action_idx on audit_event (account_id, action, audit_event_id);
