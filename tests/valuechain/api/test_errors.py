"""The API's last line of defence: database refusals of user input are 4xx, not 500."""

import pytest
from django.db import DataError

from valuechain.api.errors import exception_handler


@pytest.mark.parametrize(
    "error", [OverflowError("Python int too large"), DataError("value out of range")]
)
def test_values_too_large_for_the_database_are_a_400(error):
    response = exception_handler(error, {})
    assert response is not None
    assert response.status_code == 400
    assert "out of range" in response.data["detail"]
