-- Hardening: address lists stored as JSON arrays, and an index for pruning expired sessions.

-- Address lists were addresses separated by single spaces, which a quoted local part
-- ("a b"@example.com) could break apart into several. They are JSON arrays of strings now
-- (domain::email::store_list). Lists that held a quote or a backslash could only come from such
-- an address and are dropped rather than guessed at.
update mailbox set forwarding_targets = case
    when trim(forwarding_targets) = '' then '[]'
    when forwarding_targets glob '*["\]*' then '[]'
    else '["' || replace(trim(forwarding_targets), ' ', '","') || '"]'
end;

update message set
    to_addresses = case
        when trim(to_addresses) = '' then '[]'
        when to_addresses glob '*["\]*' then '[]'
        else '["' || replace(trim(to_addresses), ' ', '","') || '"]'
    end,
    cc_addresses = case
        when trim(cc_addresses) = '' then '[]'
        when cc_addresses glob '*["\]*' then '[]'
        else '["' || replace(trim(cc_addresses), ' ', '","') || '"]'
    end,
    bcc_addresses = case
        when trim(bcc_addresses) = '' then '[]'
        when bcc_addresses glob '*["\]*' then '[]'
        else '["' || replace(trim(bcc_addresses), ' ', '","') || '"]'
    end;

-- Expired sessions are deleted in batches by the pruning task (server::maintenance).
create index session_expires_idx on session (expires_at);

-- Revoking an ops token revokes the message tokens it minted (server::tokens::revoke).
create index api_token_created_by_token_idx on api_token (created_by_token_id);

-- Which request holds an Idempotency-Key: settling or releasing it touches the row only while it
-- is still that request's claim (a claim abandoned by a dead process can be taken over).
alter table idempotency_record add column claim_id text;
