#!/usr/bin/env python3
"""Disk full and read-only storage, against the release server whose database lives on a small
tmpfs mounted for this run (root needed to mount; `make test` runs as root, as CI does).

  1. With the file system filled to the last byte: creating a token through the dashboard's
     server function answers 503 with the sentence the dialog shows, the page without JavaScript
     shows it too, and minting a message token through the API answers 503 with the JSON envelope
     (`service_unavailable`, retryable, `Retry-After`). Reading still works (`GET /api/v1/me`).
  2. Nothing partial is stored: every token has its "created" event and every event its token.
  3. Once space is freed, the same server (no restart) creates and mints again.
  4. Read-only: the server started on the file system remounted read-only (a live server's
     writable files keep a file system from going read-only) stops at once with the reason and a
     non-zero exit; remounted read-write, it starts and creates again, with every token intact.
  5. `PRAGMA integrity_check` is ok at the end.

Bounded: every request has a 10 s timeout, each "until it fails" loop a fixed count, the server is
stopped and the file system unmounted at the end whatever happens; traffic to 127.0.0.1 only.
Prints `name: value` lines; exits non-zero on a broken rule.
Usage: scripts/diskfull.py BINARY"""

import json, os, shutil, sqlite3, subprocess, sys, tempfile, time, urllib.parse
import testlib
from contextlib import closing

PORT = 3230
BASE = f"http://127.0.0.1:{PORT}"
OWNER = "owner@agency.test"
# Room for the demo data and its WAL, small enough to fill in a moment.
TMPFS_SIZE = "24m"
UNAVAILABLE = "The server cannot reach or write its database right now"

failures = []
STARTED_MS = int(time.time() * 1000)


def check(name, ok, detail):
    print(f"{name}: {'ok' if ok else 'FAILED'} ({detail})", flush=True)
    if not ok:
        failures.append(name)


def run(*command):
    subprocess.run(command, check=True, timeout=30)


class Owner:
    """A signed-in owner with an all-scope API token, calling the server as the page and an agent."""

    def __init__(self, label):
        body = urllib.parse.urlencode({"email": OWNER, "password": "trekmail-demo"})
        _, _, headers = testlib.request(BASE, "POST", "/api/sign_in", body,
                                        content_type="application/x-www-form-urlencoded", timeout=10)
        self.cookie = headers["Set-Cookie"].split(";")[0]
        status, text = self.create(f"{label}: the agent's token")
        assert status == 200, (status, text)
        self.token = json.loads(text)["token"]
        status, text, _ = self.api("GET", "/api/v1/mailboxes?per_page=1")
        assert status == 200, (status, text)
        self.mailbox = json.loads(text)["data"][0]["id"]

    def create(self, name):
        """The create dialog's call: (status, body)."""
        form = {"form": {"name": name, "expiration": "30d", "expiration_date": "",
                         "scopes": ["account:read", "mailboxes:read", "mailboxes:message-tokens:manage"],
                         "domain_mode": "all", "domain_ids": []}}
        status, text, _ = testlib.request(BASE, "POST", "/api/create_token", json.dumps(form),
                                          {"Cookie": self.cookie, "Accept": "application/json"},
                                          timeout=10)
        return status, text

    def create_without_javascript(self, name):
        """The create page's plain form post: (status, page)."""
        body = urllib.parse.urlencode({"name": name, "expiration": "30d", "expiration_date": "",
                                       "scopes": "account:read", "domain_mode": "all"})
        status, text, _ = testlib.request(BASE, "POST", "/agents/tokens/new", body,
                                          {"Cookie": self.cookie, "Origin": BASE},
                                          "application/x-www-form-urlencoded", timeout=10)
        return status, text

    def api(self, method, path, body=None):
        return testlib.request(BASE, method, path, body, {"Authorization": f"Bearer {self.token}"},
                               timeout=10)

    def mint(self):
        body = json.dumps({"name": "disk full", "scopes": ["messages:read"], "expires_in": "7d"})
        return self.api("POST", f"/api/v1/mailboxes/{self.mailbox}/message-tokens", body)


def fill(path):
    """Writes until the file system has no byte left."""
    with open(path, "wb", buffering=0) as filler:
        chunk = b"\0" * 65536
        try:
            while True:
                filler.write(chunk)
        except OSError:
            pass
        try:
            while True:
                filler.write(b"\0")
        except OSError:
            pass


