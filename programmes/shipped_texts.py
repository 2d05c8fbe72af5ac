"""The texts of the shipped programme templates (``core.shipped``): their
names, sources, notes and curricula, as the migrations programmes 0002,
0005, 0010 and 0015 stored them (``programmes/migrations/``), including the
earlier wording that a version still in use kept when 0015 revised it.

A session's planned topic is copied from the curriculum, and the topic
recorded as covered is chosen from it, so both read in the reader's language
while they are a shipped topic. A new or reworded shipped text is a new
migration and a line here (tests/core/test_shipped.py compares the two).
"""

from django.utils.translation import gettext_noop

from core.shipped import shipped, shipped_sentences

NAMES = shipped(
    gettext_noop("Tajikistan consultation rooms (30 sessions, 6 months)"),
    gettext_noop("Kyrgyzstan Decree 390 Annex 3, mandatory (2 + 2 in 4 weeks)"),
    gettext_noop("Kyrgyzstan Annex 3, voluntary, men (2 + 24 weekly, 6 months)"),
    gettext_noop("Kyrgyzstan Annex 3, voluntary, women (2 + 16, 4 months)"),
    gettext_noop("Chance crisis centre, mandatory, men (2 + 2, then 18 months' monitoring)"),
    gettext_noop("Chance crisis centre, voluntary, men (24 weeks)"),
    gettext_noop("Chance crisis centre, voluntary, men (24 weeks, then 18 months' monitoring)"),
    gettext_noop("Chance crisis centre, mandatory, women (group sessions only)"),
    gettext_noop("Chance crisis centre, women (group sessions only)"),
    gettext_noop("Chance crisis centre, voluntary, women (24 weekly group sessions)"),
    gettext_noop("Ayalzat crisis centre, mandatory (16 hours in one month)"),
    gettext_noop("Ayalzat crisis centre, voluntary, men (2 + 24 weekly, 6 months)"),
    gettext_noop("Turkistan region residential centre (at least 5 individual, then 12 group)"),
    gettext_noop("Union of Crisis Centres pilot (Astana, Almaty, Pavlodar)"),
    gettext_noop("Oydin Nur, Bukhara (6 weekly lectures of 3 hours)"),
    gettext_noop("Uzbekistan correctional work (up to one month)"),
    gettext_noop("Turkmenistan pilot (draft)"),
)

SOURCES = shipped(
    gettext_noop("Seed 001: consultation rooms in Levakant, Khujand and Dushanbe"),
    gettext_noop("Decree No. 390 (2019), Annex 3; seed 001"),
    gettext_noop("Seed 001, case study 1 (Chance, Bishkek)"),
    gettext_noop("Seed 001, case study 1 (Chance, Bishkek); Decree No. 390 (2019), Annex 3"),
    gettext_noop("Seed 001, case study 2 (Ayalzat, Karakol)"),
    gettext_noop("Seed 001, case study 2 (Ayalzat, Karakol); Decree No. 390 (2019), Annex 3"),
    gettext_noop("Seed 001, Kazakhstan: Turkistan region"),
    gettext_noop("Seeds 001 and 003"),
    gettext_noop("Seed 001, case study: Oydin Nur, Bukhara"),
    gettext_noop("Seed 001: multisectoral response, Uzbekistan"),
    gettext_noop("Seeds 000, 001 and 004: no programme yet, pilots recommended"),
)

TOPICS = shipped(
    gettext_noop("Responsibility for violence"),
    gettext_noop("Anger management"),
    gettext_noop("Communication skills"),
    gettext_noop("Non-violent behaviour"),
    gettext_noop("Stress and anxiety management"),
    gettext_noop("Gender norms and stereotypes"),
    gettext_noop("Gender equality"),
    gettext_noop("Parenting and the effect of violence on children"),
    gettext_noop("Relapse prevention and safety"),
    gettext_noop("Violence and its forms; responsibility"),
    gettext_noop("Communication without violence"),
    gettext_noop("Stress management"),
    gettext_noop("Family relations and children"),
    gettext_noop("Domestic violence and the law"),
    gettext_noop("Communication in the family"),
    gettext_noop("Non-violent fatherhood"),
    gettext_noop("Communication"),
    gettext_noop("Relapse prevention"),
)

