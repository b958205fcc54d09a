#!/usr/bin/env python3
"""`make bench`: the server's figures, each as a ratio to a baseline measured in the same run (on a
shared 2-core machine an absolute time is noise; a ratio is not).

Sections (all by default; name some to run only those):
  auth     GET /api/v1/me with a valid, a malformed and an unknown token, and the Tokens page, each
           against GET /healthz (and a bare route outside every middleware, the ceiling), with
           100,000 tokens stored; `wrk`, alternated over three rounds. Memory after each load.
  growth   the Tokens page, the Audit Log and the API's first page of mailboxes with a small account
           against the same with a large one (1,000,000 tokens, 10,000,000 audit events, 10,000
           mailboxes; `--scale 0.1` for a tenth).
  writes   tokens created + revoked per second through the dashboard's server functions, and
           message tokens minted + revoked per second through the API, each write with its audit
           event; then the audit trail is checked against what the server acknowledged.

Every figure prints as `name: value` with its ratio and target; the run ends with the misses.
Traffic goes to 127.0.0.1 only, every load is bounded in time, and the servers are stopped.
Usage: scripts/bench.py BINARY [auth] [growth] [writes] [--scale F] [--seconds S]"""

import argparse, hashlib, http.client, os, re, shutil, sqlite3, statistics, subprocess, sys, tempfile, time
from testlib import make_token, request, wait_until_up

PORT = 3219
HOST = "127.0.0.1"
BASE = f"http://{HOST}:{PORT}"
PASSWORD = "trekmail-demo"
MISSES = []


# ---- reporting ---------------------------------------------------------------------------------

def figure(name, value, unit="", ratio=None, target=None, better="higher"):
    """Prints `name: value unit [ratio] [target and verdict]` and remembers a missed target."""
    line = f"{name}: {value:,.2f} {unit}".rstrip() if isinstance(value, float) else f"{name}: {value:,} {unit}".rstrip()
    checked = ratio if ratio is not None else value
    if ratio is not None:
        line += f"  (ratio {ratio:.2f})"
    if target is not None:
        ok = checked >= target if better == "higher" else checked <= target
        line += f"  target {'≥' if better == 'higher' else '≤'} {target}  {'ok' if ok else 'MISSED'}"
        if not ok:
            MISSES.append(line)
    print(line, flush=True)


# ---- the server --------------------------------------------------------------------------------

class Server:
    """The release server on a database file, with the production log level (its log goes to a
    file beside the database); stopped on exit whatever happened. `db` may also be a database URL
    (`postgres://…`), then with `log` naming the log file; `port` another port than PORT (the
    server's address is then `base`)."""

    def __init__(self, binary, db, port=PORT, log=None, **env):
        self.binary, self.db, self.env = binary, db, env
        self.port, self.base = port, f"http://{HOST}:{port}"
        self.url = db if "://" in db else f"sqlite://{db}"
        self.log_path = log or db + ".log"

    def environment(self):
        """The server's environment: its database, address and site, the demo data, `env`."""
        env = dict(os.environ, DATABASE_URL=self.url, TREKMAIL_DEMO="1",
                   LEPTOS_SITE_ADDR=f"{HOST}:{self.port}", LEPTOS_SITE_ROOT="target/site",
                   LEPTOS_OUTPUT_NAME="trekmail-tokens", TREKMAIL_BENCH_ROUTES="1", **self.env)
        env.pop("RUST_LOG", None)
        return env

    def __enter__(self):
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen([self.binary], env=self.environment(), stdout=self.log, stderr=self.log)
        try:
            wait_until_up(self.base, self.process, limit_s=120)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *_):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()

    def memory_mb(self, field="VmRSS"):
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
        raise RuntimeError(f"no {field} for the server")


def sign_in(email, base=BASE):
    status, html, _ = request(base, "GET", "/sign-in")
    action = re.search(r'action="([^"]+)"', html).group(1)
    status, _, headers = request(base, "POST", action, f"email={email.replace('@', '%40')}&password={PASSWORD}",
                                 content_type="application/x-www-form-urlencoded")
    assert status in (200, 303), f"sign-in as {email} answered {status}"
    return headers["Set-Cookie"].split(";")[0]


