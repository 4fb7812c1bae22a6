"""Forms of the customer portal: every field labelled, every error keyed to its field."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from accounts.choices import ApiKeyScope
from accounts.forms import SourceNetworksField
from accounts.models import App, Customer
from accounts.validators import source_networks_canonical
from provisioning.constants import MAX_CONCURRENCY
from provisioning.models import Isp, Region
from provisioning.services.requests import request_scope_check


class RegionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        scope = "China mainland" if obj.domestic else "overseas"
        return f"{obj.name} ({scope})"


class ScopeForm(forms.Form):
    """Regions, ISPs and peak users of a proxy request, and notes for our team."""

    regions = RegionChoiceField(
        queryset=Region.objects.order_by("-domestic", "name"),
        widget=forms.CheckboxSelectMultiple,
        label="Regions",
        help_text="Where your users are.",
        error_messages={"required": "Choose at least one region."},
    )
    isps = forms.ModelMultipleChoiceField(
        queryset=Isp.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="ISPs",
        help_text="Network operators to serve in China mainland regions. "
        "Overseas regions use multi-line addresses.",
    )
    concurrency = forms.IntegerField(
        label="Peak concurrent users",
        min_value=1,
        max_value=MAX_CONCURRENCY,
        help_text=f"1 to {MAX_CONCURRENCY:,}. Sizes your dedicated production set.",
        error_messages={"required": "Enter the peak number of concurrent users."},
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "e.g. 1000"}),
    )
    notes = forms.CharField(
        label="Notes for our team (optional)",
        required=False,
        max_length=settings.NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def add_service_error(self, exc: ValidationError) -> None:
        """Show a service's error by its field, or above the form if no field matches."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for name, errors in exc.error_dict.items():
            self.add_error(name if name in self.fields else None, errors)

    def clean(self):
        cleaned = super().clean()
        if "regions" in cleaned and "isps" in cleaned:
            request_scope_check(regions=list(cleaned["regions"]), isps=list(cleaned["isps"]))
        return cleaned


class RequestForm(ScopeForm):
    """Ask for proxy service for one app."""

    field_order = ["app", "regions", "isps", "concurrency", "source_networks", "notes"]

    app = forms.ModelChoiceField(
        queryset=App.objects.none(),
        to_field_name="app_id",
        label="App",
        empty_label="Choose an app",
        error_messages={"invalid_choice": "Choose one of your apps."},
    )
    source_networks = SourceNetworksField(
        label="Source networks (optional)",
        required=False,
        help_text="Your internal networks in CIDR notation, one per line. "
        "Firewall rules then allow traffic from these networks only; "
        "leave empty to keep the current ones.",
    )

    def __init__(self, *args, apps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["app"].queryset = apps
        self.fields["app"].label_from_instance = lambda app: f"{app.name} ({app.app_id})"

    def clean_source_networks(self):
        # Each line is checked by the field; this adds the cap on how many.
        return source_networks_canonical(self.cleaned_data["source_networks"])


class ChangeForm(ScopeForm):
    """Ask to change the sizing of a live request; the fields start at what it has now."""

    def __init__(self, *args, proxy_request, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "regions": list(proxy_request.regions.all()),
                "isps": list(proxy_request.isps.all()),
                "concurrency": proxy_request.concurrency,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields[
            "concurrency"
        ].help_text = (
            f"Now {proxy_request.concurrency:,}. Your dedicated set grows or shrinks to match."
        )
        self.fields["regions"].help_text = "Every region you need, not only the new ones."


class ApiKeyForm(forms.Form):
    """Create an API key for one of the user's customers."""

    customer = forms.ModelChoiceField(
        queryset=Customer.objects.none(),
        to_field_name="slug",
        label="Customer",
        empty_label=None,
    )
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What the key is for, e.g. \u201cfirewall sync\u201d.",
        error_messages={"required": "Give the key a name so you can tell it apart later."},
    )
    scopes = forms.MultipleChoiceField(
        label="Permissions",
        choices=ApiKeyScope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[ApiKeyScope.READ, ApiKeyScope.RULES],
        error_messages={"required": "Choose at least one permission."},
    )

    def __init__(self, *args, customers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers
        if customers.count() == 1:
            self.fields["customer"].initial = customers.first().slug
            self.fields["customer"].widget = forms.HiddenInput()
