"""Who may do what with a contract, and how a refused registry write is answered.

The predicates take the user and build on valuechain.platform.roles; the pages, the API and the
services all ask them. ``refusal`` gives one answer (HTTP status, words for the page, body for the
API) to each way an ODCS import or a published version can be refused, so the import page and the
import endpoint say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError

from contracts import odcs
from contracts.models import DataContract
from contracts.registry import selectors
from contracts.registry.errors import BreakingChangeError, VersionConflictError
from valuechain.platform.roles import is_data_lead

AnyUser = AbstractBaseUser | AnonymousUser

IMPORT_REFUSED = "Only data leads and contract owners may import contracts."


def can_write(user: AnyUser, contract: DataContract | None = None) -> bool:
    """Data leads and staff write every contract; an owner writes their own."""
    if not user.is_authenticated:
        return False
    if is_data_lead(user):  # type: ignore[arg-type]
        return True
    return contract is not None and contract.owner_id is not None and contract.owner_id == user.pk


def may_validate(user: Any, contract: DataContract) -> bool:
    """The producer side (owner, data leads) and the contract's consumers send batches and see
    the records they left."""
    if can_write(user, contract):
        return True
    return bool(user.is_authenticated and selectors.is_consumer(contract, user))


def may_import_odcs(user: AnyUser, raw: bytes | str) -> bool:
    """Data leads import any ODCS document; the owner of a contract imports new versions of it.
    For anyone else the document's id is read (OdcsError when it cannot be) to find the contract."""
    if can_write(user):
        return True
    # Nothing of someone who owns no contract is read: the document is parsed only to find
    # which of the user's contracts it is a version of.
    if not user.is_authenticated or not selectors.owns_a_contract(user.pk):
        return False
    existing = selectors.contract_by_odcs_id(odcs.parse(raw).odcs_id)
    return can_write(user, existing)


def may_open_import(user: AnyUser) -> bool:
    """Whether the ODCS import form is offered at all: to data leads, and to the owner of some
    contract (who may import new versions of it)."""
    if can_write(user):
        return True
    return bool(user.is_authenticated and selectors.owns_a_contract(user.pk))


def check_odcs_import(user: AnyUser, raw: bytes | str) -> None:
    """PermissionError unless the user may import this document (see may_import_odcs)."""
    if not may_import_odcs(user, raw):
        raise PermissionError(IMPORT_REFUSED)


# How each refusal of an ODCS import or a new version is answered.
RefusedWrite = (
    odcs.OdcsError | ValidationError | PermissionError | BreakingChangeError | VersionConflictError
)
REFUSALS = (
    odcs.OdcsError,
    ValidationError,
    PermissionError,
    BreakingChangeError,
    VersionConflictError,
)


@dataclass(frozen=True)
class Refusal:
    """A refused write: its HTTP status, the problem and the errors (path and message) a page
    shows, the body the API answers, and for a breaking change the consumers it affects."""

    status: HTTPStatus
    problem: str
    body: dict[str, Any]
    errors: list[dict[str, str]] = field(default_factory=list)
    impact: dict[str, Any] | None = None


def refusal(exc: RefusedWrite) -> Refusal:
    """400 for input that cannot be imported or published, 403 for a user who may not, 409 for
    a breaking change without a new major version or a version number already taken."""
    if isinstance(exc, odcs.OdcsError):
        return Refusal(HTTPStatus.BAD_REQUEST, exc.message, exc.as_dict(), exc.errors)
    if isinstance(exc, ValidationError):
        fields = getattr(exc, "message_dict", {"": exc.messages})
        return Refusal(
            HTTPStatus.BAD_REQUEST,
            "The contract was not imported.",
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages},
            [{"path": name, "message": " ".join(msgs)} for name, msgs in fields.items()],
        )
    if isinstance(exc, PermissionError):
        return Refusal(HTTPStatus.FORBIDDEN, str(exc), {"detail": str(exc)})
    if isinstance(exc, BreakingChangeError):
        plan = exc.as_dict()
        return Refusal(
            HTTPStatus.CONFLICT,
            plan["detail"],
            plan,
            [{"path": c["path"], "message": c["message"]} for c in plan["breaking_changes"]],
            plan["impact"],
        )
    return Refusal(HTTPStatus.CONFLICT, exc.message, {"version": [exc.message]})
