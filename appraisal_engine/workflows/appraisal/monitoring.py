"""The monitoring stage: each period's self-report and the appraiser's feedback on it, with
the period's discipline and attendance where the policy keeps them."""

from __future__ import annotations

from typing import Any

from temporalio import workflow

from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.workflows.appraisal.clock import Clock
from appraisal_engine.workflows.appraisal.deadlines import Deadlines
from appraisal_engine.workflows.appraisal.effects import Effects
from appraisal_engine.workflows.appraisal.state import AppraisalYear
from appraisal_engine.workflows.messages import FeedbackBody, PeriodState, SelfReportBody

MONTHLY_INDICATORS = "monthly-indicators"
"""Appraisals started after this patch under a policy that keeps discipline and attendance ask
the appraiser for a period's even when the employee's report is missing."""


class Monitoring:
    """One report period after another, side by side: the report, then the feedback."""

    def __init__(
        self, year: AppraisalYear, clock: Clock, effects: Effects, deadlines: Deadlines
    ) -> None:
        self._year, self._clock, self._effects = year, clock, effects
        self._run_task = deadlines.run_task

    async def period(self, period: PeriodState) -> None:
        """One report period: wait for its end, then the self-report and the feedback on it."""
        year = self._year
        await self._clock.wait(lambda: False, until=period.ends_at)
        assert year.plan is not None
        report = await self._run_task(
            TaskKind.SELF_REPORT,
            year.inp.employee_nip,
            period=period.period,
            detail={
                "period": period.period,
                "targets": year.plan.ids,
                "structured": year.policy.structured_reports,
            },
        )
        i = period.period - 1
        if not isinstance(report.body, SelfReportBody):
            # A policy that keeps discipline and attendance still asks the appraiser for the
            # period's, report or not; the patch keeps running years' commands as they were.
            indicators = year.policy.indicators.enabled and workflow.patched(MONTHLY_INDICATORS)
            year.periods[i] = period.model_copy(
                update={
                    "report_status": "missing",
                    "feedback_status": "pending" if indicators else "skipped",
                }
            )
            year.flag(f"missing_report:{period.period}")
            await self._effects.sync()
            if indicators:
                await self._feedback(year.periods[i], report_task=None)
            return
        year.periods[i] = period = period.model_copy(
            update={"report": report.body.report, "report_status": "done"}
        )
        await self._feedback(period, report_task=report.id)

    async def _feedback(self, period: PeriodState, report_task: str | None) -> None:
        """The appraiser's feedback on a period, with its discipline and attendance where the
        policy keeps them."""
        year = self._year
        i = period.period - 1
        detail: dict[str, Any] = {"period": period.period, "report_task": report_task}
        if year.policy.indicators.enabled:
            detail["indicators"] = True
        answer = await self._run_task(
            TaskKind.FEEDBACK, year.supervisor_nip, period=period.period, detail=detail
        )
        if isinstance(answer.body, FeedbackBody):
            year.periods[i] = period.model_copy(
                update={"feedback": answer.body.feedback, "feedback_status": "done"}
            )
        else:
            year.periods[i] = period.model_copy(update={"feedback_status": "missing"})
            year.flag(f"missing_feedback:{period.period}")
            await self._effects.sync()
