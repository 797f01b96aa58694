"""`python manage.py load_demo`: the Hafen Market demo company, safe to run again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from valuechain.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = (
        "Create or update the demo company (catalogue, ideas, stakeholders and the users "
        f"admin, pm, pm2, lead, exec with password {DEMO_PASSWORD!r}, for demos only)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # One transaction: the demo appears whole or not at all, its figures computed once.
        with transaction.atomic():
            counts = load_demo()
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {summary}."))
        self.stdout.write(
            f"Log in as admin, pm, pm2, lead or exec with password {DEMO_PASSWORD!r} (demo only)."
        )
