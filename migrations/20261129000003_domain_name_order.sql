-- The API's domain and mailbox lists are ordered by domain name, then local part. Walking an
-- account's domains in name order through this index, and each domain's mailboxes through
-- mailbox_address_key (domain_id, local_part), reads one page without first sorting every mailbox
-- of the account. It starts with account_id, so it also serves everything domain_account_idx did.
create index domain_account_name_idx on domain (account_id, name);
drop index domain_account_idx;
