"""The shipped templates say what the seeds say (issue 14).

- Two variants seed 001 names were missing: Ayalzat's longer voluntary
  programme for men ("shorter mandatory and longer voluntary programmes for
  men who are perpetrators") and Chance's voluntary programme for women
  (Chance runs voluntary and mandatory programmes for men and women; "the
  programme for women perpetrators involves only group sessions"; "a woman
  training groups of women").
- Chance's 18 months of monitoring belongs to its mandatory programme ("The
  mandatory programme consists of two individual and two group sessions
  during a period of one month. After this period, perpetrators are
  monitored ... for 18 months"): the voluntary men's template no longer
  carries it.
- Who leads the group sessions: Chance's groups are led by one trainer of
  the participants' sex; every other shipped template keeps the pair.
- The span: a schedule fills the template's span, its last session in the
  last week. The Tajik template (30 sessions over 26 weeks) ended on day
  136; its individual sessions are now interleaved with the group sessions
  and the group meets every 9 days. The 2 + 2 courses ended in week 3 of 4:
  their second group session is now two weeks after the first (days 7 and
  21). The Turkmen draft ended in week 20 of 22 (its span is now its 20
  weeks).

The data is frozen here: a migration never imports live code. A shipped
version 1 that nobody uses is changed in place; one with an enrolment or a
group keeps its figures for them and is retired, and the change becomes
version 2 (as a provider's own edit does). A note or a name is changed only
where it still reads as shipped.
"""

from django.db import migrations

CURRICULUM_ANNEX3 = [
    "Violence and its forms; responsibility",
    "Anger management",
    "Communication without violence",
    "Gender norms and stereotypes",
    "Stress management",
    "Family relations and children",
]

NEW_TEMPLATES = [
    {
        "code": "kg-ayalzat-voluntary",
        "name": "Ayalzat crisis centre, voluntary, men (2 + 24 weekly, 6 months)",
        "country": "KG",
        "source": "Seed 001, case study 2 (Ayalzat, Karakol); Decree No. 390 (2019), Annex 3",
        "mandatory": False,
        "sex": "male",
        "individual_sessions": 2,
        "group_sessions": 24,
        "span_weeks": 26,
        "individual_interval_days": 7,
        "group_interval_days": 7,
        "individual_first": True,
        "group_offset_days": 7,
        "individual_minutes": 60,
        "group_minutes": 120,
        "facilitation": "pair",
        "curriculum": CURRICULUM_ANNEX3,
        "follow_up_months": [18],
        "follow_up_close_relations": True,
        "dropout_consecutive": 3,
        "dropout_total": 6,
        "languages": ["ky", "ru"],
        "notes": "Ayalzat offers a longer voluntary programme for men beside its 16-hour mandatory course; the "
        "source gives no figures for it, so the Annex 3 voluntary programme for men (2 individual and 24 weekly "
        "group sessions over six months) is an assumption to adapt. The questionnaire for the person and close "
        "relations 18 months after the programme is Ayalzat's own.",
    },
    {
        "code": "kg-chance-voluntary-women",
        "name": "Chance crisis centre, voluntary, women (24 weekly group sessions)",
        "country": "KG",
        "source": "Seed 001, case study 1 (Chance, Bishkek); Decree No. 390 (2019), Annex 3",
        "mandatory": False,
        "sex": "female",
        "individual_sessions": 0,
        "group_sessions": 24,
        "span_weeks": 24,
        "individual_interval_days": 7,
        "group_interval_days": 7,
        "individual_first": False,
        "group_offset_days": 0,
        "individual_minutes": 60,
        "group_minutes": 120,
        "facilitation": "woman",
        "curriculum": CURRICULUM_ANNEX3,
        "follow_up_months": [],
        "follow_up_close_relations": False,
        "dropout_consecutive": 3,
        "dropout_total": 6,
        "languages": ["ky", "ru"],
        "notes": "Chance's voluntary programme lasts 24 weeks and its programme for women has group sessions only, "
        "led by a woman; the women are not monitored after the programme. One group session a week (24) is an "
        "assumption to adapt: the source gives no count, and the Annex 3 voluntary programme for women has 16 "
        "group meetings over four months.",
    },
]

