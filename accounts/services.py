"""Sign-in and second factor: the writes behind the account pages.

Password checks go through ``django.contrib.auth.authenticate`` with the
request, so django-axes counts failures and refuses locked-out clients. A
wrong second-factor code counts as a failed sign-in as well, so the code
cannot be guessed with a known password.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in, user_login_failed
from django.contrib.auth import login as auth_login
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from accounts.acting import acting_user
from accounts.models import SEALED_KEY, EnrolmentCode, SealedTOTPDevice, TOTPSecret, TwoFactorEvent, User
from accounts.reauth import second_factor_confirmed
from accounts.tokens import api_tokens_revoke_all
from core.dates import short_datetime
from core.languages import interface_language, is_interface_language

PENDING_DEVICE_NAME = "default"
# The session key that holds the id of the enrolment code redeemed in it.
ENROLMENT_SESSION_KEY = "accounts:enrolment_code"


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in attempt. ``user`` is None when refused."""

    user: User | None
    needs_setup: bool = False
    locked_out: bool = False


def confirmed_devices(user: User):
    return SealedTOTPDevice.objects.devices_for_user(user, confirmed=True)


@transaction.atomic
def totp_device_create(*, user: User, name: str, confirmed: bool, key_hex: str | None = None) -> SealedTOTPDevice:
    """A TOTP device whose seed (``key_hex``, random if not given) is stored
    encrypted (``TOTPSecret``); the device row holds only the marker."""
    device = SealedTOTPDevice.objects.create(user=user, name=name, confirmed=confirmed, key=SEALED_KEY)
    TOTPSecret.objects.create(device=device, key=(key_hex or random_hex(20)).lower())
    return device


def device_key_hex(device: TOTPDevice) -> str:
    """A device's seed in hex (for the development-only demo code printer)."""
    return TOTPSecret.objects.get(device_id=device.pk).key


def has_confirmed_device(user: User) -> bool:
    return confirmed_devices(user).exists()


def _record_failure(request: HttpRequest, username: str) -> None:
    """Tell django-axes (and anyone listening) that a sign-in failed."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


def _match_device(user: User, code: str) -> SealedTOTPDevice | None:
    for device in confirmed_devices(user):
        verified = verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified
    return None


def sign_in(request: HttpRequest, *, username: str, password: str, code: str) -> SignIn:
    """Check password and code; on success sign the user in and mark the
    session verified. A user with no confirmed device signs in with the
    password only and must set one up before anything else."""
    user = authenticate(request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        return SignIn(user=None, locked_out=True)
    if user is None:
        return SignIn(user=None)

    if not has_confirmed_device(user):
        auth_login(request, user)
        return SignIn(user=user, needs_setup=True)

    device = _match_device(user, code) if code else None
    if device is None:
        _record_failure(request, username)
        return SignIn(user=None, locked_out=bool(getattr(request, "axes_locked_out", False)))

    auth_login(request, user)  # rotates the session key; axes resets the failure count
    otp_login(request, device)
    second_factor_confirmed(request)
    _tell_unseen_events(request, user)
    return SignIn(user=user)


def is_locked_out(request: HttpRequest, username: str) -> bool:
    return AxesProxyHandler.is_locked(request, credentials={"username": username})


def session_verify(request: HttpRequest, *, code: str) -> SignIn:
    """Verify the second factor for a session that is signed in but not
    verified, or confirm it again before a sensitive action
    (``accounts.reauth``). A wrong code counts as a failed sign-in; a
    locked-out client is refused without looking at the code."""
    user = acting_user(request)
    username = user.get_username()
    if is_locked_out(request, username):
        return SignIn(user=None, locked_out=True)
    device = _match_device(user, code)
    if device is None:
        _record_failure(request, username)
        return SignIn(user=None, locked_out=bool(getattr(request, "axes_locked_out", False)))
    request.session.cycle_key()
    otp_login(request, device)
    second_factor_confirmed(request)
    # The sign-in is complete now: resets the failure count (AXES_RESET_ON_SUCCESS).
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    _tell_unseen_events(request, user)
    return SignIn(user=user)


def pending_device(user: User) -> SealedTOTPDevice:
    """The unconfirmed device being set up, created on first use. Reused on
    reload so that a code scanned a moment ago still works. Only call this
    for a session that redeemed an enrolment code (``enrolment_allowed``)."""
    device = SealedTOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = totp_device_create(user=user, name=PENDING_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def device_confirm(request: HttpRequest, *, device: SealedTOTPDevice, code: str) -> bool:
    """Confirm the pending device with a code from it, then mark the session
    verified. Other unconfirmed devices of the user are removed. The
    enrolment is audited and the user told by email."""
    if not enrolment_allowed(request):
        return False
    if not device.verify_token(code):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    request.session.pop(ENROLMENT_SESSION_KEY, None)
    request.session.cycle_key()
    otp_login(request, device)
    second_factor_confirmed(request)
    _record_event(user=device.user, actor=device.user, kind=TwoFactorEvent.Kind.ENROLLED, seen=True)
    return True


# -- enrolment codes --------------------------------------------------------


def _hash_code(code: str) -> str:
    return hashlib.sha256(normalise_enrolment_code(code).encode("ascii", "ignore")).hexdigest()


def normalise_enrolment_code(code: str) -> str:
    """Codes are read out or typed from paper: ignore spaces, dashes and case."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _new_code() -> str:
    # 16 characters of an alphabet without look-alikes: about 80 bits.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


