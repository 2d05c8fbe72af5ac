"""Safety notifications: an event, a notice per recipient organisation, and
the deliveries that tell people about it.

A ``SafetyEvent`` is one fact about a case (a dropout, a raised risk level,
an order about to expire), or, before there is a case, about a referral (the
provider accepted or declined it: the referring body is told). Its
``dedupe_key`` is unique, so the same fact detected twice (the moment it
happens and again by a sweep) is one event.

A ``Notice`` is what one organisation has to act on: it is acknowledged
(who, when, what was done) or it escalates.

A ``Delivery`` is one message to one place: the organisation's inbox, or one
staff member's email or SMS. It is written in the same transaction as the
event; a relay sends it and records the result. A unique key makes a second
delivery of the same thing to the same person on the same channel impossible.

A ``WebhookSubscription`` is a referring organisation's partner system,
told of every status change of that organisation's referrals: each change
is one ``WebhookEvent`` (codes, ids and a time), and each event has one
``Delivery`` per active subscription (``channel`` "webhook"), written in the
transaction that changed the status and sent by the same relay
(``notifications.webhooks``).

A ``Sanction`` is what the police or a court did after a dropout, expulsion
or non-compliance notice reached them (a warning, a fine, community service,
...): one per notice, and a correction is a new row that supersedes the
last, so the history stays.

A ``Reminder`` (see ``notifications.reminders``) is not a safety notice: a
participant's session tomorrow, an unlogged session, a risk reassessment, a
safety-plan review or a follow-up that is due. Its deliveries are ``Delivery``
rows too (``reminder`` set, ``notice`` and ``event`` empty), so the same relay,
backoff and give-up send them; they never escalate.

Nothing here holds survivor data: ``facts`` carries dates, counts, session
numbers and level names only; the acknowledgement note is encrypted.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from accounts.models import Organisation
from casework.models import Case
from core.crypto import EncryptedCharField, EncryptedTextField
from notifications.urgency import Urgency
from referrals.models import NOTE_MAX_LENGTH, Referral

ACK_NOTE_MAX_LENGTH = 2000


# The provider's decision on a referral (``SafetyEvent.Kind`` values): an
# event about the referral, for information, to its referring body.
DECISION_KINDS = ("referral_accepted", "referral_declined")


class SafetyEvent(models.Model):
    class Kind(models.TextChoices):
        DROPOUT = "dropout", _("Dropped out of the programme")
        EXPULSION = "expulsion", _("Expelled from the programme")
        NEW_VIOLENCE = "new_violence", _("New violence reported")
        RISK_RAISED = "risk_raised", _("Risk level raised")
        NON_COMPLIANCE = "non_compliance", _("Missed a session while the protection order runs")
        ORDER_EXPIRING = "order_expiring", _("Protection order expires soon")
        COMPLETION = "completion", _("Programme completed")
        # The provider's decision on a referral, for its referring body.
        REFERRAL_ACCEPTED = "referral_accepted", _("Referral accepted by the provider")
        REFERRAL_DECLINED = "referral_declined", _("Referral declined by the provider")

    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    # Empty only for a decision on a referral, made before any case exists.
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="safety_events")
    # The referral the event is about (the case's, when there is a case).
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, null=True, blank=True, related_name="safety_events"
    )
    occurred_at = models.DateTimeField(_("occurred at"))
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Null: detected by the system (a sweep), not entered by a person.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # "dropout:enrolment:12", "order_expiring:referral:7:2026-05-01" …
    dedupe_key = models.CharField(max_length=200, unique=True)
    # Non-personal facts only: dates, counts, session numbers, level names.
    facts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("safety event")
        verbose_name_plural = _("safety events")
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=False) | Q(kind__in=DECISION_KINDS, referral__isnull=False),
                name="safety_event_on_a_case_or_a_decided_referral",
            ),
        ]

    def __str__(self) -> str:
        if self.case_id is None:
            return f"{self.kind} on referral #{self.referral_id}"
        return f"{self.kind} on case #{self.case_id}"

    @property
    def on_case(self) -> Case:
        """The event's case: every kind but a decision on a referral has one."""
        if self.case is None:
            raise LookupError(f"Safety event #{self.pk} is about a referral, not a case")
        return self.case

    @property
    def on_referral(self) -> Referral:
        """The referral the event is about (the case's, when it has a case)."""
        referral = self.referral if self.referral_id else self.on_case.referral
        if referral is None:
            raise LookupError(f"Safety event #{self.pk} names no referral")
        return referral


