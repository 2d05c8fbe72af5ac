from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from core.search import current_search, handle_search_post


def _request(method, data=None, session=None):
    factory = RequestFactory()
    request = factory.post("/referrals/mine/", data or {}) if method == "post" else factory.get("/referrals/mine/")
    request.session = session if session is not None else SessionStore()
    return request


def test_a_posted_term_is_kept_in_the_session_not_the_url(db):
    request = _request("post", {"q": "  Асанов  "})
    response = handle_search_post(request, "referrals:police_list")
    assert response.status_code == 302
    assert response["Location"] == "/referrals/mine/"
    assert current_search(_request("get", session=request.session), "referrals:police_list") == "Асанов"
    assert current_search(_request("get", session=request.session), "casework:case_list") == ""


def test_clear_and_empty_terms_forget_the_search(db):
    request = _request("post", {"q": "Асанов"})
    handle_search_post(request, "x")
    handle_search_post(_request("post", {"clear": "1"}, request.session), "x")
    assert current_search(request, "x") == ""


def test_get_is_left_to_the_view(db):
    assert handle_search_post(_request("get"), "x") is None


def test_a_term_over_a_hundred_characters_is_refused_not_cut(db):
    from django.contrib.messages import get_messages
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = _request("post", {"q": "a" * 100})
    handle_search_post(request, "x")
    longer = _request("post", {"q": "a" * 101}, request.session)
    longer._messages = FallbackStorage(longer)
    handle_search_post(longer, "x")
    assert [str(m) for m in get_messages(longer)] == ["A search can be at most 100 characters; shorten it."]
    assert current_search(request, "x") == "a" * 100


def test_the_session_row_holds_no_search_term_in_clear(db, settings):
    from django.contrib.sessions.models import Session

    request = _request("post", {"q": "Асанова Айгуль"})
    handle_search_post(request, "casework:case_list")
    request.session.save()
    row = Session.objects.get(session_key=request.session.session_key)
    decoded = row.get_decoded()  # the signed JSON Django keeps
    assert "Асанова" not in str(decoded)
    assert decoded["search:casework:case_list"].startswith("fernet:")
    assert "Асанова" not in row.session_data
    # Read back through a fresh session object.
    again = _request("get", session=SessionStore(session_key=request.session.session_key))
    assert current_search(again, "casework:case_list") == "Асанова Айгуль"


def test_a_term_that_no_longer_decrypts_is_forgotten(db):
    session = SessionStore()
    session["search:x"] = "fernet:not-a-token"
    request = _request("get", session=session)
    assert current_search(request, "x") == ""
    assert "search:x" not in request.session
