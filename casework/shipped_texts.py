"""The English texts of the basic risk checklist (``core.shipped``), as the
migration casework 0002 stored them: its name, its description and its
items. The items are the referral's risk flags (``referrals.models.RiskFlag``)
and share their messages.

An item carries its own Russian (``text_ru``); in every other language a
shipped item reads through the catalogue, and the items of an instrument an
organisation loaded read as loaded (``RiskItem.text``).
"""

from django.utils.translation import gettext_noop

from core.shipped import shipped

INSTRUMENT = shipped(
    gettext_noop("Basic risk checklist"),
    gettext_noop("Built from the referral risk flags. Not a validated instrument."),
)

ITEMS = shipped(
    gettext_noop("Threat to kill"),
    gettext_noop("Strangulation or choking"),
    gettext_noop("Weapon used or threatened"),
    gettext_noop("Violence escalating in frequency or severity"),
    gettext_noop("Earlier protection orders"),
    gettext_noop("Breach of a protection order"),
    gettext_noop("Recent or planned separation"),
    gettext_noop("Sexual violence"),
    gettext_noop("Stalking or controlling behaviour"),
    gettext_noop("Survivor pregnant or recently gave birth"),
    gettext_noop("Children present during violence"),
    gettext_noop("Alcohol or drug abuse"),
)
