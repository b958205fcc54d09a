-- What every app server must share, so that several of them behind one load balancer act as one:
-- the sign-in throttle and the per-token request counts. Portable SQL; timestamps are Unix ms.

-- Sign-in throttle shared by every app server (server::throttle): failures per key
-- ('pair:<email> <ip>', 'email:<email>', 'ip:<ip>') within the window that started at first_at.
create table login_failure (
    throttle_key  text   primary key,
    failures      bigint not null,
    first_at      bigint not null,
    last_at       bigint not null
);
create index login_failure_first_idx on login_failure (first_at);
-- (email, ip) pairs that signed in successfully: exempt from the email and IP ceilings.
create table login_trust (
    email       text   not null,
    ip          text   not null,
    trusted_at  bigint not null,
    primary key (email, ip)
);
create index login_trust_at_idx on login_trust (trusted_at);
-- Requests per token per minute, summed over every app server (server::rest::rate_limit).
create table api_request_count (
    api_token_id  bigint not null references api_token (api_token_id),
    minute        bigint not null,
    requests      bigint not null,
    primary key (api_token_id, minute)
);
create index api_request_count_minute_idx on api_request_count (minute);
