"""The forms of the notification pages: a subscription and a webhook."""

from __future__ import annotations

from django import forms

from contracts.notifications import selectors, services
from contracts.notifications.models import Frequency


class SubscriptionForm(forms.Form):
    contract = forms.ModelChoiceField(
        queryset=selectors.contract_choices(),
        required=False,
        empty_label="Every contract",
        help_text="The contract whose breaches you hear about.",
    )
    frequency = forms.ChoiceField(
        choices=Frequency.choices,
        initial=Frequency.IMMEDIATE,
        help_text="One email per breach opened or resolved, or one digest email a day (07:00 UTC).",
    )


class WebhookForm(forms.Form):
    name = forms.CharField(max_length=services.MAX_NAME_LENGTH)
    url = forms.CharField(
        label="URL",
        max_length=services.MAX_URL_LENGTH,
        help_text="http:// or https://. Each delivery is a signed JSON POST; redirects are not "
        "followed and the receiver has a few seconds to answer.",
    )
    contract = forms.ModelChoiceField(
        queryset=selectors.contract_choices(), required=False, empty_label="Every contract"
    )

    def clean_url(self) -> str:
        try:
            return services.check_webhook_url(self.cleaned_data.get("url") or "")
        except forms.ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["url"]) from None
