-- Per-token activity (server::activity): every /api/v1 request made with a known token, written
-- off the request's path in batches, and two small summaries the detail page reads instead of
-- the log itself (a chart or an IP list over a million requests stays a few rows).

-- One row per request (PostgreSQL keys it by time for partitioning; here the rowid is the key
-- and retention deletes by the `at` index). `api_token_id` carries no foreign key, so a batch
-- insert checks nothing per row (tokens are never deleted).
create table api_request (
    api_request_id integer primary key,
    at             bigint  not null,
    api_token_id   bigint  not null,
    method         text    not null,
    -- the route template (`/api/v1/mailboxes/{id}`), never a raw path
    route          text    not null,
    -- the `{id}` of the path (0: none), for "which domains did it touch"
    target_id      bigint  not null,
    status         bigint  not null,
    -- 2: succeeded (below 400), 4: refused (4xx), 5: failed (5xx); the detail page's filter
    status_class   bigint  not null,
    -- the error envelope's code; empty on success
    error_code     text    not null,
    ip             text    not null,
    user_agent     text    not null,
    request_id     text    not null,
    duration_us    bigint  not null
);
create index api_request_at_idx on api_request (at);
-- The detail page's recent requests: one token's, last logged first (ids follow the order the
-- batches were written, within a fraction of a second of time order).
create index api_request_token_idx on api_request (api_token_id, api_request_id);
-- The refused and failed ones only (a minority: an index of every row's class cost the API 10 %
-- of its throughput in `make bench-api`), so a rare 4xx or 5xx is found without reading the rest.
create index api_request_token_errors_idx on api_request (api_token_id, status_class, api_request_id)
    where status_class >= 4;

-- Requests per token, day (days since 1970-01-01 UTC), method, route and path id: the chart, the scopes
-- and domains a token used. `authorized`: calls let past every access check (the scope was used).
create table api_request_day (
    api_token_id bigint not null,
    day          bigint not null,
    method       text   not null,
    route        text   not null,
    target_id    bigint not null,
    succeeded    bigint not null,
    failed       bigint not null,
    authorized   bigint not null,
    primary key (api_token_id, day, method, route, target_id)
);
create index api_request_day_day_idx on api_request_day (day);

-- Each address a token was used from, first and last seen.
create table api_token_ip (
    api_token_id bigint not null,
    ip           text   not null,
    first_seen   bigint not null,
    last_seen    bigint not null,
    requests     bigint not null,
    primary key (api_token_id, ip)
);
create index api_token_ip_recent_idx on api_token_ip (api_token_id, last_seen);
create index api_token_ip_last_seen_idx on api_token_ip (last_seen);

-- Requests that could not be logged (the queue was full, or the database refused the batch):
-- the detail page says so rather than showing a silently incomplete log.
create table api_request_gap (
    api_token_id bigint not null primary key,
    dropped      bigint not null,
    last_at      bigint not null
);

-- A token's own audit events, newest first (its detail page's timeline).
create index audit_event_token_idx on audit_event (api_token_id, audit_event_id);

-- Leak reports (POST /api/v1/credentials/revoke, no token) per caller address and clock minute:
-- the rate limit every server sharing the database counts together.
create table leak_report_count (
    ip      text   not null,
    minute  bigint not null,
    reports bigint not null,
    primary key (ip, minute)
);
create index leak_report_count_minute_idx on leak_report_count (minute);
