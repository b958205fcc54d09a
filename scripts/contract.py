#!/usr/bin/env python3
"""Contract test: schemathesis, with every check, against the release server's own OpenAPI document.
Bounded: traffic to 127.0.0.1 only, a fixed number of examples per operation and seed, a timeout
per request, hard limits on schemathesis and on the whole script; the server is always stopped.

  1. Starts the release server on a free port with a throw-away database seeded with the demo
     accounts, and an API rate limit high enough that schemathesis is never throttled.
  2. As owner@agency.test, creates an ops token (tm_live_) with every scope of the catalog (the
     Agency plan allows them all, and the most forwarding targets) through the dashboard's server
     functions, as the owner would.
  3. Mints the message token (tm_msg_, all three message scopes) that the Message API operations
     are called with. It belongs to ANOTHER account (an owner@pro.test mailbox, minted by a Pro
     ops token), so nothing schemathesis sends with the ops token (DELETE or PATCH
     /api/v1/message-tokens/{id}) can revoke or narrow it half-way through the run. Those two
     operations are pinned instead to two victim message tokens of the Agency account, one each, so
     they reach their success path and cannot disturb each other.
  4. Runs schemathesis with every check. Its OpenAPI-aware authentication ([auth.openapi.*] in
     a generated schemathesis.toml) gives each operation the token of the security scheme that
     the document names for it: `ops_token` or `message_token`.
  5. Prints one line per kind of failure, naming the operations, and exits non-zero when
     schemathesis reports any failure or error. Every failure with a request that shows it:
     target/contract/failures.txt; schemathesis' own output and reports: target/contract/.

Usage: python3 scripts/contract.py [path-to-server-binary] [--report-only]
  The binary defaults to target/release/trekmail-tokens. --report-only prints the findings without
  failing. schemathesis comes from target/venv/bin (or $SCHEMATHESIS); $CONTRACT_EXAMPLES and
  $CONTRACT_SEED change the examples per operation and the seed."""

