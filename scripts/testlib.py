"""Helpers shared by the scripts that drive the release server."""

import secrets, string, time, urllib.error, urllib.request, zlib

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


def wait_until_up(base, server=None, limit_s=30):
    """Returns once the server at `base` answers /healthz; stops the script if it does not within
    `limit_s`, or if `server` (its process) exits first."""
    deadline = time.time() + limit_s
    while time.time() < deadline:
        if server is not None and server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode} before answering /healthz")
        try:
            if request(base, "GET", "/healthz", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"the server did not answer /healthz within {limit_s} s")
