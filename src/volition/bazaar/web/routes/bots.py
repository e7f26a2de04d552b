"""The bots pages: ``/bots`` lists a seller's bot sellers (pause, resume, delete) and links to a
page per kind of bot to create (``/bots/new/fixed``, ``/bots/new/llm``, each with its matcher)
and to their LLM endpoint's page (``/bots/llm-endpoint``: stored with its key encrypted; the
pages show only a hint of the key and never put it back in a form). A form that fails comes
back on its own page, with what was typed and what was wrong."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from volition.bazaar.api.deps import BotsDep as Bots
from volition.bazaar.domain import BotService, User
from volition.bazaar.errors import NotFound
from volition.bazaar.web.form_models import (
    BotForm,
    EndpointForm,
    FixedBotForm,
    LlmBotForm,
    Posted,
)
from volition.bazaar.web.forms import parse_money
from volition.bazaar.web.rendering import NOTICES
from volition.bazaar.web.routes.common import Field, Page, refused_on, submit, user_page
from volition.bazaar.web.session import Visitor, VisitorDep

router = APIRouter()

NOTICES.update(
    {
        "bot-created": "Your bot is active: it offers on matching contexts, once each.",
        "bot-paused": "The bot is paused.",
        "bot-resumed": "The bot is active again.",
        "bot-deleted": "The bot is deleted; the offers it posted stay yours.",
        "llm-stored": "Your LLM endpoint is stored; the key is encrypted.",
        "llm-removed": "Your LLM endpoint and key are forgotten.",
    }
)
_FIELDS = ("name", "preview", "private_info", "price", "keywords", "min_budget", "min_priority")
_RATES = ("min_inspection_rate", "min_purchase_rate")
_BLANK = dict.fromkeys((*_FIELDS, *_RATES, "max_age", "instructions", "base_url", "model"), "")
_BLANK_LLM = {"base_url": "", "model": ""}


_TEMPLATES = {
    "list": "bots.html",
    "fixed": "bot_fixed.html",
    "llm": "bot_llm.html",
    "endpoint": "bot_endpoint.html",
}


def _page(request: Request, bots: BotService, visitor: Visitor, which: str = "list") -> Page:
    """One of the bots pages (``_TEMPLATES``, ``user_page``), its forms blank unless given as
    typed."""

    def read(user: User) -> dict[str, Any]:
        mine = bots.bots(user.id)
        try:
            credential = bots.credential(user.id)
        except NotFound:
            credential = None
        return {"bots": mine, "credential": credential}

    page = partial(user_page, request, visitor, _TEMPLATES[which], read)
    return partial(page, form=_BLANK, llm_form=_BLANK_LLM, llm_bot=_BLANK)


@router.get("/bots")
def bots_page(request: Request, bots: Bots, visitor: VisitorDep) -> Response:
    """Your bot sellers, with links to the pages that create them."""
    return _page(request, bots, visitor)()


@router.get("/bots/new/{kind}")
def new_bot_page(kind: str, request: Request, bots: Bots, visitor: VisitorDep) -> Response:
    """The form that creates a bot of one kind: ``fixed`` or ``llm``."""
    if kind not in ("fixed", "llm"):
        message = (
            f"there is no kind of bot {kind[:40]!r} to create here; the kinds are fixed and llm"
        )
        return _page(request, bots, visitor)(404, message)
    return _page(request, bots, visitor, kind)()


@router.get("/bots/llm-endpoint")
def llm_endpoint_page(request: Request, bots: Bots, visitor: VisitorDep) -> Response:
    """The form that stores (or forgets) your bots' LLM endpoint."""
    return _page(request, bots, visitor, "endpoint")()


@router.post("/bots")
def create_bot(
    request: Request,
    bots: Bots,
    visitor: VisitorDep,
    form: Posted[FixedBotForm],
) -> Response:
    """Create a fixed bot: its offer (preview, private info, price) and its matcher."""
    details = {"preview": form.preview, "private_info": form.private_info}
    create = _creates(bots, form, "fixed", "the price", **details)
    again = partial(_page(request, bots, visitor, "fixed"), form=_BLANK | form.echo())
    return submit(request, visitor, form.csrf_token, create, refused_on(again))


@router.post("/bots/llm")
def create_llm_bot(
    request: Request,
    bots: Bots,
    visitor: VisitorDep,
    form: Posted[LlmBotForm],
) -> Response:
    """Create an LLM bot: its instructions, a price cap, its matcher, and optionally its own
    endpoint (else your stored one)."""
    details = {
        "instructions": form.instructions,
        "base_url": form.base_url.strip() or None,
        "model": form.model.strip() or None,
    }
    create = _creates(bots, form, "llm", "the price cap", **details)
    again = partial(_page(request, bots, visitor, "llm"), llm_bot=_BLANK | form.echo())
    return submit(request, visitor, form.csrf_token, create, refused_on(again))


def _creates(
    bots: BotService,
    form: BotForm,
    kind: str,
    price_name: str,
    **details: str | None,
) -> Callable[[User], str]:
    """A new-bot form's action: create the ``kind`` bot of its name, price (``price_name`` in
    errors), ``details`` and matcher, then back to the bots page."""

    def create(user: User) -> str:
        price = parse_money(form.price, price_name)
        bots.create_bot(
            user.id, name=form.name.strip(), kind=kind, price=price, **details, **form.matcher()
        )
        return "/bots?notice=bot-created"

    return create


@router.post("/bots/llm-endpoint")
def store_llm_endpoint(
    request: Request,
    bots: Bots,
    visitor: VisitorDep,
    form: Posted[EndpointForm],
) -> Response:
    """Store your OpenAI-compatible endpoint; the key is encrypted before it is stored."""

    def store(user: User) -> str:
        base_url, model = form.base_url.strip(), form.model.strip()
        bots.set_credential(user.id, base_url=base_url, model=model, api_key=form.api_key)
        return "/bots?notice=llm-stored"

    again = partial(_page(request, bots, visitor, "endpoint"), llm_form=form.echo())
    return submit(request, visitor, form.csrf_token, store, refused_on(again))


@router.post("/bots/llm-endpoint/remove")
def remove_llm_endpoint(
    request: Request, bots: Bots, visitor: VisitorDep, csrf_token: Field = ""
) -> Response:
    """Forget your stored endpoint and key."""

    def forget(user: User) -> str:
        bots.delete_credential(user.id)
        return "/bots?notice=llm-removed"

    again = _page(request, bots, visitor, "endpoint")
    return submit(request, visitor, csrf_token, forget, refused_on(again))


@router.post("/bots/{bot_id}/{action}")
def act_on_bot(
    bot_id: str,
    action: str,
    request: Request,
    bots: Bots,
    visitor: VisitorDep,
    csrf_token: Field = "",
) -> Response:
    """Pause, resume or delete one of your bots."""

    def act(user: User) -> str:
        if action not in _DONE:
            raise NotFound(f"there is no bot action {action[:40]!r}")
        if action == "delete":
            bots.delete_bot(user.id, bot_id)
        else:
            bots.set_active(user.id, bot_id, action == "resume")
        return f"/bots?notice=bot-{_DONE[action]}"

    again = _page(request, bots, visitor)
    return submit(request, visitor, csrf_token, act, refused_on(again))


_DONE = {"pause": "paused", "resume": "resumed", "delete": "deleted"}
