"""Whether a cycle can run: what a launch checks before anything starts, by the same rule the
cycle's own plan applies, so that a policy that cannot run is refused up front, not failed later."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from appraisal_engine.domain.appeals import APPEALS_OFFICER_FIELD, LaunchProblem, launch_problems
from appraisal_engine.domain.curve_order import check_curve_order
from appraisal_engine.domain.employee import Employee
from appraisal_engine.domain.errors import DomainError, Filler, Wording
from appraisal_engine.domain.nip import parse_nip
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.roster import Roster, RosterInvalid, validate_roster

REGIONAL_HEAD = "regional_head_nip"
LISTED = 10  # NIPs named per problem in a refusal; the rest are counted


class LaunchRefused(DomainError):
    """A cycle that cannot run; `field` names the policy field to set, `kind` the failure type
    the cycle itself would report, and `problems` each employee's, for a roster. As any
    DomainError, its `message` is a template when `values` are given (see Wording)."""

    def __init__(
        self,
        message: str,
        *,
        field: str | None,
        kind: str = "PolicyIncomplete",
        problems: Sequence[LaunchProblem] = (),
        values: Mapping[str, Filler] | None = None,
    ) -> None:
        super().__init__(message, field=field, values=values)
        self.kind = kind
        self.problems = list(problems)

    @classmethod
    def of(cls, problems: Sequence[LaunchProblem]) -> LaunchRefused:
        """One refusal for every employee's problem: each field and message once, with up to
        LISTED of its NIPs (no names); the field in front of each unless all share one."""
        groups: dict[tuple[str, str], list[str]] = {}
        said: dict[str, Wording] = {}
        for p in problems:
            groups.setdefault((p.field, p.message), []).append(p.nip)
            said.setdefault(p.message, p.wording)
        fields = {field for field, _ in groups}
        only = next(iter(fields)) if len(fields) == 1 else None
        parts = []
        for at, ((field, message), nips) in enumerate(groups.items()):
            wording = said[message]
            named: dict[str, Filler] = {"problem": wording, "nips": ", ".join(nips[:LISTED])}
            if len(nips) > LISTED:
                template = "%(problem)s (employees %(nips)s and %(more)s more)"
                named["more"] = len(nips) - LISTED
            else:
                template = "%(problem)s (employees %(nips)s)"
            part = Wording(template, named)
            if not (only and at == 0):
                part = Wording("%(field)s: %(part)s", {"field": field, "part": part})
            parts.append(part)
        whole = Wording.join("; ", parts)
        return cls(whole.template, field=only, problems=problems, values=whole.values)


def with_named(
    policy: Policy, *, regional_head_nip: str | None, appeals_officer_nip: str | None
) -> Policy:
    """The policy with the regional head and the appeals officer given beside it, where given."""
    given = {REGIONAL_HEAD: regional_head_nip, APPEALS_OFFICER_FIELD: appeals_officer_nip}
    return policy.model_copy(update={k: v for k, v in given.items() if v is not None})


def _check_named(nip: str | None, field: str, missing: str) -> None:
    """The person a policy field names: someone, by a valid NIP."""
    if nip is None:
        raise LaunchRefused(missing, field=field)
    try:
        parse_nip(nip)
    except DomainError as e:
        given: dict[str, Filler] = {"nip": repr(nip), "reason": e.wording}
        raise LaunchRefused("%(nip)s: %(reason)s", field=field, values=given) from None


def check_regional_head(nip: str | None) -> None:
    """Every roster has heads at the top (their supervisor is empty), and the regional head
    appraises them: a policy that runs names one, by a valid NIP."""
    _check_named(
        nip,
        REGIONAL_HEAD,
        "the policy names no regional head, who appraises the heads at the top of the roster",
    )


def check_appeals_officer(nip: str | None) -> None:
    """The heads at the top are appraised by the regional head, above whom the roster knows
    nobody: their appeals need the policy's appeals officer, by a valid NIP."""
    _check_named(
        nip,
        APPEALS_OFFICER_FIELD,
        "the policy names no appeals officer, who hears the appeals of the heads at the top "
        "of the roster (their appraiser, the regional head, has no superior in it)",
    )


def check_policy(policy: Policy) -> None:
    """What a policy needs to run whatever the roster (a yearly schedule knows no roster yet):
    a curve whose lower-rated units allow no more Sangat Baik than higher-rated ones, and, as
    every roster has heads at the top, a regional head and an appeals officer."""
    try:
        check_curve_order(policy.curve)
    except DomainError as e:
        template, values = e.wording.template, dict(e.wording.values)
        raise LaunchRefused(template, field=e.field, values=values) from None
    check_regional_head(policy.regional_head_nip)
    check_appeals_officer(policy.appeals_officer_nip)


def check_launch(roster: Roster, appeals_officer_nip: str | None) -> None:
    """The cycle's rule: a regional head, and everyone with an appraiser and a superior who is
    not their appraiser (the appeals officer where the roster has none)."""
    check_regional_head(roster.top_appraiser_nip)
    problems = launch_problems(roster, appeals_officer_nip)
    if problems:
        raise LaunchRefused.of(problems)


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
            Wording(
                "%(nip)s is in the roster; the regional head appraises its heads from outside it",
                {"nip": str(top)},
            )
            if inside
            else err.wording
        )
        raise LaunchRefused(
            reason.template, field=REGIONAL_HEAD, kind="RosterInvalid", values=reason.values
        ) from None
    check_launch(roster, policy.appeals_officer_nip)
    return roster
