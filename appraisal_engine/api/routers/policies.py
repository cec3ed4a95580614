"""The policy presets a cycle can be launched under."""

from __future__ import annotations

from fastapi import APIRouter

from appraisal_engine.api.deps import CurrentPrincipal
from appraisal_engine.api.openapi import responses
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.presets import PRESETS

router = APIRouter(prefix="/v1/policies", tags=["policies"])


@router.get("", responses=responses(401))
async def list_policies(principal: CurrentPrincipal) -> list[Policy]:
    """Every preset, in full: the rules a cycle launched under it follows."""
    return list(PRESETS.values())
