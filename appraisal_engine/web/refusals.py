"""The services' and workflows' refusals, marked for the catalog.

A page shows a refusal's English sentence through gettext (`_(error.detail)` on the error page,
`_(issue.message)` beside a form's field), but those sentences are written in the service layer
and in the workflows' validators, which know nothing of the web app and are not extracted. This
module repeats the fixed ones here, marked with `N_`, so `pybabel extract` puts them in the
catalog and a refusal reads in the person's language. Keep each exactly as it is raised.

The domain's roster problems and launch refusals are built with values (a row, an NIP, a unit
code): each is a Wording, a `%(name)s` template and its values, and its templates are listed
below as they are written, so a page says `_(template) % values` (`domain.errors.say`). A template
of no words ("%(a)s; %(b)s", which only joins sentences) reads as itself and is not listed.
`tests/web/test_wording.py` fails when the domain uses a template missing here. A message built
with an f-string elsewhere (e.g. "no such task") cannot be looked up and stays English.
Refusals mapped to "not found" (an unknown task, another person's task) are shown as the
not-found page instead, so they are not listed either. A workflow's refusal built with values
travels as a Wording too (`workflows.errors.reject`); the stages, statuses and task kinds it
names are codes, listed under CODES so they read in the person's language as well.
"""

from __future__ import annotations

from appraisal_engine.web.i18n import N_

REFUSALS: tuple[str, ...] = (
    # services/tasks.py, services/appraisals.py: who may do what
    N_("only the assignee completes a task"),
    N_("only the appraised employee may appeal"),
    N_("only HR and auditors may list another person's tasks"),
    N_("only HR and auditors may filter appraisals by assignee"),
    # services/access.py: HR's and auditors' own actions
    N_("this action is for HR"),
    N_("this is for HR and auditors"),
    N_("this is for auditors"),
    # workflows/appraisal/validation.py, check_completion: completing a task
    N_("this task was moved to someone else"),
    # workflows/appraisal/workflow.py, complete_task: a double submit that lost the race
    N_("this task was completed by another request"),
    # workflows/appraisal/validation.py, _check_body: a task's body against the appraisal
    N_("there is no draft to decide on"),
    N_("a returned plan needs a comment saying what to change"),
    N_("changing the grade needs the new grade"),
    N_("the new grade equals the released one: uphold instead"),
    N_("upholding takes no grade"),
    # domain/planning.py, check_plan_decision (called by _check_body): deciding on a plan
    N_(
        "this policy approves a plan only after the performance dialogue: record when it "
        "was held and whether the employee agreed"
    ),
    N_(
        "this policy approves a plan only with the leader's expectation for every "
        "BerAKHLAK value; missing: %(missing)s"
    ),
    N_("the dialogue cannot be dated after today (%(today)s)"),
    N_("the employee did not agree: say in the notes what was not agreed"),
    # domain/periodic.py, check_period_rating (called by _check_body): a period's feedback
    N_("this policy asks for the period's rating of results and behaviour with the feedback"),
    # domain/targets.py, check_contributions (called by _check_body): a draft's contributions
    N_("a contribution needs the supervisor's target it contributes to"),
    N_("this policy asks whether the target contributes directly or indirectly"),
    # domain/reports.py, check_report (called by check_completion): a self-report
    N_("required by this policy's structured reports"),
    # domain/review.py, check_review (called by check_completion): a review
    N_("no rating for targets %(targets)s"),
    N_("unknown targets %(targets)s"),
    N_("no rating for %(values)s"),
    N_("this policy does not appraise the process"),
    N_(
        "this policy appraises how each result was reached: no process rating for targets "
        "%(targets)s"
    ),
    # domain/reports.py, check_feedback (called by check_completion): a period's feedback
    N_("this policy needs the period's attendance and discipline breaches"),
    N_("this policy keeps no discipline and attendance indicators"),
    # domain/peer.py, check_peer_answers (called by check_completion): a peer's answers
    N_("every question needs a score; not scored: %(missing)s"),
    N_("this survey does not ask about %(extra)s"),
    # workflows/appraisal/validation.py, check_reassign and check_extend_deadline: HR's actions
    N_("nothing would change"),
    N_("the new deadline must be in the future"),
    # domain/appeals.py, check_chain (called by check_reassign): the new chain
    N_("an employee cannot appraise themselves"),
    N_("the superior must differ from the supervisor"),
    # domain/nip.py, parse_nip: an NIP typed into a form (shown without the field's prefix)
    N_("must be exactly 18 digits"),
    N_("digits 1-8 must be a real birth date (yyyymmdd)"),
    N_("digits 13-14 must be an appointment month (01-12), or %(codes)s for PPPK"),
    N_("appointment month must be at least 15 years after birth"),
    N_("digit 14 of an NI PPPK (the work agreement's number) must be %(lo)s-%(hi)s"),
    N_("digits 9-12 of an NI PPPK (the year of appointment) must be %(since)s or later"),
    N_("appointment year must be at least 15 years after the year of birth"),
    N_("digit 15 (sex) must be 1 or 2"),
    N_("digits 16-18 (sequence) must not be 000"),
    # workflows/appraisal/validation.py, check_file_appeal: filing an appeal
    N_("an appeal was already filed"),
    N_("the appeal window has closed"),
)