# The notices whose outcome the police or a court record (``Sanction``).
SANCTIONABLE = frozenset({SafetyEvent.Kind.DROPOUT, SafetyEvent.Kind.EXPULSION, SafetyEvent.Kind.NON_COMPLIANCE})


class Notice(models.Model):
    """What one recipient organisation must act on."""

    class Recipient(models.TextChoices):
        SURVIVOR_SERVICE = "survivor_service", _("Survivor service")
        # The referral's referring body, whatever its kind (a police unit, a
        # court, a commission, ...): the code dates from when only the
        # police referred.
        POLICE = "police", _("Referring body")
        PROVIDER = "provider", _("Programme staff")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")

    class Action(models.TextChoices):
        """What a recipient did, as codes (never sentences). Which ones a
        recipient may choose: ``ACTIONS_FOR`` below."""

        SURVIVOR_CALLED = "survivor_called", _("Called her")
        SAFETY_PLAN_REVIEWED = "safety_plan_reviewed", _("Reviewed her safety plan")
        POLICE_INFORMED = "police_informed", _("Informed the police")
        PROGRAMME_INFORMED = "programme_informed", _("Informed the programme staff")
        PERSON_VISITED = "person_visited", _("Visited the person")
        PERSON_CONTACTED = "person_contacted", _("Contacted the person")
        ORDER_CHECKED = "order_checked", _("Checked the protection order")
        SURVIVOR_SERVICE_INFORMED = "survivor_service_informed", _("Informed the survivor service")
        PARTICIPANT_CONTACTED = "participant_contacted", _("Contacted the participant")
        RISK_REASSESSED = "risk_reassessed", _("Reassessed the risk")
        NO_CONTACT_POSSIBLE = "no_contact_possible", _("No contact possible")
        NOTED = "noted", _("Noted")
        REFERRED_ELSEWHERE = "referred_elsewhere", _("Referred the person elsewhere")
        OTHER = "other", _("Other")

    event = models.ForeignKey(SafetyEvent, on_delete=models.CASCADE, related_name="notices")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="safety_notices")
    role_hint = models.CharField(_("for"), max_length=20, choices=Recipient.choices)
    # The case has no survivor service yet: the programme managers received
    # the survivor-side notice and must see to it that she is told.
    no_survivor_service = models.BooleanField(default=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    urgency = models.CharField(_("urgency"), max_length=12, choices=Urgency.choices, default=Urgency.ACTION)
    # None: an information notice, which has no deadline and never escalates.
    ack_due_at = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    actions = ArrayField(
        models.CharField(max_length=32, choices=Action.choices),
        verbose_name=_("what was done"),
        default=list,
        blank=True,
    )
    ack_note = EncryptedTextField(_("note"), max_length=ACK_NOTE_MAX_LENGTH)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # A delivery gave up after its last attempt: someone must phone them.
    delivery_failed_at = models.DateTimeField(null=True, blank=True)
    # Why the notice went up the chain before its deadline: "unreachable"
    # (nobody who handles it there could be alerted off-line for its
    # urgency). Blank: escalated, if at all, for being overdue.
    escalated_because = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("safety notice")
        verbose_name_plural = _("safety notices")
        constraints = [
            models.UniqueConstraint(fields=["event", "organisation"], name="one_notice_per_event_and_organisation"),
            models.CheckConstraint(condition=Q(escalation_level__lte=2), name="notice_escalation_level_0_to_2"),
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "-created_at"], name="notice_inbox"),
            models.Index(fields=["ack_due_at"], condition=Q(status="open"), name="notice_open_due"),
        ]

    def __str__(self) -> str:
        return f"Notice #{self.pk} of event #{self.event_id} for organisation #{self.organisation_id}"

    def is_overdue(self, now=None) -> bool:
        return (
            self.status == self.Status.OPEN
            and self.ack_due_at is not None
            and (now or timezone.now()) >= self.ack_due_at
        )

    @property
    def is_urgent(self) -> bool:
        return self.urgency == Urgency.URGENT

    def action_labels(self) -> list[str]:
        labels = dict(self.Action.choices)
        return [str(labels.get(code, code)) for code in self.actions]

    def action_choices(self) -> list[tuple[str, str]]:
        """The actions this notice's recipient may record."""
        return actions_for(
            self.role_hint,
            no_survivor_service=self.no_survivor_service,
            kind=self.event.kind,
            body_kind=self.organisation.kind,
        )

    @property
    def for_referring_body(self) -> bool:
        """The notice went to the referral's referring body (police unit,
        court, commission, ...), which knows it by the referral's number."""
        return self.role_hint == self.Recipient.POLICE

    @property
    def takes_sanction(self) -> bool:
        """A dropout, expulsion or non-compliance notice: the police unit or
        court it reached records what followed (``Sanction``)."""
        return self.event.kind in SANCTIONABLE

    def last_sanction(self) -> Sanction | None:
        """What followed the notice: its last outcome (a correction is
        always recorded after what it corrects). Prefetch ``sanctions`` for
        a list."""
        return max(self.sanctions.all(), key=lambda row: (row.recorded_at, row.pk), default=None)


