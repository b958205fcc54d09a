"""schemathesis hooks for scripts/contract.py (loaded through SCHEMATHESIS_HOOKS).

The one rule of the API that JSON Schema cannot state: To, Cc and Bcc of a message hold 10
addresses together (a schema cannot add up the lengths of three lists; listing every way to split
10 between them made the schema too heavy to generate from). The document says so in words; here
the generated messages keep to it, so every check still runs on the send operation, the
"schema-valid data is accepted" check included."""

import schemathesis

MAX_RECIPIENTS = 10  # src/domain/outgoing.rs


@schemathesis.hook
def filter_body(context, body):
    operation = context.operation
    if operation is None or operation.path != "/api/v1/messages/send" or not isinstance(body, dict):
        return True
    lists = [body.get(key) for key in ("to", "cc", "bcc")]
    return sum(len(value) for value in lists if isinstance(value, list)) <= MAX_RECIPIENTS