import base64, json, os, re, signal, socket, subprocess, sys, tempfile, time, urllib.error, urllib.parse, urllib.request
import testlib

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
BINARY = ARGS[0] if ARGS else "target/release/trekmail-tokens"
REPORT_ONLY = "--report-only" in sys.argv
SCHEMATHESIS = os.environ.get("SCHEMATHESIS", "target/venv/bin/schemathesis")
EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "50"))
SEED = int(os.environ.get("CONTRACT_SEED", "20261128"))
REQUEST_TIMEOUT_S = 10
SCHEMATHESIS_LIMIT_S = int(os.environ.get("CONTRACT_LIMIT_S", "150"))
TIME_LIMIT_S = SCHEMATHESIS_LIMIT_S + 30
PASSWORD = "trekmail-demo"
REPORT_DIR = "target/contract"
MESSAGE_SCOPES = ["messages:read", "messages:write", "messages:send"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


PORT = free_port()
BASE = f"http://127.0.0.1:{PORT}"
ORIGIN = {"Origin": BASE}


def request(method, path, body=None, headers=None, content_type="application/json", timeout=30):
    """Status, body text and headers of one request (redirects not followed)."""
    return testlib.request(BASE, method, path, body, headers, content_type, timeout)


def catalog_scopes():
    """Every ops-token scope of the catalog (src/domain/scope.rs), in catalog order. The Agency plan
    allows them all (src/domain/plan.rs); the server refuses the token if that ever changes."""
    source = open("src/domain/scope.rs").read()
    block = source[source.index("pub const CATALOG"):]
    block = block[:block.index("];")]
    scopes = re.findall(r'scope\(\s*"([a-z][a-z:-]*)"', block)
    if not scopes:
        raise SystemExit("no scope found in src/domain/scope.rs")
    return scopes


def server_function_paths():
    """The sign-in path from the sign-in page's form, and the token-creation path from the
    browser bundle the server serves (both end in a hash that changes with the build, and so
    does the bundle's file name)."""
    _, page, _ = request("GET", "/sign-in")
    match = re.search(r'action="(/api/sign_in\d*)"', page)
    if not match:
        raise SystemExit("no sign-in form on /sign-in")
    # The bundle's name carries its content hash; the page names it.
    wasm = re.search(r'href="(/pkg/[^"]+\.wasm)"', page)
    if not wasm:
        raise SystemExit("no WASM bundle named on /sign-in")
    req = urllib.request.Request(BASE + wasm.group(1))
    with urllib.request.urlopen(req, timeout=30) as response:
        bundle = response.read()
    create = re.search(rb"/api/create_token\d*", bundle)
    if not create:
        raise SystemExit(f"no create_token server function in {wasm.group(1)}")
    return match.group(1), create.group(0).decode()


def sign_in(path, email):
    """The session cookie (name=value) of one successful sign-in."""
    body = urllib.parse.urlencode({"email": email, "password": PASSWORD})
    status, reply, headers = request("POST", path, body, ORIGIN, "application/x-www-form-urlencoded")
    cookie = headers.get("Set-Cookie")
    if status >= 400 or not cookie:
        raise SystemExit(f"sign-in as {email} failed: {status} {reply[:200]}")
    return cookie.split(";")[0]


def ops_token(create_path, cookie, name, scopes):
    """An ops token created through the dashboard's create_token server function."""
    form = {"form": {"name": name, "expiration": "30d", "expiration_date": "", "scopes": scopes,
                     "domain_mode": "all", "domain_ids": []}}
    status, reply, _ = request("POST", create_path, json.dumps(form), {**ORIGIN, "Cookie": cookie,
                                                                       "Accept": "application/json"})
    if status != 200:
        raise SystemExit(f"creating ops token {name!r} failed: {status} {reply[:300]}")
    return json.loads(reply)["token"]


def api(method, path, token, body=None):
    status, reply, _ = request(method, "/api/v1" + path, None if body is None else json.dumps(body),
                               {"Authorization": f"Bearer {token}"})
    return status, (json.loads(reply) if reply else None)


def first_mailbox(token):
    status, reply = api("GET", "/mailboxes?per_page=1", token)
    if status != 200 or not reply["data"]:
        raise SystemExit(f"no mailbox to mint a message token for: {status} {reply}")
    return reply["data"][0]["id"]


def message_token(ops, mailbox, name):
    status, reply = api("POST", f"/mailboxes/{mailbox}/message-tokens", ops,
                        {"name": name, "scopes": MESSAGE_SCOPES, "expires_in": "30d"})
    if status != 201:
        raise SystemExit(f"minting message token {name!r} failed: {status} {reply}")
    return reply["id"], reply["token"]


def prepare():
    """(ops token, message token, victims) for the run, after checking each works. The ops token
    is an Agency owner's, whose plan allows every scope and the most forwarding targets the
    document states (30); the message token belongs to ANOTHER account (owner@pro.test), so
    nothing schemathesis sends with the ops token can revoke or narrow it mid-run."""
    scopes = catalog_scopes()
    sign_in_path, create_path = server_function_paths()
    ops = ops_token(create_path, sign_in(sign_in_path, "owner@agency.test"), "contract agency",
                    scopes)
    status, me = api("GET", "/me", ops)
    if status != 200 or me["capabilities"]["effective_scopes"] != scopes:
        raise SystemExit(f"the Agency ops token does not hold every scope: {status} {me}")
    pro = ops_token(create_path, sign_in(sign_in_path, "owner@pro.test"), "contract pro",
                    ["mailboxes:read", "mailboxes:message-tokens:manage"])
    _, message = message_token(pro, first_mailbox(pro), "contract messages")
    status, me = api("GET", "/messages/_me", message)
    if status != 200 or sorted(me["capabilities"]["effective_scopes"]) != sorted(MESSAGE_SCOPES):
        raise SystemExit(f"the message token does not hold the three message scopes: {status} {me}")
    own_mailbox = first_mailbox(ops)
    victims = [message_token(ops, own_mailbox, f"contract victim {i}")[0] for i in (1, 2)]
    print(f"contract_tokens: ops token with {len(scopes)} scopes; message token of another account; "
          f"victim message tokens {victims[0]} (DELETE) and {victims[1]} (PATCH)")
    return ops, message, victims


def config_file(directory, ops, message, victims):
    """schemathesis.toml: one bearer token per security scheme of the document, and the two
    message-token operations pinned to their own victim, so they reach their success path (a
    drawn id almost never names a message token) and never touch the token the run calls with."""
    path = os.path.join(directory, "schemathesis.toml")
    with open(path, "w") as out:
        # No crash cache: a run must not replay what an earlier run stored (nor write into the tree).
        # ASCII strings: a token name may not hold unassigned code points or pile up accents,
        # rules no regex states (the document says them in words); every other text rule is in
        # the patterns. Every check is on.
        out.write(f'[checks]\nenabled = true\n\n'
                  f'[cache]\nenabled = false\n\n'
                  f'[generation]\ncodec = "ascii"\n\n'
                  f'[auth.openapi.ops_token]\nbearer = "{ops}"\n\n'
                  f'[auth.openapi.message_token]\nbearer = "{message}"\n\n'
                  f'[[operations]]\ninclude-operation-id = "revoke_message_token"\n'
                  f'parameters = {{ "path.id" = {victims[0]} }}\n\n'
                  f'[[operations]]\ninclude-operation-id = "narrow_message_token"\n'
                  f'parameters = {{ "path.id" = {victims[1]} }}\n')
    return path


def run_schemathesis(config, directory):
    """Exit code, output and seconds of one schemathesis run; its reports go to REPORT_DIR."""
    os.makedirs(REPORT_DIR, exist_ok=True)
    report = os.path.join(REPORT_DIR, "report.ndjson")
    junit = os.path.join(REPORT_DIR, "junit.xml")
    for stale in (report, junit):
        if os.path.exists(stale):
            os.remove(stale)
    command = [
        SCHEMATHESIS, "--config-file", config, "--no-color", "run", f"{BASE}/api/v1/openapi.json",
        "--url", BASE,
        "--max-examples", str(EXAMPLES),
        "--seed", str(SEED),
        "--generation-database", "none",
        "--workers", "1",
        "--request-timeout", str(REQUEST_TIMEOUT_S),
        "--max-failures", "1000",
        "--continue-on-failure",
        "--report", "ndjson,junit",
        "--report-ndjson-path", report,
        "--report-junit-path", junit,
        "--output-sanitize", "true",
    ]
    start = time.time()
    try:
        # Hypothesis keeps its caches in the throw-away directory: nothing is written into the tree
        # and nothing from an earlier run steers this one.
        # The hooks (scripts/contract_hooks.py) keep generated messages to the one rule the
        # document can only state in words.
        scripts = os.path.dirname(os.path.abspath(__file__))
        env = dict(os.environ, HYPOTHESIS_STORAGE_DIRECTORY=os.path.join(directory, "hypothesis"),
                   SCHEMATHESIS_HOOKS="contract_hooks",
                   PYTHONPATH=os.pathsep.join(filter(None, [scripts, os.environ.get("PYTHONPATH")])))
        result = subprocess.run(command, timeout=SCHEMATHESIS_LIMIT_S, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, env=env)
    except subprocess.TimeoutExpired as expired:  # subprocess.run has killed it
        partial = expired.stdout or b""
        print(partial.decode(errors="replace") if isinstance(partial, bytes) else partial)
        raise SystemExit(f"schemathesis took longer than {SCHEMATHESIS_LIMIT_S} s")
    elapsed = time.time() - start
    with open(os.path.join(REPORT_DIR, "output.txt"), "w") as out:
        out.write(result.stdout)
    return result.returncode, result.stdout, elapsed


def decode(payload):
    if payload is None:
        return ""
    if isinstance(payload, dict) and "$base64" in payload:
        return base64.b64decode(payload["$base64"]).decode("utf-8", "replace")
    return payload if isinstance(payload, str) else json.dumps(payload)


def reason(failure, req, resp):
    """What tells one failure from another of the same check and operation: the status and the
    error code and field of the reply, or the method for an undeclared-method failure."""
    if failure["code"] == "ST204":
        return f"{req.get('method')} answered {resp.get('status_code')}"
    try:
        error = json.loads(decode(resp.get("content")))["error"]
        detail = error["code"] + (f" field={error['field']}" if error.get("field") else "")
    except (ValueError, KeyError, TypeError):
        detail = failure["message"].split("\n")[0]
    return f"{resp.get('status_code')} {detail}"


def failures_of(report):
    """Unique failures in the NDJSON report, keyed by (check code and title, operation, reason),
    each with the first request that showed it and the reply; and any errors of the run."""
    found, errors = {}, []
    if not os.path.exists(report):
        return found, ["no report: schemathesis stopped before writing one"]
    with open(report) as events:
        for line in events:
            event = json.loads(line)
            name, body = next(iter(event.items()))
            if name.endswith("Error") or name == "NonFatalError":
                errors.append(f"{name}: {json.dumps(body)[:300]}")
            if name != "ScenarioFinished":
                continue
            recorder = body["recorder"]
            for case_id, checks in recorder.get("checks", {}).items():
                for check in checks:
                    if check.get("status") != "failure":
                        continue
                    failure = check["failure_info"]["failure"]
                    interaction = recorder.get("interactions", {}).get(case_id) or {}
                    req, resp = interaction.get("request", {}), interaction.get("response") or {}
                    key = (f"{failure['code']} {failure['title']}", failure["operation"],
                           reason(failure, req, resp))
                    if key in found:
                        continue
                    found[key] = {
                        "check": check["name"], "phase": body.get("phase"),
                        "request": f"{req.get('method')} {req.get('uri')}"
                                   + (f" body={decode(req.get('body'))[:200]!r}" if req.get("body") else ""),
                        "reply": f"{resp.get('status_code')} {decode(resp.get('content'))[:200]}",
                    }
    return found, errors


def grouped(found):
    """One line per check and reply, naming every operation that showed it."""
    groups = {}
    for title, operation, why in found:
        if title.startswith("ST204"):
            method, _, answer = why.partition(" answered ")
            groups.setdefault((title, f"undeclared methods answered {answer}"), {}).setdefault(operation, []).append(method)
        else:
            groups.setdefault((title, why), {}).setdefault(operation, [])
    lines = []
    for (title, why), operations in sorted(groups.items()):
        names = [f"{op} ({','.join(sorted(methods))})" if methods else op for op, methods in sorted(operations.items())]
        lines.append(f"{title} | {why} | {len(names)} operation(s): {'; '.join(names)}")
    return lines


def write_failures(found, path):
    with open(path, "w") as out:
        for (title, operation, message), example in sorted(found.items()):
            out.write(f"{title} | {operation} | {message}\n  check: {example['check']} "
                      f"({example['phase']})\n  request: {example['request']}\n"
                      f"  reply: {example['reply']}\n\n")


def main():
    os.chdir(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the repository
    signal.signal(signal.SIGALRM, lambda *_: sys.exit(f"the contract run took longer than {TIME_LIMIT_S} s"))
    signal.alarm(TIME_LIMIT_S)
    if not os.path.exists(SCHEMATHESIS):
        raise SystemExit(f"{SCHEMATHESIS} is missing: target/venv/bin/pip install schemathesis==4.32.5")
    started = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, LEPTOS_SITE_ADDR=f"127.0.0.1:{PORT}", LEPTOS_SITE_ROOT="target/site",
                   LEPTOS_OUTPUT_NAME="trekmail-tokens", DATABASE_URL=f"sqlite://{tmp}/contract.db",
                   TREKMAIL_DEMO="1", TREKMAIL_API_RATE_LIMIT="100000", RUST_LOG="warn")
        log = open(os.path.join(tmp, "server.log"), "w")
        server = subprocess.Popen([BINARY], env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            testlib.wait_until_up(BASE, server)
            ops, message, victims = prepare()
            code, output, elapsed = run_schemathesis(config_file(tmp, ops, message, victims), tmp)
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            log.close()
    found, errors = failures_of(os.path.join(REPORT_DIR, "report.ndjson"))
    write_failures(found, os.path.join(REPORT_DIR, "failures.txt"))
    totals = [line.strip("= ") for line in output.splitlines() if re.match(r"^=+ .* in [0-9.]+s =+$", line)]
    print(f"contract_schemathesis_seconds: {elapsed:.1f}")
    print(f"contract_total_seconds: {time.time() - started:.1f}")
    print(f"contract_result: {totals[-1] if totals else 'exit code ' + str(code)}")
    if found:
        print(f"contract_failures: {len(found)} unique (each with a request: {REPORT_DIR}/failures.txt; "
              f"schemathesis' own output: {REPORT_DIR}/output.txt)")
        for line in grouped(found):
            print(f"  {line}")
    for error in errors:
        print(f"  {error}")
    if code != 0 and not found:
        print(output[-3000:])
    if code != 0 and not REPORT_ONLY:
        raise SystemExit(f"schemathesis reported failures or errors (exit code {code})")


if __name__ == "__main__":
    main()
