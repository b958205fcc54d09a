-- Who revoked a token, shown on its row: the owner's email, or the ops token that did it through
-- the API. Tokens revoked before this column existed take it from their audit event.
alter table api_token add column revoked_by text;
update api_token
   set revoked_by = (select e.actor from audit_event e
                      where e.api_token_id = api_token.api_token_id
                        and e.action in ('token_revoked', 'message_token_revoked')
                      order by e.audit_event_id desc limit 1)
 where revoked_at is not null;
