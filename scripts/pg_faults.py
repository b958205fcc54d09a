#!/usr/bin/env python3
"""`make pg-faults`: PostgreSQL failing under the release servers, on a private cluster
(scripts/pg-cluster.sh) started for the run.

  a. PostgreSQL down at start: the server exits non-zero within 30 s (no hang), says on stderr that
     it cannot open the database and why (the connection was refused), and does not panic.
  b. PostgreSQL stopped (fast shutdown) while two servers run on it: `GET /api/v1/me` answers 503
     with the API's envelope (`service_unavailable`, retryable, `Retry-After`) on both within 15 s
     (the pool waits 3 s for a connection), the dashboard's Tokens page answers 503 with its
     sentence, `/healthz` keeps answering at once; PostgreSQL started again, the same two server
     processes (never restarted) serve the API again within 20 s and a token is created on the
     second one. Prints the outage's length and the time to recover.
  c. Both servers revoke one token at the same moment (the dashboard's `revoke_token` server
     function, released together), 20 times with fresh tokens: both succeed (revoking a revoked
     token is a no-op) or one is refused, and each token has exactly one `token_revoked` event.
  d. Both servers receive the same message-token mint with the same `Idempotency-Key` at the same
     moment, 10 times with fresh keys: 201 and a replay of it (the same token, the plaintext left
     out), or 201 and 409 `idempotency_key_in_use`; and exactly one such token exists.

Every check prints as it passes; the first that fails stops the run with a message, the servers'
last log lines and a non-zero exit. Bounded: each request has a timeout, each wait a deadline, the
whole run a limit (about 40 s when all is well, stopped at 110 s); traffic to 127.0.0.1 only; the
servers and the cluster are stopped at the end whatever happened, also on Ctrl-C or SIGTERM.
Usage: scripts/pg_faults.py BINARY"""

import json, os, shutil, subprocess, sys, tempfile, threading, time, uuid
from contextlib import ExitStack
from bench import Server, sign_in
from testlib import PgCluster, create_ops_token, free_port, psql, request, stop_on_sigterm, time_limit

OWNER = "owner@pro.test"
# What the dashboard's pages answer while the database cannot be reached: the page guard's sentence
# (src/server/page_guard.rs) or the server functions' (AppError::Unavailable, src/model/error.rs).
PAGE_SENTENCES = ("The dashboard is briefly unavailable", "The server cannot reach or write its database")
AGENT_SCOPES = ["account:read", "mailboxes:read", "mailboxes:message-tokens:manage"]


class Failed(Exception):
    pass


def check(name, ok, detail):
    if not ok:
        print(f"{name}: FAILED ({detail})", flush=True)
        raise Failed(f"{name}: {detail}")
    print(f"{name}: ok ({detail})", flush=True)


def timed(base, method, path, body=None, headers=None, content_type="application/json", timeout=25):
    """(status, body, headers, seconds) of one request; status 0 (and the error) if the socket failed
    or it timed out."""
    started = time.monotonic()
    try:
        status, text, answer_headers = request(base, method, path, body, headers, content_type, timeout=timeout)
    except OSError as error:
        status, text, answer_headers = 0, f"{type(error).__name__}: {error}", {}
    return status, text, answer_headers, time.monotonic() - started


