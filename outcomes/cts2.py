"""The Revised Conflict Tactics Scales (CTS2) as data: structure only.

Straus, M. A., Hamby, S. L., Boney-McCoy, S., & Sugarman, D. B. (1996). The
Revised Conflict Tactics Scales (CTS2): Development and preliminary
psychometric data. Journal of Family Issues, 17(3), 283-316.

What ships: 78 items in 39 pairs, five scales and their subscales, the
answer categories and their scoring values. What does NOT ship: the wording
of the items. It is copyrighted by its publisher; an organisation that
holds a licence imports it with ``manage.py import_instrument_text
FILE.csv``. Until then an item shows its number and scale only. Never add
wording here, not even paraphrased.

Whose act an item records: in a pair, the odd number is the respondent's
own act and the next even number the same act by the partner, except in
the Injury scale, where the form puts it the other way round: the odd item
asks about the respondent's own injury (what the partner did), the even
item about the partner's injury (what the respondent did). So the
respondent's own acts are the odd items of every scale but Injury, and the
even items of Injury (``PARTNER_FIRST``).

Item-to-scale key: the scale membership was checked against an
independent scoring script (pairs numbered 1-39); the minor/severe and
emotional/cognitive split follows the key in ``shared/DOMAIN.md``.

The short form (CTS2S) is ``outcomes/cts2s.py``. Both are loaded by
migration (``outcomes.shipped``).
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

CODE = "cts2"
VERSION = 1
NAME = gettext_noop("Revised Conflict Tactics Scales (CTS2)")
CITATION = (
    "Straus, M. A., Hamby, S. L., Boney-McCoy, S., & Sugarman, D. B. (1996). The Revised Conflict Tactics "
    "Scales (CTS2): Development and preliminary psychometric data. Journal of Family Issues, 17(3), 283-316."
)
LICENCE_NOTE = (
    "The item wording is copyrighted by its publisher and is not shipped. An organisation that holds a "
    "licence imports it per language with manage.py import_instrument_text FILE.csv."
)

# Answer categories. "midpoint": the number of times in the past year used
# for the annual frequency; "past_year": counts for prevalence; "ever":
# counts for ever-prevalence (lifetime).
RESPONSE_OPTIONS = [
    {"code": 0, "label": gettext_noop("Never"), "midpoint": 0, "past_year": False, "ever": False},
    {"code": 1, "label": gettext_noop("Once in the past year"), "midpoint": 1, "past_year": True, "ever": True},
    {"code": 2, "label": gettext_noop("Twice in the past year"), "midpoint": 2, "past_year": True, "ever": True},
    {"code": 3, "label": gettext_noop("3-5 times in the past year"), "midpoint": 4, "past_year": True, "ever": True},
    {"code": 4, "label": gettext_noop("6-10 times in the past year"), "midpoint": 8, "past_year": True, "ever": True},
    {"code": 5, "label": gettext_noop("11-20 times in the past year"), "midpoint": 15, "past_year": True, "ever": True},
    {
        "code": 6,
        "label": gettext_noop("More than 20 times in the past year"),
        "midpoint": 25,
        "past_year": True,
        "ever": True,
    },
    {
        "code": 7,
        "label": gettext_noop("Not in the past year, but it happened before"),
        "midpoint": 0,
        "past_year": False,
        "ever": True,
    },
]

# (code, name, parent code), in the order the instrument presents its scales.
SCALES = [
    ("negotiation", gettext_noop("Negotiation"), None),
    ("negotiation-emotional", gettext_noop("Emotional"), "negotiation"),
    ("negotiation-cognitive", gettext_noop("Cognitive"), "negotiation"),
    ("psychological-aggression", gettext_noop("Psychological Aggression"), None),
    ("psychological-aggression-minor", gettext_noop("Minor"), "psychological-aggression"),
    ("psychological-aggression-severe", gettext_noop("Severe"), "psychological-aggression"),
    ("physical-assault", gettext_noop("Physical Assault"), None),
    ("physical-assault-minor", gettext_noop("Minor"), "physical-assault"),
    ("physical-assault-severe", gettext_noop("Severe"), "physical-assault"),
    ("sexual-coercion", gettext_noop("Sexual Coercion"), None),
    ("sexual-coercion-minor", gettext_noop("Minor"), "sexual-coercion"),
    ("sexual-coercion-severe", gettext_noop("Severe"), "sexual-coercion"),
    ("injury", gettext_noop("Injury"), None),
    ("injury-minor", gettext_noop("Minor"), "injury"),
    ("injury-severe", gettext_noop("Severe"), "injury"),
]

# Subscale -> the odd item number of each pair; the other item of the pair
# is the next even number.
PAIRS = {
    "negotiation-emotional": (1, 13, 39),
    "negotiation-cognitive": (3, 59, 77),
    "psychological-aggression-minor": (5, 35, 49, 67),
    "psychological-aggression-severe": (25, 29, 65, 69),
    "physical-assault-minor": (7, 9, 17, 45, 53),
    "physical-assault-severe": (21, 27, 33, 37, 43, 61, 73),
    "sexual-coercion-minor": (15, 51, 63),
    "sexual-coercion-severe": (19, 47, 57, 75),
    "injury-minor": (11, 71),
    "injury-severe": (23, 31, 41, 55),
}

# Subscales whose odd item is the partner's act (the respondent's injury).
PARTNER_FIRST = frozenset({"injury-minor", "injury-severe"})

SELF = "self"
PARTNER = "partner"


def pair_items(pairs: dict[str, tuple[int, ...]], partner_first: frozenset[str]) -> list[tuple[int, str, str, int]]:
    """Every item of an instrument built of pairs, as (number, subscale
    code, perspective, pair number), in item order."""
    rows = []
    for scale, odds in pairs.items():
        first, second = (PARTNER, SELF) if scale in partner_first else (SELF, PARTNER)
        for odd in odds:
            pair = (odd + 1) // 2
            rows.append((odd, scale, first, pair))
            rows.append((odd + 1, scale, second, pair))
    return sorted(rows)


def items() -> list[tuple[int, str, str, int]]:
    return pair_items(PAIRS, PARTNER_FIRST)