_A = Notice.Action
_R = Notice.Recipient
# What each kind of recipient can do about a notice, in the order offered.
ACTIONS_FOR: dict[str, tuple[str, ...]] = {
    _R.SURVIVOR_SERVICE: (
        _A.SURVIVOR_CALLED,
        _A.SAFETY_PLAN_REVIEWED,
        _A.POLICE_INFORMED,
        _A.PROGRAMME_INFORMED,
        _A.NO_CONTACT_POSSIBLE,
        _A.OTHER,
    ),
    _R.POLICE: (
        _A.PERSON_VISITED,
        _A.PERSON_CONTACTED,
        _A.ORDER_CHECKED,
        _A.SURVIVOR_SERVICE_INFORMED,
        _A.PROGRAMME_INFORMED,
        _A.NO_CONTACT_POSSIBLE,
        _A.OTHER,
    ),
    _R.PROVIDER: (
        _A.PARTICIPANT_CONTACTED,
        _A.RISK_REASSESSED,
        _A.SURVIVOR_SERVICE_INFORMED,
        _A.POLICE_INFORMED,
        _A.NO_CONTACT_POSSIBLE,
        _A.OTHER,
    ),
}
# A referring body that is not a police unit (a court, the commission on
# children's rights, local government, a ministry department, a women's
# resource centre) does not visit people as the police do; a court checks
# the order it made.
REFERRER_ACTIONS = (
    _A.PERSON_CONTACTED,
    _A.SURVIVOR_SERVICE_INFORMED,
    _A.PROGRAMME_INFORMED,
    _A.NOTED,
    _A.NO_CONTACT_POSSIBLE,
    _A.OTHER,
)
REFERRER_ACTIONS_BY_KIND: dict[str, tuple[str, ...]] = {
    Organisation.Kind.POLICE_UNIT: ACTIONS_FOR[_R.POLICE],
    Organisation.Kind.COURT: (_A.ORDER_CHECKED, *REFERRER_ACTIONS),
}
# What a referring body does about the provider's decision on its referral.
ACTIONS_FOR_DECISION: dict[str, tuple[str, ...]] = {
    SafetyEvent.Kind.REFERRAL_ACCEPTED: (_A.NOTED, _A.PERSON_CONTACTED, _A.OTHER),
    SafetyEvent.Kind.REFERRAL_DECLINED: (_A.NOTED, _A.REFERRED_ELSEWHERE, _A.PERSON_CONTACTED, _A.OTHER),
}
# A provider that received the survivor-side notice (no survivor service on
# the case) must see to it that she is told.
PROVIDER_FOR_THE_SURVIVOR = (_A.SURVIVOR_CALLED, _A.SAFETY_PLAN_REVIEWED)
# These need a note: why there was no contact, or what was done.
ACTIONS_NEEDING_A_NOTE = frozenset({_A.NO_CONTACT_POSSIBLE, _A.OTHER})


