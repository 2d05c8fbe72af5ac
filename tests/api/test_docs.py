"""GET /api/docs/: the API's interactive reference (Swagger UI), served by
the app itself, for the readers of the schema (accounts/schema.py)."""

from __future__ import annotations

import re

from django.urls import reverse

from tests.conftest import sign_in

URL = "/api/docs/"


def test_the_url_is_named():
    assert reverse("api-docs") == URL


def test_it_renders_swagger_ui_for_a_verified_session(client, users, login):
    login(users["police"])

    response = client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert '<div id="swagger-ui"></div>' in page
    assert "<title>Perpetrator programme casework API</title>" in page
    scripts = re.findall(r"<script([^>]*)>", page)
    assert [re.search(r'src="([^"]+)"', attrs).group(1) for attrs in scripts] == [
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
        "/api/docs/?script=",
    ]


def test_it_loads_nothing_from_another_site(client, users, login):
    login(users["psychologist"])
    page = client.get(URL).content.decode()

    assert "cdn" not in page.lower()
    # Every address the page loads is a path on this site.
    for address in re.findall(r'(?:src|href)="([^"]*)"', page):
        assert address.startswith("/") and not address.startswith("//"), address


def test_the_page_needs_no_exception_to_the_csp(client, users, login):
    login(users["psychologist"])
    response = client.get(URL)
    page = response.content.decode()

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "<style" not in page
    assert all('src="' in attrs for attrs in re.findall(r"<script([^>]*)>", page))


def test_its_start_up_script_points_at_the_schema(client, users, login):
    login(users["police"])

    response = client.get(URL + "?script=")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    script = response.content.decode()
    assert '"/api/schema/"' in script
    # No call to Swagger's public validator; a typed token is not kept.
    assert '"validatorUrl": null' in script
    assert '"persistAuthorization": false' in script


def test_swagger_ui_files_are_served_by_the_app(client):
    response = client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")

    assert response.status_code == 200
    assert b"SwaggerUIBundle" in b"".join(response.streaming_content)


def test_a_token_may_read_it(api, users):
    response = api(users["police"]).get(URL)

    assert response.status_code == 200
    assert b"swagger-ui" in response.content


def test_it_rejects_anonymous_users(client):
    response = client.get(URL)

    assert response.status_code == 401
    assert b"swagger" not in response.content.lower()


def test_it_rejects_a_session_without_the_second_factor(client, users):
    sign_in(client, users["psychologist"])

    response = client.get(URL)

    assert response.status_code in {401, 403}
    assert b"swagger" not in response.content.lower()
