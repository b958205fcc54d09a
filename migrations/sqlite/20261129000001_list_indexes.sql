-- The Tokens list's status tabs (bounded counts) and status filters: by account, then whether and
-- when it was revoked, then when it expires.
create index api_token_status_idx on api_token (account_id, revoked_at, expires_at);
-- The list's other two orders, keyset-paged on (key, id). The expressions are the very ones in
-- server/tokens/list.rs (`sort_key`), so the planner reads pages in index order.
create index api_token_expires_order_idx
    on api_token (account_id, (0 - coalesce(expires_at, 253402300800000)), api_token_id);
create index api_token_last_used_order_idx
    on api_token (account_id, coalesce(last_used_at, 0), api_token_id);
