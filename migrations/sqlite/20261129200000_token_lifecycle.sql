-- Token lifecycle (server::tokens::lifecycle): pause, IP allowlists, rotation, the owner's token
-- policy, and a detail line on audit events (old and new values of a change).

-- Set while paused (the API refuses the token); null when active. Revoked and expired win.
alter table api_token add column paused_at bigint;
-- Addresses and CIDR ranges the token's API calls may come from, canonical, separated by single
-- spaces (domain::ip_allowlist); empty: any address.
alter table api_token add column ip_allowlist text not null default '';
-- An old secret replaced by a rotation: when, by which new token, and the grace chosen. The
-- rotation brings its expires_at in (never out), and the new token's first use brings it in
-- again to that moment plus the grace: expires_at alone decides whether it still works.
alter table api_token add column rotated_at bigint;
alter table api_token add column replaced_by_token_id bigint references api_token (api_token_id);
alter table api_token add column rotation_grace_ms bigint;
create index api_token_replaced_by_idx on api_token (replaced_by_token_id)
    where replaced_by_token_id is not null;

-- The owner's token policy: the longest a new or extended token may last (null: no maximum),
-- and the expiration the create form starts with (a domain::expiration form word).
alter table account add column token_max_lifetime_days bigint;
alter table account add column token_default_expiration text not null default '30d';

-- What changed, in words ("Expiration: 2026-12-01 → never"); empty for creations and revocations.
alter table audit_event add column detail text not null default '';
