#!/usr/bin/env python3
"""Load with invariants: CLIENTS threads, for SECONDS, each creating tokens through the dashboard's
server functions, calling the API with them, revoking them and calling again, against the release
server on a fresh database. Afterwards, from every answer and from the database:

  - no answer was a 5xx (or failed at the socket);
  - every acknowledged creation exists with exactly one "created" event, and nothing else was made;
  - every acknowledged revocation is stored with exactly one "revoked" event;
  - no API call that started after its token's revocation was acknowledged was accepted;
  - each used token's "last used" is within its one-minute rule of its last accepted call.

With --crash the server is killed (SIGKILL) halfway through the load and started again on the same
database: then it must serve again, `PRAGMA integrity_check` must be ok, no token may exist without
its "created" event nor an event without its token, and every acknowledged creation and revocation
must be there (answers cut off by the kill are not acknowledged, so they may go either way).

Bounded: every request has a 10 s timeout, the load stops by itself, the server is stopped at the
end; traffic goes to 127.0.0.1 only. Prints `name: value` lines; exits non-zero on a broken rule.
Usage: scripts/reliability.py BINARY [--seconds S] [--clients N] [--crash]"""

import argparse, json, os, shutil, sqlite3, subprocess, sys, tempfile, threading, time, urllib.parse
import testlib

PORT = 3220
BASE = f"http://127.0.0.1:{PORT}"
OWNER = "owner@agency.test"
LAST_USED_RULE_MS = 60_000

failures = []


def check(name, ok, detail):
    print(f"{name}: {'ok' if ok else 'FAILED'} ({detail})", flush=True)
    if not ok:
        failures.append(name)


def call(method, path, body=None, headers=None, content_type="application/json"):
    """(status, body, started, ended) of one request; status 0 when the socket failed."""
    started = time.time()
    try:
        status, text, _ = testlib.request(BASE, method, path, body, headers, content_type, timeout=10)
    except OSError as error:
        status, text = 0, str(error)
    return status, text, started, time.time()


