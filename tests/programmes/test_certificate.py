"""Certificate of completion: programmes:certificate (printable page) and
programmes:certificate_pdf, for the police or a court, with no survivor
data."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext
from pypdf import PdfReader

from programmes.certificates import ALPHABETS, FONT_FILES, certificate_for, render_pdf
from tests import factories as f
from tests.programmes.views_sessions_support import completed_enrolment, days, mandatory_enrolment

SURVIVOR_FAMILY_NAME = "Тайнова"
SURVIVOR_GIVEN_NAME = "Гульнара"
SURVIVOR_PHONE = "+996700555111"
SURVIVOR_ADDRESS = "Бишкек, мкр. Скрытый 9"
INCIDENT = "Threw a kettle at her in the kitchen."


@pytest.fixture
def completed(users, orgs):
    referral = f.make_referral(
        police=users["police"],
        provider=orgs["provider"],
        person=f.person_data(
            family_name="Жумабеков", given_name="Нурлан", patronymic="Асанович", preferred_language="en"
        ),
        survivors=[
            f.survivor_data(
                family_name=SURVIVOR_FAMILY_NAME,
                given_name=SURVIVOR_GIVEN_NAME,
                phone=SURVIVOR_PHONE,
                address=SURVIVOR_ADDRESS,
            )
        ],
        incident_description=INCIDENT,
    )
    case = f.open_case(referral, users["psychologist"])
    return completed_enrolment(users, orgs, case)


def html_url(enrolment) -> str:
    return reverse("programmes:certificate", args=[enrolment.pk])


def pdf_url(enrolment) -> str:
    return reverse("programmes:certificate_pdf", args=[enrolment.pk])


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def assert_no_survivor_data(text: str) -> None:
    for secret in (SURVIVOR_FAMILY_NAME, SURVIVOR_GIVEN_NAME, SURVIVOR_PHONE, SURVIVOR_ADDRESS, "Скрытый", INCIDENT):
        assert secret not in text


def test_the_urls():
    assert reverse("programmes:certificate", args=[7]) == "/programmes/enrolments/7/certificate/"
    assert reverse("programmes:certificate_pdf", args=[7]) == "/programmes/enrolments/7/certificate.pdf"


@pytest.mark.parametrize("who", ["psychologist", "social_worker", "manager"])
def test_the_printable_page(client, login, users, completed, who):
    login(users[who])
    response = client.get(html_url(completed))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Certificate of completion" in html
    assert "Жумабеков Нурлан Асанович" in html
    assert formats.date_format(completed.case.referral.person.birth_date, "DATE_FORMAT") in html
    assert "Kyrgyzstan Decree 390 Annex 3, mandatory (2 + 2 in 4 weeks) (version 1)" in html
    assert "Bishkek Consultation Room" in html
    assert formats.date_format(days(-27), "DATE_FORMAT") in html  # started
    assert formats.date_format(days(0), "DATE_FORMAT") in html  # completed
    assert "4 (individual 2 of 2, group 2 of 2)" in html
    assert '<dd class="col-sm-8">6.0</dd>' in html  # 2 × 1 h + 2 × 2 h
    assert completed.case.referral.reference in html
    assert "Signature" in html and "Stamp of the provider" in html
    assert "css/certificate-print.css" in html
    assert 'style="' not in html
    assert_no_survivor_data(html)


def test_the_pdf(client, login, users, completed):
    login(users["psychologist"])
    response = client.get(pdf_url(completed))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == f'inline; filename="certificate-{completed.provider_id}-{completed.pk:05d}.pdf"'
    )
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "Certificate of completion" in text
    assert "Жумабеков Нурлан Асанович" in text
    assert "Kyrgyzstan Decree 390 Annex 3" in text
    assert "Bishkek Consultation Room" in text
    assert "4 (individual 2 of 2, group 2 of 2)" in text
    assert "Signature" in text
    assert_no_survivor_data(text)


def test_the_uncompressed_pdf_stream_holds_no_survivor_data(completed):
    raw = render_pdf(certificate_for(completed), compress=False)
    assert b"FlateDecode" not in raw.split(b"/FontFile2")[0]  # page content is plain
    for secret in (SURVIVOR_PHONE, SURVIVOR_ADDRESS, INCIDENT):
        assert secret.encode() not in raw
        assert secret.encode("utf-16-be") not in raw
    assert_no_survivor_data(pdf_text(raw))


def test_an_enrolment_that_is_not_completed_has_no_certificate(client, login, users, orgs, case):
    enrolment, _group = mandatory_enrolment(users, orgs, case)
    login(users["psychologist"])
    response = client.get(html_url(enrolment))
    assert response.status_code == 404
    assert "Only a completed programme has a certificate." in response.content.decode()
    assert client.get(pdf_url(enrolment)).status_code == 404


# --- In the participant's language ------------------------------------------------


def completed_for(users, orgs, language: str):
    """A completed enrolment whose person prefers ``language``."""
    referral = f.make_referral(
        police=users["police"], provider=orgs["provider"], person=f.person_data(preferred_language=language)
    )
    return completed_enrolment(users, orgs, f.open_case(referral, users["psychologist"]))


def flat(text: str) -> str:
    """Line breaks (a long title wraps) as single spaces."""
    return " ".join(text.split())


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_the_pdf_is_in_the_participants_language(client, login, users, orgs, language):
    enrolment = completed_for(users, orgs, language)
    login(users["psychologist"])  # reads in the site's language
    text = flat(pdf_text(client.get(pdf_url(enrolment)).content))
    with translation.override(language):
        title = gettext("Certificate of completion")
        completed_on = formats.date_format(days(0), "DATE_FORMAT")
    if language != "en":
        assert title != "Certificate of completion"
    assert title in text
    assert completed_on.startswith(str(days(0).day))  # day first
    assert completed_on in text


def test_a_language_the_interface_lacks_falls_back_to_the_sites(users, orgs):
    enrolment = completed_for(users, orgs, "ru")
    person = enrolment.case.referral.person
    person.preferred_language = "de"  # no such choice any more
    person.save(update_fields=["preferred_language"])
    assert certificate_for(enrolment).language == settings.LANGUAGE_CODE


def test_the_fonts_have_every_letter_of_the_regions_languages():
    from reportlab.pdfbase.ttfonts import TTFont

    letters = "".join(ALPHABETS.values())
    for language in ("ky", "tg", "kk", "uz", "tk"):
        assert ALPHABETS[language]
    for path in FONT_FILES.values():
        glyphs = TTFont("check", str(path)).face.charToGlyph
        missing = [letter for letter in letters if ord(letter) not in glyphs]
        assert not missing, (path.name, missing)


def test_the_catalogues_have_no_letter_the_fonts_lack():
    from reportlab.pdfbase.ttfonts import TTFont

    for path in FONT_FILES.values():
        glyphs = TTFont("check", str(path)).face.charToGlyph
        for language in ALPHABETS.keys() | {"ru"}:
            po = (settings.BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po").read_text()
            missing = {letter for letter in po if letter not in "\n\t" and ord(letter) not in glyphs}
            assert not missing, (path.name, language, missing)


def test_the_pdf_embeds_its_fonts(users, orgs):
    raw = render_pdf(certificate_for(completed_for(users, orgs, "tk")), compress=False)
    assert b"/FontFile2" in raw


def test_a_russian_reader_sees_a_kyrgyz_participants_certificate_in_kyrgyz(client, login, users, orgs):
    enrolment = completed_for(users, orgs, "ky")
    reader = users["psychologist"]
    reader.preferred_language = "ru"
    reader.save(update_fields=["preferred_language"])
    login(reader)
    html = client.get(html_url(enrolment)).content.decode()
    nav, certificate = html.split('<article class="ps-certificate" lang="ky"')
    with translation.override("ru"):
        assert gettext("Today") in nav
        assert gettext("Download PDF") in nav
    with translation.override("ky"):
        assert gettext("Certificate of completion") in certificate
        assert gettext("Stamp of the provider") in certificate
        assert formats.date_format(days(0), "DATE_FORMAT") in certificate
    for other in ("ru", "en"):
        with translation.override(other):
            assert gettext("Certificate of completion") not in certificate
