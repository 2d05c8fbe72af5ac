"""Certificate of completion, for the police or a court: a printable page
and a PDF, built from one ``Certificate`` value.

``Certificate`` holds every fact the certificate shows, and nothing else:
the person's name and birth date, the programme, the provider, the dates
and what was attended. It is built from the enrolment, its case's referral
*person* and the progress figures; it never reads the referral's survivors,
incident description, risk flags or any note, so none can leak into a
printout.

The certificate is the participant's, so it is written in the person's
preferred language (``Certificate.language``), whoever reads it: its words,
dates and numbers. A language the interface does not have falls back to the
site's (``settings.LANGUAGE_CODE``). The fonts embedded in the PDF carry the
letters of every one of those languages (``ALPHABETS``).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from django.http import Http404
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core.languages import interface_language
from core.shipped import shown
from programmes.models import Enrolment
from programmes.selectors import progress

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "CertificateSerif"
FONT_BOLD = "CertificateSerif-Bold"
# DejaVu Serif (programmes/fonts, licence beside it): Latin and Cyrillic with
# every letter of the region's languages.
FONT_FILES = {FONT: FONT_DIR / "DejaVuSerif.ttf", FONT_BOLD: FONT_DIR / "DejaVuSerif-Bold.ttf"}
# The letters beyond Russian's and English's that the languages of
# settings.LANGUAGES need, small and capital; the fonts must have them all.
ALPHABETS = {
    "ky": "ңөүҢӨҮ",
    "tg": "ғӣқӯҳҷҒӢҚӮҲҶ",
    "kk": "әғқңөұүһіӘҒҚҢӨҰҮҺІ",
    "uz": "ʻʼoʻgʻOʻGʻ",
    "tk": "äçňöşüýžÄÇŇÖŞÜÝŽ",
}


@dataclass(frozen=True)
class Certificate:
    number: str
    language: str  # settings.LANGUAGES code: the participant's, see core.languages.interface_language
    person_name: str
    birth_date: dt.date
    programme: str
    programme_version: int
    provider: str
    provider_region: str
    provider_country: str
    referral_reference: str
    case_number: str
    started_on: dt.date
    completed_on: dt.date
    individual_attended: int
    individual_required: int
    group_attended: int
    group_required: int
    hours_attended: Decimal
    hours_required: Decimal | None
    issued_on: dt.date

    @property
    def sessions_attended(self) -> int:
        return self.individual_attended + self.group_attended

    @property
    def sessions_required(self) -> int:
        return self.individual_required + self.group_required

    @property
    def filename(self) -> str:
        """No name in it: file names end up in logs and download folders."""
        return f"certificate-{self.number}.pdf"


def certificate_for(enrolment: Enrolment) -> Certificate:
    """The certificate of a completed enrolment; 404 for any other."""
    if enrolment.status != Enrolment.Status.COMPLETED or enrolment.ended_on is None:
        raise Http404("Only a completed programme has a certificate.")
    state = progress(enrolment)
    person = enrolment.case.referral.person
    template = enrolment.template
    provider = enrolment.provider
    language = interface_language(person.preferred_language)
    with translation.override(language):
        country = str(provider.get_country_display())
        programme = shown(template.name)
    return Certificate(
        number=f"{provider.pk}-{enrolment.pk:05d}",
        language=language,
        person_name=person.full_name,
        birth_date=person.birth_date,
        programme=programme,
        programme_version=template.version,
        provider=provider.name_in(language),
        provider_region=provider.region,
        provider_country=country,
        referral_reference=enrolment.case.referral.reference,
        case_number=enrolment.case.number,
        started_on=enrolment.starts_on,
        completed_on=enrolment.ended_on,
        individual_attended=state.individual_attended,
        individual_required=state.individual_required,
        group_attended=state.group_attended,
        group_required=state.group_required,
        hours_attended=state.hours_attended,
        hours_required=state.hours_required,
        issued_on=timezone.localdate(),
    )


def _date(value: dt.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def facts(cert: Certificate) -> list[tuple[str, str]]:
    """The rows of the certificate's table (label, value), shared by the page
    and the PDF, in the certificate's language."""
    with translation.override(cert.language):
        return _facts(cert)


def _facts(cert: Certificate) -> list[tuple[str, str]]:
    rows = [
        (_("Date of birth"), _date(cert.birth_date)),
        (
            _("Programme"),
            _("%(name)s (version %(version)d)") % {"name": cert.programme, "version": cert.programme_version},
        ),
        (
            _("Programme provider"),
            f"{cert.provider}, {cert.provider_region}, {cert.provider_country}",
        ),
        (
            _("Referral"),
            _("%(reference)s · case %(number)s") % {"reference": cert.referral_reference, "number": cert.case_number},
        ),
        (_("Started"), _date(cert.started_on)),
        (_("Completed"), _date(cert.completed_on)),
        (
            _("Sessions attended"),
            _("%(attended)d (individual %(ind)d of %(ind_req)d, group %(grp)d of %(grp_req)d)")
            % {
                "attended": cert.sessions_attended,
                "ind": cert.individual_attended,
                "ind_req": cert.individual_required,
                "grp": cert.group_attended,
                "grp_req": cert.group_required,
            },
        ),
    ]
    if cert.hours_required is not None:
        hours = _("%(hours)s of %(required)s required") % {
            "hours": formats.number_format(cert.hours_attended),
            "required": formats.number_format(cert.hours_required),
        }
    else:
        hours = formats.number_format(cert.hours_attended)
    rows.append((_("Hours attended"), hours))
    return rows


