"""Timeline entries keep their parameters, in no language, instead of a sentence.

``params`` is added, and the text (``detail``) of every existing entry is read
into it where its shape is known: the shapes the services wrote until now,
kind by kind (below). The text stays as written in ``detail``, now a legacy
column: an entry with params is shown from them, in the reader's language; an
entry whose text could not be read keeps showing its text.

Everything this reads with is here, as it was written: the English words the
services wrote, and the decline reasons and the "no criteria" note, which were
written in the writer's language, in every language of the interface.
"""

import re

from django.db import migrations, models

DATE = r"(\d{4}-\d{2}-\d{2})"
TIME = r"(\d{2}:\d{2})"
SESSION = rf"(Group|Individual) session (\d+), {DATE} {TIME}"

NO_CRITERIA = {
    "No eligibility criteria were set up",
    "Критерии участия не были заданы",
    "Катышуу критерийлери коюлган эмес",
    "Меъёрҳои иштирок муқаррар нашуда буданд",
    "Ishtirok mezonlari belgilanmagan",
    "Қатысу өлшемшарттары белгіленбеген",
    "Gatnaşmak şertleri bellenmedi",
}
DECLINE_REASONS = {
    "not_eligible": (
        "Does not meet the eligibility criteria",
        "Не соответствует критериям участия",
        "Катышуу критерийлерине жооп бербейт",
        "Ба меъёрҳои иштирок мувофиқ нест",
        "Ishtirok mezonlariga mos kelmaydi",
        "Қатысу өлшемшарттарына сәйкес келмейді",
        "Gatnaşmak şertlerine laýyk gelmeýär",
    ),
    "basic_therapy_first": (
        "Basic therapy (addiction or mental health) first",
        "Сначала базовая терапия (зависимость или психическое здоровье)",
        "Адегенде негизги терапия (көз карандылык же психикалык ден соолук)",
        "Аввал терапияи асосӣ (вобастагӣ ё солимии равонӣ)",
        "Avval asosiy terapiya (qaramlik yoki ruhiy salomatlik)",
        "Алдымен негізгі терапия (тәуелділік немесе психикалық денсаулық)",
        "Ilki esasy bejeriş (garaşlylyk ýa-da psihiki saglyk)",
    ),
    "no_capacity": (
        "No capacity",
        "Нет свободных мест",
        "Бош орун жок",
        "Ҷойи холӣ нест",
        "Boʻsh oʻrin yoʻq",
        "Бос орын жоқ",
        "Boş ýer ýok",
    ),
    "out_of_area": (
        "Outside the provider's area",
        "Вне зоны обслуживания организации",
        "Уюмдун тейлөө аймагынан тышкары",
        "Берун аз минтақаи хизматрасонии ташкилот",
        "Tashkilot xizmat koʻrsatish hududidan tashqarida",
        "Ұйымның қызмет көрсету аумағынан тыс",
        "Guramanyň hyzmat edýän çäginden daşarda",
    ),
    "duplicate": (
        "Duplicate referral",
        "Повторное направление",
        "Кайталанган жолдомо",
        "Равонакунии такрорӣ",
        "Takroriy yoʻllanma",
        "Қайталанған жолдама",
        "Gaýtalanýan ugrukdyrma",
    ),
    "other": ("Other", "Другое", "Башка", "Дигар", "Boshqa", "Басқа", "Başga"),
}
DECLINED = {label: code for code, labels in DECLINE_REASONS.items() for label in labels}
# Written in English whatever the writer's language.
ENROLMENT_ENDINGS = {
    "Completed": "completed",
    "Dropped out": "dropped_out",
    "Expelled": "expelled",
    "De-selected": "deselected",
}
MARKS = {
    "Present": "present",
    "Late": "late",
    "Excused absence": "excused",
    "Unexcused absence": "unexcused",
}
RISK_LEVELS = "low|medium|high|severe"
RESPONDENTS = "person|survivor|close_relation"
OCCASIONS = "intake|mid|end|after_end|other"


def _session(match, first: int = 1) -> dict:
    kind, number, day, time = match.groups()[first - 1 : first + 3]
    return {"session": kind.lower(), "number": int(number), "at": f"{day}T{time}"}


def _order_extended(text):
    if m := re.fullmatch(rf"→ {DATE}", text):
        return {"until": m[1]}
    return None


def _accepted(text):
    return {"criteria": False} if text in NO_CRITERIA else None


def _declined(text):
    return {"reason": DECLINED[text]} if text in DECLINED else None


def _risk_assessed(text):
    if m := re.fullmatch(rf"(.+): ({RISK_LEVELS})", text):
        return {"instrument": m[1], "level": m[2]}
    return None


def _enrolled(text):
    if m := re.fullmatch(r"(.+) \(v(\d+)\)(?:, group (.+))?", text):
        params = {"programme": m[1], "version": int(m[2])}
        if m[3]:
            params["group"] = m[3]
        return params
    return None