def refused_while_broken(owner, label, db):
    """While the storage cannot take writes: the dashboard, the page without JavaScript and the
    API refuse clearly, reads still work, and nothing is stored."""
    before = counts(db)
    # SQLite may still fit a few writes into pages its WAL file already holds: try until the
    # first refusal (it comes within a few; a bounded number of tries).
    acknowledged = 0
    for attempt in range(200):
        status, text = owner.create(f"{label} {attempt}")
        if status != 200:
            break
        acknowledged += 1
    check(f"{label}_dashboard_503", status == 503 and json.loads(text) == "Unavailable",
          f"create_token answered {status} {text[:120]} after {acknowledged} that still fit")
    status, page = owner.create_without_javascript(f"{label} page")
    check(f"{label}_page_says_why", status == 503 and UNAVAILABLE in page,
          f"the create page answered {status}{' with the sentence' if UNAVAILABLE in page else ' without the sentence'}")
    status, text, headers = owner.mint()
    body = json.loads(text) if text.startswith("{") else {}
    error = body.get("error", {})
    check(f"{label}_api_503_envelope",
          status == 503 and error.get("code") == "service_unavailable" and error.get("retryable") is True
          and error.get("request_id") and headers.get("Retry-After") == str(error.get("retry_after")),
          f"mint answered {status} {text[:160]}")
    status, _, _ = owner.api("GET", "/api/v1/me")
    check(f"{label}_reads_still_served", status == 200, f"GET /api/v1/me answered {status}")
    after = counts(db)
    check(f"{label}_nothing_partial", consistent(db) and after[0] == before[0] + acknowledged,
          f"tokens {before[0]} -> {after[0]} with {acknowledged} acknowledged; every token has its event")


def served_again(owner, label):
    status, text = owner.create(f"{label} recovered")
    check(f"{label}_dashboard_recovers", status == 200, f"create_token answered {status} {text[:80]}")
    status, text, _ = owner.mint()
    check(f"{label}_api_recovers", status == 201, f"mint answered {status} {text[:80]}")


def counts(db):
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return conn.execute("select (select count(*) from api_token), (select count(*) from audit_event)").fetchone()


def consistent(db):
    """Every token made during this run has its one "created" event, and every such event its
    token (the demo data's tokens were made before the audit trail and have none)."""
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        tokens = conn.execute("select count(*) from api_token where created_at >= ?", (STARTED_MS,)).fetchone()[0]
        paired = conn.execute(
            """select count(*) from api_token t where t.created_at >= ? and
                 (select count(*) from audit_event e where e.api_token_id = t.api_token_id
                   and e.action in ('token_created', 'message_token_created')) = 1""", (STARTED_MS,)).fetchone()[0]
        events = conn.execute(
            """select count(*) from audit_event e where e.created_at >= ?
                 and e.action in ('token_created', 'message_token_created')""", (STARTED_MS,)).fetchone()[0]
        return tokens == paired == events


def main():
    binary = sys.argv[1]
    workdir = tempfile.mkdtemp(prefix="trekmail-diskfull-")
    mount = os.path.join(workdir, "fs")
    os.mkdir(mount)
    try:
        run("mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE}", "tmpfs", mount)
    except (subprocess.CalledProcessError, FileNotFoundError) as error:
        raise SystemExit(f"cannot mount a tmpfs for the disk-full run ({error}); it needs root")
    db = os.path.join(mount, "app.db")
    env = dict(os.environ, DATABASE_URL=f"sqlite://{db}", TREKMAIL_DEMO="1", RUST_LOG="error",
               LEPTOS_SITE_ADDR=f"127.0.0.1:{PORT}", LEPTOS_SITE_ROOT="target/site",
               LEPTOS_OUTPUT_NAME="trekmail-tokens")
    server = None
    try:
        log = open(os.path.join(workdir, "server.log"), "a")
        # The server's own lines (the expected database errors among them) go to its log, shown
        # only when a check fails.
        server = subprocess.Popen([binary], env=env, stdout=log, stderr=log)
        testlib.wait_until_up(BASE, server)
        owner = Owner("disk full")

        filler = os.path.join(mount, "filler")
        fill(filler)
        print(f"free_bytes_after_fill: {shutil.disk_usage(mount).free}")
        refused_while_broken(owner, "disk_full", db)
        os.remove(filler)
        served_again(owner, "disk_full")

        check("server_still_running", server.poll() is None, "recovered without a restart")
        server.terminate()
        server.wait(20)
        stored = counts(db)

        run("mount", "-o", "remount,ro", mount)
        refused = subprocess.run([binary], env=env, capture_output=True, text=True, timeout=60)
        reason = refused.stderr.strip().splitlines()[-1] if refused.stderr.strip() else ""
        check("read_only_start_refused", refused.returncode != 0 and "can only be read" in reason,
              f"exit {refused.returncode}: {reason[:160]}")
        run("mount", "-o", "remount,rw", mount)
        server = subprocess.Popen([binary], env=env, stdout=log, stderr=log)
        testlib.wait_until_up(BASE, server)
        check("read_only_nothing_lost", counts(db) == stored, f"tokens and events {stored} before and after")
        owner = Owner("after read-only")
        served_again(owner, "read_only")
        with closing(sqlite3.connect(db)) as conn:
            check("integrity", conn.execute("pragma integrity_check").fetchone()[0] == "ok",
                  "pragma integrity_check")
        check("every_token_has_its_event", consistent(db), "after both outages")
    finally:
        if server is not None and server.poll() is None:
            server.terminate()
            server.wait(20)
        subprocess.run(["umount", "-l", mount], timeout=30)
        log = os.path.join(workdir, "server.log")
        if failures and os.path.exists(log):
            print("---- server log (last 40 lines) ----")
            print("".join(open(log).readlines()[-40:]))
        shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