ROSTER_PROBLEMS: tuple[str, ...] = (
    # domain/roster_parse.py: the file, its header and its rows
    N_("row %(row)s, %(field)s: %(message)s"),
    N_("row %(row)s: %(message)s"),
    N_("roster rejected: %(n)s problem"),
    N_("roster rejected: %(n)s problems"),
    N_("%(summary)s (the first %(listed)s are listed, %(more)s more not shown)"),
    N_("%(summary)s; first: %(first)s"),
    N_("the file is UTF-16: save it as 'CSV UTF-8' (or JSON in UTF-8)"),
    N_("the file is empty"),
    N_("not valid UTF-8 (at byte %(byte)s): save as UTF-8"),
    N_("not valid JSON: %(error)s (line %(line)s)"),
    N_("not valid JSON: nested too deeply"),
    N_("not valid JSON: %(error)s"),
    N_('expected a list of employees or {"employees": [...]}'),
    N_("more than %(max)s employees: split the file"),
    N_("must be an object"),
    N_("unknown column"),
    N_("given twice (also as %(column)s)"),
    N_("missing"),
    N_("unknown column; expected %(columns)s (or %(aliases)s)"),
    N_("column given twice: %(first)s and %(second)s"),
    N_("missing column"),
    N_("columns are separated by tabs: save as CSV (with , or ;)"),
    N_("more than %(max)s rows"),
    N_("has %(cells)s cells but the header has %(columns)s columns"),
    N_("cannot read the CSV here: %(error)s"),
    N_("not valid UTF-8: save the file as 'CSV UTF-8'"),
    # domain/roster_cells.py: one cell (an NIP's own reasons are listed above)
    N_("must be text"),
    N_("must not be empty"),
    N_("must be at most %(limit)s characters"),
    N_("must not contain control characters or line breaks"),
    N_("must be text: a number this long loses digits"),
    N_(
        "the spreadsheet turned the NIP into a number (%(nip)s) and lost digits: "
        "format the column as Text and type the NIPs again"
    ),
    N_("%(reason)s (got %(got)s)"),
    N_("must be one of %(allowed)s (got %(got)s)"),
    N_("must be true/false, ya/tidak, yes/no, 1/0 or empty"),
    N_("must be 1-40 letters, digits, '.', '_' or '-' (no spaces)"),
    # domain/roster_cells.py and domain/contact.py: the optional contact cells (never echoed)
    N_("is not valid"),
    N_("is not a valid e-mail address"),
    N_("is not a phone number"),
    N_("is not an Indonesian mobile number (08... or +628...)"),
    # domain/roster_check.py: the rows together
    N_("an employee cannot be their own supervisor"),
    N_("is the regional head: leave supervisor_nip empty for the heads they appraise"),
    N_("supervisor %(nip)s is not in the roster"),
    N_("duplicate NIP: also in row %(row)s"),
    N_("is the top appraiser (policy regional_head_nip), who cannot be in the roster"),
    N_("row %(row)s"),
    N_("supervisor loop: %(rows)s"),
    N_("unit %(code)s is named %(name)s in row %(row)s"),
    N_(
        "unit %(code)s has no head: every employee's supervisor is in the same unit; "
        "the head's supervisor_nip must be empty or someone in another unit"
    ),
    N_("the roster has no employees"),
    N_(
        "the supervisor in row %(row)s is at level %(boss)s, below this employee's level "
        "%(level)s: a supervisor is at the same level or higher"
    ),
)

