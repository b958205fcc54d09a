#!/usr/bin/env bash
# Walks through the REST API with curl against a running server (`make run`), printing each request
# and its response. Give it an ops token created in the dashboard as owner@pro.test with at least
# account:read, mailboxes:read, mailboxes:forwarding:write and mailboxes:message-tokens:manage:
#
#   TOKEN=tm_live_… bash scripts/api-walkthrough.sh [http://127.0.0.1:3000]
#
# It changes data: it sets forwarding on mailbox 1, mints and revokes a message token, and queues
# one message in mailbox 1's Sent folder.
set -euo pipefail
: "${TOKEN:?set TOKEN to an ops token (tm_live_…)}"
API="${1:-http://127.0.0.1:3000}/api/v1"

# Prints the request (with the secrets replaced by names) and the status, key headers and body.
call() {
  local shown="$*"
  shown="${shown//$TOKEN/\$TOKEN}"
  [[ -n "${MSG:-}" ]] && shown="${shown//$MSG/\$MSG}"
  echo "\$ curl $shown"
  curl -s -i "$@" | tr -d '\r' | python3 -c '
import json, sys
head, _, body = sys.stdin.read().partition("\n\n")
keep = ("http/", "x-request-id", "www-authenticate", "retry-after", "idempotent-replayed", "location")
print("\n".join(line for line in head.splitlines() if line.lower().startswith(keep)))
try:
    print(json.dumps(json.loads(body), indent=1))
except ValueError:
    print(body)
'
  echo
}

AUTH=(-H "Authorization: Bearer $TOKEN")
JSON=(-H "Content-Type: application/json")

call "$API/me" "${AUTH[@]}" -H "X-Request-Id: walkthrough-1"
call "$API/me"
call "$API/me" -H "Authorization: Bearer tm_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
call "$API/mailboxes?search=hello" "${AUTH[@]}"
call -X PUT "$API/mailboxes/1/forwarding" "${AUTH[@]}" "${JSON[@]}" \
  -d '{"enabled": true, "targets": ["ops@example.org", "not-an-address"], "keep_copy": true}'
call -X PUT "$API/mailboxes/1/forwarding" "${AUTH[@]}" "${JSON[@]}" -H "Idempotency-Key: walkthrough-forwarding" \
  -d '{"enabled": true, "targets": ["ops@example.org"], "keep_copy": true}'

minted=$(curl -s -X POST "$API/mailboxes/1/message-tokens" "${AUTH[@]}" "${JSON[@]}" \
  -H "Idempotency-Key: walkthrough-mint-$$" \
  -d '{"name": "Support agent", "scopes": ["messages:read", "messages:send"], "expires_in": "30d"}')
MSG=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["token"])' "$minted")
MSG_ID=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$minted")
echo "\$ curl -X POST $API/mailboxes/1/message-tokens -H 'Authorization: Bearer \$TOKEN' -H 'Idempotency-Key: …' -d '{\"name\": \"Support agent\", \"scopes\": [\"messages:read\", \"messages:send\"], \"expires_in\": \"30d\"}'"
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d["token"]=d["token"][:15]+"…(shown once)"; print(json.dumps(d, indent=1))' "$minted"
echo

call "$API/messages/_me" -H "Authorization: Bearer $MSG"
call "$API/messages?limit=2" -H "Authorization: Bearer $MSG"
call "$API/account" -H "Authorization: Bearer $MSG"
call -X POST "$API/messages/send" -H "Authorization: Bearer $MSG" "${JSON[@]}" \
  -d '{"to": ["li.wei@customer.example"], "subject": "Your order #8812", "body": {"text": "It ships today.", "html": null}}'
call -X DELETE "$API/message-tokens/$MSG_ID" "${AUTH[@]}"
call "$API/messages?limit=2" -H "Authorization: Bearer $MSG"
