"""Notification pages: the user's subscriptions and webhooks, and a webhook's delivery log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from contracts.notifications import selectors, services
from contracts.notifications.forms import SubscriptionForm, WebhookForm

MAX_LISTED_DELIVERIES = 200


def _page(
    request: HttpRequest,
    subscription_form: SubscriptionForm | None = None,
    webhook_form: WebhookForm | None = None,
    status: int = 200,
) -> HttpResponse:
    contract = request.GET.get("contract", "")
    initial = {"contract": contract} if contract.isdigit() and len(contract) < 19 else {}
    return render(
        request,
        "contracts/notifications/settings.html",
        {
            "subscriptions": selectors.subscriptions_of(request.user).order_by("id"),
            "webhooks": selectors.webhooks_of(request.user).order_by("id"),
            "subscription_form": subscription_form or SubscriptionForm(initial=initial),
            "webhook_form": webhook_form or WebhookForm(initial=initial),
            "new_secret": request.session.pop("new_webhook_secret", None),
        },
        status=status,
    )


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_POST
def subscribe(request: HttpRequest) -> HttpResponse:
    form = SubscriptionForm(request.POST)
    if not form.is_valid():
        return _page(request, subscription_form=form, status=400)
    services.subscribe(
        user=request.user,
        contract=form.cleaned_data["contract"],
        frequency=form.cleaned_data["frequency"],
    )
    messages.success(request, "Subscribed.")
    return redirect("contracts:notifications")


@login_required
@require_POST
def unsubscribe(request: HttpRequest, pk: int) -> HttpResponse:
    if not services.unsubscribe(user=request.user, subscription_id=pk):
        raise Http404("No such subscription of yours.")
    messages.success(request, "Unsubscribed.")
    return redirect("contracts:notifications")


@login_required
@require_POST
def add_webhook(request: HttpRequest) -> HttpResponse:
    form = WebhookForm(request.POST)
    if not form.is_valid():
        return _page(request, webhook_form=form, status=400)
    hook = services.create_webhook(owner=request.user, **form.cleaned_data)
    request.session["new_webhook_secret"] = {"name": hook.name, "secret": hook.secret}
    return redirect("contracts:notifications")


@login_required
@require_POST
def delete_webhook(request: HttpRequest, pk: int) -> HttpResponse:
    if not services.delete_webhook(owner=request.user, webhook_id=pk):
        raise Http404("No such webhook of yours.")
    messages.success(request, "Webhook removed.")
    return redirect("contracts:notifications")


@login_required
@require_http_methods(["GET", "POST"])
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    hook = get_object_or_404(selectors.webhooks_of(request.user), pk=pk)
    if request.method == "POST":  # the "send test" button
        services.send_test(webhook=hook)
        messages.info(request, "Test delivery sent: its outcome shows in the log below.")
        return redirect("contracts:webhook", pk=pk)
    deliveries = list(selectors.deliveries_of(hook)[:MAX_LISTED_DELIVERIES])
    return render(
        request,
        "contracts/notifications/webhook.html",
        {"webhook": hook, "deliveries": deliveries},
    )
