"""YearlyLaunchWorkflow: what a Temporal Schedule starts each year to launch a cycle."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from appraisal_engine.workflows import io
    from appraisal_engine.workflows.cycle_messages import Launched, LaunchRequest, YearlyLaunch


@workflow.defn
class YearlyLaunchWorkflow:
    """Launch the organisation's cycle for the year this run started in.

    The cycle's own id (`cycle-{org}-{year}`) makes this idempotent: a schedule that fires twice,
    or HR launching by hand first, finds the same cycle."""

    @workflow.run
    async def run(self, inp: YearlyLaunch) -> Launched:
        """Hand the launch to an activity, with the year taken from the schedule's time."""
        request = LaunchRequest(
            org=inp.org, year=workflow.now().year, policy=inp.policy, roster_id=inp.roster_id
        )
        result: Launched = await workflow.execute_activity(
            io.LAUNCH_CYCLE,
            request,
            result_type=Launched,
            start_to_close_timeout=io.STORE_TIMEOUT,
            retry_policy=io.BATCH_RETRY,
        )
        return result
