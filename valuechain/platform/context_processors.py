from django.http import HttpRequest

from valuechain.platform.display import currency


def product(request: HttpRequest) -> dict[str, object]:
    return {"currency": currency()}
