"""The words of the field pages that the browser writes itself
(``static/fieldwork/field.js``): the offline Today page and roster, the
banner of entries waiting, the conflicts. They are translated here, on the
server, and handed to the page as one JSON object (``field_strings``), so
every word the practitioner reads is in her language, offline too.

Placeholders are ``%(name)s``; the script fills them in. No plural forms:
a number stands after a colon ("Waiting to be sent: 3")."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext


def field_strings() -> dict[str, str]:
    return {
        # The banner
        "offline": _("No network: what you record is kept on this phone, encrypted."),
        "waiting": _("Waiting to be sent: %(n)s"),
        "send_now": _("Send now"),
        "sending": _("Sending…"),
        "sent": _("Sent: %(title)s."),
        "sign_in_to_send": _("Sign in to send them."),
        "not_sent": _("Not sent: the server did not answer. It is tried again when the network is back."),
        "expiring": _("Deleted from this phone on %(date)s if not sent: %(n)s"),
        "expired": _("Deleted from this phone unsent, after %(days)s days: %(n)s"),
        "other_user": _("This phone keeps entries of another practitioner. They are sent when she signs in."),
        # Preparing
        "prepare": _("Prepare for the field"),
        "preparing": _("Preparing…"),
        "prepared": _(
            "Prepared %(when)s: Today and the rosters of your sessions until %(date)s are kept on this phone, "
            "encrypted, for %(days)s days."
        ),
        "prepare_failed": _("Could not prepare. Try again with a network."),
        "not_prepared": _("This phone is not prepared: open Today with a network and press “Prepare for the field”."),
        "not_kept": _("This page is not kept on the phone. Today and the rosters of your sessions are."),
        # The offline Today page
        "today": _("Today"),
        "your_sessions_today": _("Your sessions today"),
        "coming_days": _("Your sessions in the next days"),
        "not_yet_logged": _("Not yet logged"),
        "no_sessions_today": _("No sessions today."),
        "log_attendance": _("Log attendance"),
        "logged_open": _("Logged — open"),
        "cancelled": _("Cancelled"),
        "no_place": _("No place set"),
        "mobile": _("mobile"),
        "expected": _("Expected: %(n)s"),
        "group": pgettext("session kind", "Group"),
        "individual": pgettext("session kind", "Individual"),
        "saved_here": _("Saved on this phone at %(when)s: waits to be sent."),
        "needs_decision": _("Needs your decision"),
        "needs_correction": _("Not sent: correct it and save again."),
        "back_to_today": _("Back to Today"),
        # The offline roster
        "attendance": _("Attendance"),
        "present": _("Present"),
        "late": _("Late"),
        "excused": _("Excused absence"),
        "unexcused": _("Unexcused absence"),
        "mark_rest": _("Mark the rest present"),
        "topic": _("Topic covered"),
        "no_topic": _("— No topic (nobody came) —"),
        "other_topic": _("Another topic (type it below)"),
        "other_topic_label": _("Another topic"),
        "notes": _("Facilitator notes"),
        "notes_help": _("Kept on this phone encrypted until it is sent; stored encrypted on the server."),
        "short_notice": _("Short notice"),
        "confirm_absence": _("They knew of this session in time: count the unexcused absence"),
        "save_here": _("Save on this phone"),
        "mark_everyone": _("Mark every participant."),
        "enter_topic": _("Enter the topic covered."),
        "type_topic": _("Type the topic, or choose one from the list."),
        "not_yet": _("This session has not taken place yet. It can be logged from one hour before it starts."),
        "not_in_bundle": _("This session is not kept on the phone."),
        # Conflicts: hers beside the server's
        "yours": _("What you recorded"),
        "server": _("On the server now"),
        "was_cancelled": _("The session was cancelled: %(reason)s"),
        "was_moved": _("The session was moved: %(when)s, %(place)s."),
        "logged_by": _("%(who)s logged it at %(when)s."),
        "logged_by_you": _("You logged it from another page or phone at %(when)s."),
        "enrolment_ended": _("The programme of %(name)s ended on %(date)s."),
        "roster_changed": _("Who is expected has changed since you prepared."),
        "keep_mine": _("Send mine instead"),
        "open_roster": _("Open the roster"),
        "discard": _("Discard mine"),
        "discard_confirm": _("Delete what you recorded for this session from this phone?"),
        "recorded_at": _("Recorded on this phone at %(when)s."),
        "topic_label": _("Topic covered:"),
        "note_label": _("Your note:"),
        # Notices set off by a sync
        "dropout": _("A dropout notice about %(name)s went to %(told)s."),
        "non_compliance": _("A non-compliance notice about %(name)s went to %(told)s."),
        "safety": _("A safety notice about %(name)s went to %(told)s."),
        # Signing out
        "sign_out_confirm": _(
            "Entries not yet sent: %(n)s. Signing out deletes them from this phone. Sign out anyway?"
        ),
        "sign_out_unknown": _(
            "Entries not yet sent may be on this phone. Signing out deletes them from this phone. Sign out anyway?"
        ),
    }
