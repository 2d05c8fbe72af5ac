"""Alert channels: each staff member's own ways of being reached away from
the screen ("My alerts"), their confirmation, Telegram linking, and who in
an organisation can be reached for which urgency (the reach report).

- A channel (SMS, email, Telegram) gets deliveries only once confirmed: its
  owner asked for a test message, received a 6-digit code through it and
  typed it in within ``ALERT_CODE_MINUTES`` (at most ``ALERT_CODE_MAX_TRIES``
  wrong tries per code). Changing the address unconfirms it.
- Telegram is linked through the project's bot: the page shows a one-time
  code and the link t.me/<bot>?start=<code>; ``telegram_link_poll`` reads the
  bot's updates (offset kept in ``TelegramPollState``) and links the chat
  whose "/start <code>" matches an unexpired, unused code. Codes are stored
  hashed and used once.
- Per channel, the urgencies that reach her there (default: all).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Membership, Organisation
from accounts.permissions import REFERRER_ROLES
from notifications import sms
from notifications.channels import ChannelError, telegram
from notifications.models import AlertChannel, Notice, TelegramLinkCode, TelegramPollState
from notifications.recipients import (
    DECISION_EVENTS,
    HANDLING_ROLES,
    POLICE_ALWAYS,
    POLICE_IF_MANDATORY,
    PROVIDER_ALWAYS,
    SURVIVOR_SIDE,
)
from notifications.urgency import Urgency, kinds_of

logger = logging.getLogger(__name__)

K = AlertChannel.Kind
URGENCIES = [Urgency.URGENT, Urgency.ACTION, Urgency.INFORMATION]


def _hash(code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), code.encode(), hashlib.sha256).hexdigest()


# --- the channels of one user -----------------------------------------------------


def live_channels(user, urgency: str | None = None) -> list[AlertChannel]:
    """Her confirmed channels (for ``urgency``, if given). Reads the
    prefetched ``alert_channels`` when there are."""
    channels = [c for c in user.alert_channels.all() if c.confirmed_at is not None]
    if urgency is not None:
        channels = [c for c in channels if urgency in (c.urgencies or [])]
    return sorted(channels, key=lambda c: [K.SMS, K.TELEGRAM, K.EMAIL].index(c.kind))


def reach_of(user) -> dict[str, list[str]]:
    """{urgency: [channel kinds]} over her confirmed channels."""
    channels = live_channels(user)
    return {u: [c.kind for c in channels if u in (c.urgencies or [])] for u in URGENCIES}


def _join(kinds: list[str]) -> str:
    labels = [str(K(kind).label) for kind in kinds]
    if len(labels) == 1:
        return labels[0]
    return _("%(first)s and %(last)s") % {"first": ", ".join(labels[:-1]), "last": labels[-1]}


def reach_sentences(user) -> list[str]:
    """Plain sentences: will she be alerted away from the screen, and for
    which urgencies."""
    reach = reach_of(user)
    if not any(reach.values()):
        return [_("You will not be alerted away from the screen: add a channel on “My alerts”.")]
    lines = []
    for urgency, kinds in reach.items():
        if urgency == Urgency.URGENT:
            lines.append(
                _("Urgent notices reach you by %(channels)s.") % {"channels": _join(kinds)}
                if kinds
                else _("You have no off-line channel for urgent notices.")
            )
        elif urgency == Urgency.ACTION:
            lines.append(
                _("Notices asking for action reach you by %(channels)s.") % {"channels": _join(kinds)}
                if kinds
                else _("You have no off-line channel for notices asking for action.")
            )
        else:
            lines.append(
                _("Information notices reach you by %(channels)s.") % {"channels": _join(kinds)}
                if kinds
                else _("You have no off-line channel for information notices.")
            )
    return lines


@transaction.atomic
def channel_save(*, user, kind: str, address: str, urgencies: list[str], now=None) -> AlertChannel:
    """Add or change one of her channels. A new address must be confirmed
    again."""
    now = now or timezone.now()
    urgencies = [u for u in URGENCIES if u in set(urgencies)]
    channel = AlertChannel.objects.select_for_update().filter(user=user, kind=kind).first()
    if channel is None:
        return AlertChannel.objects.create(user=user, kind=kind, address=address, urgencies=urgencies, created_at=now)
    if channel.address != address:
        channel.address = address
        channel.confirmed_at = None
        channel.code_hash, channel.code_expires_at, channel.code_tries = "", None, 0
    channel.urgencies = urgencies
    channel.save()
    return channel


@transaction.atomic
def channel_set_urgencies(*, channel: AlertChannel, urgencies: list[str]) -> AlertChannel:
    channel.urgencies = [u for u in URGENCIES if u in set(urgencies)]
    channel.save(update_fields=["urgencies"])
    return channel


@transaction.atomic
def channel_delete(*, channel: AlertChannel) -> None:
    channel.delete()


def send_direct(*, kind: str, to: str, subject: str, text: str, key: str) -> None:
    """Send at once, outside the relay (test messages, link answers)."""
    if kind == K.EMAIL:
        EmailMessage(subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]).send()
    elif kind == K.SMS:
        sms.send_sms(to=to, text=text, idempotency_key=key)
    elif kind == K.TELEGRAM:
        telegram.send_telegram(to=to, text=text, idempotency_key=key)
    else:
        raise ValueError(f"Unknown channel {kind!r}")


def channel_send_code(*, channel: AlertChannel, now=None) -> None:
    """Send a test message with a fresh 6-digit code through the channel."""
    now = now or timezone.now()
    code = f"{secrets.randbelow(10**6):06d}"
    language = getattr(channel.user, "preferred_language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = _("Your confirmation code")
        text = _("Test message from the casework system. Your confirmation code: %(code)s") % {"code": code}
    try:
        send_direct(
            kind=channel.kind,
            to=channel.address,
            subject=subject,
            text=text,
            key=f"confirm-{channel.pk}-{now.timestamp():.0f}",
        )
    except (ChannelError, sms.SMSError) as exc:
        logger.warning("Test message on %s channel #%s not sent: %s.", channel.kind, channel.pk, exc.reason)
        raise ValidationError(_("The test message could not be sent. Check the address and try again.")) from exc
    except Exception as exc:  # noqa: BLE001 - email backends raise many kinds
        logger.warning("Test message on %s channel #%s not sent: %s.", channel.kind, channel.pk, type(exc).__name__)
        raise ValidationError(_("The test message could not be sent. Check the address and try again.")) from exc
    AlertChannel.objects.filter(pk=channel.pk).update(
        code_hash=_hash(f"{channel.pk}:{code}"),
        code_expires_at=now + dt.timedelta(minutes=settings.ALERT_CODE_MINUTES),
        code_tries=0,
    )


def channel_confirm(*, channel: AlertChannel, code: str, now=None) -> AlertChannel:
    """Confirm the channel with the code of its test message. A wrong try
    is counted (and kept) before the error is raised."""
    now = now or timezone.now()
    code = (code or "").strip()
    with transaction.atomic():
        row = AlertChannel.objects.select_for_update().get(pk=channel.pk)
        if not row.code_hash or row.code_expires_at is None:
            error = _("Send a test message first.")
        elif now >= row.code_expires_at or row.code_tries >= settings.ALERT_CODE_MAX_TRIES:
            error = _("This code has expired. Send a new test message.")
        elif not hmac.compare_digest(row.code_hash, _hash(f"{row.pk}:{code}")):
            AlertChannel.objects.filter(pk=row.pk).update(code_tries=row.code_tries + 1)
            error = _("This is not the code we sent. Check the message and try again.")
        else:
            error = ""
            row.confirmed_at = now
            row.code_hash, row.code_expires_at, row.code_tries = "", None, 0
            row.save(update_fields=["confirmed_at", "code_hash", "code_expires_at", "code_tries"])
    if error:
        raise ValidationError({"code": error})
    return row


# --- Telegram linking -------------------------------------------------------------


def telegram_link_start(*, user, now=None) -> tuple[str, str]:
    """A new one-time code for her and the bot link to open."""
    now = now or timezone.now()
    code = secrets.token_urlsafe(12).replace("-", "x").replace("_", "y")
    TelegramLinkCode.objects.create(
        user=user,
        code_hash=_hash(f"tg:{code}"),
        expires_at=now + dt.timedelta(minutes=settings.ALERT_CODE_MINUTES),
        created_at=now,
    )
    bot = settings.TELEGRAM_BOT_USERNAME or "your_bot"
    return code, f"https://t.me/{bot}?start={code}"


@transaction.atomic
def telegram_link_chat(*, code: str, chat_id: str, now=None) -> AlertChannel | None:
    """Link ``chat_id`` to the user of an unexpired, unused ``code``."""
    now = now or timezone.now()
    link = (
        TelegramLinkCode.objects.select_for_update()
        .filter(code_hash=_hash(f"tg:{code}"), used_at__isnull=True, expires_at__gt=now)
        .select_related("user")
        .first()
    )
    if link is None:
        return None
    link.used_at = now
    link.save(update_fields=["used_at"])
    return channel_save(user=link.user, kind=K.TELEGRAM, address=str(chat_id), urgencies=URGENCIES, now=now)


def telegram_link_poll(*, now=None, timeout: float | None = None) -> int:
    """Read the bot's new messages and link the chats that sent "/start
    <code>". Returns how many were linked. The offset is stored before the
    links are made, so a crash loses at most the links of one poll (the
    user sends the code again), never handles an update twice."""
    now = now or timezone.now()
    if not settings.TELEGRAM_BOT_TOKEN:
        return 0
    with transaction.atomic():
        state, _created = TelegramPollState.objects.select_for_update().get_or_create(pk=1)
        answer = telegram.api_call(
            "getUpdates", {"offset": state.offset, "timeout": 0, "allowed_updates": ["message"]}, timeout=timeout
        )
        updates = answer.get("result") or []
        starts = []
        for update in updates:
            state.offset = max(state.offset, int(update.get("update_id", 0)) + 1)
            message = update.get("message") or {}
            text = (message.get("text") or "").strip()
            chat = (message.get("chat") or {}).get("id")
            if chat is not None and text.startswith("/start "):
                starts.append((text.split(maxsplit=1)[1].strip(), str(chat)))
        state.polled_at = now
        state.save(update_fields=["offset", "polled_at"])
    linked = 0
    for code, chat_id in starts:
        if telegram_link_chat(code=code, chat_id=chat_id, now=now) is not None:
            linked += 1
    if linked:
        logger.info("Telegram: %d chat(s) linked.", linked)
    return linked


# --- the reach of an organisation -------------------------------------------------

HINT_OF_KIND = {
    # Every kind of referring body (police unit, court, commission, local
    # government, ministry department) hears of its referrals' course.
    **{kind: Notice.Recipient.POLICE for kind in REFERRER_ROLES},
    Organisation.Kind.SURVIVOR_SERVICE: Notice.Recipient.SURVIVOR_SERVICE,
    Organisation.Kind.PROGRAMME_PROVIDER: Notice.Recipient.PROVIDER,
}
KINDS_OF_HINT = {
    Notice.Recipient.SURVIVOR_SERVICE: set(SURVIVOR_SIDE),
    Notice.Recipient.POLICE: set(POLICE_ALWAYS) | set(POLICE_IF_MANDATORY) | set(DECISION_EVENTS.values()),
    # A provider hears of its own kinds, and of the survivor side when the
    # case has no survivor service.
    Notice.Recipient.PROVIDER: set(PROVIDER_ALWAYS) | set(SURVIVOR_SIDE),
}
# Notices that escalate at once when nobody can be reached for them.
ESCALATE_UNREACHABLE = frozenset({Urgency.URGENT, Urgency.ACTION})


@dataclass
class UrgencyReach:
    urgency: str
    kinds: list[str]
    # {channel kind: [(user id, username)]}
    by_channel: dict[str, list[tuple[int, str]]] = field(default_factory=dict)

    @property
    def gap(self) -> bool:
        return not any(self.by_channel.values())

    @property
    def label(self) -> str:
        return str(Urgency(self.urgency).label)

    @property
    def kind_labels(self) -> list[str]:
        from notifications.models import SafetyEvent

        return [str(SafetyEvent.Kind(k).label) for k in self.kinds]


@dataclass
class OrganisationReach:
    organisation: Organisation
    urgencies: list[UrgencyReach]
    handlers: list[tuple[int, str]]

    @property
    def gaps(self) -> list[str]:
        return [u.urgency for u in self.urgencies if u.gap]


def organisation_reach(organisation: Organisation) -> OrganisationReach | None:
    """Who handling this organisation's notices can be alerted off-line,
    per urgency and channel. None: it receives no safety events."""
    hint = HINT_OF_KIND.get(organisation.kind)
    if hint is None:
        return None
    members = list(
        Membership.objects.filter(organisation=organisation, role__in=list(HANDLING_ROLES[hint]), user__is_active=True)
        .select_related("user")
        .prefetch_related("user__alert_channels")
        .order_by("user_id")
    )
    rows = []
    for urgency in URGENCIES:
        kinds = [k for k in kinds_of(urgency) if k in KINDS_OF_HINT[hint]]
        reach = UrgencyReach(urgency=urgency, kinds=kinds, by_channel={k: [] for k in (K.SMS, K.TELEGRAM, K.EMAIL)})
        for membership in members:
            for channel in live_channels(membership.user, urgency):
                entry = (membership.user_id, membership.user.username)
                if entry not in reach.by_channel[channel.kind]:
                    reach.by_channel[channel.kind].append(entry)
        rows.append(reach)
    handlers = sorted({(m.user_id, m.user.username) for m in members})
    return OrganisationReach(organisation=organisation, urgencies=rows, handlers=handlers)


def all_reach(organisations=None) -> list[OrganisationReach]:
    organisations = organisations if organisations is not None else Organisation.objects.filter(is_active=True)
    found = (organisation_reach(o) for o in organisations.order_by("name", "id"))
    return [r for r in found if r is not None]


def reach_as_json(reports: list[OrganisationReach]) -> list[dict]:
    return [
        {
            "organisation_id": r.organisation.pk,
            "organisation": r.organisation.name,
            "kind": r.organisation.kind,
            "handlers": [{"id": uid, "username": name} for uid, name in r.handlers],
            "urgencies": {
                u.urgency: {
                    "event_kinds": u.kinds,
                    "channels": {
                        kind: [{"id": uid, "username": name} for uid, name in users]
                        for kind, users in u.by_channel.items()
                    },
                    "gap": u.gap,
                }
                for u in r.urgencies
            },
            "gaps": r.gaps,
        }
        for r in reports
    ]
