"""The kinds of audit event, each spelled once: what appends an event and what reads the log back
name its kind from here. Each comment names the event's payload keys. The strings are stored in
the hash chain and in workflow histories: never change one, add a new kind instead."""

from __future__ import annotations

from typing import Final

# The appraisal workflow, on a task.
TASK_COMPLETED: Final = "task.completed"  # task_id, task_kind, period, and the body's summary
TASK_DEADLINE_EXTENDED: Final = "task.deadline_extended"  # task_id, due_at, reason
TASK_ESCALATED: Final = "task.escalated"  # task_id, and to_task when the superior took it over
TASK_OVERDUE: Final = "task.overdue"  # task_id, fallback

# The appraisal workflow, on the appraisal.
GRADE_COMPUTED: Final = "grade.computed"  # results, behaviour, grade, behaviour_capped
GRADE_RELEASED: Final = "grade.released"  # grade, adjusted, reason, actor_nip
APPEAL_FILED: Final = "appeal.filed"  # grade
APPEAL_DECIDED: Final = "appeal.decided"  # decision, grade_before, grade_after
OUTCOME_DECIDED: Final = "outcome.decided"  # the outcome decision's fields, mentor_nip
APPRAISAL_REASSIGNED: Final = "appraisal.reassigned"  # from, to, superior, moved_tasks, reason
APPRAISAL_CANCELLED: Final = "appraisal.cancelled"  # reason

# The cycle workflow.
CALIBRATION_REJECTED: Final = "calibration.rejected"  # unit_code, unit_rating, violations
CALIBRATION_RELEASED: Final = "calibration.released"  # unit_code, unit_rating, released, adjusted
COMMUNITY_SCORES: Final = "community.scores"  # each scored unit's code, mapped to its score
UNIT_RATING_PROPOSED: Final = "unit_rating.proposed"  # unit_code, unit_rating, note (by HR)
UNIT_RATING_DECIDED: Final = "unit_rating.decided"  # unit_code, unit_rating, note (its official)

# The API.
AUDITOR_READ: Final = "auditor.read"  # read
DEVELOPMENT_PLANNED: Final = "development.planned"  # outcome_kind, follow_up_on, items
DEVELOPMENT_FOLLOWED_UP: Final = "development.followed_up"  # item, course, done, late
TELADAN_NOMINATED: Final = "teladan.nominated"  # employee_nip, unit_code, reason
