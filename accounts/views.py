"""Sign-in, second factor (and its confirmation before a sensitive action) and sign-out pages."""

from __future__ import annotations

from urllib.parse import urlencode

from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts import services
from accounts.acting import acting_user
from accounts.forms import CODE_FIELD, ENROLMENT_FIELD, CodeForm, EnrolmentCodeForm, LoginForm, normalise_code
from core.languages import is_interface_language
from core.redirects import safe_next

# One message for every refusal, so that nobody learns which part was wrong.
GENERIC_LOGIN_ERROR = _("Username, password or code is incorrect.")
WRONG_CODE_ERROR = _("The code is incorrect. Enter the code your app shows now.")
ENROLMENT_CODE_ERROR = _(
    "This enrolment code is not valid: it may be mistyped, used already or expired. "
    "Ask your administrator for a new one."
)
SETUP_CODE_ERROR = _("This code does not match. Check that the time on your phone is correct and try again.")


def _next_from(request) -> str | None:
    return safe_next(request, request.POST.get("next") or request.GET.get("next"))


def _url_with_next(name: str, next_url: str | None) -> str:
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _done(next_url: str | None):
    return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))


def _without_secrets(form):
    """Show the form again with the username kept but no password or code."""
    data = form.data.copy()
    data.pop("password", None)
    data.pop(CODE_FIELD, None)
    form.data = data
    return form


def _locked_out(request, username: str):
    return get_lockout_response(request, None, {"username": username})


@sensitive_post_parameters("password", CODE_FIELD)
@csrf_protect
@never_cache
def login_view(request):
    next_url = _next_from(request)
    if request.user.is_authenticated and request.user.is_verified():
        return _done(next_url)

    form = LoginForm(request.POST or None, initial={"next": next_url or ""})
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        result = services.sign_in(
            request,
            username=username,
            password=form.cleaned_data["password"],
            code=normalise_code(form.cleaned_data[CODE_FIELD]),
        )
        if result.locked_out:
            return _locked_out(request, username)
        if result.user is not None:
            if result.needs_setup:
                return redirect(_url_with_next("accounts:two_factor_setup", next_url))
            return _done(next_url)
        form.add_error(None, GENERIC_LOGIN_ERROR)
        _without_secrets(form)
    elif request.method == "POST":
        _without_secrets(form)
    return render(request, "accounts/login.html", {"form": form})


def _code_page(request, next_url: str | None, template: str):
    """A code from the authenticator, for the signed-in session: the right
    one verifies it and goes on to ``next_url``; too many wrong ones sign
    out and lock the account; a wrong one is an error on the field. The
    code is never shown back."""
    form = CodeForm(request.POST or None, initial={"next": next_url or ""})
    if request.method == "POST" and form.is_valid():
        username = request.user.get_username()
        result = services.session_verify(request, code=form.cleaned_data[CODE_FIELD])
        if result.locked_out:
            logout(request)
            return _locked_out(request, username)
        if result.user is not None:
            return _done(next_url)
        form.add_error(CODE_FIELD, WRONG_CODE_ERROR)
    if form.is_bound:
        _without_secrets(form)
    return render(request, template, {"form": form})


@sensitive_post_parameters(CODE_FIELD)
@never_cache
@login_required
def verify_view(request):
    """Second factor for a session signed in with the password only."""
    next_url = _next_from(request)
    if request.user.is_verified():
        return _done(next_url)
    if not services.has_confirmed_device(acting_user(request)):
        return redirect(_url_with_next("accounts:two_factor_setup", next_url))
    return _code_page(request, next_url, "accounts/verify.html")


@sensitive_post_parameters(CODE_FIELD)
@never_cache
@login_required
def reauth_view(request):
    """Type a code again before a sensitive action (``accounts.reauth``),
    then go back to it."""
    next_url = _next_from(request)
    if not request.user.is_verified():
        return redirect(_url_with_next("accounts:verify", next_url))
    return _code_page(request, next_url, "accounts/reauth.html")


@sensitive_post_parameters(CODE_FIELD, ENROLMENT_FIELD)
@never_cache
@login_required
def two_factor_setup_view(request):
    """Enrol an authenticator app. Only for accounts with no confirmed
    device, and only after the session has redeemed a single-use enrolment
    code issued by an administrator: the password alone never shows a
    secret. A session that has not passed its second factor can never add a
    device."""
    next_url = _next_from(request)
    if services.has_confirmed_device(acting_user(request)):
        if request.user.is_verified():
            return _done(next_url)
        return redirect(_url_with_next("accounts:verify", next_url))

    if not services.enrolment_allowed(request):
        form = EnrolmentCodeForm(request.POST or None, initial={"next": next_url or ""})
        if request.method == "POST" and form.is_valid():
            username = request.user.get_username()
            if services.is_locked_out(request, username):
                logout(request)
                return _locked_out(request, username)
            if services.enrolment_code_redeem(request, code=form.cleaned_data[ENROLMENT_FIELD]):
                return redirect(_url_with_next("accounts:two_factor_setup", next_url))
            if getattr(request, "axes_locked_out", False):
                logout(request)
                return _locked_out(request, username)
            form.add_error(ENROLMENT_FIELD, ENROLMENT_CODE_ERROR)
        if form.is_bound:
            data = form.data.copy()
            data.pop(ENROLMENT_FIELD, None)
            form.data = data
        return render(request, "accounts/enrolment_code.html", {"form": form})

    device = services.pending_device(acting_user(request))
    form = CodeForm(request.POST or None, initial={"next": next_url or ""})
    if request.method == "POST" and form.is_valid():
        if services.device_confirm(request, device=device, code=form.cleaned_data[CODE_FIELD]):
            messages.success(request, _("Two-factor sign-in is set up. You will need a code each time you sign in."))
            return _done(next_url)
        form.add_error(CODE_FIELD, SETUP_CODE_ERROR)
    if form.is_bound:
        _without_secrets(form)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_data_uri": services.device_qr_data_uri(device),
            "secret": services.device_secret_base32(device),
        },
    )


@require_POST
@never_cache
def logout_view(request):
    """Signs out, and has the browser delete what this site keeps on the
    device (the field-work store in IndexedDB, the offline page in Cache
    Storage, the service worker): the page's own script wipes them before it
    sends the form, and this header does it even when that script could not
    (it hung, failed, or never ran)."""
    logout(request)
    messages.info(request, _("You have been signed out."))
    response = redirect(settings.LOGOUT_REDIRECT_URL)
    response["Clear-Site-Data"] = '"storage"'
    return response


def set_language_view(request):
    """Django's language switcher (the cookie, then back to the page), and for
    a signed-in user the choice kept on her profile (UserLanguageMiddleware).
    Only a POST changes anything; a GET is sent back, as Django's view does."""
    language = request.POST.get("language", "")
    if not is_interface_language(language):
        # Django would set a cookie for any language it has a catalogue of.
        return redirect(safe_next(request, request.POST.get("next")) or "/")
    response = i18n.set_language(request)
    if request.user.is_authenticated:
        services.preferred_language_set(user=request.user, language=language)
    return response
