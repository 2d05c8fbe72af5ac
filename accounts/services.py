"""Sign-in and second factor: the writes behind the account pages.

Password checks go through ``django.contrib.auth.authenticate`` with the
request, so django-axes counts failures and refuses locked-out clients. A
wrong second-factor code counts as a failed sign-in as well, so the code
cannot be guessed with a known password.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in, user_login_failed
from django.contrib.auth import login as auth_login
from django.db import transaction
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User

PENDING_DEVICE_NAME = "default"


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in attempt. ``user`` is None when refused."""

    user: User | None
    needs_setup: bool = False
    locked_out: bool = False


def confirmed_devices(user: User):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True)


def has_confirmed_device(user: User) -> bool:
    return confirmed_devices(user).exists()


def _record_failure(request: HttpRequest, username: str) -> None:
    """Tell django-axes (and anyone listening) that a sign-in failed."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


def _match_device(user: User, code: str) -> TOTPDevice | None:
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
    return SignIn(user=user)


def is_locked_out(request: HttpRequest, username: str) -> bool:
    return AxesProxyHandler.is_locked(request, credentials={"username": username})


def session_verify(request: HttpRequest, *, code: str) -> SignIn:
    """Verify the second factor for a session that is signed in but not
    verified. A wrong code counts as a failed sign-in; a locked-out client
    is refused without looking at the code."""
    user = request.user
    username = user.get_username()
    if is_locked_out(request, username):
        return SignIn(user=None, locked_out=True)
    device = _match_device(user, code)
    if device is None:
        _record_failure(request, username)
        return SignIn(user=None, locked_out=bool(getattr(request, "axes_locked_out", False)))
    request.session.cycle_key()
    otp_login(request, device)
    # The sign-in is complete now: resets the failure count (AXES_RESET_ON_SUCCESS).
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    return SignIn(user=user)


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed device being set up, created on first use. Reused on
    reload so that a code scanned a moment ago still works."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=PENDING_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def device_confirm(request: HttpRequest, *, device: TOTPDevice, code: str) -> bool:
    """Confirm the pending device with a code from it, then mark the session
    verified. Other unconfirmed devices of the user are removed."""
    if not device.verify_token(code):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    request.session.cycle_key()
    otp_login(request, device)
    return True


def device_secret_base32(device: TOTPDevice) -> str:
    """The secret for manual entry, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def device_qr_data_uri(device: TOTPDevice) -> str:
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


def safe_next(request: HttpRequest, url: str | None) -> str | None:
    """``url`` if it points to this site, else None."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None
