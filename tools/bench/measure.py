"""Requests as a browser or a partner system sends them, timed; the rows and verdicts of the table.

Standard library only on the client side: a request costs the client a few
hundred microseconds, not the milliseconds of a full HTTP library, so that
eight client threads on the server's own two cores measure the server.
"""

from __future__ import annotations

import http.client
import json
import re
import statistics
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from tools.bench.middleware import QUERIES, SERVER_MS, SQL_MS

# issue #16's targets, at one client.
PAGE_P95_MS = 50
REPORT_P95_MS = 300
MAX_QUERIES = 12
TODAY_MAX_KB = 40
VS_SIGNED_IN_HELLO = 1 / 3
VS_ADMIN = 3.0


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    ms: float

    @property
    def queries(self) -> int:
        return int(self.headers.get(QUERIES, "-1"))

    @property
    def sql_ms(self) -> float:
        return float(self.headers.get(SQL_MS, "nan"))

    @property
    def server_ms(self) -> float:
        return float(self.headers.get(SERVER_MS, "nan"))

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Client:
    """One user's browser (cookies, CSRF) or one API token, over plain HTTP
    to a server that believes it is behind a TLS proxy (X-Forwarded-Proto),
    so the production settings' Secure and __Host- cookies work."""

    def __init__(self, base_url: str, *, token: str = "", https: bool = True):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.origin = f"{'https' if https else 'http'}://{parts.netloc}"
        self.https = https
        self.token = token
        self.cookies: dict[str, str] = {}
        self._lock = threading.Lock()

    def request(self, method: str, path: str, *, form: dict | None = None, data: dict | None = None) -> Answer:
        headers = {"Host": f"{self.host}:{self.port}", "Accept-Language": "ru"}
        if self.https:
            headers["X-Forwarded-Proto"] = "https"
        body = None
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        with self._lock:
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if form is not None:
            body = urlencode(form, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif data is not None:
            body = json.dumps(data).encode()
            headers["Content-Type"] = "application/json"
        if method != "GET":
            headers["Referer"] = self.origin + path
        connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        ms = (time.perf_counter() - started) * 1000
        self._keep_cookies(response.headers.get_all("Set-Cookie") or [])
        return Answer(response.status, response.headers, content, ms)

    def _keep_cookies(self, lines: list[str]) -> None:
        with self._lock:
            for line in lines:
                cookie = SimpleCookie()
                cookie.load(line)
                for name, morsel in cookie.items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value

    def csrf_token(self, html: str) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        return match.group(1) if match else ""

    def sign_in(self, username: str, password: str, code: str) -> bool:
        """Through the sign-in form, as a person does: True when it let her in."""
        login = "/accounts/login/"
        page = self.request("GET", login)
        data = {"csrfmiddlewaretoken": self.csrf_token(page.text()), "username": username, "password": password}
        answer = self.request("POST", login, form=data | {"otp_token": code})
        location = answer.headers.get("Location", "")
        return answer.status == 302 and "/accounts/" not in location


@dataclass
class Row:
    label: str
    client: Client
    method: str
    path: str
    kind: str = "page"  # "reference", "page" or "report"
    expect: int = 200
    form: dict | None = None
    data_for: object = None  # callable: request number -> JSON body (a POST that makes something new each time)
    max_kb: float | None = None


@dataclass
class Result:
    row: Row
    ms: list[float] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    sql_ms: list[float] = field(default_factory=list)
    kb: float = 0.0
    rps1: float = 0.0
    rps8: float = 0.0
    errors: list[str] = field(default_factory=list)
    verdict: str = ""

    @property
    def p50(self) -> float:
        return _percentile(self.ms, 50)

    @property
    def p95(self) -> float:
        return _percentile(self.ms, 95)

    @property
    def server_p95(self) -> float:
        return _percentile(self.server_ms, 95)

    @property
    def query_count(self) -> int:
        return max(self.queries) if self.queries else -1


def _percentile(values: list[float], pct: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


class _Counter:
    def __init__(self):
        self._n = 0
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            self._n += 1
            return self._n


def _send(row: Row, counter: _Counter) -> Answer:
    data = row.data_for(counter.next()) if callable(row.data_for) else None
    return row.client.request(row.method, row.path, form=row.form, data=data)


def measure(row: Row, *, seconds: float, most: int, clients: int = 8) -> Result:
    """At one client: up to ``most`` requests in about ``seconds`` (at least
    five), for the latencies, the query count and the throughput; then
    ``clients`` clients at once for as long, for the throughput."""
    result = Result(row)
    counter = _Counter()
    for _ in range(2):  # warm: each worker's first request of a page pays for its imports and templates
        answer = _send(row, counter)
    if answer.status != row.expect:
        result.errors.append(f"{row.method} {row.path}: {answer.status}, expected {row.expect}")
        result.verdict = "ERROR"
        return result
    started = time.perf_counter()
    while len(result.ms) < most and (len(result.ms) < 5 or time.perf_counter() - started < seconds):
        answer = _send(row, counter)
        if answer.status != row.expect:
            result.errors.append(f"{row.method} {row.path}: {answer.status}")
        result.ms.append(answer.ms)
        result.server_ms.append(answer.server_ms)
        result.queries.append(answer.queries)
        result.sql_ms.append(answer.sql_ms)
        result.kb = len(answer.body) / 1024
    result.rps1 = len(result.ms) / (time.perf_counter() - started)
    if clients > 1:
        result.rps8 = _throughput(row, counter, clients=clients, seconds=seconds, most=most, result=result)
    return result


def _throughput(row: Row, counter: _Counter, *, clients: int, seconds: float, most: int, result: Result) -> float:
    done = [0] * clients
    deadline = time.perf_counter() + seconds

    def work(index: int) -> None:
        # At least one request each, however slow the page.
        while done[index] == 0 or (time.perf_counter() < deadline and done[index] < most):
            answer = _send(row, counter)
            if answer.status != row.expect:
                result.errors.append(f"{row.method} {row.path} x{clients}: {answer.status}")
            done[index] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.perf_counter() - started)


def judge(results: list[Result], *, hello_signed_in: str, admin: str) -> bool:
    """Give each row its verdict against the targets; True when every row meets them."""
    by_label = {r.row.label: r for r in results}
    signed_in = by_label.get(hello_signed_in)
    changelist = by_label.get(admin)
    ok = True
    for r in results:
        if r.verdict == "ERROR" or r.errors:
            r.verdict = "ERROR"
            ok = False
            continue
        if r.row.kind == "reference":
            r.verdict = "reference"
            continue
        misses = []
        if r.row.kind == "report":
            if r.server_p95 > REPORT_P95_MS:
                misses.append(f"p95>{REPORT_P95_MS}")
        else:
            if r.server_p95 > PAGE_P95_MS:
                misses.append(f"p95>{PAGE_P95_MS}")
            if r.query_count > MAX_QUERIES:
                misses.append(f"SQL>{MAX_QUERIES}")
            if signed_in and r.rps1 < signed_in.rps1 * VS_SIGNED_IN_HELLO:
                misses.append("<1/3 hello")
            if changelist and r.rps1 < changelist.rps1 * VS_ADMIN:
                misses.append("<3x admin")
        if r.row.max_kb is not None and r.kb > r.row.max_kb:
            misses.append(f">{r.row.max_kb:.0f} KB")
        r.verdict = "ok" if not misses else "MISS " + ", ".join(misses)
        ok = ok and not misses
    return ok


def table(results: list[Result], *, hello_signed_in: str, admin: str) -> str:
    by_label = {r.row.label: r for r in results}
    signed_in = by_label.get(hello_signed_in)
    changelist = by_label.get(admin)
    header = (
        f"{'page':<40} {'p50':>7} {'p95':>7} {'srv p95':>8} {'req/s 1':>8} {'req/s 8':>8} {'SQL':>4} "
        f"{'SQL ms':>7} {'KB':>6} {'x hello':>7} {'x admin':>7}  verdict"
    )
    lines = [header, "-" * len(header)]
    for r in results:

        def ratio(base: Result | None, r: Result = r) -> str:
            return f"{r.rps1 / base.rps1:7.2f}" if base and base.rps1 and r.rps1 else f"{'-':>7}"

        sql_ms = statistics.median(r.sql_ms) if r.sql_ms else float("nan")
        lines.append(
            f"{r.row.label:<40} {r.p50:7.1f} {r.p95:7.1f} {r.server_p95:8.1f} {r.rps1:8.1f} {r.rps8:8.1f} "
            f"{r.query_count:4d} {sql_ms:7.1f} {r.kb:6.1f} {ratio(signed_in)} {ratio(changelist)}  {r.verdict}"
        )
    lines.append("")
    lines.append(
        "p50, p95: milliseconds at one client, as the client saw them; srv p95: the server's own time "
        "(the target); req/s: throughput at 1 and 8 clients; SQL: queries per request (median SQL ms); "
        f"x hello, x admin: throughput at one client over the signed-in bare view's and the admin changelist's. "
        f"Targets (issue #16): a page p95 <= {PAGE_P95_MS} ms, <= {MAX_QUERIES} queries, >= 1/3 of the signed-in "
        f"bare view, >= {VS_ADMIN:.0f}x the admin changelist; dashboard and statistics p95 <= {REPORT_P95_MS} ms; "
        f"Today <= {TODAY_MAX_KB} KB."
    )
    for r in results:
        for error in sorted(set(r.errors))[:3]:
            lines.append(f"  ERROR {r.row.label}: {error}")
    return "\n".join(lines)
