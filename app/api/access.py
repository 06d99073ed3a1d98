"""Who may do what: the checks routes make before they call a service.

Objects whose existence is private (profiles, applications, recommendations) answer
404 to a caller who may not see them, exactly as if they did not exist; job postings
are public, so a caller who may read but not change one gets 403.
"""

from __future__ import annotations

from app.errors import ForbiddenError, NotFoundError
from app.tokens import Principal


def require_any_role(principal: Principal) -> None:
    if not principal.roles:
        raise ForbiddenError("Your account has no role in this application.")


def require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise ForbiddenError("Only admins may do this.")


def manages_company(principal: Principal, company_id: str) -> bool:
    return principal.is_admin or (
        principal.is_employer and principal.company_id == company_id
    )


def require_company(principal: Principal, company_id: str) -> None:
    """Only the company's own employers (and admins) may change its postings."""
    if not manages_company(principal, company_id):
        raise ForbiddenError("Only the company's employers may do this.")


def is_self(principal: Principal, user_id: str) -> bool:
    return principal.is_candidate and principal.subject == user_id


def require_self_or_admin(principal: Principal, user_id: str, *, what: str) -> None:
    if not (principal.is_admin or is_self(principal, user_id)):
        raise NotFoundError(f"{what} was not found.")
