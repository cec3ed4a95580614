"""The development sign-in page's names for the demo tour's people: msgids of the web app's
catalog (web/babel.cfg reads this file), not of the command line's, which leaves it out."""

from __future__ import annotations

from appraisal_engine.web.i18n import N_

LABELS = {
    "HR": N_("HR officer (BKPSDM)"),
    "SUPERVISOR": N_("Head of office (appraiser)"),
    "SECTION_HEAD": N_("Section head"),
    "EMPLOYEE": N_("Staff member"),
    "AUDITOR": N_("Auditor"),
    "REGIONAL_HEAD": N_("Regional head"),
    "APPEALS_OFFICER": N_("Appeals officer"),
}
