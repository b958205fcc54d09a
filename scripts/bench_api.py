#!/usr/bin/env python3
"""`make bench-api`: GET /api/v1/me with valid ops tokens on SQLite and on PostgreSQL, in the same
run, each beside GET /healthz on the same server as its baseline (a route that touches no database).

Two release servers run side by side on free ports of 127.0.0.1: one on a SQLite file, one on a
database of a private PostgreSQL cluster (scripts/pg-cluster.sh) started for the run. Both seed the
demo accounts; the owner of the Pro account signs in and makes TOKENS ops tokens (`account:read`)
through the dashboard's create dialog, which the load sends in turn (one token alone would meet its
own rate limit; the limit is raised to 100,000 a minute besides). Each load is `wrk` with 32
connections for --seconds (5 by default), after a 1 s warm-up of each; the loads alternate between
the engines over --rounds rounds (5: one round's figures move by several points on 2 cores) and each figure is the median of its rounds.

The cost of the per-token rate limiter (counted in memory, shared every 250 ms): `/bench/rate-limit`
(the limiter alone, 1,000 token ids in turn) against `/bench/bare` (nothing), both outside every
middleware layer (`TREKMAIL_BENCH_ROUTES=1`, as bench.py starts every server), on each server; the difference of their times per
request at full load is what the limiter adds to an API request.

The cost of the per-token request log: each engine has a second server with the log off
(`TREKMAIL_REQUEST_LOG=0`, its own database), loaded with /me in the same rounds, right before or
after the server with the log on (in turn); the log must keep at least 90 % of that throughput
(`*.request_log.kept`: the median of the rounds' ratios, each printed), or the run fails. After each load of a
server with the log on, the run waits until its log stops growing (its writer has drained the
queue, so the next load does not pay for it) and counts the requests the load logged: every one
must be (`*.request_log.logged`), or the run fails.

On PostgreSQL the server keeps no verified-token cache (every request reads its token from the
database, so that a revocation on one server is seen by every other at once); on SQLite it does.

Prints each figure as `name: value` (as scripts/bench.py does), then the PostgreSQL ÷ SQLite ratio
and a markdown table for bench/RESULTS.md. Exits non-zero if any /me request was not a 2xx.
Bounded: each subprocess has a timeout, the whole run a limit (it takes about 8 minutes with the defaults);
traffic to 127.0.0.1 only; the servers and the cluster are stopped at the end whatever happened,
also on Ctrl-C or SIGTERM.
Usage: scripts/bench_api.py BINARY [--seconds S] [--rounds N]"""

import argparse, json, os, shutil, sqlite3, statistics, subprocess, sys, tempfile, time
from contextlib import ExitStack
from bench import Server, figure, lua_rotating_tokens, sign_in, wrk
from testlib import PgCluster, create_ops_token, free_port, psql, stop_on_sigterm, time_limit

OWNER = "owner@pro.test"
TOKENS = 16
ENGINES = ("sqlite", "postgres")
TITLES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


