#!/usr/bin/env python3
"""Prints how long the Tokens page takes to render for an account with 10 tokens and one with
100,000 (first page, a page deep in the list, and a filtered page). Keyset pagination should make
them all about equal. Usage: scripts/bench-list.py [path-to-server-binary] (default: the release build)."""

import os, re, secrets, sqlite3, statistics, subprocess, sys, tempfile, time, urllib.error, urllib.parse, urllib.request

BINARY = sys.argv[1] if len(sys.argv) > 1 else "target/release/trekmail-tokens"
PORT = 3217
BASE = f"http://127.0.0.1:{PORT}"
BIG, SMALL, RUNS = 100_000, 10, 30


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


opener = urllib.request.build_opener(NoRedirect)


def request(path, data=None, cookie=None):
    headers = {"Origin": BASE}
    if cookie:
        headers["Cookie"] = cookie
    req = urllib.request.Request(BASE + path, data=data, headers=headers)
    try:
        with opener.open(req) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def sign_in(email):
    _, _, html = request("/sign-in")
    action = re.search(rb'action="([^"]+)"', html).group(1).decode()
    body = urllib.parse.urlencode({"email": email, "password": "trekmail-demo"}).encode()
    _, headers, _ = request(action, body)
    return headers["Set-Cookie"].split(";")[0]


def seed(db, email, count):
    conn = sqlite3.connect(db)
    account_id, user_id = conn.execute(
        "select account_id, user_id from app_user where email = ?", (email,)
    ).fetchone()
    now = int(time.time() * 1000)
    rows = []
    for i in range(count):
        expires = None if i % 3 == 0 else now + (-1 if i % 3 == 1 else 1) * 86_400_000
        revoked = now if i % 7 == 0 else None
        rows.append((account_id, f"bench {i}", secrets.token_hex(32), "tm_live_bench000",
                     "domains:read mailboxes:read", 1, expires, revoked, user_id, now))
    conn.executemany(
        "insert into api_token (account_id, kind, name, token_hash, visible_prefix, scopes, all_domains,"
        " expires_at, revoked_at, created_by_user_id, created_at) values (?, 'ops', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.commit()
    low, high = conn.execute("select min(api_token_id), max(api_token_id) from api_token where account_id = ?", (account_id,)).fetchone()
    conn.close()
    return (low + high) // 2


def timed(path, cookie):
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        status, _, body = request(path, cookie=cookie)
        samples.append((time.perf_counter() - start) * 1000)
        assert status == 200 and b"bench" in body, (path, status)
    return statistics.median(samples), max(samples)


def main():
    workdir = tempfile.mkdtemp()
    db = os.path.join(workdir, "bench.db")
    env = dict(os.environ, DATABASE_URL=f"sqlite://{db}", TREKMAIL_DEMO="1", RUST_LOG="warn",
               LEPTOS_SITE_ADDR=f"127.0.0.1:{PORT}", LEPTOS_SITE_ROOT="target/site", LEPTOS_OUTPUT_NAME="trekmail-tokens")
    server = subprocess.Popen([BINARY], env=env)
    try:
        for _ in range(200):
            try:
                if request("/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        middle_big = seed(db, "owner@pro.test", BIG)
        middle_small = seed(db, "owner@agency.test", SMALL)
        print(f"{'account':>16} {'page':<28} {'median ms':>10} {'max ms':>8}")
        for email, count, middle in (("owner@agency.test", SMALL, middle_small), ("owner@pro.test", BIG, middle_big)):
            cookie = sign_in(email)
            for label, path in (("first page", "/agents/tokens"),
                                ("page in the middle", f"/agents/tokens?after={middle}"),
                                ("status=active", "/agents/tokens?status=active"),
                                ("status=revoked", "/agents/tokens?status=revoked"),
                                ("sort=expires", "/agents/tokens?sort=expires"),
                                ("sort=last_used, middle", f"/agents/tokens?sort=last_used&after={middle}"),
                                ("search q=bench 12", "/agents/tokens?q=bench+12")):
                median, worst = timed(path, cookie)
                print(f"{count:>10} tokens {label:<28} {median:>10.2f} {worst:>8.2f}")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
