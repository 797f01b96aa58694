from importlib import import_module

from django.apps import AppConfig


class ValueChainConfig(AppConfig):
    name = "valuechain"
    verbose_name = "Value chain"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects the receivers that revoke API tokens on logout and on a password change.
        import_module("valuechain.platform.tokens")
        # Makes stored ROI figures stale on every write that can change them.
        import_module("valuechain.figures.invalidation").connect()
