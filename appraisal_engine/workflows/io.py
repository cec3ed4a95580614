"""How workflows call their activities: names, timeouts, retries."""

from __future__ import annotations

from datetime import timedelta

from temporalio.common import RetryPolicy

UPSERT_TASK = "upsert_task"
SYNC_APPRAISAL = "sync_appraisal"
RECORD_OUTCOME = "record_outcome"
MATCH_MENTOR = "match_mentor"
APPEND_AUDIT = "append_audit"
PROJECT_STEP = "project_step"
NOTIFY = "notify"
CASCADE_TARGETS = "cascade_targets"
RECORD_PLAN = "record_plan"

APPRAISAL_ACTIVITY_NAMES = frozenset(
    {
        UPSERT_TASK,
        SYNC_APPRAISAL,
        RECORD_OUTCOME,
        MATCH_MENTOR,
        APPEND_AUDIT,
        PROJECT_STEP,
        NOTIFY,
        CASCADE_TARGETS,
        RECORD_PLAN,
    }
)

# Read-model writes are small and idempotent: retry them for as long as the database is away,
# backing off to a minute, so nothing is lost and the year simply waits. They have no business
# failures to give up on; a write that can never succeed is a bug, visible as a pending activity,
# and the retries carry on from where they were once the fix is deployed.
STORE_RETRY = RetryPolicy(
    initial_interval=timedelta(milliseconds=200),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
)
STORE_TIMEOUT = timedelta(seconds=30)

NOTIFY_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_attempts=8)

# Signalling subordinates may find one not started yet during a large launch: keep trying.
CASCADE_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=5), maximum_interval=timedelta(minutes=10)
)
CASCADE_DEADLINE = timedelta(days=30)

PLAN_LAUNCH = "plan_launch"
LAUNCH_BATCH = "launch_batch"
UNIT_GRADES = "unit_grades"
RELEASE_UNIT = "release_unit"
BROADCAST_COMMUNITY = "broadcast_community"
CYCLE_SUMMARY = "cycle_summary"
LAUNCH_CYCLE = "launch_cycle"

CYCLE_ACTIVITY_NAMES = frozenset(
    {
        PLAN_LAUNCH,
        LAUNCH_BATCH,
        UNIT_GRADES,
        RELEASE_UNIT,
        BROADCAST_COMMUNITY,
        CYCLE_SUMMARY,
        LAUNCH_CYCLE,
    }
)

# A launch batch starts hundreds of workflows; starts are idempotent, so retry freely.
BATCH_TIMEOUT = timedelta(minutes=10)
BATCH_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1)
)
ACTIVITY_NAMES = APPRAISAL_ACTIVITY_NAMES | CYCLE_ACTIVITY_NAMES