def actions_for(
    role_hint: str, *, no_survivor_service: bool = False, kind: str = "", body_kind: str = ""
) -> list[tuple[str, str]]:
    """The actions offered, in order: for the provider's decision, the
    decision's own; for the referring body, those of its kind
    (``body_kind``: the recipient organisation's kind); else the role's."""
    if kind in ACTIONS_FOR_DECISION:
        codes = list(ACTIONS_FOR_DECISION[kind])
    elif role_hint == _R.POLICE and body_kind:
        codes = list(REFERRER_ACTIONS_BY_KIND.get(body_kind, REFERRER_ACTIONS))
    else:
        codes = list(ACTIONS_FOR.get(role_hint, (_A.OTHER,)))
    if role_hint == _R.PROVIDER and no_survivor_service:
        codes[:0] = PROVIDER_FOR_THE_SURVIVOR
    labels = dict(_A.choices)
    return [(code, labels[code]) for code in codes]


class WebhookSubscription(models.Model):
    """A referring organisation's system, told by a signed POST whenever one
    of the organisation's referrals changes status. The secret signs each
    body (``X-Casework-Signature``); it is made here, shown once and stored
    encrypted (the relay needs it in clear to sign)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="webhook_subscriptions", verbose_name=_("organisation")
    )
    url = models.URLField(_("address (URL)"), max_length=500)
    secret = EncryptedCharField(max_length=100, blank=False)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation_id", "created_at", "id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "url"], name="one_webhook_per_organisation_url"),
        ]

    def __str__(self) -> str:
        # Never the secret: str() reaches logs and the admin.
        return f"Webhook #{self.pk} of organisation #{self.organisation_id}"


class WebhookEvent(models.Model):
    """One status change of a referral, as the partner systems are told it:
    ids, the status code and the time, never a name, a phone or an address.
    ``uid`` is the event id the receiver uses to drop a repeated delivery."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="+")
    # The referring organisation, whose subscriptions are told.
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    # The referral's own reference in the partner's system, as it was then.
    external_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=20)
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")

    def __str__(self) -> str:
        return f"Webhook event {self.uid} ({self.status}) of referral #{self.referral_id}"


# Community service: at least one hour, at most 400 (Kyrgyzstan orders 40).
SERVICE_HOURS_MIN = 1
SERVICE_HOURS_MAX = 400


