#!/usr/bin/env python3
"""`make bench-activity`: a token's detail page (its chart, usage, addresses, first page of
requests) and its filtered request pages, for a token with 1,000 logged requests and for one with
1,000,000, on the release server over SQLite. Target: every page under 50 ms at 1,000,000 requests
(the page is rendered whole on the server, so the time to its last byte is the server's time plus
a loopback round trip), and no slower than 1.3 × the small token's.

The requests are written straight into the database (as the request log's writer would: requests,
day summaries, addresses), spread over the last 30 days: 97 % succeeded, 3 % refused (4xx), 5xx
only a handful, so the 5xx filter must find a rare class among a million rows.

The Audit Log's CSV export over as many audit events (1,000 and 1,000,000, seeded into the same
databases): the rows it streams, how long it takes, and how much the server's resident memory grows
while it streams (sampled every 20 ms): the export reads 1,000 events at a time, so at 1,000,000 it
must grow by no more than EXPORT_MEMORY_MB (a whole export held in memory would be hundreds of MB).
Bounded: the whole run has a time limit; traffic to 127.0.0.1 only; the server stops at the end.
Usage: scripts/bench_activity.py BINARY [--requests N] [--runs R]"""

import argparse, http.client, os, shutil, sqlite3, sys, tempfile, threading, time
from bench import (HOST, MISSES, PORT, Server, Timer, account_of, figure, insert_ops_token, new_database,
                   seed_events, sign_in)
from testlib import stop_on_sigterm, time_limit

DAY_MS = 86_400_000
# The most the server's memory may grow while it streams the export of 1,000,000 audit events.
EXPORT_MEMORY_MB = 16
ROUTES = [("GET", "/api/v1/mailboxes/{id}", 7), ("GET", "/api/v1/domains", 0), ("GET", "/api/v1/me", 0)]


def seed_requests(conn, token_id, count, now):
    """`count` requests of one token over the last 30 days, with their day summaries and addresses."""
    first = now - 30 * DAY_MS + 60_000
    step = (now - first) // max(count, 1)
    conn.execute(
        """with recursive n(i) as (select 0 union all select i + 1 from n where i < ? - 1)
           insert into api_request (at, api_token_id, method, route, target_id, status, status_class,
                                    error_code, ip, user_agent, request_id, duration_us)
           select ? + i * ?, ?, 'GET',
                  case i % 3 when 0 then '/api/v1/mailboxes/{id}' when 1 then '/api/v1/domains' else '/api/v1/me' end,
                  case i % 3 when 0 then 7 else 0 end,
                  case when i % 250000 = 17 then 500 when i % 33 = 0 then 404 else 200 end,
                  case when i % 250000 = 17 then 5 when i % 33 = 0 then 4 else 2 end,
                  case when i % 250000 = 17 then 'internal_error' when i % 33 = 0 then 'not_found' else '' end,
                  '198.51.100.' || (i % 8), 'trekmail-mcp/1.10.0', 'bench-' || i, 900 + i % 700
             from n""",
        (count, first, step, token_id))
    conn.execute(
        """insert into api_request_day (api_token_id, day, method, route, target_id, succeeded, failed, authorized)
           select api_token_id, at / ?, method, route, target_id,
                  sum(case when status < 400 then 1 else 0 end), sum(case when status >= 400 then 1 else 0 end),
                  count(*)
             from api_request where api_token_id = ? group by 1, 2, 3, 4, 5""",
        (DAY_MS, token_id))
    conn.execute(
        """insert into api_token_ip (api_token_id, ip, first_seen, last_seen, requests)
           select api_token_id, ip, min(at), max(at), count(*) from api_request where api_token_id = ? group by 1, 2""",
        (token_id,))


def export_audit_log(server, cookie):
    """Streams the Audit Log's CSV export and drops it, sampling the server's memory meanwhile:
    (lines, seconds, largest growth of the resident memory in MB)."""
    before = server.memory_mb()
    peak, done = [before], threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], server.memory_mb())
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started, lines = time.perf_counter(), 0
    try:
        connection = http.client.HTTPConnection(HOST, PORT, timeout=120)
        connection.request("GET", "/agents/audit-log/export?format=csv", headers=cookie)
        response = connection.getresponse()
        assert response.status == 200, (response.status, response.read(300))
        while chunk := response.read(1 << 16):
            lines += chunk.count(b"\n")
        connection.close()
    finally:
        done.set()
        sampler.join()
    return lines, time.perf_counter() - started, peak[0] - before


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary")
    parser.add_argument("--requests", type=int, default=1_000_000, help="logged requests of the large token")
    parser.add_argument("--runs", type=int, default=30, help="timed loads of each page")
    args = parser.parse_args()
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"no server binary at {args.binary}: `make release-build` builds it")
    stop_on_sigterm()
    time_limit(600)
    workdir = tempfile.mkdtemp(prefix="trekmail-bench-activity-")
    measured, exports = {}, {}
    try:
        for size, count in (("small", 1_000), ("large", args.requests)):
            db = new_database(args.binary, workdir, f"activity-{size}")
            started = time.time()
            conn = sqlite3.connect(db)
            account_id, user_id = account_of(conn, "owner@pro.test")
            now = int(time.time() * 1000)
            insert_ops_token(conn, account_id, user_id, "bench agent", "domains:read mailboxes:read account:read", now - 31 * DAY_MS)
            token_id = conn.execute("select max(api_token_id) from api_token").fetchone()[0]
            seed_requests(conn, token_id, count, now)
            seed_events(conn, account_id, count, now)
            conn.commit()
            conn.execute("analyze")
            conn.close()
            print(f"seeded {size}: {count:,} requests in {time.time() - started:.0f} s "
                  f"({os.path.getsize(db) / 2**20:,.0f} MB)", flush=True)
            with Server(args.binary, db) as server:
                cookie = {"Cookie": sign_in("owner@pro.test")}
                page = f"/agents/tokens/{token_id}"
                timer = Timer()
                measured[size] = {
                    "detail_page": timer.median(page, cookie, args.runs, b"Requests per day"),
                    "refused_4xx": timer.median(f"{page}?class=4xx", cookie, args.runs, b"404 not_found"),
                    "failed_5xx": timer.median(f"{page}?class=5xx", cookie, args.runs, b"Recent requests"),
                    "one_route": timer.median(f"{page}?route=%2Fapi%2Fv1%2Fme", cookie, args.runs, b"/api/v1/me"),
                }
                exports[size] = export_audit_log(server, cookie)
            os.remove(db)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    for name in measured["small"]:
        (_, small), (_, large) = measured["small"][name], measured["large"][name]
        figure(f"activity.{name}.small", small, "ms")
        figure(f"activity.{name}.large", large, f"ms ({args.requests:,} requests)", target=50, better="lower")
        figure(f"activity.{name}.growth", large / small, "× the small token's")
    for size in ("small", "large"):
        lines, seconds, grown = exports[size]
        figure(f"audit_export.{size}.rows", lines - 1, "CSV rows (the header aside)")
        figure(f"audit_export.{size}.seconds", seconds, "s")
        figure(f"audit_export.{size}.memory_growth", grown, "MB of resident memory while streaming",
               target=EXPORT_MEMORY_MB if size == "large" else None, better="lower")
        if lines - 1 < (1_000 if size == "small" else args.requests):
            MISSES.append(f"audit_export.{size}: {lines - 1:,} rows, fewer than the events seeded")
    if MISSES:
        print("\n== Missed ==")
        for miss in MISSES:
            print(miss)
        sys.exit(1)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("bench-activity: interrupted (server stopped)")