def _session_rescheduled(text):
    if m := re.fullmatch(rf"{SESSION} → {DATE} {TIME}", text):
        return {**_session(m), "to": f"{m[5]}T{m[6]}"}
    if m := re.fullmatch(rf"Group (.+): sessions from {DATE} at {TIME}", text):
        return {"group": m[1], "from": m[2], "time": m[3]}
    return None


def _session_cancelled(text):
    if m := re.fullmatch(SESSION, text):
        return _session(m)
    return None


def _attendance_recorded(text):
    marks = "|".join(re.escape(label) for label in MARKS)
    if m := re.fullmatch(rf"{SESSION}: ({marks})( \(short notice, not counted\))?", text):
        params = {**_session(m), "mark": MARKS[m[5]]}
        if m[6]:
            params["counted"] = False
        return params
    return None


def _moved_group(text):
    if m := re.fullmatch(r"(.+) → (.+)", text):
        return {"from": "" if m[1] == "-" else m[1], "to": m[2]}
    return None


def _discharged(text):
    return {"status": ENROLMENT_ENDINGS[text]} if text in ENROLMENT_ENDINGS else None


def _stay_recorded(text):
    if m := re.fullmatch(rf"{DATE} → (?:{DATE}|…)", text):
        return {"arrival": m[1], "departure": m[2]}
    return None


def _questionnaire_recorded(text):
    if m := re.fullmatch(rf"([A-Z0-9_-]+): ({RESPONDENTS}), ({OCCASIONS})(?:, (\d+) months)?", text):
        params = {"instrument": m[1].lower(), "respondent": m[2], "occasion": m[3]}
        if m[4]:
            params["months"] = int(m[4])
        return params
    return None


def _follow_up_meeting(text):
    if m := re.fullmatch(rf"{DATE}: (attended|did not come)", text):
        return {"met_on": m[1], "attended": m[2] == "attended"}
    return None


def _monitoring_body_assigned(text):
    if m := re.fullmatch(r"([a-z_]+): (.+)", text):
        return {"body": m[1], "organisation": m[2]}
    return None


def _monitoring_meeting(text):
    if m := re.fullmatch(rf"{DATE}: ([a-z_]+): (contact_made|no_contact)(: new_violence)?", text):
        return {
            "met_on": m[1],
            "body": m[2],
            "contact_made": m[3] == "contact_made",
            "new_violence": bool(m[4]),
        }
    return None


def _fine(text):
    if m := re.fullmatch(r"(\d+(?:\.\d+)?)(?: ([A-Z]{3}))?", text):
        return {"amount": m[1], "currency": m[2] or ""}
    return None


def _hours(text):
    return {"hours": int(text)} if re.fullmatch(r"\d+", text) else None


def _hearing(text):
    return {"on": text} if re.fullmatch(DATE, text) else None


PARSERS = {
    "order_extended": _order_extended,
    "accepted": _accepted,
    "declined": _declined,
    "risk_assessed": _risk_assessed,
    # A name, as its organisation had it.
    "survivor_service_referred": lambda text: {"organisation": text},
    "transferred": lambda text: {"provider": text},
    "enrolled": _enrolled,
    "session_rescheduled": _session_rescheduled,
    "session_cancelled": _session_cancelled,
    "attendance_recorded": _attendance_recorded,
    "moved_group": _moved_group,
    "discharged": _discharged,
    "stay_recorded": _stay_recorded,
    "questionnaire_recorded": _questionnaire_recorded,
    "follow_up_meeting": _follow_up_meeting,
    "monitoring_body_assigned": _monitoring_body_assigned,
    "monitoring_meeting": _monitoring_meeting,
    "sanction_fine": _fine,
    "sanction_community_service": _hours,
    "sanction_order_extension": _order_extended,
    "sanction_court_hearing": _hearing,
}


def parse(kind: str, text: str) -> dict | None:
    """The params an entry's text says, or None when its shape is unknown."""
    parser = PARSERS.get(kind)
    if parser is None or not text:
        return None
    return parser(text)


def read_details(apps, schema_editor):
    TimelineEntry = apps.get_model("core", "TimelineEntry")
    parsed = []
    for entry in TimelineEntry.objects.exclude(detail="").filter(params={}).only("id", "kind", "detail").iterator():
        params = parse(entry.kind, entry.detail)
        if params:
            entry.params = params
            parsed.append(entry)
        if len(parsed) >= 1000:
            TimelineEntry.objects.bulk_update(parsed, ["params"])
            parsed = []
    TimelineEntry.objects.bulk_update(parsed, ["params"])


class Migration(migrations.Migration):
    dependencies = [("core", "0005_timelineentry")]

    operations = [
        migrations.AddField(
            model_name="timelineentry",
            name="params",
            field=models.JSONField(blank=True, default=dict),
        ),
        # Backwards: the column goes, and the texts were never changed.
        migrations.RunPython(read_details, migrations.RunPython.noop),
    ]
