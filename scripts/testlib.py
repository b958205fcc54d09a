"""Helpers shared by the scripts that drive the release server."""

import secrets, string, urllib.error, urllib.request, zlib

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def make_token(prefix):
    """A well-formed token: prefix, 32 random base62 characters, 6-character base62 CRC32."""
    text = prefix + "".join(secrets.choice(BASE62) for _ in range(32))
    value, digits = zlib.crc32(text.encode()), []
    for _ in range(6):
        digits.append(BASE62[value % 62])
        value //= 62
    return text + "".join(reversed(digits))


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# Redirects are never followed: a sign-in answers with its cookie on the redirect itself.
OPENER = urllib.request.build_opener(NoRedirect)


def request(base, method, path, body=None, headers=None, content_type="application/json", timeout=60):
    """Status, body text and headers of one request to the server at `base`."""
    data = body.encode() if isinstance(body, str) else body
    all_headers = dict(headers or {})
    if data is not None:
        all_headers["Content-Type"] = content_type
    req = urllib.request.Request(base + path, data=data, method=method, headers=all_headers)
    try:
        with OPENER.open(req, timeout=timeout) as response:
            return response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers
