-- Signed webhooks (server::webhooks): the endpoints an owner registered, an outbox of deliveries
-- written by the same transaction as the event they announce, each attempt to deliver one, and
-- which tokens were already announced as expiring or expired.

create table webhook_endpoint (
    webhook_endpoint_id integer primary key,
    account_id  bigint not null references account (account_id),
    url         text   not null,
    -- event types separated by single spaces (domain::webhook::EventSelection)
    events      text   not null,
    -- `whsec_` and the base64 of 32 random bytes: the signing key, so kept as is (the owner sees
    -- it once, when the endpoint is added)
    secret      text   not null,
    created_at  bigint not null
);
create index webhook_endpoint_account_idx on webhook_endpoint (account_id, webhook_endpoint_id);

create table webhook_delivery (
    webhook_delivery_id integer primary key,
    -- deleting an endpoint deletes its deliveries (and they their attempts)
    webhook_endpoint_id bigint not null references webhook_endpoint (webhook_endpoint_id) on delete cascade,
    -- the `webhook-id` header: the same on every attempt, so a receiver can drop repeats
    message_id       text   not null,
    event            text   not null,
    -- the JSON body, exactly as signed
    payload          text   not null,
    created_at       bigint not null,
    -- pending | delivered | failed (domain::webhook::DeliveryState)
    state            text   not null,
    attempts         bigint not null default 0,
    -- when the next attempt is due; null once delivered or given up
    next_attempt_at  bigint,
    -- a server attempting it holds it until then, so servers sharing the outbox never send it twice
    -- at once (a server that died holding it lets it go when this passes)
    claimed_until    bigint not null default 0,
    -- the last attempt's response status (null: no response)
    last_status      bigint
);
-- The worker's "what is due": only pending deliveries are in it.
create index webhook_delivery_due_idx on webhook_delivery (next_attempt_at)
    where next_attempt_at is not null;
create index webhook_delivery_endpoint_idx on webhook_delivery (webhook_endpoint_id, webhook_delivery_id);

create table webhook_attempt (
    webhook_attempt_id  integer primary key,
    webhook_delivery_id bigint not null references webhook_delivery (webhook_delivery_id) on delete cascade,
    at          bigint not null,
    -- the response's status; null when there was none (timed out, refused, no such host)
    status      bigint,
    -- why it failed, in words; empty when delivered
    error       text   not null,
    duration_ms bigint not null
);
create index webhook_attempt_delivery_idx on webhook_attempt (webhook_delivery_id, webhook_attempt_id);

-- A token announced as `token.expiring` or `token.expired`: announced once, by whichever server
-- inserts this row first.
create table webhook_token_notice (
    api_token_id bigint not null,
    event        text   not null,
    primary key (api_token_id, event)
);
-- The expiry scan: live ops tokens by when they stop working.
create index api_token_expiry_idx on api_token (expires_at)
    where revoked_at is null and kind = 'ops' and rotated_at is null;
