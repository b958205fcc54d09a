"""Helpers shared by the scripts that drive the release server."""

import secrets, string, zlib

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def make_token(prefix):
    """A well-formed token: prefix, 32 random base62 characters, 6-character base62 CRC32."""
    text = prefix + "".join(secrets.choice(BASE62) for _ in range(32))
    value, digits = zlib.crc32(text.encode()), []
    for _ in range(6):
        digits.append(BASE62[value % 62])
        value //= 62
    return text + "".join(reversed(digits))