class Client(threading.Thread):
    """One owner's browser and one agent, over and over: create, use, revoke, use again."""

    def __init__(self, number, cookie, stop_at):
        super().__init__(daemon=True)
        self.number, self.cookie, self.stop_at = number, cookie, stop_at
        self.answers = []  # (what, status)
        self.created = {}  # id -> token
        self.revoked = {}  # id -> time the revoke was acknowledged
        self.api_calls = []  # (id, started, status)

    def run(self):
        n = 0
        while time.time() < self.stop_at:
            n += 1
            form = {"form": {"name": f"load {self.number}-{n}", "expiration": "30d", "expiration_date": "",
                             "scopes": ["account:read"], "domain_mode": "all", "domain_ids": []}}
            status, text, _, _ = call("POST", "/api/create_token", json.dumps(form),
                                      {"Cookie": self.cookie, "Accept": "application/json"})
            self.answers.append(("create", status))
            if status != 200:
                continue
            created = json.loads(text)
            token_id, token = created["row"]["id"], created["token"]
            self.created[token_id] = token
            for _ in range(3):
                self.use(token_id, token)
            status, _, _, acknowledged = call("POST", "/api/revoke_token", f"id={token_id}",
                                              {"Cookie": self.cookie, "Accept": "application/json"},
                                              "application/x-www-form-urlencoded")
            self.answers.append(("revoke", status))
            if status == 200:
                self.revoked[token_id] = acknowledged
            self.use(token_id, token)

    def use(self, token_id, token):
        status, _, started, _ = call("GET", "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        self.answers.append(("api", status))
        self.api_calls.append((token_id, started, status))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--crash", action="store_true", help="kill -9 the server halfway, then restart it")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="trekmail-reliability-")
    db = os.path.join(workdir, "load.db")
    env = dict(os.environ, DATABASE_URL=f"sqlite://{db}", TREKMAIL_DEMO="1", RUST_LOG="warn",
               TREKMAIL_API_RATE_LIMIT="100000", LEPTOS_SITE_ADDR=f"127.0.0.1:{PORT}",
               LEPTOS_SITE_ROOT="target/site", LEPTOS_OUTPUT_NAME="trekmail-tokens")
    server = subprocess.Popen([args.binary], env=env)
    restarted = None
    try:
        testlib.wait_until_up(BASE, server)
        body = urllib.parse.urlencode({"email": OWNER, "password": "trekmail-demo"})
        _, _, headers = testlib.request(BASE, "POST", "/api/sign_in", body, content_type="application/x-www-form-urlencoded")
        cookie = headers["Set-Cookie"].split(";")[0]
        stop_at = time.time() + args.seconds
        clients = [Client(number, cookie, stop_at) for number in range(args.clients)]
        for client in clients:
            client.start()
        if args.crash:
            time.sleep(args.seconds / 2)
            server.kill()
            server.wait(20)
            killed_at = time.time()
        for client in clients:
            client.join(args.seconds + 60)
        check("clients_finished", not any(client.is_alive() for client in clients), f"{args.clients} clients")
        if args.crash:
            restarted = subprocess.Popen([args.binary], env=env)
            testlib.wait_until_up(BASE, restarted)
            status = testlib.request(BASE, "GET", "/sign-in")[0]
            check("serves_after_restart", status == 200, f"/sign-in answered {status} after the restart")
    finally:
        for process in (server, restarted):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(20)
    answers = [answer for client in clients for answer in client.answers]
    created = {i: t for client in clients for i, t in client.created.items()}
    revoked = {i: at for client in clients for i, at in client.revoked.items()}
    calls = [call_ for client in clients for call_ in client.api_calls]
    print(f"requests: {len(answers)} in {args.seconds:g} s from {args.clients} clients; "
          f"{len(created)} created, {len(revoked)} revoked, {len(calls)} API calls")
    broken = [a for a in answers if a[1] >= 500 or (a[1] == 0 and not args.crash)]
    check("no_5xx", not broken, f"{len(broken)} of {len(answers)}")
    # Accepted means a 2xx; a call cut off by the crash (0) was not accepted.
    late = [c for c in calls if c[0] in revoked and c[1] > revoked[c[0]] and 200 <= c[2] < 300]
    check("no_call_accepted_after_revoke", not late, f"{len(late)} of {sum(1 for c in calls if c[0] in revoked and c[1] > revoked[c[0]])} calls after an acknowledged revoke")
    conn = sqlite3.connect(db)
    account = conn.execute("select account_id from app_user where email = ?", (OWNER,)).fetchone()[0]
    stored = {row[0]: row[1:] for row in conn.execute(
        "select api_token_id, revoked_at, last_used_at from api_token where account_id = ? and name like 'load %'", (account,))}
    events = {}
    for token_id, action in conn.execute(
            "select api_token_id, action from audit_event where account_id = ? and token_name like 'load %'", (account,)):
        events.setdefault(token_id, []).append(action)
    check("integrity", conn.execute("pragma integrity_check").fetchone()[0] == "ok", "pragma integrity_check")
    conn.close()
    if args.crash:
        check("creations_stored", set(created) <= set(stored), f"{len(stored)} stored, {len(created)} acknowledged")
    else:
        check("creations_stored", set(stored) == set(created), f"{len(stored)} stored, {len(created)} acknowledged")
    check("one_created_event_each", all(events.get(i, []).count("token_created") == 1 for i in stored), "token_created")
    check("no_event_without_its_token", set(events) <= set(stored), f"{len(events)} tokens with events")
    check("revocations_stored", all(stored.get(i, (None,))[0] is not None for i in revoked), f"{len(revoked)} acknowledged")
    wrong_revoked_events = [i for i in stored if events.get(i, []).count("token_revoked") != (1 if stored[i][0] is not None else 0)]
    check("one_revoked_event_each", not wrong_revoked_events, f"{len(wrong_revoked_events)} tokens with another count")
    last_accepted = {}
    for token_id, started, status in calls:
        if args.crash and started > killed_at - 60:
            continue  # a "last used" write may have been cut off by the kill: not judged
        if status == 200:
            last_accepted[token_id] = max(last_accepted.get(token_id, 0), started)
    stale = [i for i, at in last_accepted.items()
             if stored[i][1] is None or stored[i][1] < at * 1000 - LAST_USED_RULE_MS - 1000]
    check("last_used_within_a_minute", not stale, f"{len(last_accepted)} used tokens")
    shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
