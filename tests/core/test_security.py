"""Security headers on every page, no inline script or style anywhere, no
CSP violation in a real browser, and a clean ``check --deploy`` with the
production settings."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from cryptography.fernet import Fernet
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from accounts.models import Role
from accounts.services import enrolment_code_issue
from tests import factories as f
from tests.accounts.conftest import code_for

ROOT = Path(settings.BASE_DIR)


def _csp(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value
    return directives


@pytest.mark.parametrize("signed_in", [False, True])
def test_pages_carry_the_security_headers(client, users, login, signed_in):
    if signed_in:
        login(users["monitoring"])
        response = client.get(reverse("reports:dashboard"))
    else:
        response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    csp = _csp(response)
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"
    assert csp["style-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'self'"
    assert csp["form-action"] == "'self'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_a_stale_form_gets_our_own_page(users):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "police", "password": "x"})
    assert response.status_code == 403
    content = response.content.decode()
    assert "The form has expired" in content
    assert "<style" not in content
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert not AccessAttempt.objects.exists()


def test_the_login_page_is_not_cached(client):
    assert "no-store" in client.get(reverse("accounts:login"))["Cache-Control"]


def test_the_assets_are_served_by_the_app_itself(client):
    content = client.get(reverse("accounts:login")).content.decode()
    for asset in (
        "vendor/bootstrap/bootstrap.min.css",
        "vendor/bootstrap/bootstrap.bundle.min.js",
        "vendor/htmx/htmx.min.js",
    ):
        assert finders.find(asset), asset
        assert f"/static/{asset}" in content
    assert not re.search(r"""(src|href)=["']https?://""", content)
    htmx = Path(finders.find("vendor/htmx/htmx.min.js")).read_text()
    assert 'version:"2.' in htmx
    assert "Bootstrap  v5.3." in Path(finders.find("vendor/bootstrap/bootstrap.min.css")).read_text()[:200]


def test_htmx_is_configured_for_the_csp(client):
    content = client.get(reverse("accounts:login")).content.decode()
    config = '{"includeIndicatorStyles": false, "allowEval": false, "attributesToSettle": ["class", "width", "height"]}'
    assert f"""<meta name="htmx-config" content='{config}'>""" in content


TEMPLATE_COMMENT = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.DOTALL)
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\s(on[a-z]+|hx-on[:\w-]*)\s*=", re.IGNORECASE)


def test_no_template_has_inline_script_style_or_handlers():
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = TEMPLATE_COMMENT.sub("", path.read_text(encoding="utf-8"))
        for pattern in (INLINE_SCRIPT, INLINE_STYLE, INLINE_HANDLER):
            match = pattern.search(text)
            if match:
                offenders.append(f"{path.relative_to(ROOT)}: {match.group(0).strip()}")
    assert offenders == []


def _production_env(**overrides) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_", "DEBUG"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="x7$Kq!" + Fernet.generate_key().decode(),
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        DATABASE_URL="postgresql://postgres@127.0.0.1:5432/casework",
        REDIS_URL="redis://127.0.0.1:6379/0",
        ALLOWED_HOSTS="casework.example.org",
    )
    env.update(overrides)
    return env


def _run_check(env) -> subprocess.CompletedProcess:
    code = (
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='WARNING')"
    )
    return subprocess.run(  # noqa: S603 - fixed command, our own interpreter
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_with_production_settings_has_no_warnings():
    result = _run_check(_production_env())
    output = result.stdout + result.stderr
    assert "WARNINGS" not in output
    assert "ERRORS" not in output
    assert result.returncode == 0, output
    assert "System check identified no issues" in output


def test_production_refuses_to_start_without_an_encryption_key():
    result = _run_check(_production_env(FIELD_ENCRYPTION_KEYS=""))
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS must be set in production." in result.stderr


# In a real Chromium: sign in with the code, open the monitoring dashboard, use the
# mobile menu and the language switcher, with no CSP violation on the way.


def in_chromium(test):
    return pytest.mark.browser(pytest.mark.django_db(transaction=True)(test))


@pytest.fixture
def watched_page(page):
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => { window.__csp = (window.__csp || []).concat([e.violatedDirective + ' ' + e.blockedURI]); });"
    )
    page.violations = violations
    return page


def _csp_reports(page) -> list[str]:
    return page.violations + (page.evaluate("window.__csp || []") or [])


@in_chromium
def test_sign_in_dashboard_menu_and_language_without_csp_violations(live_server, watched_page):
    page = watched_page
    org = f.make_org("monitoring_body", name="Committee on Women and Family Affairs")
    f.make_user(org, Role.MONITORING_VIEWER, "monitor")
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "monitor")
    page.fill("input[name=password]", f.PASSWORD)
    page.fill("input[name=otp_token]", code_for())
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/reports/")
    assert page.locator("h1").first.inner_text() in ("Monitoring", "Мониторинг")

    # The mobile menu opens (Bootstrap's collapse, no inline script).
    menu = page.locator("#mainnav")
    assert not menu.is_visible()
    page.click("button.navbar-toggler")
    menu.locator("text=Committee on Women and Family Affairs").wait_for(state="visible")

    # The language switcher (Bootstrap's dropdown, no inline script) changes
    # the interface language.
    before = page.locator("html").get_attribute("lang")
    other = "en" if before == "ru" else "ru"
    switcher = page.locator("nav form[action='/i18n/setlang/']")
    assert not switcher.is_visible()
    page.click("#language-menu")
    switcher.locator(f"button[value={other}]").click()
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == other

    assert _csp_reports(page) == []


@in_chromium
def test_two_factor_setup_shows_the_qr_code_without_csp_violations(live_server, watched_page):
    page = watched_page
    org = f.make_org("programme_provider", name="Bishkek Consultation Room")
    newcomer = f.make_user(org, Role.PSYCHOLOGIST, "newcomer", totp=False)
    code = enrolment_code_issue(user=newcomer, actor=None)

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "newcomer")
    page.fill("input[name=password]", f.PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/accounts/two-factor/setup/")
    # The QR code comes only after the administrator's enrolment code.
    assert page.locator("img.qr-code").count() == 0
    page.fill("input[name=enrolment_code]", code)
    page.locator("input[name=enrolment_code]").press("Enter")
    qr = page.locator("img.qr-code")
    qr.wait_for(state="visible")
    assert page.evaluate("document.querySelector('img.qr-code').naturalWidth") > 0
    assert _csp_reports(page) == []


def test_bandit_finds_nothing_above_low_severity():
    """`make security`: bandit over the project's code. A finding above low
    severity fails unless it carries ``# nosec <id>`` with its reason."""
    pytest.importorskip("bandit")
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-c", "pyproject.toml", "-r", ".", "-ll", "-q", "-f", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    report = json.loads(result.stdout)
    found = [f"{r['filename']}:{r['line_number']} {r['test_id']}" for r in report["results"]]
    assert found == []
    assert result.returncode == 0
    scanned = report["metrics"]["_totals"]["loc"]
    assert scanned > 10_000  # the project's code, not an empty selection
    assert not any("/tests/" in name or ".venv" in name for name in report["metrics"] if name != "_totals")
