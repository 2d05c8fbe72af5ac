"""The English wording of the shipped eligibility criteria (``core.shipped``),
as the migrations referrals 0002 and 0011 stored it, the wording 0011
replaced included (a provider's copy made before it keeps that wording).

A criterion carries its own Russian (``text_ru``); in every other language a
shipped criterion reads through the catalogue, and a provider's own wording
reads as typed (``EligibilityCriterion.text``).
"""

from django.utils.translation import gettext_noop

from core.shipped import shipped

CRITERIA = shipped(
    gettext_noop("Violence was only or mostly within the family"),
    gettext_noop("Not addicted to alcohol or drugs"),
    gettext_noop("No acute mental illness"),
    gettext_noop("Aware of having been violent"),
    gettext_noop("No alcohol or drug addiction (otherwise basic therapy first)"),
    gettext_noop(
        "No addiction to alcohol, narcotics, psychotropic substances or gambling (otherwise basic therapy first)"
    ),
    gettext_noop("No mental disorder (otherwise basic therapy first)"),
)