@transaction.atomic
def enrolment_code_issue(*, user: User, actor: User | None, reset: bool = False) -> str:
    """Issue a single-use enrolment code for ``user`` and return it (the only
    time it exists in clear). Earlier unused codes stop working. With
    ``reset`` the user's devices are removed first (a lost phone) and her API
    tokens revoked (a token stands for the second factor it was issued
    under). Audited, and the user is told by email."""
    now = timezone.now()
    EnrolmentCode.objects.filter(user=user, used_at=None).update(used_at=now, expires_at=now)
    if reset:
        TOTPDevice.objects.filter(user=user).delete()
        api_tokens_revoke_all(user=user)
        _record_event(user=user, actor=actor, kind=TwoFactorEvent.Kind.RESET)
    code = _new_code()
    EnrolmentCode.objects.create(
        user=user,
        code_hash=_hash_code(code),
        issued_by=actor,
        expires_at=now + dt.timedelta(hours=settings.ENROLMENT_CODE_HOURS),
    )
    _record_event(user=user, actor=actor, kind=TwoFactorEvent.Kind.CODE_ISSUED)
    return code


@transaction.atomic
def enrolment_code_redeem(request: HttpRequest, *, code: str) -> bool:
    """Use an enrolment code in the signed-in user's session. It must be the
    user's own, unused and unexpired; it is used up at once. A wrong code
    counts as a failed sign-in (lockout)."""
    user = acting_user(request)
    if has_confirmed_device(user):
        return False
    row = (
        EnrolmentCode.objects.select_for_update()
        .filter(code_hash=_hash_code(code), user=user, used_at=None, expires_at__gt=timezone.now())
        .first()
    )
    if row is None:
        _record_failure(request, user.get_username())
        return False
    row.used_at = timezone.now()
    row.save(update_fields=["used_at"])
    request.session[ENROLMENT_SESSION_KEY] = row.pk
    return True


def enrolment_allowed(request: HttpRequest) -> bool:
    """True if this session redeemed one of the user's codes (still within
    its validity) and the user has no confirmed device yet."""
    code_id = request.session.get(ENROLMENT_SESSION_KEY)
    user = acting_user(request)
    if not code_id or has_confirmed_device(user):
        return False
    return EnrolmentCode.objects.filter(
        pk=code_id, user=user, used_at__isnull=False, expires_at__gt=timezone.now()
    ).exists()


def _record_event(*, user: User, actor: User | None, kind: str, seen: bool = False) -> TwoFactorEvent:
    event = TwoFactorEvent.objects.create(user=user, actor=actor, kind=kind, seen_at=timezone.now() if seen else None)
    transaction.on_commit(lambda: _email_event(event))
    return event


EVENT_TEXTS = {
    TwoFactorEvent.Kind.CODE_ISSUED: lambda: _(
        "An administrator issued a code to set up two-factor sign-in for your account."
    ),
    TwoFactorEvent.Kind.ENROLLED: lambda: _("An authenticator app was set up for two-factor sign-in to your account."),
    TwoFactorEvent.Kind.RESET: lambda: _(
        "An administrator removed the authenticator app of your account; a new one must be set up."
    ),
}


def event_text(event: TwoFactorEvent) -> str:
    return EVENT_TEXTS[event.kind]()


def _email_event(event: TwoFactorEvent) -> None:
    """Tell the user at the account's email address. The message holds no
    code and no secret: only what happened and when."""
    user = event.user
    if not user.email:
        return
    with translation.override(interface_language(user.preferred_language)):
        body = "\n\n".join(
            [
                event_text(event),
                _("When: %(when)s") % {"when": short_datetime(event.created_at)},
                _("If you did not expect this, tell your organisation's administrator at once."),
            ]
        )
        send_mail(_("Two-factor sign-in changed"), body, None, [user.email], fail_silently=True)


def _tell_unseen_events(request: HttpRequest, user: User) -> None:
    """At sign-in, show the second-factor changes the user has not seen."""
    from django.contrib import messages

    events = list(TwoFactorEvent.objects.filter(user=user, seen_at=None).order_by("created_at"))
    for event in events:
        messages.warning(
            request,
            _("%(what)s (%(when)s)") % {"what": event_text(event), "when": short_datetime(event.created_at)},
        )
    if events:
        TwoFactorEvent.objects.filter(pk__in=[e.pk for e in events]).update(seen_at=timezone.now())


def device_secret_base32(device: SealedTOTPDevice) -> str:
    """The secret for manual entry, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def device_qr_data_uri(device: SealedTOTPDevice) -> str:
    """The otpauth:// URL as an SVG QR code in a data: URI (allowed by the
    CSP's img-src; no inline markup or style needed)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for the lockout (AXES_CLIENT_IP_CALLABLE).

    Behind ``TRUSTED_PROXY_COUNT`` reverse proxies the client is the entry
    that many places from the right of X-Forwarded-For (each proxy appends
    the address it saw); anything further left could be forged. Without
    proxies, or with a shorter header, REMOTE_ADDR."""
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR")


def preferred_language_set(*, user: User, language: str) -> None:
    """Keep the interface language on the user's profile: her pages follow it
    on any browser, and her emails and SMS are written in it."""
    if not is_interface_language(language):
        raise ValueError(f"Not an interface language: {language!r}")
    User.objects.filter(pk=user.pk).update(preferred_language=language)
    user.preferred_language = language
