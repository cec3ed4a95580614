"""The services' and workflows' refusals, marked for the catalog.

A page shows a refusal's English sentence through gettext (`_(error.detail)` on the error page,
`_(issue.message)` beside a form's field), but those sentences are written in the service layer
and in the workflows' validators, which know nothing of the web app and are not extracted. This
module repeats the fixed ones here, marked with `N_`, so `pybabel extract` puts them in the
catalog and a refusal reads in the person's language. Keep each exactly as it is raised.

Only fixed sentences are listed: a message built with values (an f-string, e.g. "no such task"
or "this task is already done") cannot be looked up and stays English. Refusals mapped to
"not found" (an unknown task, another person's task) are shown as the not-found page instead,
so they are not listed either.
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
    # domain/reports.py, check_report (called by check_completion): a self-report
    N_("required by this policy's structured reports"),
    # workflows/appraisal/validation.py, check_reassign and check_extend_deadline: HR's actions
    N_("nothing would change"),
    N_("the new deadline must be in the future"),
    # domain/appeals.py, check_chain (called by check_reassign): the new chain
    N_("an employee cannot appraise themselves"),
    N_("the superior must differ from the supervisor"),
    # domain/nip.py, parse_nip: an NIP typed into a form (shown without the field's prefix)
    N_("must be exactly 18 digits"),
    N_("digits 1-8 must be a real birth date (yyyymmdd)"),
    N_("digits 9-14 must be an appointment month (yyyymm)"),
    N_("appointment month must be at least 15 years after birth"),
    N_("digit 15 (sex) must be 1 or 2"),
    N_("digits 16-18 (sequence) must not be 000"),
    # workflows/appraisal/validation.py, check_file_appeal: filing an appeal
    N_("an appeal was already filed"),
    N_("the appeal window has closed"),
)
