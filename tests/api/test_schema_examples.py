"""The API reference's examples name records that exist in the demo data.

In a new database the demo data's rows are numbered in the order it creates
them, so an example id is "the n-th row the demo makes". Loaded here into
tables that hold nothing else (the shipped templates aside, made before it),
the n-th row by id is the row that id names after ``make run``."""

from __future__ import annotations

from accounts.models import Organisation
from casework.models import Case
from core.models import TimelineEntry
from programmes import api as programmes_api
from programmes.models import Attendance, Enrolment, Group, ProgrammeTemplate, Session
from referrals import api as referrals_api
from referrals.models import Referral
from tests.frontdoor.test_demo_data import demo_data, loaded  # noqa: F401 - fixtures


def nth(model, n: int):
    """The row a new database would give id ``n``."""
    rows = list(model.objects.order_by("id")[n - 1 : n])
    assert rows, f"the demo makes fewer than {n} {model._meta.verbose_name_plural}"
    return rows[0]


def _examples(operation: str) -> list[dict]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for methods in schema["paths"].values():
        for op in methods.values():
            if op.get("operationId") == operation:
                bodies = [
                    example["value"]
                    for response in op["responses"].values()
                    for media in response.get("content", {}).values()
                    for example in media.get("examples", {}).values()
                ]
                params = [
                    example["value"] for p in op.get("parameters", []) for example in p.get("examples", {}).values()
                ]
                return bodies + params
    raise AssertionError(f"no operation {operation}")


class TestExamplesNameDemoRecords:
    def test_the_organisations(self, loaded):  # noqa: F811
        police, provider = (
            nth(Organisation, o["id"]) for o in (referrals_api.DEMO_POLICE_UNIT, referrals_api.DEMO_PROVIDER)
        )
        assert (police.name, police.kind) == (referrals_api.DEMO_POLICE_UNIT["name"], Organisation.Kind.POLICE_UNIT)
        assert (provider.name, provider.kind) == (
            referrals_api.DEMO_PROVIDER["name"],
            Organisation.Kind.PROGRAMME_PROVIDER,
        )
        assert referrals_api.EXAMPLE_REFERRAL["provider"] == referrals_api.DEMO_PROVIDER["id"]

    def test_the_referral_examples(self, loaded):  # noqa: F811
        police = nth(Organisation, referrals_api.DEMO_POLICE_UNIT["id"])
        [status, id_param] = _examples("referral_status")
        accepted = nth(Referral, status["id"])
        assert id_param == status["id"]
        assert (accepted.status, accepted.referring_body_id) == (status["status"], police.pk)
        assert status["reference"] == f"R-{status['id']:05d}"
        [page] = _examples("referral_list")
        for row in page["results"]:
            referral = nth(Referral, row["id"])
            assert (referral.status, referral.referring_body_id) == (row["status"], police.pk)

    def test_the_history_example_is_that_referrals_course(self, loaded):  # noqa: F811
        history, id_param = _examples("referral_history")
        referral = nth(Referral, history["referral"])
        assert id_param == history["referral"]
        kinds = list(
            TimelineEntry.objects.filter(referral=referral, survivor_side=False)
            .order_by("at", "id")
            .values_list("kind", "actor_organisation__name")
        )
        assert kinds == [(e["kind"], e["organisation"]["name"]) for e in history["entries"]]

    def test_the_enrolment_examples(self, loaded):  # noqa: F811
        enrolment = nth(Enrolment, programmes_api.DEMO_ENROLMENT)
        [page] = _examples("enrolment_list")
        [row] = page["results"]
        assert enrolment.status == row["status"]
        assert enrolment.case == nth(Case, row["case"])
        assert enrolment.case.referral == nth(Referral, row["referral"]["id"])
        assert enrolment.group == nth(Group, row["group"]["id"])
        assert enrolment.group.name == row["group"]["name"]
        template = nth(ProgrammeTemplate, row["programme"]["id"])
        assert enrolment.template == template
        assert (template.code, template.version, template.name) == (
            row["programme"]["code"],
            row["programme"]["version"],
            row["programme"]["name"],
        )

    def test_the_attendance_example(self, loaded):  # noqa: F811
        attendance, id_param = _examples("enrolment_attendance")
        enrolment = nth(Enrolment, attendance["enrolment"])
        assert id_param == attendance["enrolment"]
        for row in attendance["sessions"]:
            session = nth(Session, row["session"])
            mark = Attendance.objects.get(session=session, enrolment=enrolment).mark
            assert (session.kind, session.number, session.status, session.duration_minutes, mark) == (
                row["kind"],
                row["number"],
                row["session_status"],
                row["duration_minutes"],
                row["mark"],
            )