POLICY_PROBLEMS: tuple[str, ...] = (
    # domain/policy.py: a policy file that cannot be read, or breaks a rule
    N_("cannot read policy %(file)s: %(reason)s"),
    N_("no such file"),
    N_("it is a folder, not a file"),
    N_("not UTF-8 text: save the file as UTF-8"),
    N_("invalid policy in %(file)s: %(problems)s"),
    N_("tasks.%(kind)s: missing"),
    N_("tasks.%(kind)s.fallback: must be one of %(allowed)s"),
    N_("tasks.%(kind)s: the reminder must come before the deadline"),
    N_("outcomes.%(grade)s: missing"),
    N_(
        "outcomes.%(grade)s.awards: asn_teladan_nomination is HR's to give when teladan.by_hr is on"
    ),
    N_("curve: missing unit ratings %(missing)s"),
    N_("unit_head_results: missing unit ratings %(missing)s"),
    N_("indicators.min_periods: cannot exceed the %(periods)s report periods of a year"),
    N_("peer.quorum: cannot exceed peer.peers_per_employee"),
    N_("appeals_officer_nip: must differ from regional_head_nip"),
)

LAUNCH_REFUSALS: tuple[str, ...] = (
    # domain/launch.py: the policy's officials and the roster
    N_("the policy names no regional head, who appraises the heads at the top of the roster"),
    N_(
        "the policy names no appeals officer, who hears the appeals of the heads at the top "
        "of the roster (their appraiser, the regional head, has no superior in it)"
    ),
    N_("no such roster, or it is empty"),
    N_("%(nip)s is in the roster; the regional head appraises its heads from outside it"),
    N_("%(problem)s (employees %(nips)s)"),
    N_("%(problem)s (employees %(nips)s and %(more)s more)"),
    # domain/appeals.py: who hears each employee's appeal
    N_(
        "the regional head appraises the heads at the top and stands above their "
        "staff's appraisers: name one"
    ),
    N_(
        "the appraiser %(nip)s has no superior to hear appeals against their "
        "reviews: name an appeals officer"
    ),
    N_("the appeals officer %(nip)s is the appraiser here and cannot also hear the appeal"),
    N_("the appeals officer %(nip)s cannot hear their own appeal"),
    # domain/presets.py: a preset asked for by name
    N_("unknown policy %(name)s; known: %(known)s"),
    # domain/curve_order.py (called by check_policy): the curve's ratings out of order
    N_(
        "a unit rated %(lower)s has no bound on Sangat Baik, while one rated %(higher)s may have "
        "at most %(cap)s: a lower-rated unit may not allow more Sangat Baik than a higher-rated one"
    ),
    N_(
        "a unit rated %(lower)s may have up to %(lower_cap)s Sangat Baik, while one rated "
        "%(higher)s may have at most %(cap)s: a lower-rated unit may not allow more Sangat Baik "
        "than a higher-rated one"
    ),
)

