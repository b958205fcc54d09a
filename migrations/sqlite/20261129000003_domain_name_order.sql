-- The API's domain and mailbox lists are ordered by domain name, then local part. Walking an
-- account's domains in name order through this index, and each domain's mailboxes through
-- mailbox_address_key (domain_id, local_part), reads one page without sorting. It must be UNIQUE
-- (names are unique anyway): only then does SQLite know each domain comes once in that walk, and
-- take the mailboxes' own order instead of sorting every mailbox of a domain for each page. It
-- starts with account_id, so it also serves everything domain_account_idx did.
create unique index domain_account_name_key on domain (account_id, name);
drop index domain_account_idx;
