"""Helpers shared by the scripts that drive the release server."""

import json, os, secrets, shutil, signal, socket, string, subprocess, sys, tempfile, time, urllib.error, urllib.request, zlib

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def make_token(prefix):
    """A well-formed token: prefix, 32 random base62 characters, 6-character base62 CRC32."""
    text = prefix + "".join(secrets.choice(BASE62) for _ in range(32))
    value, digits = zlib.crc32(text.encode()), []
    for _ in range(6):
        digits.append(BASE62[value % 62])
        value //= 62
    return text + "".join(reversed(digits))


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# Redirects are never followed: a sign-in answers with its cookie on the redirect itself.
OPENER = urllib.request.build_opener(NoRedirect)


def request(base, method, path, body=None, headers=None, content_type="application/json", timeout=60):
    """Status, body text and headers of one request to the server at `base`."""
    data = body.encode() if isinstance(body, str) else body
    all_headers = dict(headers or {})
    if data is not None:
        all_headers["Content-Type"] = content_type
    req = urllib.request.Request(base + path, data=data, method=method, headers=all_headers)
    try:
        with OPENER.open(req, timeout=timeout) as response:
            return response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers


def wait_until_up(base, server=None, limit_s=30):
    """Returns once the server at `base` answers /healthz; stops the script if it does not within
    `limit_s`, or if `server` (its process) exits first."""
    deadline = time.time() + limit_s
    while time.time() < deadline:
        if server is not None and server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode} before answering /healthz")
        try:
            if request(base, "GET", "/healthz", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"the server did not answer /healthz within {limit_s} s")


def free_port():
    """A port of 127.0.0.1 free right now (the kernel's pick for a socket bound to port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_on_sigterm():
    """Makes SIGTERM (what `timeout` sends) end the script like Ctrl-C does, through its `finally`
    blocks and `with` exits, so that no server or PostgreSQL cluster is left running."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def time_limit(seconds):
    """Ends the script (through its `finally` blocks) if it is still running after `seconds`."""
    def expired(*_):
        sys.exit(f"stopped: the script did not finish within its limit of {seconds} s")
    signal.signal(signal.SIGALRM, expired)
    signal.alarm(int(seconds))


def create_ops_token(base, cookie, name, scopes, headers=None, timeout=30):
    """An ops token made through the dashboard's create dialog (the `create_token` server function)
    as the signed-in owner: (status, body); on 200 the body holds `token` and `row.id`."""
    form = {"form": {"name": name, "expiration": "30d", "expiration_date": "", "scopes": list(scopes),
                     "domain_mode": "all", "domain_ids": []}}
    status, text, _ = request(base, "POST", "/api/create_token", json.dumps(form),
                              {"Cookie": cookie, "Accept": "application/json", **(headers or {})},
                              timeout=timeout)
    return status, text


PG_CLUSTER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pg-cluster.sh")


def psql(url, sql, timeout=30):
    """The rows of one statement run by psql on `url`, as lists of strings (unaligned output)."""
    done = subprocess.run(["/usr/bin/psql", url, "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                           "-c", sql], capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"psql failed ({done.returncode}): {done.stderr.strip()} [{sql}]")
    return [line.split("\t") for line in done.stdout.splitlines() if line]


class PgCluster:
    """A private, throw-away PostgreSQL cluster (scripts/pg-cluster.sh) in a new folder under /tmp
    (the postgres user must reach it), stopped and removed on exit whatever happened. `url` names
    its `postgres` database; `database(name)` creates another and returns its URL; `pause()` and
    `resume()` stop and start PostgreSQL alone, on the same port, for outages."""

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="trekmail-pg-", dir="/tmp")
        try:
            self.url = self._run("start", timeout=180).strip()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *_):
        subprocess.run([PG_CLUSTER, "stop", self.dir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=120)
        shutil.rmtree(self.dir, ignore_errors=True)

    def _run(self, command, timeout=90):
        done = subprocess.run([PG_CLUSTER, command, self.dir], capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"pg-cluster.sh {command} failed ({done.returncode}): {done.stderr.strip()[-800:]}")
        return done.stdout

    def database(self, name):
        psql(self.url, f'create database "{name}"')
        return self.url.rsplit("/", 1)[0] + "/" + name

    def pause(self):
        self._run("pause")

    def resume(self):
        self._run("resume")