FOLLOW_UP_REFUSALS: tuple[str, ...] = (
    # services/development.py: plans and their follow-ups
    N_("only the employee's supervisor plans and follows up development"),
    N_("no follow-up is decided yet: a plan follows the final grade's outcome"),
    N_("the plan is being followed up: it can no longer be replaced"),
    N_("the plan was replaced meanwhile: read it again"),
    N_("the plan has items 0 to %(last)s"),
    N_("item %(n)s is already followed up"),
    # domain/development.py, check_plan: what a plan must hold under the policy
    N_("a %(kind)s outcome has no development plan under this policy"),
    N_("a plan needs at least one item"),
    N_("at most %(n)s items"),
    N_("must not be before today"),
    N_("this policy's plans include %(kinds)s skills"),
    N_("this policy's plans name a follow-up date"),
    N_("must be within %(days)s days of today"),
    N_("must not be before the last item's date (%(last)s)"),
    # services/teladan.py and domain/teladan.py: ASN teladan nominations
    N_("this employee is already nominated in the cycle"),
    N_("this cycle's policy has no ASN teladan nomination by HR"),
    N_("only a final grade of Sangat Baik may be nominated (this one: %(grade)s)"),
    N_("the cap is reached: %(cap)s nomination(s) for %(sb)s Sangat Baik"),
)

WORKFLOW_REFUSALS: tuple[str, ...] = (
    # workflows/appraisal/validation.py: a step refused by the appraisal itself
    N_("this task is already %(status)s"),
    N_("the appraisal is in stage %(stage)s, not %(kind)s"),
    N_("body is for %(body)s, task is %(kind)s"),
    N_("no appeal window is open (stage %(stage)s)"),
    N_("the appraisal is %(stage)s"),
    N_("the appraisal is already %(stage)s"),
    # workflows/cycle.py: calibration and community scores refused by the cycle
    N_("the cycle is closed"),
    N_("no unit %(unit)s in this cycle"),
    N_(
        "units %(units)s do not serve citizens under this policy "
        "(community.service_units): their scores are not taken"
    ),
    N_("this unit is being calibrated by another request"),
    N_("the cycle is still launching"),
    N_(
        "%(n)s reviews of %(unit)s are not in yet; calibration opens when they are, or after "
        "%(day)s"
    ),
    N_("one adjustment per appraisal"),
    N_("community scores are taken between launch and close"),
    N_("policy %(policy)s takes no community feedback"),
    N_("unknown units %(units)s"),
    N_("scores must be 1-5, not for %(units)s"),
    # workflows/cycle.py: a unit's rating refused by the cycle
    N_("the unit's rating is required"),
    N_(
        "the rating of unit %(unit)s is not decided yet: its official (%(rater)s) decides it "
        "before calibration"
    ),
    N_("unit %(unit)s was rated %(rating)s by its official; calibration uses that rating"),
    N_("only the unit's official decides its rating"),
    N_(
        "this cycle began before units were rated by their official: HR gives the rating at "
        "calibration"
    ),
    N_(
        "grades of %(unit)s were released against its rating %(rating)s; the rating can no "
        "longer change"
    ),
    N_(
        "the head of %(unit)s was reviewed with the unit's rating %(rating)s; the rating can no "
        "longer change"
    ),
    N_(
        "the work results of the head of %(unit)s follow the unit's rating, which is not "
        "decided yet: decide it first"
    ),
)

CODES: tuple[str, ...] = (
    # The stages, task statuses and task kinds a workflow's refusal names by their code.
    N_("targets"),
    N_("monitoring"),
    N_("peer_input"),
    N_("review"),
    N_("calibration"),
    N_("appeal"),
    N_("outcome"),
    N_("done"),
    N_("cancelled"),
    N_("open"),
    N_("missing"),
    N_("superseded"),
    N_("targets.draft"),
    N_("targets.approve"),
    N_("self_report"),
    N_("feedback"),
    N_("peer_feedback"),
    N_("appeal.decide"),
    N_("mentorship.accept"),
)