def statement(cert: Certificate) -> str:
    """The sentence under the name, in the certificate's language."""
    with translation.override(cert.language):
        return _("%(name)s completed the programme on %(date)s, having met its attendance requirements.") % {
            "name": cert.person_name,
            "date": _date(cert.completed_on),
        }


def _register_fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        # Embedded (TrueType subsets), so any reader shows every letter.
        for name, path in FONT_FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(path)))


@dataclass(frozen=True)
class _Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    name: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle


def _styles() -> _Styles:
    return _Styles(
        title=ParagraphStyle("title", fontName=FONT_BOLD, fontSize=22, leading=28, alignment=TA_CENTER),
        subtitle=ParagraphStyle("subtitle", fontName=FONT, fontSize=11, leading=15, alignment=TA_CENTER),
        name=ParagraphStyle("name", fontName=FONT_BOLD, fontSize=18, leading=24, alignment=TA_CENTER),
        body=ParagraphStyle("body", fontName=FONT, fontSize=11, leading=15),
        small=ParagraphStyle("small", fontName=FONT, fontSize=9, leading=12, textColor=colors.grey),
    )


def _document(buffer: io.BytesIO, cert: Certificate, *, compress: bool) -> SimpleDocTemplate:
    """An A4 page with 20 mm margins; the PDF's title and author."""
    return SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=str(_("Certificate of completion")),
        author=cert.provider,
        lang=cert.language,
        pageCompression=1 if compress else 0,
    )


def _facts_table(cert: Certificate, styles: _Styles) -> Table:
    """The facts (``facts``), a label and a value per row."""
    table = Table(
        [
            [Paragraph(escape(label), styles.body), Paragraph(escape(value), styles.body)]
            for label, value in facts(cert)
        ],
        colWidths=[55 * mm, None],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return table


def _signature_table(styles: _Styles) -> Table:
    """The lines the provider fills in by hand: signature, name and position, date, stamp."""
    small = styles.small
    signature = Table(
        [
            [Paragraph(escape(_("Signature")), small), Paragraph(escape(_("Name and position")), small)],
            ["", ""],
            [Paragraph(escape(_("Date")), small), Paragraph(escape(_("Stamp of the provider")), small)],
        ],
        colWidths=[80 * mm, None],
        rowHeights=[None, 14 * mm, None],
    )
    signature.setStyle(
        TableStyle(
            [
                ("LINEABOVE", (0, 0), (0, 0), 0.5, colors.black),
                ("LINEABOVE", (1, 0), (1, 0), 0.5, colors.black),
                ("LINEABOVE", (0, 2), (0, 2), 0.5, colors.black),
                ("LINEABOVE", (1, 2), (1, 2), 0.5, colors.black),
                ("LEFTPADDING", (1, 0), (1, -1), 12),
            ]
        )
    )
    return signature


def _story(cert: Certificate, styles: _Styles) -> list:
    """The page from top to bottom: title, number, name, statement, facts,
    the provider's signature block, the date of issue."""
    return [
        Paragraph(escape(_("Certificate of completion")), styles.title),
        Paragraph(escape(_("No. %(number)s") % {"number": cert.number}), styles.subtitle),
        Spacer(1, 10 * mm),
        Paragraph(escape(cert.person_name), styles.name),
        Spacer(1, 4 * mm),
        Paragraph(escape(statement(cert)), styles.subtitle),
        Spacer(1, 8 * mm),
        _facts_table(cert, styles),
        Spacer(1, 20 * mm),
        Paragraph(escape(_("For the programme provider: %(provider)s") % {"provider": cert.provider}), styles.body),
        Spacer(1, 14 * mm),
        _signature_table(styles),
        Spacer(1, 10 * mm),
        Paragraph(escape(_("Issued on %(date)s.") % {"date": _date(cert.issued_on)}), styles.small),
    ]


def render_pdf(cert: Certificate, *, compress: bool = True) -> bytes:
    """An A4 PDF of the certificate in its language (text stays text, so it
    can be read and searched)."""
    _register_fonts()
    buffer = io.BytesIO()
    with translation.override(cert.language):
        _document(buffer, cert, compress=compress).build(_story(cert, _styles()))
    return buffer.getvalue()