class Sanction(models.Model):
    """What followed a notice of a dropout, an expulsion or non-compliance,
    recorded by the organisation it reached (the referring police unit or a
    court). Codes and numbers only: no sentence, no note, no survivor data.

    The first row of a notice has ``corrects`` empty; a correction is a new
    row whose ``corrects`` is the row it replaces (once each), so the rows of
    a notice form one chain and its last is what followed."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("Warning")
        FINE = "fine", _("Administrative fine")
        COMMUNITY_SERVICE = "community_service", _("Community service")
        ORDER_EXTENSION = "order_extension", _("Order extended")
        COURT_HEARING = "court_hearing", _("Court hearing")
        NO_ACTION = "no_action", _("No action")

    class NoActionReason(models.TextChoices):
        RESUMED = "resumed", _("The person is back in the programme")
        EXCUSED = "excused", _("The absence turned out to be excused")
        OTHER_PROCEEDINGS = "other_proceedings", _("Dealt with in other proceedings")
        NOT_FOUND = "not_found", _("The person could not be found")
        NOT_COMPETENT = "not_competent", _("Not within our competence")

    class Currency(models.TextChoices):
        KGS = "KGS", _("Kyrgyz som")
        TJS = "TJS", _("Tajik somoni")
        UZS = "UZS", _("Uzbek sum")
        KZT = "KZT", _("Kazakh tenge")

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="sanctions")
    kind = models.CharField(_("what followed"), max_length=20, choices=Kind.choices)
    fine_amount = models.DecimalField(_("amount of the fine"), max_digits=12, decimal_places=2, null=True, blank=True)
    fine_currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, blank=True)
    service_hours = models.PositiveSmallIntegerField(
        _("hours of community service"),
        null=True,
        blank=True,
        validators=[MinValueValidator(SERVICE_HOURS_MIN), MaxValueValidator(SERVICE_HOURS_MAX)],
    )
    # The extension recorded on the referral, when there is one; otherwise
    # the new expiry date the court set.
    order_extension = models.ForeignKey(
        "referrals.ProtectionOrderExtension",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("order extension"),
    )
    extended_until = models.DateField(_("order extended until"), null=True, blank=True)
    hearing_on = models.DateField(_("date of the hearing"), null=True, blank=True)
    no_action_reason = models.CharField(_("why no action"), max_length=20, choices=NoActionReason.choices, blank=True)
    corrects = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrected_by"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        verbose_name = _("what followed a notice")
        verbose_name_plural = _("what followed notices")
        constraints = [
            models.UniqueConstraint(
                fields=["notice"], condition=Q(corrects__isnull=True), name="one_first_sanction_per_notice"
            ),
            models.CheckConstraint(
                condition=Q(service_hours__isnull=True)
                | Q(service_hours__gte=SERVICE_HOURS_MIN, service_hours__lte=SERVICE_HOURS_MAX),
                name="sanction_service_hours_1_to_400",
            ),
            models.CheckConstraint(
                condition=~Q(kind="fine") | Q(fine_amount__gt=0), name="sanction_fine_has_an_amount"
            ),
            models.CheckConstraint(
                condition=~Q(kind="community_service") | Q(service_hours__isnull=False),
                name="sanction_service_has_hours",
            ),
            models.CheckConstraint(
                condition=~Q(kind="court_hearing") | Q(hearing_on__isnull=False), name="sanction_hearing_has_a_date"
            ),
            models.CheckConstraint(
                condition=~Q(kind="order_extension") | Q(extended_until__isnull=False),
                name="sanction_extension_has_a_date",
            ),
            models.CheckConstraint(
                condition=~Q(kind="no_action") | ~Q(no_action_reason=""), name="sanction_no_action_has_a_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} after notice #{self.notice_id}"

    @property
    def is_correction(self) -> bool:
        return self.corrects_id is not None


class Delivery(models.Model):
    class Channel(models.TextChoices):
        INBOX = "inbox", _("Inbox")
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")
        TELEGRAM = "telegram", _("Telegram")
        WEBHOOK = "webhook", _("Webhook")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        # A reminder that was no longer due when its turn came (the session
        # was cancelled or moved, the person opted out …): never sent.
        CANCELLED = "cancelled", _("Cancelled")

    # A delivery is for a safety notice (notice and event), for a reminder,
    # or for a partner's webhook (webhook_event and webhook, below).
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries")
    # The notice's event, repeated here so that the database can hold the
    # one-message-per-(event, recipient, channel, level) rule for email and
    # SMS. A personal inbox row is per notice: it is what shows an escalated
    # notice to someone outside its organisation, so two notices of one
    # event escalated to the same manager are two rows.
    event = models.ForeignKey(SafetyEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    reminder = models.ForeignKey("Reminder", on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries")
    # Or a referral's status change for a partner system (channel "webhook").
    webhook_event = models.ForeignKey(
        WebhookEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    webhook = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    # Null: the organisation's inbox; or, for a participant's session
    # reminder, the participant (whose number is read when it is sent).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    # The staff member's email address or phone number (staff data only).
    address = models.CharField(max_length=254, blank=True)
    language = models.CharField(max_length=2, default="ru")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Short and never personal: an exception class or a status code.
    last_error = models.CharField(max_length=100, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user", "channel", "escalation_level"],
                condition=Q(user__isnull=False) & ~Q(channel="inbox"),
                name="one_message_per_event_user_channel_level",
            ),
            models.UniqueConstraint(
                fields=["notice", "user", "escalation_level"],
                condition=Q(user__isnull=False, channel="inbox"),
                name="one_personal_inbox_row_per_notice_level",
            ),
            models.UniqueConstraint(
                fields=["notice", "channel", "escalation_level"],
                condition=Q(user__isnull=True),
                name="one_inbox_delivery_per_notice_level",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False)
                | Q(channel="inbox")
                | Q(reminder__isnull=False, channel="sms")
                | Q(webhook__isnull=False, channel="webhook"),
                name="delivery_without_user_is_inbox_sms_or_webhook",
            ),
            models.CheckConstraint(
                condition=Q(notice__isnull=False, event__isnull=False, reminder__isnull=True, webhook_event=None)
                | Q(notice__isnull=True, event__isnull=True, reminder__isnull=False, webhook_event=None)
                | Q(
                    notice__isnull=True,
                    event__isnull=True,
                    reminder__isnull=True,
                    webhook_event__isnull=False,
                    webhook__isnull=False,
                    channel="webhook",
                ),
                name="delivery_for_a_notice_reminder_or_webhook",
            ),
            models.UniqueConstraint(
                fields=["webhook_event", "webhook"],
                condition=Q(webhook_event__isnull=False),
                name="one_delivery_per_webhook_event_subscription",
            ),
            models.UniqueConstraint(
                fields=["reminder", "user", "channel"],
                condition=Q(reminder__isnull=False, user__isnull=False),
                name="one_reminder_delivery_per_user_channel",
            ),
            models.UniqueConstraint(
                fields=["reminder", "channel"],
                condition=Q(reminder__isnull=False, user__isnull=True),
                name="one_participant_delivery_per_reminder_channel",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=Q(status__in=["pending", "sending"]), name="delivery_due"
            ),
            models.Index(fields=["user", "notice"], condition=Q(user__isnull=False), name="delivery_personal"),
            models.Index(
                fields=["user", "-created_at"],
                condition=Q(reminder__isnull=False, channel="inbox"),
                name="delivery_reminder_inbox",
            ),
        ]

    def __str__(self) -> str:
        return f"Delivery #{self.pk} {self.channel} {self.status}"


class StaffContact(models.Model):
    """How a staff member wants to be told of a safety notice outside the
    system. Email comes from the account; the phone is for SMS."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_contact", verbose_name=_("user")
    )
    phone = PhoneNumberField(_("mobile phone for SMS"), blank=True)
    email_enabled = models.BooleanField(_("notify by email"), default=True)
    sms_enabled = models.BooleanField(_("notify by SMS"), default=True)

    class Meta:
        verbose_name = _("staff contact")
        verbose_name_plural = _("staff contacts")

    def __str__(self) -> str:
        return f"Contact of user #{self.user_id}"


