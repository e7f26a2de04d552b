"""Bot sellers under ``/api/bots``, and your bots' LLM endpoint under ``/api/me/llm``.

That endpoint is used only by your own LLM bots to write your offers (they read nothing of
anyone else's). It never inspects: inspections run on the operator's inspectors
(``GET /api/inspectors``), since whoever runs an inspector's model reads every offer it sees.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from volition.bazaar.api.deps import BotsDep as Bots
from volition.bazaar.api.deps import CurrentUser
from volition.bazaar.api.errors import ERROR_RESPONSES
from volition.bazaar.api.schemas_bots import (
    BotCreate,
    BotJobPublic,
    BotPublic,
    BotSummary,
    BotUpdate,
    CredentialPublic,
    CredentialPut,
)

router = APIRouter(tags=["bots"], responses=ERROR_RESPONSES)


@router.post("/bots", status_code=status.HTTP_201_CREATED)
def create_bot(body: BotCreate, bots: Bots, user: CurrentUser) -> BotPublic:
    """Create a bot seller that offers as you: ``fixed`` (preview, private info, price),
    ``llm`` (instructions, a price cap, your stored endpoint or a base URL) or ``bayesian``
    (a market with the world inline, the offer it sells, the true state, cents per unit),
    with a matcher."""
    bot = bots.create_bot(
        user.id, name=body.name, kind=body.kind, price=body.price, **body.fields()
    )
    return BotPublic.of(bot)


@router.get("/bots")
def list_bots(
    bots: Bots,
    user: CurrentUser,
    everyone: Annotated[bool, Query(alias="all", description="every bot (operators)")] = False,
) -> list[BotSummary] | list[BotPublic]:
    """Your bots; with ``all=true``, every user's bots without their private info (operators)."""
    if everyone:
        return [BotSummary.of(b) for b in bots.bots(user.id, everyone=True)]
    return [BotPublic.of(b) for b in bots.bots(user.id)]


@router.get("/bots/{bot_id}")
def get_bot(bot_id: str, bots: Bots, user: CurrentUser) -> BotPublic:
    """One of your bots."""
    return BotPublic.of(bots.bot(user.id, bot_id))


@router.patch("/bots/{bot_id}")
def update_bot(bot_id: str, body: BotUpdate, bots: Bots, user: CurrentUser) -> BotPublic:
    """Change some fields of your bot (``active: false`` pauses it)."""
    return BotPublic.of(bots.update_bot(user.id, bot_id, body.fields()))


@router.post("/bots/{bot_id}/pause")
def pause_bot(bot_id: str, bots: Bots, user: CurrentUser) -> BotPublic:
    """Pause your bot: it answers nothing until resumed."""
    return BotPublic.of(bots.set_active(user.id, bot_id, False))


@router.post("/bots/{bot_id}/resume")
def resume_bot(bot_id: str, bots: Bots, user: CurrentUser) -> BotPublic:
    """Resume your paused bot."""
    return BotPublic.of(bots.set_active(user.id, bot_id, True))


@router.delete("/bots/{bot_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_bot(bot_id: str, bots: Bots, user: CurrentUser) -> None:
    """Delete your bot; the offers it posted stay, as yours."""
    bots.delete_bot(user.id, bot_id)


@router.get("/bots/{bot_id}/jobs")
def bot_jobs(bot_id: str, bots: Bots, user: CurrentUser) -> list[BotJobPublic]:
    """What your bot answered, per context, newest first."""
    return [BotJobPublic.of(j) for j in bots.jobs(user.id, bot_id)]


@router.put("/me/llm")
def put_llm(body: CredentialPut, bots: Bots, user: CurrentUser) -> CredentialPublic:
    """Store your bots' OpenAI-compatible endpoint (used by your LLM bots to write your
    offers, never to inspect); the key is encrypted at rest, never shown."""
    credential = bots.set_credential(
        user.id, base_url=body.base_url, model=body.model, api_key=body.api_key
    )
    return CredentialPublic.of(credential)


@router.get("/me/llm")
def get_llm(bots: Bots, user: CurrentUser) -> CredentialPublic:
    """Your bots' stored endpoint: base URL, model and a hint of the key (never the key)."""
    return CredentialPublic.of(bots.credential(user.id))


@router.delete("/me/llm", status_code=status.HTTP_204_NO_CONTENT)
def delete_llm(bots: Bots, user: CurrentUser) -> None:
    """Forget your bots' stored endpoint and key."""
    bots.delete_credential(user.id)
