"""Who hears an appeal (keberatan): the appraiser's superior, never the appraiser.

The heads at the top of a roster are appraised by the regional head, above whom the roster knows
nobody; their appeals go to the policy's appeals officer (``appeals_officer_nip``, e.g. the
regional secretary). A cycle that would leave anyone's appeal to their own appraiser is refused
before it starts: `launch_problems` lists each such employee (`domain.launch` refuses them).
"""

from __future__ import annotations

from appraisal_engine.domain.errors import DomainError, Wording
from appraisal_engine.domain.model import Value
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.roster import Roster

APPEALS_OFFICER_FIELD = "appeals_officer_nip"


def check_chain(employee_nip: str, appraiser_nip: str, superior_nip: str) -> None:
    """Refuse an employee who appraises or hears themselves, and an appraiser who is also the
    superior; the DomainError names the field to change."""
    if employee_nip in (appraiser_nip, superior_nip):
        raise DomainError("an employee cannot appraise themselves", field="supervisor_nip")
    if appraiser_nip == superior_nip:
        raise DomainError("the superior must differ from the supervisor", field="superior_nip")


def appeal_hearer(
    officer_nip: str | None, employee_nip: str, appraiser_nip: str, superior_nip: str
) -> str:
    """The superior who hears the employee's appeal: the appraiser's superior, or the appeals
    officer where that superior is the appraiser; DomainError when nobody else may hear it."""
    if superior_nip == appraiser_nip:
        if officer_nip is None:
            raise DomainError(
                "the appraiser %(nip)s has no superior to hear appeals against their "
                "reviews: name an appeals officer",
                field=APPEALS_OFFICER_FIELD,
                values={"nip": appraiser_nip},
            )
        if officer_nip == appraiser_nip:
            raise DomainError(
                "the appeals officer %(nip)s is the appraiser here and cannot also hear the appeal",
                field=APPEALS_OFFICER_FIELD,
                values={"nip": officer_nip},
            )
        if officer_nip == employee_nip:
            raise DomainError(
                "the appeals officer %(nip)s cannot hear their own appeal",
                field=APPEALS_OFFICER_FIELD,
                values={"nip": officer_nip},
            )
        superior_nip = officer_nip
    check_chain(employee_nip, appraiser_nip, superior_nip)
    return superior_nip


def superior_in(policy: Policy, roster: Roster, nip: str) -> str:
    """The employee's superior for the year (hears the appeal, takes over escalated tasks).

    The roster must have been validated with the policy's regional head as its top appraiser."""
    return appeal_hearer(
        policy.appeals_officer_nip, nip, roster.supervisor_of(nip), roster.superior_of(nip)
    )


class LaunchProblem(Value):
    """Why one employee's appraisal cannot start under a policy: the policy field to set, and
    what is wrong (`message` in English)."""

    nip: str
    field: str
    wording: Wording

    @property
    def message(self) -> str:
        """What is wrong, in English."""
        return str(self.wording)


def launch_problems(roster: Roster, officer_nip: str | None) -> list[LaunchProblem]:
    """Each employee whose appraisal could not start: no appraiser, or nobody to hear the appeal
    but the appraiser. Messages hold NIPs only."""
    problems = []
    for e in roster.employees:
        try:
            appraiser, superior = roster.supervisor_of(e.nip), roster.superior_of(e.nip)
        except DomainError as err:
            wording = Wording(
                "the regional head appraises the heads at the top and stands above their "
                "staff's appraisers: name one"
            )
            problems.append(LaunchProblem(nip=e.nip, field=err.field or "", wording=wording))
            continue
        try:
            appeal_hearer(officer_nip, e.nip, appraiser, superior)
        except DomainError as err:
            problems.append(LaunchProblem(nip=e.nip, field=err.field or "", wording=err.wording))
    return problems
