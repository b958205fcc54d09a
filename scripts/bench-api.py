#!/usr/bin/env python3
"""Prints REST API latency and throughput on the release build: median and p95 of single requests
(GET /me, GET /mailboxes, GET /messages, a rejected bad-checksum token) with 100,000 other tokens in
the database, and requests per second from 8 concurrent clients. Every request does the full check
(SHA-256 lookup, plan, scopes) with no cache.
Usage: scripts/bench-api.py [path-to-server-binary] (default: the release build)."""

import concurrent.futures, hashlib, os, secrets, sqlite3, statistics, subprocess, sys, tempfile, time, urllib.error, urllib.request
from testlib import make_token

BINARY = sys.argv[1] if len(sys.argv) > 1 else "target/release/trekmail-tokens"
PORT = 3218
BASE = f"http://127.0.0.1:{PORT}"
OTHER_TOKENS, RUNS, CONCURRENT_REQUESTS, CLIENTS = 100_000, 200, 4000, 8

def get(path, token):
    request = urllib.request.Request(BASE + path, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        error.read()
        return error.code


def seed(db):
    """100,000 unrelated tokens, one ops token and one message token for owner@pro.test."""
    conn = sqlite3.connect(db)
    account_id, user_id = conn.execute("select account_id, user_id from app_user where email = 'owner@pro.test'").fetchone()
    mailbox_id, domain_id = conn.execute(
        "select m.mailbox_id, d.domain_id from mailbox m join domain d on d.domain_id = m.domain_id"
        " where d.account_id = ? order by m.mailbox_id limit 1", (account_id,)).fetchone()
    now = int(time.time() * 1000)
    conn.executemany(
        "insert into api_token (account_id, kind, name, token_hash, visible_prefix, scopes, all_domains,"
        " created_by_user_id, created_at) values (?, 'ops', ?, ?, 'tm_live_bench000', 'domains:read', 1, ?, ?)",
        [(account_id, f"bench {i}", secrets.token_hex(32), user_id, now) for i in range(OTHER_TOKENS)])
    ops, message = make_token("tm_live_"), make_token("tm_msg_")
    conn.execute(
        "insert into api_token (account_id, kind, name, token_hash, visible_prefix, scopes, all_domains,"
        " created_by_user_id, created_at) values (?, 'ops', 'bench ops', ?, ?, 'account:read mailboxes:read', 1, ?, ?)",
        (account_id, hashlib.sha256(ops.encode()).hexdigest(), ops[:16], user_id, now))
    conn.execute(
        "insert into api_token (account_id, kind, mailbox_id, name, token_hash, visible_prefix, scopes, all_domains,"
        " created_at) values (?, 'message', ?, 'bench message', ?, ?, 'messages:read', 0, ?)",
        (account_id, mailbox_id, hashlib.sha256(message.encode()).hexdigest(), message[:15], now))
    conn.commit()
    conn.close()
    return ops, message


def timed(path, token, expected):
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        status = get(path, token)
        samples.append((time.perf_counter() - start) * 1000)
        assert status == expected, (path, status)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95)]


def main():
    workdir = tempfile.mkdtemp()
    db = os.path.join(workdir, "bench.db")
    env = dict(os.environ, DATABASE_URL=f"sqlite://{db}", TREKMAIL_DEMO="1", RUST_LOG="warn",
               TREKMAIL_API_RATE_LIMIT="1000000", LEPTOS_SITE_ADDR=f"127.0.0.1:{PORT}",
               LEPTOS_SITE_ROOT="target/site", LEPTOS_OUTPUT_NAME="trekmail-tokens")
    server = subprocess.Popen([BINARY], env=env)
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(BASE + "/healthz").read()
                break
            except OSError:
                time.sleep(0.1)
        ops, message = seed(db)
        bad = ops[:-1] + ("A" if ops[-1] != "A" else "B")
        print(f"{OTHER_TOKENS:,} other tokens in the database; {RUNS} sequential requests each")
        print(f"{'request':<40} {'median ms':>10} {'p95 ms':>8}")
        for label, path, token, expected in (
            ("GET /api/v1/me", "/api/v1/me", ops, 200),
            ("GET /api/v1/mailboxes", "/api/v1/mailboxes", ops, 200),
            ("GET /api/v1/messages (message token)", "/api/v1/messages?limit=20", message, 200),
            ("bad checksum (refused before the DB)", "/api/v1/me", bad, 401),
        ):
            median, p95 = timed(path, token, expected)
            print(f"{label:<40} {median:>10.2f} {p95:>8.2f}")
        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
            statuses = list(pool.map(lambda _: get("/api/v1/me", ops), range(CONCURRENT_REQUESTS)))
        elapsed = time.perf_counter() - start
        assert all(status == 200 for status in statuses)
        print(f"{CLIENTS} clients, {CONCURRENT_REQUESTS} x GET /api/v1/me: {CONCURRENT_REQUESTS / elapsed:,.0f} requests/s")
        rss_kb = int(open(f"/proc/{server.pid}/status").read().split("VmRSS:")[1].split()[0])
        print(f"server resident memory afterwards: {rss_kb / 1024:.1f} MiB")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
