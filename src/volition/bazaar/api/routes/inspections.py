"""Inspections over HTTP (issue 5): start one on your context, follow its tree, audit it.

The platform's engine comes as a dependency (``EngineDep``). Starting answers 202 at once;
the engine's runner (this server's, or a ``volition worker``'s) does the work in the background, and
``GET /api/inspections/{id}`` shows the tree as it grows.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Response, status

from volition.bazaar.api.deps import CurrentUser, EngineDep, PlatformDep, RunnerDep
from volition.bazaar.api.errors import ERROR_RESPONSES
from volition.bazaar.api.inspection_report import inspection_for_context, inspection_report
from volition.bazaar.api.schemas_inspections import (
    AgentCallPublic,
    InspectionCreate,
    InspectionPublic,
    InspectorPublic,
)
from volition.bazaar.errors import NotFound
from volition.bazaar.inspection import InspectionEngine, InspectionLimits, Policy
from volition.bazaar.inspection.runner import InspectionRunner
from volition.bazaar.platform import BuyerAgents
from volition.errors import InputError

__all__ = ["inspector_catalogue", "limits_from", "router", "start_inspection"]

router = APIRouter(tags=["inspections"], responses=ERROR_RESPONSES)


def limits_from(body: InspectionCreate, engine: InspectionEngine) -> InspectionLimits:
    """The server's default limits with the body's own in their place (validated again)."""
    ceiling = engine.bazaar.settings.max_depth
    if body.max_depth is not None and body.max_depth > ceiling:
        raise InputError(f"max_depth is at most {ceiling} on this bazaar, not {body.max_depth}")
    given: dict[str, Any] = {
        name: value
        for name in ("max_depth", "max_follow_ups", "min_offers", "max_retries")
        if (value := getattr(body, name)) is not None
    }
    if body.gather_seconds is not None:
        given["gather_timeout"] = timedelta(seconds=body.gather_seconds)
    if body.policy is not None:
        given["policy"] = Policy(body.policy)
    return replace(engine.limits, **given)


def start_inspection(
    engine: InspectionEngine,
    runner: InspectionRunner | None,
    user_id: str,
    context_id: str,
    body: InspectionCreate,
) -> str:
    """Start inspecting ``context_id`` for ``user_id``, wake the runner; return the id.

    Someone else's context is ``NotFound`` (as if it were not there to be inspected).
    """
    bazaar = engine.bazaar
    limits = limits_from(body, engine)
    context = bazaar.context(user_id, context_id)
    if context.buyer_id != user_id:
        raise NotFound(f"you have no context {context_id} to inspect")
    inspection = engine.start(
        user_id, context_id, limits=limits, agent=body.agent, inspector=body.inspector
    )
    if runner is not None:
        runner.wake()
    return inspection.id


def inspector_catalogue(agents: BuyerAgents) -> list[InspectorPublic]:
    """The inspectors the platform's buyers may choose: names, words and prices, never a URL
    or a key."""
    return [InspectorPublic.model_validate(i, from_attributes=True) for i in agents.catalogue()]


@router.get("/inspectors")
def get_inspectors(platform: PlatformDep) -> list[InspectorPublic]:
    """The operator's inspectors, to name when starting an inspection: the offline one (the
    default) first. Whoever runs an inspector's model reads what it inspects; these are the
    operator's, never a buyer's own endpoint. Prices are cents per million tokens, paid from
    the inspected context's budget."""
    return inspector_catalogue(platform.agents)


@router.post("/contexts/{context_id}/inspections", status_code=status.HTTP_202_ACCEPTED)
def post_inspection(
    context_id: str,
    response: Response,
    engine: EngineDep,
    runner: RunnerDep,
    user: CurrentUser,
    body: InspectionCreate | None = None,
) -> InspectionPublic:
    """Have a buyer agent inspect your open top-level context; 202 while it runs.

    ``inspector`` names one of the operator's inspectors (``GET /api/inspectors``; default
    the offline buyer); its tokens are paid from the context's budget, at its price.

    Follow it at the ``Location`` given; what it buys is yours in ``GET /api/me/purchases``.
    """
    inspection_id = start_inspection(
        engine, runner, user.id, context_id, body or InspectionCreate()
    )
    response.headers["Location"] = f"/api/inspections/{inspection_id}"
    return inspection_report(engine, user.id, inspection_id)


@router.get("/inspections/{inspection_id}")
def get_inspection(inspection_id: str, engine: EngineDep, user: CurrentUser) -> InspectionPublic:
    """An inspection's status, tree, purchases (ids, prices) and agent usage; its buyer and
    operators only."""
    return inspection_report(engine, user.id, inspection_id)


@router.get("/contexts/{context_id}/inspection")
def get_context_inspection(
    context_id: str, engine: EngineDep, user: CurrentUser
) -> InspectionPublic:
    """The inspection of one of your contexts, if it has one."""
    inspection = inspection_for_context(engine, user.id, context_id)
    return inspection_report(engine, user.id, inspection.id)


@router.get("/inspections/{inspection_id}/audit")
def get_audit_trail(
    inspection_id: str, engine: EngineDep, user: CurrentUser
) -> list[AgentCallPublic]:
    """Operators only: per agent call, the offer ids it saw, its decision, tokens and cost;
    never the content it read."""
    engine.nodes(user.id, inspection_id)  # anyone but the buyer and operators: 404
    return [AgentCallPublic.of(c) for c in engine.audit_trail(user.id, inspection_id)]
