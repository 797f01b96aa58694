from django.apps import AppConfig


class ValueChainConfig(AppConfig):
    name = "valuechain"
    verbose_name = "Value chain"
    default_auto_field = "django.db.models.BigAutoField"