def together(*calls):
    """Runs the calls in threads released at the same moment; their results, in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(10)
            results[index] = call()
        except Exception as error:  # reported as a result, checked by the caller
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, call), daemon=True) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def envelope(text):
    try:
        return json.loads(text).get("error", {})
    except (ValueError, AttributeError):
        return {}


def bearer(token, **more):
    return {"Authorization": f"Bearer {token}", **more}


# ---- a. down at start --------------------------------------------------------------------------

def down_at_start(binary, cluster, url, workdir):
    print("\n== a. PostgreSQL down when the server starts ==", flush=True)
    cluster.pause()
    env = Server(binary, url, port=free_port(), log=os.path.join(workdir, "down.log")).environment()
    started = time.monotonic()
    try:
        done = subprocess.run([binary], env=env, capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        check("down_at_start_exits", False, "still running after 30 s (killed): it hangs instead of stopping")
    elapsed = time.monotonic() - started
    said = next((line for line in done.stderr.splitlines() if "cannot open the database" in line), "")
    check("down_at_start_exits", done.returncode != 0, f"exit {done.returncode} after {elapsed:.1f} s")
    check("down_at_start_says_why", said and any(word in said.lower() for word in ("refused", "connect")),
          f"stderr: {said or done.stderr.strip()[-300:]!r}")
    check("down_at_start_no_panic", "panicked" not in done.stderr, "no panic on stderr")


# ---- b. restart while the servers run ------------------------------------------------------------

def restart(cluster, servers, cookie, token):
    print("\n== b. PostgreSQL stopped and started again under two running servers ==", flush=True)
    a, b = servers
    for label, server in zip("AB", servers):
        status, text, _, _ = timed(server.base, "GET", "/api/v1/me", headers=bearer(token))
        check(f"before_outage_me_{label}", status == 200, f"GET /api/v1/me on server {label} answered {status}")
    pids = [server.process.pid for server in servers]

    cluster.pause()
    down_at = time.monotonic()
    print("PostgreSQL stopped (fast shutdown) at +0.0 s", flush=True)
    probes = [(label, kind, server) for label, server in zip("AB", servers) for kind in ("api", "page")]

    def probe(kind, server):
        if kind == "api":
            return timed(server.base, "GET", "/api/v1/me", headers=bearer(token))
        return timed(server.base, "GET", "/agents/tokens", headers={"Cookie": cookie})

    # The API and the page on both servers at once; /healthz asked while they wait for the database.
    waiting = []
    answers = {}

    def run(label, kind, server):
        answers[label, kind] = probe(kind, server)

    for label, kind, server in probes:
        thread = threading.Thread(target=run, args=(label, kind, server), daemon=True)
        thread.start()
        waiting.append(thread)
    time.sleep(1)
    for label, server in zip("AB", servers):
        status, _, _, seconds = timed(server.base, "GET", "/healthz", timeout=5)
        check(f"outage_healthz_{label}", status == 200 and seconds < 1,
              f"/healthz on server {label} answered {status} in {seconds * 1000:.0f} ms while requests wait for the database")
    for thread in waiting:
        thread.join(40)
    for label in "AB":
        status, text, headers, seconds = answers.get((label, "api"), (0, "no answer", {}, 0))
        error = envelope(text)
        check(f"outage_api_503_{label}",
              status == 503 and error.get("code") == "service_unavailable" and error.get("retryable") is True
              and headers.get("Retry-After") and seconds < 15,
              f"GET /api/v1/me on server {label}: {status} in {seconds:.1f} s, Retry-After {headers.get('Retry-After')}, "
              f"{text[:160]}")
        status, text, _, seconds = answers.get((label, "page"), (0, "no answer", {}, 0))
        sentence = next((s for s in PAGE_SENTENCES if s in text), None)
        check(f"outage_page_503_{label}", status == 503 and sentence and seconds < 15,
              f"/agents/tokens on server {label}: {status} in {seconds:.1f} s, {text.strip()[:120]!r}")

    cluster.resume()
    up_at = time.monotonic()
    outage = up_at - down_at
    print(f"PostgreSQL started again at +{outage:.1f} s (same port)", flush=True)
    recovered = {}
    deadline = up_at + 20
    while len(recovered) < 2 and time.monotonic() < deadline:
        for label, server in zip("AB", servers):
            if label not in recovered:
                status, _, _, _ = timed(server.base, "GET", "/api/v1/me", headers=bearer(token),
                                        timeout=max(1, deadline - time.monotonic()))
                if status == 200:
                    recovered[label] = time.monotonic() - up_at
        if len(recovered) < 2:
            time.sleep(0.5)
    for label in "AB":
        check(f"recovered_me_{label}", label in recovered,
              f"GET /api/v1/me on server {label} answered 200 {recovered[label]:.1f} s after PostgreSQL was back"
              if label in recovered else f"no 200 from server {label} within 20 s of PostgreSQL's return")
    status, text = create_ops_token(b.base, cookie, "pg faults after the outage", ["account:read"])
    check("recovered_create_on_B", status == 200, f"create_token on server B answered {status}"
          + (f", token {json.loads(text)['row']['id']}" if status == 200 else f" {text[:160]}"))
    new_token = json.loads(text)["token"]
    status, _, _, _ = timed(a.base, "GET", "/api/v1/me", headers=bearer(new_token))
    check("recovered_token_works_on_A", status == 200, f"the new token on server A answered {status}")
    same = [server.process.poll() is None and server.process.pid == pid for server, pid in zip(servers, pids)]
    check("servers_never_restarted", all(same), f"PIDs {pids} still running")
    print(f"outage: {outage:.1f} s; time to recover after PostgreSQL was back: "
          f"{max(recovered.values()):.2f} s (A {recovered['A']:.2f} s, B {recovered['B']:.2f} s)", flush=True)


# ---- c. two servers revoking one token ------------------------------------------------------------

def revoke_race(url, servers, cookie, rounds=20):
    print(f"\n== c. Both servers revoke one token at the same moment ({rounds} tokens) ==", flush=True)
    outcomes, writers = {}, {}
    for n in range(rounds):
        status, text = create_ops_token(servers[0].base, cookie, f"pg faults revoke race {n}", ["account:read"])
        if status != 200:
            check(f"revoke_race_{n}_created", False, f"create_token answered {status} {text[:120]}")
        token_id = json.loads(text)["row"]["id"]

        def revoke(label, server):
            return lambda: timed(server.base, "POST", "/api/revoke_token", f"id={token_id}",
                                 {"Cookie": cookie, "Accept": "application/json", "User-Agent": f"pg-faults {label}"},
                                 "application/x-www-form-urlencoded")

        answers = together(*(revoke(label, server) for label, server in zip("AB", servers)))
        statuses = tuple(answer[0] if isinstance(answer, tuple) else 0 for answer in answers)
        if statuses == (200, 200):
            outcome = "both succeeded"
        elif sorted(statuses) in ([200, 404], [200, 409]):
            outcome = f"one succeeded, one refused ({max(statuses) if max(statuses) != 200 else min(statuses)})"
        else:
            check(f"revoke_race_{n}_answers", False, f"A and B answered {statuses}: "
                  f"{[a[1][:120] if isinstance(a, tuple) else repr(a) for a in answers]}")
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        events = psql(url, f"select user_agent from audit_event where api_token_id = {int(token_id)}"
                           " and action = 'token_revoked'")
        revoked = psql(url, f"select revoked_at is not null from api_token where api_token_id = {int(token_id)}")
        if len(events) != 1 or revoked != [["t"]]:
            check(f"revoke_race_{n}_one_event", False,
                  f"token {token_id}: {len(events)} token_revoked events, revoked {revoked}, answers {statuses}")
        writer = events[0][0].replace("pg-faults ", "server ")
        writers[writer] = writers.get(writer, 0) + 1
    check("revoke_race_answers", True, ", ".join(f"{outcome}: {count}" for outcome, count in outcomes.items()))
    check("revoke_race_one_event_each", True,
          f"{rounds} of {rounds} tokens have exactly one token_revoked event; written by "
          + ", ".join(f"{writer} {count}x" for writer, count in sorted(writers.items())))


# ---- d. one Idempotency-Key on two servers --------------------------------------------------------

def idempotency_race(url, servers, token, rounds=10):
    print(f"\n== d. One Idempotency-Key sent to both servers at the same moment ({rounds} keys) ==", flush=True)
    status, text, _, _ = timed(servers[0].base, "GET", "/api/v1/mailboxes?per_page=1", headers=bearer(token))
    check("mailbox_found", status == 200 and json.loads(text)["data"], f"GET /api/v1/mailboxes answered {status}")
    mailbox = json.loads(text)["data"][0]["id"]
    outcomes = {}
    for n in range(rounds):
        key = f"pg-faults-{uuid.uuid4()}"
        name = f"pg faults mint race {n} {key[-8:]}"
        body = json.dumps({"name": name, "scopes": ["messages:read"], "expires_in": "7d"})
        path = f"/api/v1/mailboxes/{mailbox}/message-tokens"
        answers = together(*(
            (lambda server=server: timed(server.base, "POST", path, body, bearer(token, **{"Idempotency-Key": key})))
            for server in servers))
        if not all(isinstance(answer, tuple) for answer in answers):
            check(f"idempotency_race_{n}_answers", False, f"a request failed: {answers}")
        statuses = tuple(answer[0] for answer in answers)
        if statuses == (201, 201):
            bodies = [json.loads(answer[1]) for answer in answers]
            replayed = [answer[2].get("Idempotent-Replayed") == "true" for answer in answers]
            # The replay carries a notice in place of the plaintext, which is never stored.
            first, replay = (bodies[1], bodies[0]) if replayed[0] else (bodies[0], bodies[1])
            same = ({k: v for k, v in first.items() if k != "token"} == {k: v for k, v in replay.items() if k != "notice"}
                    and "token" in first and "token" not in replay and "notice" in replay)
            if sum(replayed) != 1 or not same:
                check(f"idempotency_race_{n}_replay", False,
                      f"two 201s but not one reply and its replay: replayed {replayed}; {answers[0][1][:200]} / {answers[1][1][:200]}")
            outcome = f"201 + replayed 201 ({'A' if replayed[0] else 'B'} replayed)"
        elif sorted(statuses) == [201, 409]:
            refused = answers[statuses.index(409)]
            code = envelope(refused[1]).get("code")
            if code != "idempotency_key_in_use":
                check(f"idempotency_race_{n}_in_use", False, f"409 with code {code!r}: {refused[1][:200]}")
            outcome = f"201 + 409 idempotency_key_in_use ({'AB'[statuses.index(409)]} refused)"
        else:
            check(f"idempotency_race_{n}_answers", False,
                  f"A and B answered {statuses}: {answers[0][1][:160]} / {answers[1][1][:160]}")
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        stored = psql(url, f"select count(*) from api_token where kind = 'message' and name = '{name}'")
        if stored != [["1"]]:
            check(f"idempotency_race_{n}_one_token", False, f"{stored[0][0]} message tokens named {name!r}, answers {statuses}")
    check("idempotency_race_answers", True, "; ".join(f"{o}: {c}" for o, c in sorted(outcomes.items())))
    check("idempotency_race_one_token_each", True, f"{rounds} of {rounds} keys made exactly one message token")


def main():
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):
        sys.exit(__doc__)
    binary = sys.argv[1]
    if not os.access(binary, os.X_OK):
        sys.exit(f"no server binary at {binary}: `make release-build` builds it")
    stop_on_sigterm()
    time_limit(110)
    started = time.monotonic()
    workdir = tempfile.mkdtemp(prefix="trekmail-pg-faults-")
    logs = []
    try:
        with ExitStack() as stack:
            cluster = stack.enter_context(PgCluster())
            url = cluster.database("faults")
            down_at_start(binary, cluster, url, workdir)
            cluster.resume()
            servers = []
            for label in "AB":  # one after the other: A creates the schema and the demo data
                logs.append(os.path.join(workdir, f"server-{label}.log"))
                servers.append(stack.enter_context(Server(binary, url, port=free_port(), log=logs[-1])))
            cookie = sign_in(OWNER, base=servers[0].base)
            status, text = create_ops_token(servers[0].base, cookie, "pg faults agent", AGENT_SCOPES)
            check("agent_token_created", status == 200, f"create_token on server A answered {status}"
                  + (f", token {json.loads(text)['row']['id']}" if status == 200 else f" {text[:160]}"))
            token = json.loads(text)["token"]
            restart(cluster, servers, cookie, token)
            revoke_race(url, servers, cookie)
            idempotency_race(url, servers, token)
        print(f"\nEvery check passed in {time.monotonic() - started:.0f} s.")
    except Failed as failure:
        for log in logs:
            if os.path.exists(log):
                print(f"---- {os.path.basename(log)} (last 20 lines) ----")
                print("".join(open(log, errors="replace").readlines()[-20:]), end="")
        sys.exit(f"pg-faults FAILED: {failure}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("pg-faults: interrupted (servers and cluster stopped)")