# ---- wrk ---------------------------------------------------------------------------------------

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(path, seconds, headers=(), script=None, connections=32, base=BASE):
    """Requests/s, p50 and p99 (ms), and the count of non-2xx answers of a closed-loop load from
    two wrk threads on `connections` keep-alive connections, to the server at `base`."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    for header in headers:
        command += ["-H", header]
    if script:
        command += ["-s", script]
    out = subprocess.run(command + [base + path], capture_output=True, text=True, timeout=seconds + 60).stdout

    def latency(percent):
        value, unit = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * UNITS[unit]

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "p50": latency(50), "p99": latency(99),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": sum(map(int, socket.groups())) if socket else 0,
    }


def lua_rotating_tokens(workdir, name, tokens):
    """A wrk script sending each request with the next token of the list (one token alone would
    meet its own rate limit; an API serves many agents at once)."""
    path = os.path.join(workdir, f"{name}.lua")
    listed = ", ".join(f'"{token}"' for token in tokens)
    with open(path, "w") as script:
        script.write(f"""
local tokens = {{{listed}}}
local n = 0
request = function()
  n = n + 1
  wrk.headers["Authorization"] = "Bearer " .. tokens[(n % #tokens) + 1]
  return wrk.format()
end
""")
    return path


# ---- seeding -----------------------------------------------------------------------------------

def account_of(conn, email):
    return conn.execute("select account_id, user_id from app_user where email = ?", (email,)).fetchone()


def insert_ops_token(conn, account_id, user_id, name, scopes, now):
    token = make_token("tm_live_")
    conn.execute(
        "insert into api_token (account_id, kind, name, token_hash, visible_prefix, scopes, all_domains,"
        " created_by_user_id, created_at) values (?, 'ops', ?, ?, ?, ?, 1, ?, ?)",
        (account_id, name, hashlib.sha256(token.encode()).hexdigest(), token[:16], scopes, user_id, now))
    return token


def seed_tokens(conn, account_id, user_id, count, now):
    """`count` ops tokens in one statement: a third never expire, a third expired, a seventh
    revoked, half used; names `bench N`."""
    conn.execute(
        """with recursive n(i) as (select 1 union all select i + 1 from n where i < ?)
           insert into api_token (account_id, kind, name, token_hash, visible_prefix, scopes, all_domains,
                                  expires_at, revoked_at, last_used_at, created_by_user_id, created_at)
           select ?, 'ops', 'bench ' || i, lower(hex(randomblob(32))), 'tm_live_bench' || (i % 1000),
                  'domains:read mailboxes:read', 1,
                  case i % 3 when 0 then null when 1 then ? - i else ? + i * 1000 end,
                  case when i % 7 = 0 then ? - i end,
                  case when i % 2 = 0 then ? - i * 10 end,
                  ?, ? - (? - i) * 1000
             from n""",
        (count, account_id, now, now, now, now, user_id, now, count))


def seed_events(conn, account_id, count, now):
    conn.execute(
        """with recursive n(i) as (select 1 union all select i + 1 from n where i < ?)
           insert into audit_event (account_id, action, token_name, token_prefix, actor, ip, user_agent, created_at)
           select ?, case i % 2 when 0 then 'token_created' else 'token_revoked' end, 'bench ' || i,
                  'tm_live_bench000', 'owner@pro.test', '127.0.0.1', 'bench', ? - (? - i) * 10
             from n""",
        (count, account_id, now, count))


def seed_mailboxes(conn, account_id, count, now):
    domain_id = conn.execute("select min(domain_id) from domain where account_id = ?", (account_id,)).fetchone()[0]
    existing = conn.execute("select count(*) from mailbox m join domain d on d.domain_id = m.domain_id"
                            " where d.account_id = ?", (account_id,)).fetchone()[0]
    conn.execute(
        """with recursive n(i) as (select 1 union all select i + 1 from n where i < ?)
           insert into mailbox (domain_id, local_part, created_at) select ?, 'bench' || i, ? from n""",
        (max(count - existing, 0), domain_id, now))


def new_database(binary, workdir, name):
    """A database with the demo accounts (the server creates and seeds it, then stops)."""
    db = os.path.join(workdir, f"{name}.db")
    with Server(binary, db):
        pass
    return db


# ---- sections ----------------------------------------------------------------------------------

def auth(binary, workdir, seconds):
    print("\n== API authentication, the Tokens page and memory (100,000 tokens stored) ==", flush=True)
    db = new_database(binary, workdir, "auth")
    conn = sqlite3.connect(db)
    account_id, user_id = account_of(conn, "owner@pro.test")
    now = int(time.time() * 1000)
    seed_tokens(conn, account_id, user_id, 100_000, now)
    valid = [insert_ops_token(conn, account_id, user_id, f"bench agent {i}", "account:read", now) for i in range(64)]
    conn.commit()
    conn.close()
    unknown = [make_token("tm_live_") for _ in range(64)]
    good = make_token("tm_live_")
    malformed = good[:-1] + ("A" if good[-1] != "A" else "B")
    loads = {
        "bare": ("/bench/bare", [], None),
        "healthz": ("/healthz", [], None),
        "me_valid": ("/api/v1/me", [], lua_rotating_tokens(workdir, "valid", valid)),
        "me_malformed": ("/api/v1/me", [f"Authorization: Bearer {malformed}"], None),
        "me_unknown": ("/api/v1/me", [], lua_rotating_tokens(workdir, "unknown", unknown)),
    }
    with Server(binary, db, TREKMAIL_API_RATE_LIMIT="100000") as server:
        cookie = sign_in("owner@pro.test")
        loads["tokens_page"] = ("/agents/tokens", [f"Cookie: {cookie}"], None)
        figure("memory.idle", server.memory_mb(), "MB", target=64, better="lower")
        for path, headers, script in loads.values():  # warm-up: connections, caches, page cache
            wrk(path, 1, headers, script)
        rounds, after = [], {}
        for _ in range(3):
            results = {}
            for kind, (path, headers, script) in loads.items():
                results[kind] = wrk(path, seconds, headers, script)
                after[kind] = max(after.get(kind, 0), server.memory_mb())
            rounds.append(results)
        peak = server.memory_mb("VmHWM")

    def median(kind, key):
        return statistics.median(result[kind][key] for result in rounds)

    def ratio(kind):
        return statistics.median(result[kind]["rps"] / result["healthz"]["rps"] for result in rounds)

    for kind in loads:
        expected_2xx = kind not in ("me_malformed", "me_unknown")
        refused = sum(result[kind]["non_2xx"] for result in rounds)
        sent = sum(result[kind]["requests"] for result in rounds)
        if expected_2xx and refused:
            MISSES.append(f"auth.{kind}: {refused} of {sent} requests were not 2xx")
        if not expected_2xx and refused != sent:
            MISSES.append(f"auth.{kind}: {sent - refused} of {sent} requests were accepted")
    targets = {"me_valid": 0.8, "me_malformed": 0.95, "me_unknown": 0.8}
    for kind in loads:
        figure(f"auth.{kind}.rps", median(kind, "rps"), "req/s",
               ratio=None if kind == "healthz" else ratio(kind), target=targets.get(kind))
        figure(f"auth.{kind}.p50", median(kind, "p50"), "ms")
        figure(f"auth.{kind}.p99", median(kind, "p99"), "ms")
    for kind, megabytes in after.items():
        figure(f"memory.after_{kind}", megabytes, "MB", target=64, better="lower")
    figure("memory.peak", peak, "MB", target=64, better="lower")


class Timer:
    """Sequential requests on one keep-alive connection: time to the first byte (status and
    headers read) and to the last."""

    def __init__(self):
        self.connection = http.client.HTTPConnection(HOST, PORT, timeout=60)

    def once(self, path, headers):
        start = time.perf_counter()
        self.connection.request("GET", path, headers=headers)
        response = self.connection.getresponse()
        first = time.perf_counter()
        body = response.read()
        assert response.status == 200, (path, response.status, body[:200])
        return (first - start) * 1000, (time.perf_counter() - start) * 1000, body

    def median(self, path, headers, runs, must_contain):
        for _ in range(3):
            self.once(path, headers)
        samples = [self.once(path, headers) for _ in range(runs)]
        assert must_contain in samples[0][2], (path, samples[0][2][:300])
        return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def growth(binary, workdir, scale, runs=30):
    sizes = {"small": (100, 1_000, 10), "large": (int(1_000_000 * scale), int(10_000_000 * scale), int(10_000 * scale))}
    print(f"\n== Flat as data grows: small {sizes['small']} vs large {sizes['large']} (tokens, events, mailboxes) ==", flush=True)
    measured = {}
    for size, (tokens, events, mailboxes) in sizes.items():
        db = new_database(binary, workdir, f"growth-{size}")
        started = time.time()
        conn = sqlite3.connect(db)
        account_id, user_id = account_of(conn, "owner@pro.test")
        now = int(time.time() * 1000)
        seed_tokens(conn, account_id, user_id, tokens, now)
        seed_events(conn, account_id, events, now)
        seed_mailboxes(conn, account_id, mailboxes, now)
        api = insert_ops_token(conn, account_id, user_id, "bench reader", "mailboxes:read", now)
        middle = conn.execute("select api_token_id from api_token where account_id = ? and name = ?",
                              (account_id, f"bench {tokens // 2}")).fetchone()[0]
        conn.commit()
        conn.execute("analyze")
        conn.close()
        print(f"seeded {size}: {tokens:,} tokens, {events:,} events, {mailboxes:,} mailboxes in {time.time() - started:.0f} s "
              f"({os.path.getsize(db) / 2**20:,.0f} MB)", flush=True)
        with Server(binary, db):
            cookie = {"Cookie": sign_in("owner@pro.test")}
            bearer = {"Authorization": f"Bearer {api}"}
            timer = Timer()
            measured[size] = {
                "tokens_page": timer.median("/agents/tokens", cookie, runs, b"bench"),
                "tokens_page_middle": timer.median(f"/agents/tokens?after={middle}", cookie, runs, b"bench"),
                "tokens_page_expiring": timer.median("/agents/tokens?sort=expires", cookie, runs, b"bench"),
                "tokens_page_last_used": timer.median(f"/agents/tokens?sort=last_used&after={middle}", cookie, runs, b"bench"),
                "tokens_page_revoked": timer.median("/agents/tokens?status=revoked", cookie, runs, b"bench"),
                "audit_log": timer.median("/agents/audit-log", cookie, runs, b"bench"),
                "api_mailboxes": timer.median("/api/v1/mailboxes?per_page=10", bearer, runs, b"\"data\""),
            }
        os.remove(db)
    for page in measured["small"]:
        (small_first, small_full), (large_first, large_full) = measured["small"][page], measured["large"][page]
        figure(f"growth.{page}.small", small_full, "ms")
        figure(f"growth.{page}.first_byte", large_first, "ms", ratio=large_first / small_first, target=1.3, better="lower")
        figure(f"growth.{page}.full", large_full, "ms", ratio=large_full / small_full, target=1.3, better="lower")


WRITES_LUA = """
local pending = {}
local n = 0
local kind = "%(kind)s"
local headers = {["Cookie"] = "%(cookie)s", ["Authorization"] = "Bearer %(token)s", ["Accept"] = "application/json"}
setup = function(thread)
  thread:set("tid", tostring(math.random(1, 1e9)))
end
request = function()
  local id = table.remove(pending)
  if kind == "dashboard" then
    if id then
      headers["Content-Type"] = "application/x-www-form-urlencoded"
      return wrk.format("POST", "/api/revoke_token", headers, "id=" .. id)
    end
    n = n + 1
    headers["Content-Type"] = "application/json"
    return wrk.format("POST", "/api/create_token", headers,
      '{"form":{"name":"bench write ' .. tid .. ' ' .. n .. '","expiration":"30d","expiration_date":"",' ..
      '"scopes":["account:read"],"domain_mode":"all","domain_ids":[]}}')
  end
  if id then
    return wrk.format("DELETE", "/api/v1/message-tokens/" .. id, headers)
  end
  n = n + 1
  headers["Content-Type"] = "application/json"
  return wrk.format("POST", "/api/v1/mailboxes/%(mailbox)s/message-tokens", headers,
    '{"name":"bench mint ' .. tid .. ' ' .. n .. '","scopes":["messages:read"],"expires_in":"7d"}')
end
response = function(status, headers, body)
  -- Only a creation answers with the new plaintext; its first id is the new token's.
  if (status == 200 or status == 201) and body:find('"token":"tm_', 1, true) then
    table.insert(pending, body:match('"id":(%%d+)'))
  end
end
"""


def writes(binary, workdir, seconds):
    print("\n== Writes (each with its audit event, in one transaction) ==", flush=True)
    db = new_database(binary, workdir, "writes")
    conn = sqlite3.connect(db)
    account_id, user_id = account_of(conn, "owner@agency.test")
    api = insert_ops_token(conn, account_id, user_id, "bench minter", "mailboxes:message-tokens:manage", int(time.time() * 1000))
    mailbox = conn.execute("select min(m.mailbox_id) from mailbox m join domain d on d.domain_id = m.domain_id"
                           " where d.account_id = ?", (account_id,)).fetchone()[0]
    conn.commit()
    conn.close()
    with Server(binary, db, TREKMAIL_API_RATE_LIMIT="100000"):
        cookie = sign_in("owner@agency.test")
        for kind in ("dashboard", "api"):
            path = os.path.join(workdir, f"writes-{kind}.lua")
            with open(path, "w") as script:
                script.write(WRITES_LUA % {"kind": kind, "cookie": cookie, "token": api, "mailbox": mailbox})
            result = wrk("/", seconds, script=path, connections=8)
            if result["non_2xx"] or result["socket_errors"]:
                MISSES.append(f"writes.{kind}: {result['non_2xx']} refused and {result['socket_errors']} socket errors")
            what = "tokens created + revoked" if kind == "dashboard" else "message tokens minted + revoked"
            figure(f"writes.{kind}.pairs_per_s", result["rps"] / 2, f"/s ({what})")
            figure(f"writes.{kind}.p50", result["p50"], "ms")
            figure(f"writes.{kind}.p99", result["p99"], "ms")
    conn = sqlite3.connect(db)
    counts = dict(conn.execute(
        "select action, count(*) from audit_event where account_id = ? and token_name like 'bench %' group by action",
        (account_id,)).fetchall())
    tokens = dict(conn.execute(
        "select kind, count(*) from api_token where account_id = ? and name like 'bench %' and name != 'bench minter'"
        " group by kind", (account_id,)).fetchall())
    unrevoked = conn.execute("select count(*) from api_token where account_id = ? and name like 'bench %'"
                             " and name != 'bench minter' and revoked_at is null", (account_id,)).fetchone()[0]
    conn.close()
    print(f"writes.audit: {counts}; tokens {tokens}; still active (cut off by the end of the load): {unrevoked}")
    if counts.get("token_created", 0) != tokens.get("ops", 0) or counts.get("message_token_created", 0) != tokens.get("message", 0):
        MISSES.append(f"writes: created events {counts} do not match the tokens {tokens}")
    revoked = sum(tokens.values()) - unrevoked
    if counts.get("token_revoked", 0) + counts.get("message_token_revoked", 0) != revoked:
        MISSES.append(f"writes: revoked events {counts} do not match the {revoked} revoked tokens")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary")
    parser.add_argument("sections", nargs="*", help="auth, growth, writes (default: all)")
    parser.add_argument("--scale", type=float, default=1.0, help="size of the large data set (1 = 1M tokens, 10M events)")
    parser.add_argument("--seconds", type=int, default=5, help="length of each wrk load")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing (make bench installs Debian's wrk)")
    sections = args.sections or ["auth", "growth", "writes"]
    unknown = set(sections) - {"auth", "growth", "writes"}
    if unknown:
        sys.exit(f"unknown sections {sorted(unknown)}: use auth, growth or writes")
    workdir = tempfile.mkdtemp(prefix="trekmail-bench-")
    try:
        print(f"machine: {os.cpu_count()} cores; {time.strftime('%Y-%m-%d %H:%M %Z')}; binary {args.binary}")
        if "auth" in sections:
            auth(args.binary, workdir, args.seconds)
        if "growth" in sections:
            growth(args.binary, workdir, args.scale)
        if "writes" in sections:
            writes(args.binary, workdir, args.seconds)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("\n== Missed ==" if MISSES else "\nEvery target met.")
    for miss in MISSES:
        print(miss)


if __name__ == "__main__":
    main()