def agent_tokens(server, label):
    """TOKENS ops tokens made by the signed-in owner on `server`."""
    cookie = sign_in(OWNER, base=server.base)
    tokens = []
    for n in range(TOKENS):
        status, text = create_ops_token(server.base, cookie, f"bench api {label} {n}", ["account:read"])
        if status != 200:
            raise SystemExit(f"{label}: creating an ops token answered {status}: {text[:200]}")
        tokens.append(json.loads(text)["token"])
    return tokens


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary")
    parser.add_argument("--seconds", type=int, default=5, help="length of each wrk load")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of loads, alternating the engines")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: `make wrk` installs Debian's wrk")
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"no server binary at {args.binary}: `make release-build` builds it")
    stop_on_sigterm()
    # Start-up (cluster, seeding, tokens) takes about 20 s; then two warm-ups and two loads per engine.
    # ... and each logged load waits for its log to drain, before and after (at most 15 s each).
    time_limit(90 + len(ENGINES) * (5 * (1 + 2 + args.rounds * (args.seconds + 2)) + args.rounds * 30))

    workdir = tempfile.mkdtemp(prefix="trekmail-bench-api-")
    failures = []
    try:
        with ExitStack() as stack:
            started = time.time()
            cluster = stack.enter_context(PgCluster())
            version = psql(cluster.url, "show server_version")[0][0]
            urls = {"sqlite": os.path.join(workdir, "bench.db"), "postgres": cluster.database("bench_api")}
            unlogged_urls = {"sqlite": os.path.join(workdir, "unlogged.db"),
                             "postgres": cluster.database("bench_api_unlogged")}
            servers, scripts, unlogged, unlogged_scripts = {}, {}, {}, {}
            for engine in ENGINES:
                servers[engine] = stack.enter_context(Server(
                    args.binary, urls[engine], port=free_port(), log=os.path.join(workdir, f"{engine}.log"),
                    TREKMAIL_API_RATE_LIMIT="100000"))
                scripts[engine] = lua_rotating_tokens(workdir, engine, agent_tokens(servers[engine], engine))
                unlogged[engine] = stack.enter_context(Server(
                    args.binary, unlogged_urls[engine], port=free_port(),
                    log=os.path.join(workdir, f"{engine}-unlogged.log"),
                    TREKMAIL_API_RATE_LIMIT="100000", TREKMAIL_REQUEST_LOG="0"))
                unlogged_scripts[engine] = lua_rotating_tokens(
                    workdir, f"{engine}-unlogged", agent_tokens(unlogged[engine], f"{engine} unlogged"))
            print(f"machine: {os.cpu_count()} cores; {time.strftime('%Y-%m-%d %H:%M %Z')}; binary {args.binary}; "
                  f"PostgreSQL {version}; {TOKENS} tokens rotated; {args.rounds} rounds of {args.seconds} s loads "
                  f"(set up in {time.time() - started:.0f} s)", flush=True)

            # kind: (path, wrk scripts per engine, servers per engine)
            loads = {"healthz": ("/healthz", None, servers), "me": ("/api/v1/me", scripts, servers),
                     "me_unlogged": ("/api/v1/me", unlogged_scripts, unlogged),
                     "bare": ("/bench/bare", None, servers), "rate_limit": ("/bench/rate-limit", None, servers)}
            for engine in ENGINES:  # warm-up: connections, caches, PostgreSQL's buffers
                for path, script, on in loads.values():
                    wrk(path, 1, script=script and script[engine], base=on[engine].base)
            def logged_rows(engine):
                sql = "select count(*) from api_request"
                if engine == "sqlite":
                    with sqlite3.connect(urls[engine]) as db:
                        return db.execute(sql).fetchone()[0]
                return int(psql(urls[engine], sql)[0][0])

            def drained(engine, limit_s=15):
                """The log's rows once they stop growing (the writer pauses 200 ms between batches)."""
                last, deadline = logged_rows(engine), time.time() + limit_s
                while time.time() < deadline:
                    time.sleep(0.6)
                    now = logged_rows(engine)
                    if now == last:
                        return now
                    last = now
                return last

            rounds = []
            for number in range(args.rounds):
                results = {}
                # Each engine's loads with the log on and off run back to back, in turn first, so a
                # drift of the machine's speed between loads does not land on one side.
                pair = ("me", "me_unlogged") if number % 2 == 0 else ("me_unlogged", "me")
                order = [(kind, engine) for kind in ("healthz", "bare", "rate_limit") for engine in ENGINES]
                order += [(kind, engine) for engine in ENGINES for kind in pair]
                for kind, engine in order:
                    path, script, on = loads[kind]
                    before = drained(engine) if kind == "me" else None
                    results[engine, kind] = wrk(path, args.seconds, script=script and script[engine],
                                                base=on[engine].base)
                    if kind == "me":
                        results[engine, kind]["logged"] = drained(engine) - before
                rounds.append(results)
            for engine in ENGINES:
                for server in (servers[engine], unlogged[engine]):
                    if server.process.poll() is not None:
                        failures.append(f"a {TITLES[engine]} server stopped during the run")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    def median(engine, kind, key):
        return statistics.median(result[engine, kind][key] for result in rounds)

    print(flush=True)
    for engine in ENGINES:
        for kind in loads:
            refused = sum(result[engine, kind]["non_2xx"] + result[engine, kind]["socket_errors"] for result in rounds)
            sent = sum(result[engine, kind]["requests"] for result in rounds)
            if refused:
                failures.append(f"{engine}.{kind}: {refused} of {sent} requests were not 2xx or failed at the socket")
        healthz = median(engine, "healthz", "rps")
        figure(f"{engine}.healthz.rps", healthz, "req/s")
        figure(f"{engine}.me.rps", median(engine, "me", "rps"), "req/s",
               ratio=statistics.median(r[engine, "me"]["rps"] / r[engine, "healthz"]["rps"] for r in rounds))
        figure(f"{engine}.me.p50", median(engine, "me", "p50"), "ms")
        figure(f"{engine}.me.p99", median(engine, "me", "p99"), "ms")
    for engine in ENGINES:
        unlogged_rps = median(engine, "me_unlogged", "rps")
        figure(f"{engine}.me_unlogged.rps", unlogged_rps, "req/s (request log off)")
        kept = statistics.median(r[engine, "me"]["rps"] / r[engine, "me_unlogged"]["rps"] for r in rounds)
        each = ", ".join(f"{r[engine, 'me']['rps'] / r[engine, 'me_unlogged']['rps'] * 100:.0f}" for r in rounds)
        figure(f"{engine}.request_log.kept", kept * 100, f"% of the throughput without the request log (rounds: {each})")
        if kept < 0.9:
            failures.append(f"{engine}: the request log costs {100 - kept * 100:.0f} % of /me's throughput (at most 10 %)")
        logged = sum(r[engine, "me"]["logged"] for r in rounds)
        sent = sum(r[engine, "me"]["requests"] for r in rounds)
        figure(f"{engine}.request_log.logged", logged * 100 / sent, f"% of the loads' requests logged ({logged:,} of {sent:,})")
        if logged < sent:
            failures.append(f"{engine}: the request log dropped {sent - logged:,} of {sent:,} requests under load")
    for engine in ENGINES:
        bare, limited = median(engine, "bare", "rps"), median(engine, "rate_limit", "rps")
        figure(f"{engine}.rate_limit.rps", limited, "req/s", ratio=limited / bare)
        figure(f"{engine}.rate_limit.cost", 1e6 / limited - 1e6 / bare,
               "µs per request (at full load, against /bench/bare)")
    figure("postgres_over_sqlite.me.rps", statistics.median(r["postgres", "me"]["rps"] / r["sqlite", "me"]["rps"] for r in rounds),
           "(PostgreSQL ÷ SQLite, /api/v1/me req/s)")
    figure("postgres_over_sqlite.healthz.rps",
           statistics.median(r["postgres", "healthz"]["rps"] / r["sqlite", "healthz"]["rps"] for r in rounds),
           "(PostgreSQL ÷ SQLite, /healthz req/s: the servers themselves)")

    print("\n| engine | /healthz req/s | /me req/s | /me p50 | /me p99 | /me req/s, log off | log keeps |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for engine in ENGINES:
        kept = statistics.median(r[engine, "me"]["rps"] / r[engine, "me_unlogged"]["rps"] for r in rounds)
        print(f"| {TITLES[engine]} | {median(engine, 'healthz', 'rps'):,.0f} | {median(engine, 'me', 'rps'):,.0f} "
              f"| {median(engine, 'me', 'p50'):.2f} ms | {median(engine, 'me', 'p99'):.2f} ms "
              f"| {median(engine, 'me_unlogged', 'rps'):,.0f} | {kept * 100:.0f} % |")
    print(f"\nPostgreSQL ÷ SQLite, /me req/s: "
          f"{statistics.median(r['postgres', 'me']['rps'] / r['sqlite', 'me']['rps'] for r in rounds):.2f} "
          f"(wrk, 32 connections, median of {args.rounds} rounds of {args.seconds} s; {os.cpu_count()} cores; "
          f"PostgreSQL {version} on the same machine)")
    if failures:
        print("\n== Failed ==")
        for failure in failures:
            print(failure)
        sys.exit(1)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("bench-api: interrupted (servers and cluster stopped)")
