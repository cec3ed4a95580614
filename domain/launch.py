"""Whether a cycle can run: what a launch checks before anything starts, by the same rule the
cycle's own plan applies, so that a policy that cannot run is refused up front, not failed later."""

from __future__ import annotations

from collections.abc import Sequence

from domain.employee import Employee
from domain.errors import DomainError
from domain.nip import parse_nip
from domain.policy import Policy
from domain.roster import Roster, RosterInvalid, validate_roster

REGIONAL_HEAD = "regional_head_nip"


class LaunchRefused(DomainError):
    """A cycle that cannot run; `field` names the policy field to set and `kind` the failure
    type the cycle itself would report."""

    def __init__(self, message: str, *, field: str, kind: str = "PolicyIncomplete") -> None:
        super().__init__(message, field=field)
        self.kind = kind


def check_regional_head(nip: str | None) -> None:
    """Every roster has heads at the top (their supervisor is empty), and the regional head
    appraises them: a policy that runs names one, by a valid NIP."""
    if nip is None:
        raise LaunchRefused(
            "the policy names no regional head, who appraises the heads at the top of the roster",
            field=REGIONAL_HEAD,
        )
    try:
        parse_nip(nip)
    except DomainError as e:
        raise LaunchRefused(f"{nip!r}: {e.reason}", field=REGIONAL_HEAD) from None


def check_policy(policy: Policy) -> None:
    """What a policy needs to run whatever the roster (a yearly schedule knows no roster yet)."""
    check_regional_head(policy.regional_head_nip)


def check_launch(roster: Roster) -> None:
    """The cycle's rule: a regional head, and everyone with an appraiser and a superior."""
    check_regional_head(roster.top_appraiser_nip)
    for e in roster.employees:
        try:
            roster.superior_of(e.nip)
        except DomainError as err:
            raise LaunchRefused(err.reason, field=err.field or REGIONAL_HEAD) from None


def launch_roster(employees: Sequence[Employee], policy: Policy) -> Roster:
    """The stored roster as a cycle under `policy` launches it; LaunchRefused naming the policy
    field to set when it cannot run."""
    if not employees:
        raise LaunchRefused(
            "no such roster, or it is empty", field="roster_id", kind="RosterNotFound"
        )
    check_policy(policy)
    top = policy.regional_head_nip
    try:
        roster = validate_roster(
            [e.model_dump(mode="json") for e in employees], top_appraiser_nip=top
        )
    except RosterInvalid as err:
        # A stored snapshot was valid on its own: what breaks it here is the regional head,
        # who is in it (the cycle's plan fails the same way, as RosterInvalid).
        inside = any(person.nip == top for person in employees)
        reason = (
            f"{top} is in the roster; the regional head appraises its heads from outside it"
            if inside
            else str(err)
        )
        raise LaunchRefused(reason, field=REGIONAL_HEAD, kind="RosterInvalid") from None
    check_launch(roster)
    return roster