# code: (fields as shipped, fields now). Only the fields that change.
REVISIONS = {
    "tj-consultation-room": (
        {"individual_interval_days": 14, "group_interval_days": 7, "group_offset_days": 3},
        {"individual_interval_days": 18, "group_interval_days": 9, "group_offset_days": 4},
    ),
    "kg-annex3-mandatory": ({"group_interval_days": 7}, {"group_interval_days": 14}),
    "kg-chance-mandatory-men": (
        {"group_interval_days": 7, "facilitation": "pair"},
        {"group_interval_days": 14, "facilitation": "man"},
    ),
    "kg-chance-voluntary-men": (
        {
            "name": "Chance crisis centre, voluntary, men (24 weeks, then 18 months' monitoring)",
            "follow_up_months": [3, 6, 9, 12, 15, 18],
            "monitoring_bodies": ["social_development"],
            "monitoring_interval_months": 3,
            "monitoring_months": 18,
            "facilitation": "pair",
        },
        {
            "name": "Chance crisis centre, voluntary, men (24 weeks)",
            "follow_up_months": [6, 12],
            "monitoring_bodies": [],
            "monitoring_interval_months": None,
            "monitoring_months": None,
            "facilitation": "man",
        },
    ),
    "kg-chance-women": (
        {"name": "Chance crisis centre, women (group sessions only)", "facilitation": "pair"},
        {"name": "Chance crisis centre, mandatory, women (group sessions only)", "facilitation": "woman"},
    ),
    "tm-pilot": ({"span_weeks": 22}, {"span_weeks": 20}),
}

NOTES = {
    "tj-consultation-room": (
        "Individual sessions by a psychologist; group sessions by a psychologist and a social worker.",
        "Individual sessions by a psychologist; group sessions by a psychologist and a social worker. The "
        "source gives 30 sessions over six months but no cadence: an individual session every 18 days "
        "interleaved with a group session every 9 days, so that the sessions fill the 26 weeks, is an "
        "assumption to adapt.",
    ),
    "kg-chance-voluntary-men": (
        "The source gives the length (24 weeks) but not the sessions: two individual sessions, then 22 weekly "
        "group sessions, is an assumption to adapt. After the programme the State Department for Social "
        "Development meets the person every three months for 18 months. A man trains groups of men.",
        "The source gives the length (24 weeks) but not the sessions: two individual sessions, then 22 weekly "
        "group sessions, is an assumption to adapt. The source names the 18 months' monitoring by the State "
        "Department for Social Development for the mandatory programme only, so this template carries none; "
        "the follow-up points 6 and 12 months after the end are an assumption, as for the Annex 3 templates. "
        "A man trains groups of men.",
    ),
}


def _apply(ProgrammeTemplate, template, fields):
    """Change ``template`` in place, or, when it is in use, retire it and
    make the change its next version."""
    if not (template.enrolments.exists() or template.groups.exists()):
        ProgrammeTemplate.objects.filter(pk=template.pk).update(**fields)
        return
    last = ProgrammeTemplate.objects.filter(code=template.code).order_by("-version").first()
    values = {
        f.attname: getattr(template, f.attname)
        for f in ProgrammeTemplate._meta.concrete_fields
        if not f.primary_key and f.name != "created_at"
    }
    values.update(fields, version=last.version + 1, parent_id=template.pk)
    ProgrammeTemplate.objects.create(**values)
    ProgrammeTemplate.objects.filter(pk=template.pk).update(status="retired")


def _revise(ProgrammeTemplate, code, old, new, old_note, new_note):
    template = ProgrammeTemplate.objects.filter(code=code, version=1, provider=None).first()
    if template is None or ProgrammeTemplate.objects.filter(code=code, version__gt=1).exists():
        return
    fields = {name: value for name, value in new.items() if getattr(template, name) == old[name]}
    if old_note is not None and template.notes.startswith(old_note):
        fields["notes"] = new_note + template.notes[len(old_note) :]
    if fields:
        _apply(ProgrammeTemplate, template, fields)


def forwards(apps, schema_editor):
    ProgrammeTemplate = apps.get_model("programmes", "ProgrammeTemplate")
    for data in NEW_TEMPLATES:
        data = dict(data)
        code = data.pop("code")
        ProgrammeTemplate.objects.get_or_create(code=code, version=1, provider=None, defaults=data)
    for code, (old, new) in REVISIONS.items():
        old_note, new_note = NOTES.get(code, (None, None))
        _revise(ProgrammeTemplate, code, old, new, old_note, new_note)


def backwards(apps, schema_editor):
    ProgrammeTemplate = apps.get_model("programmes", "ProgrammeTemplate")
    for code, (old, new) in REVISIONS.items():
        old_note, new_note = NOTES.get(code, (None, None))
        template = ProgrammeTemplate.objects.filter(code=code, version=1, provider=None).first()
        if template is None or template.status == "retired":
            continue  # a version 2 was made: it stays, with its enrolments to come
        fields = {name: value for name, value in old.items() if getattr(template, name) == new[name]}
        if new_note is not None and template.notes.startswith(new_note):
            fields["notes"] = old_note + template.notes[len(new_note) :]
        ProgrammeTemplate.objects.filter(pk=template.pk).update(**fields)
    codes = [data["code"] for data in NEW_TEMPLATES]
    ProgrammeTemplate.objects.filter(code__in=codes, provider=None, enrolments=None, groups=None).delete()


class Migration(migrations.Migration):
    dependencies = [("programmes", "0014_template_facilitation")]
    operations = [migrations.RunPython(forwards, backwards)]
