-- What the REST API adds: mailbox forwarding, mailbox messages, Email Verifier credits and
-- stored replies for Idempotency-Key. Portable SQL; timestamps are Unix milliseconds.

-- Forwarding of a mailbox: targets are addresses separated by single spaces (an address never
-- contains one), in the order the client gave them.
alter table mailbox add column forwarding_enabled integer not null default 0;
alter table mailbox add column forwarding_keep_copy integer not null default 1;
alter table mailbox add column forwarding_targets text not null default '';

-- The Drive Storage Add-on's size and the end of its paid period (null without the add-on).
alter table account add column drive_addon_size_gb bigint;
alter table account add column drive_addon_renews_at bigint;

-- Credits of the Email Verifier (quick check 1, deep check 2).
alter table account add column verify_credits bigint not null default 1000;

-- Messages of a mailbox: received ones (demo data) and those accepted by POST /messages/send.
-- The id doubles as the IMAP-style UID the API pages by (only lower UIDs come after a cursor).
create table message (
    message_id     integer primary key,
    mailbox_id     bigint  not null references mailbox (mailbox_id),
    -- INBOX | Sent (IMAP folder path)
    folder         text    not null,
    -- RFC 5322 Message-ID, without angle brackets
    message_ref    text    not null constraint message_ref_key unique,
    from_address   text    not null,
    -- addresses separated by single spaces
    to_addresses   text    not null,
    cc_addresses   text    not null default '',
    bcc_addresses  text    not null default '',
    subject        text    not null,
    body_text      text,
    body_html      text,
    unread         integer not null default 1 constraint message_unread_flag check (unread in (0, 1)),
    -- received | queued
    status         text    not null,
    -- the message token that sent it (sent messages only)
    sent_by_token_id bigint references api_token (api_token_id),
    created_at     bigint  not null
);
create index message_mailbox_folder_idx on message (mailbox_id, folder, message_id);

-- The first successful reply to a request carrying an Idempotency-Key, kept 24 hours per token.
-- A plaintext token is never stored here: the `token` field is removed before saving.
create table idempotency_record (
    api_token_id     bigint  not null references api_token (api_token_id),
    idempotency_key  text    not null,
    -- hex SHA-256 of method, path and body: a reused key with another request is refused
    request_hash     text    not null,
    -- null while the first request is still running
    status           integer,
    response_body    text,
    created_at       bigint  not null,
    primary key (api_token_id, idempotency_key)
);
create index idempotency_record_created_idx on idempotency_record (created_at);
