"""The short form of the Revised Conflict Tactics Scales (CTS2S) as data:
structure only.

Straus, M. A., & Douglas, E. M. (2004). A short form of the Revised
Conflict Tactics Scales, and typologies for severity and mutuality.
Violence and Victims, 19(5), 507-520.

What ships: 20 items in 10 pairs, the same five scales and subscales as the
full form with one pair each (Negotiation: one emotional and one cognitive
pair; the other scales one minor and one severe pair), and the full form's
answer categories and scoring values. As for the full form, the wording is
copyrighted and never shipped (``import_instrument_text`` loads it).

The key below was established from the published form's item order, each
pair placed in the subscale the full form's key gives the acts it asks
about. As in the full form, the odd item of a pair is the respondent's own
act and the even item the partner's, except in Injury, where the odd item
is the respondent's own injury (what the partner did).

Scores are comparable only within one form: a short-form questionnaire is
never set against a full-form one (before/after, the dashboard's change).
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

from outcomes import cts2

CODE = "cts2s"
VERSION = 1
NAME = gettext_noop("Revised Conflict Tactics Scales, short form (CTS2S)")
CITATION = (
    "Straus, M. A., & Douglas, E. M. (2004). A short form of the Revised Conflict Tactics Scales, and "
    "typologies for severity and mutuality. Violence and Victims, 19(5), 507-520."
)
LICENCE_NOTE = cts2.LICENCE_NOTE
RESPONSE_OPTIONS = cts2.RESPONSE_OPTIONS
SCALES = cts2.SCALES

# Subscale -> the odd item number of its pair (the even item is the next number).
PAIRS = {
    "negotiation-emotional": (7,),
    "negotiation-cognitive": (1,),
    "psychological-aggression-minor": (3,),
    "psychological-aggression-severe": (13,),
    "physical-assault-minor": (9,),
    "physical-assault-severe": (11,),
    "sexual-coercion-minor": (19,),
    "sexual-coercion-severe": (17,),
    "injury-minor": (5,),
    "injury-severe": (15,),
}
PARTNER_FIRST = cts2.PARTNER_FIRST


def items() -> list[tuple[int, str, str, int]]:
    return cts2.pair_items(PAIRS, PARTNER_FIRST)
