"""Who may use an endpoint: the vocabulary of the access table (``access.py``).

Principals are the anonymous user, one user of every role of ``roles.py`` (the demo centre's: staff of
市场监管局, the 政务服务中心, the 12345 hotline, 住建局 and the 政数局), a reviewer of another department
(民政局, which owns no case at all) and a second applicant who owns none of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from yichuang.accounts.roles import ROLE_CAPABILITIES, STAFF_ROLES, Role

ANONYMOUS = "anonymous"
OTHER_STAFF = "other_reviewer"
OTHER_APPLICANT = "other_applicant"
PRINCIPALS: tuple[str, ...] = (ANONYMOUS, *(str(role) for role in Role), OTHER_STAFF, OTHER_APPLICANT)
_ROLE_OF = {
    **{str(role): str(role) for role in Role},
    OTHER_STAFF: Role.REVIEWER,
    OTHER_APPLICANT: Role.APPLICANT,
}


def role_of(principal: str) -> str | None:
    return _ROLE_OF.get(principal)


@dataclass(frozen=True)
class Rule:
    """``kind`` is one of public, authenticated, staff, capability, roles, own (the applicant's own record),
    absent (a pattern without a page: 404 for everyone), pending.

    ``scoped`` means the record belongs to a department, and staff of another department read it as absent:
    the reviewer of 民政局 is refused even though the role holds the capability. ``deny``/``extra`` name
    principals the general rule gets wrong on purpose, each with the reason in ``note``.
    """

    kind: str
    capability: str = ""
    roles: frozenset[str] = frozenset()
    scoped: bool = False
    deny: frozenset[str] = frozenset()
    extra: frozenset[str] = frozenset()
    note: str = ""
    label: str = field(default="", compare=False)

    def allows(self, principal: str) -> bool:
        if self.kind == "pending":
            raise ValueError("a pending rule allows nobody and refuses nobody: declare it")
        if self.kind == "absent":
            return False
        if principal in self.deny:
            return False
        if principal in self.extra:
            return True
        role = role_of(principal)
        if self.kind == "public":
            return True
        if role is None:
            return False
        if self.scoped and principal == OTHER_STAFF:
            return False
        if self.kind == "authenticated":
            return True
        if self.kind == "staff":
            return role in STAFF_ROLES
        if self.kind == "capability":
            return self.capability in ROLE_CAPABILITIES.get(role, frozenset())
        if self.kind == "roles":
            return principal in self.roles or (role in self.roles and principal != OTHER_APPLICANT)
        if self.kind == "own":
            return principal == str(Role.APPLICANT)
        raise ValueError(self.kind)

    def describe(self) -> str:
        text = {
            "public": "public",
            "authenticated": "any authenticated user",
            "staff": "any staff member",
            "capability": f"capability `{self.capability}`",
            "roles": "roles " + ", ".join(sorted(self.roles))
            if self.roles
            else "nobody here (see access.py)",
            "own": "applicant, own record only",
            "absent": "nobody (404 for everyone)",
            "pending": "not yet declared (only: never a server error)",
        }[self.kind]
        if self.scoped:
            text += ", own department"
        if self.deny:
            text += " (not " + ", ".join(sorted(self.deny)) + ")"
        if self.extra:
            text += " (also " + ", ".join(sorted(self.extra)) + ")"
        return text


PUBLIC = Rule("public")
AUTHENTICATED = Rule("authenticated")
STAFF = Rule("staff")
OWN = Rule("own")
ABSENT = Rule("absent")
# Listed but not yet verified against the matrix: only "never a server error" is checked. Replace each one.
PENDING = Rule("pending")


def cap(
    capability: str,
    *,
    scoped: bool = False,
    deny: tuple[str, ...] = (),
    extra: tuple[str, ...] = (),
    note: str = "",
) -> Rule:
    return Rule(
        "capability",
        capability=capability,
        scoped=scoped,
        deny=frozenset(deny),
        extra=frozenset(extra),
        note=note,
    )


def roles(*names: str, scoped: bool = False, note: str = "") -> Rule:
    return Rule("roles", roles=frozenset(names), scoped=scoped, note=note)