# Every id an example may carry, by the key it stands under: an object's
# ``id`` is a record of the model its key names (a row of a list or the
# answer itself: the operation's own model); a bare number is a record of
# the model of its key. An id under a key missing here fails the test, so a
# new example cannot name a record nobody checks.
ID_KEYS = {
    "referral": Referral,
    "case": Case,
    "enrolment": Enrolment,
    "session": Session,
    "group": Group,
    "programme": ProgrammeTemplate,
    "provider": Organisation,
    "organisation": Organisation,
}
OPERATION_MODELS = {
    "referral": Referral,
    "enrolment": Enrolment,
    "provider": Organisation,
    "programme_template": ProgrammeTemplate,
}


def _operation_model(operation_id: str):
    for prefix, model in OPERATION_MODELS.items():
        if operation_id.startswith(prefix + "_"):
            return model
    return None


def _ids(value, key: str | None = None):
    """(key, id) for every id in an example's value: the key an object with
    an ``id`` stands under (None at the top), or the key of a bare id."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "id" and isinstance(v, int):
                yield (key, v)
            elif k != "id":
                yield from _ids(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from _ids(item, key)
    elif isinstance(value, int) and not isinstance(value, bool) and (key in ID_KEYS or (key or "").endswith("id")):
        yield (key, value)


def _every_example():
    """(operation id, where, value) for every example of the schema."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for methods in schema["paths"].values():
        for op in methods.values():
            bodies = [op.get("requestBody", {}), *op["responses"].values()]
            for body in bodies:
                for media in body.get("content", {}).values():
                    for example in media.get("examples", {}).values():
                        yield op["operationId"], None, example["value"]
            for p in op.get("parameters", []):
                for example in p.get("examples", {}).values():
                    yield op["operationId"], p["name"], example["value"]


class TestEveryExampleIdIsADemoRecord:
    def test_every_operation_has_an_example(self, loaded):  # noqa: F811
        with_examples = {operation for operation, _where, _value in _every_example()}
        assert with_examples >= {
            "referral_list",
            "referral_create",
            "referral_status",
            "referral_history",
            "provider_list",
            "programme_template_list",
            "enrolment_list",
            "enrolment_attendance",
            "reports_outcomes",
        }

    def test_every_id_names_a_record_the_demo_makes(self, loaded):  # noqa: F811
        checked = 0
        for operation, where, value in _every_example():
            own = _operation_model(operation)
            if where == "template":  # a programme's code
                assert ProgrammeTemplate.objects.filter(code=value).exists(), (operation, value)
                checked += 1
            if where is not None:  # a parameter: the path's id is the operation's record
                pairs = [(where, value)] if isinstance(value, int) else []
            else:
                pairs = list(_ids(value))
            for key, pk in pairs:
                model = own if key in (None, "results", "id") else ID_KEYS.get(key)
                assert model is not None, f"{operation}: an id under {key!r} that no model is known for"
                record = nth(model, pk)
                if key in ("provider",) or (model is Organisation and own is Organisation):
                    assert record.kind == Organisation.Kind.PROGRAMME_PROVIDER, (operation, key, pk)
                checked += 1
        assert checked >= 20

    def test_the_provider_and_template_examples_are_those_records(self, loaded):  # noqa: F811
        from programmes.serializers import ProgrammeTemplateSerializer
        from referrals.serializers import ProviderSerializer

        [providers] = [v for op, where, v in _every_example() if op == "provider_list" and where is None]
        # The n-th row, whatever id this test database gave it.
        for row in providers:
            assert {**ProviderSerializer(nth(Organisation, row["id"])).data, "id": row["id"]} == row
        [templates] = [v for op, where, v in _every_example() if op == "programme_template_list" and where is None]
        for row in templates:
            data = ProgrammeTemplateSerializer(nth(ProgrammeTemplate, row["id"])).data
            assert {**data, "id": row["id"]} == row
