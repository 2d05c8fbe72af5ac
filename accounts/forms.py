"""Sign-in and second-factor forms, the API token form, and the
organisation's names in the admin.

Authentication itself happens in ``accounts.auth``; these forms only parse
and keep what the user typed (except secrets) when the page is shown again.
"""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from core import localnames

# The field is called ``otp_token`` so django-axes masks it in its logs
# (AXES_SENSITIVE_PARAMETERS), like the password.
CODE_FIELD = "otp_token"


def _code_field(*, required: bool, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=_("6-digit code"),
        required=required,
        max_length=12,
        strip=True,
        help_text=help_text,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": r"[0-9 ]*",
                "maxlength": "12",
            }
        ),
    )


def normalise_code(value: str) -> str:
    """Authenticator apps show "123 456"; accept it."""
    return "".join(value.split())


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp_token = _code_field(
        required=False,
        help_text=_("From your authenticator app. Leave empty only if you have not set up two-factor sign-in yet."),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class CodeForm(forms.Form):
    otp_token = _code_field(required=True)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[CODE_FIELD].widget.attrs["autofocus"] = True

    def clean_otp_token(self) -> str:
        code = normalise_code(self.cleaned_data[CODE_FIELD])
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("Enter the 6 digits shown in your authenticator app."), code="format")
        return code


# Like the code field, masked in django-axes' logs (AXES_SENSITIVE_PARAMETERS).
ENROLMENT_FIELD = "enrolment_code"


class EnrolmentCodeForm(forms.Form):
    enrolment_code = forms.CharField(
        label=_("Enrolment code"),
        max_length=40,
        strip=True,
        help_text=_("The code your administrator gave you, for example ABCD-EFGH-JKLM-NPQR."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "autofocus": True}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.get_full_name() or obj.get_username()} ({obj.membership.get_role_display()})"


class ApiTokenIssueForm(forms.Form):
    """Issue an API token to a member (``accounts.tokens.api_token_issue``
    decides; this form only parses)."""

    user = MemberChoiceField(
        label=_("Member"),
        queryset=User.objects.none(),
        empty_label=None,
        help_text=_("Only members whose role has a use for the API are listed."),
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, for example the system that will use it."),
    )
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1)

    def __init__(self, *args, holders, max_days: int, default_days: int, **kwargs):
        super().__init__(*args, **kwargs)
        member = self.fields["user"]
        assert isinstance(member, forms.ModelChoiceField)
        member.queryset = (
            User.objects.filter(pk__in=[u.pk for u in holders]).select_related("membership").order_by("username")
        )
        days = self.fields["days"]
        assert isinstance(days, forms.IntegerField)
        days.max_value = max_days
        days.validators.append(MaxValueValidator(max_days))
        days.widget.attrs["max"] = str(max_days)
        days.help_text = _("From 1 to %(max)d days.") % {"max": max_days}
        self.initial.setdefault("days", min(default_days, max_days))


# What the admin edits of an organisation, besides its name in other languages.
ORGANISATION_FIELDS = ("name", "kind", "country", "region", "languages", "is_active")


class _OrganisationNames(forms.ModelForm):
    """An organisation in the admin: its name as typed and, optionally, in
    each interface language (``core.localnames``)."""

    class Meta:
        model = Organisation
        fields = ORGANISATION_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, value in localnames.initial_names("name", self.instance.name_translations).items():
            self.initial.setdefault(name, value)

    def save(self, commit=True):
        self.instance.name_translations = localnames.names_from(self.cleaned_data, "name")
        return super().save(commit)


OrganisationForm = type(
    "OrganisationForm", (_OrganisationNames,), localnames.name_form_fields("name", _("Name"), max_length=200)
)
