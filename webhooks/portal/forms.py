"""The portal's webhook form: every field labelled, every error keyed to its field."""

from django import forms
from django.core.exceptions import ValidationError

from webhooks.choices import WebhookEvent
from webhooks.constants import URL_MAX_LENGTH
from webhooks.destinations import url_problem


class WebhookForm(forms.Form):
    url = forms.CharField(
        label="Endpoint URL",
        max_length=URL_MAX_LENGTH,
        widget=forms.URLInput(attrs={"placeholder": "https://hooks.example.com/cloud-proxy"}),
        help_text="We POST each event here as JSON. https:// and a public address only.",
    )
    events = forms.MultipleChoiceField(
        label="Events",
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event."},
    )
    description = forms.CharField(
        label="Description", max_length=200, required=False, help_text="What listens there."
    )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        if problem := url_problem(url):
            raise ValidationError(problem)
        return url