class ViolenceReport(models.Model):
    """New violence reported by someone working on the case. The summary is
    a free-text note and encrypted; the notices carry only the date."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="violence_reports")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    reported_on = models.DateField(_("date of the violence or of the report"))
    summary = EncryptedTextField(_("what happened"), max_length=NOTE_MAX_LENGTH, blank=False)
    created_at = models.DateTimeField(default=timezone.now)
    # Made when the form is shown: a resend of the same page returns this row
    # (core.submission).
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("violence report")
        verbose_name_plural = _("violence reports")

    def __str__(self) -> str:
        # Never the summary: str() reaches logs and the admin.
        return f"Violence report #{self.pk} on case #{self.case_id}"


class Reminder(models.Model):
    """Something coming up or overdue that someone should act on, once per
    thing and due date (``dedupe_key``). Not a safety notice: it has no
    acknowledgement, never escalates and never shows in the notice inbox.

    The thing is one of ``session`` (a participant's session tomorrow; an
    unlogged session), ``case`` (a risk reassessment; a follow-up, with the
    follow-up's id in ``facts``; a monitoring body's meeting, with the
    meeting's id in ``facts``), ``safety_plan``. ``organisation`` is whose
    staff act on it. Written by the sweeps in ``notifications.reminders``."""

    class Kind(models.TextChoices):
        SESSION_TOMORROW = "session_tomorrow", _("Session tomorrow (SMS to the participant)")
        UNLOGGED_SESSION = "unlogged_session", _("Attendance not logged")
        RISK_REASSESSMENT = "risk_reassessment", _("Risk reassessment due")
        SAFETY_PLAN_REVIEW = "safety_plan_review", _("Safety-plan review due")
        FOLLOW_UP = "follow_up", _("Follow-up due")
        MONITORING_MEETING = "monitoring_meeting", _("Monitoring meeting due")

    kind = models.CharField(_("reminder"), max_length=20, choices=Kind.choices)
    # "unlogged_session:session:12:2026-05-04T09:00", "safety_plan_review:plan:3:2026-06-01" …
    dedupe_key = models.CharField(max_length=200, unique=True)
    due_on = models.DateField(_("due on"))
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    session = models.ForeignKey("programmes.Session", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    enrolment = models.ForeignKey(
        "programmes.Enrolment", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    safety_plan = models.ForeignKey(
        "casework.SafetyPlan", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Non-personal facts only: ids, dates, level names.
    facts = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        indexes = [models.Index(fields=["kind", "session"], name="reminder_kind_session")]

    def __str__(self) -> str:
        return f"{self.kind} reminder #{self.pk} due {self.due_on}"


class ParticipantReminderSetting(models.Model):
    """Whether a participant gets an SMS the day before each session, per
    enrolment (a new enrolment starts with the default: on). Kept here and
    not on ``programmes.Enrolment`` so that reminders stay one app."""

    enrolment = models.OneToOneField("programmes.Enrolment", on_delete=models.CASCADE, related_name="reminder_setting")
    sms_enabled = models.BooleanField(_("SMS reminder the day before each session"), default=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("participant reminder setting")
        verbose_name_plural = _("participant reminder settings")

    def __str__(self) -> str:
        return f"Reminders of enrolment #{self.enrolment_id}: {'on' if self.sms_enabled else 'off'}"


def all_urgencies() -> list[str]:
    from notifications.urgency import Urgency

    return list(Urgency.values)


class AlertChannel(models.Model):
    """One way of reaching a staff member away from the screen, kept by
    herself on "My alerts". Only a confirmed channel gets deliveries: she
    confirmed it by typing the code of a test message sent through it."""

    class Kind(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("Email")
        TELEGRAM = "telegram", _("Telegram")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_channels")
    kind = models.CharField(_("channel"), max_length=8, choices=Kind.choices)
    # Staff data: a phone number (E.164), an email address or a Telegram chat id.
    address = models.CharField(_("address"), max_length=254)
    # Which urgencies (notifications.urgency.Urgency values) reach her here.
    urgencies = models.JSONField(_("urgencies"), default=all_urgencies, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The pending confirmation code (hashed), its expiry and wrong tries.
    code_hash = models.CharField(max_length=128, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    code_tries = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user_id", "kind"]
        verbose_name = _("alert channel")
        verbose_name_plural = _("alert channels")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_alert_channel_per_user_kind")]
        indexes = [models.Index(fields=["user"], condition=Q(confirmed_at__isnull=False), name="alert_channel_live")]

    def __str__(self) -> str:
        return f"{self.kind} channel of user #{self.user_id}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class TelegramLinkCode(models.Model):
    """A one-time code that links a Telegram chat to a user: she opens
    t.me/<bot>?start=<code>; the poll sees "/start <code>" and links that
    chat. Stored hashed, single use, short-lived."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Telegram link code #{self.pk} of user #{self.user_id}"


class TelegramPollState(models.Model):
    """The getUpdates offset (one row): updates below it were handled."""

    offset = models.BigIntegerField(default=0)
    polled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Telegram poll at offset {self.offset}"