# The sentences of the notes; a note is its sentences joined by a space.
_MAN_TRAINS_MEN = gettext_noop("A man trains groups of men.")
_ANNEX3_FOLLOW_UP = gettext_noop(
    "The follow-up points 6 and 12 months after the end are an assumption: the Annex sets none."
)
_TJ_STAFF = gettext_noop("Individual sessions by a psychologist; group sessions by a psychologist and a social worker.")
_TJ_CADENCE = gettext_noop(
    "The source gives 30 sessions over six months but no cadence: an individual session every 18 days "
    "interleaved with a group session every 9 days, so that the sessions fill the 26 weeks, is an "
    "assumption to adapt."
)
_TJ_REST = (
    gettext_noop("Participation is mandatory only while the protection order runs (15 days, extendable to 30)."),
    gettext_noop("Men and women in separate groups with the same content."),
    gettext_noop("Session lengths are not in the source."),
    gettext_noop(
        "The follow-up questionnaires 6 and 12 months after the end are an assumption: the source says only "
        "'at follow-up'."
    ),
    gettext_noop(
        "After completion the district police and the hukumat's women's and family department monitor the "
        "person; the source gives no rhythm, so a meeting every 3 months for 18 months (as in Chance, "
        "Kyrgyzstan) is an assumption to adapt."
    ),
)
_CHANCE_VOLUNTARY_LENGTH = gettext_noop(
    "The source gives the length (24 weeks) but not the sessions: two individual sessions, then 22 weekly "
    "group sessions, is an assumption to adapt."
)
_CHANCE_MONITORING = gettext_noop(
    "After the programme the State Department for Social Development meets the person every three months for 18 months."
)

NOTES = (
    # Tajikistan: as 0010 left it, and as 0015 revised it.
    shipped_sentences(_TJ_STAFF, *_TJ_REST),
    shipped_sentences(_TJ_STAFF, _TJ_CADENCE, *_TJ_REST),
    shipped_sentences(
        gettext_noop("The same programme for men and women."),
        gettext_noop("Violating the obligation: a warning or 40 hours of community service."),
    ),
    shipped_sentences(_ANNEX3_FOLLOW_UP),
    shipped_sentences(_CHANCE_MONITORING, _MAN_TRAINS_MEN),
    # Chance, voluntary, men: as shipped, and as 0015 revised it.
    shipped_sentences(_CHANCE_VOLUNTARY_LENGTH, _CHANCE_MONITORING, _MAN_TRAINS_MEN),
    shipped_sentences(
        _CHANCE_VOLUNTARY_LENGTH,
        gettext_noop(
            "The source names the 18 months' monitoring by the State Department for Social Development for the "
            "mandatory programme only, so this template carries none; the follow-up points 6 and 12 months "
            "after the end are an assumption, as for the Annex 3 templates."
        ),
        _MAN_TRAINS_MEN,
    ),
    shipped_sentences(
        gettext_noop("Group sessions only; no monitoring after the programme."),
        gettext_noop(
            "The source gives no session count: 4 weekly group sessions (one month) is an assumption to adapt."
        ),
        gettext_noop("A woman trains groups of women."),
    ),
    shipped_sentences(
        gettext_noop(
            "16 hours of group and individual sessions during the one-month protection order; a questionnaire "
            "for the person and close relations 18 months after."
        ),
        gettext_noop("The split into 2 individual hours and 7 group sessions of 2 hours is an assumption to adapt."),
    ),
    shipped_sentences(
        gettext_noop("Perpetrators removed from home stay at the centre; sessions during the stay."),
        gettext_noop("A questionnaire at the start and for progress."),
        gettext_noop("The cadence (every other day) is an assumption to adapt."),
    ),
    shipped_sentences(
        gettext_noop(
            "Individual and group sessions under the Union's own minimum standards; the source gives no counts, "
            "so this is a draft for the provider to complete."
        ),
        gettext_noop("The follow-up 6 months after the end is an assumption."),
    ),
    shipped_sentences(
        gettext_noop("Entered after a protection order."),
        gettext_noop("Lecture topics are not in the source; adapt them."),
    ),
    shipped_sentences(
        gettext_noop(
            "Extending a protection order requires a correctional programme; courts may extend orders up to one year."
        ),
        gettext_noop("Session count and cadence are assumptions to adapt."),
    ),
    shipped_sentences(
        gettext_noop("There is no domestic-violence law and no programme yet; a starting point for a pilot."),
        gettext_noop("The follow-up points 6 and 12 months after the end are a suggestion."),
    ),
    shipped_sentences(
        gettext_noop(
            "Ayalzat offers a longer voluntary programme for men beside its 16-hour mandatory course; the source "
            "gives no figures for it, so the Annex 3 voluntary programme for men (2 individual and 24 weekly "
            "group sessions over six months) is an assumption to adapt."
        ),
        gettext_noop(
            "The questionnaire for the person and close relations 18 months after the programme is Ayalzat's own."
        ),
    ),
    shipped_sentences(
        gettext_noop(
            "Chance's voluntary programme lasts 24 weeks and its programme for women has group sessions only, led "
            "by a woman; the women are not monitored after the programme."
        ),
        gettext_noop(
            "One group session a week (24) is an assumption to adapt: the source gives no count, and the Annex 3 "
            "voluntary programme for women has 16 group meetings over four months."
        ),
    ),
)
