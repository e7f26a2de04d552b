"""The bots pages: ``/bots`` lists a seller's bot sellers (pause, resume, delete) and links to a
page per kind of bot to create (``/bots/new/fixed``, ``/bots/new/llm``, each with its matcher)
and to their LLM endpoint's page (``/bots/llm-endpoint``: stored with its key encrypted; the
pages show only a hint of the key and never put it back in a form). A form that fails comes
back on its own page, with what was typed and what was wrong."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import Response

from volition.bazaar.api.deps import BotsDep as Bots
from volition.bazaar.domain import BotService, User
from volition.bazaar.errors import NotFound
from volition.bazaar.web.form_models import EndpointForm, FixedBotForm, LlmBotForm, Posted
from volition.bazaar.web.forms import parse_money
from volition.bazaar.web.rendering import NOTICES, error_page, render
from volition.bazaar.web.routes.common import Field, refused_on, sign_in_first, submit
from volition.bazaar.web.session import Visitor, VisitorDep
from volition.errors import VolitionError

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


def _page(
    request: Request,
    bots: BotService,
    visitor: Visitor,
    status: int = 200,
    error: str | None = None,
    form: dict[str, str] | None = None,
    llm_form: dict[str, str] | None = None,
    llm_bot: dict[str, str] | None = None,
    *,
    which: str = "list",
) -> Response:
    """One of the bots pages (``_TEMPLATES``), with the forms as typed when one failed."""
    assert visitor.user is not None
    try:
        mine = bots.bots(visitor.user.id)
        try:
            credential = bots.credential(visitor.user.id)
        except NotFound:
            credential = None
    except VolitionError as exc:
        return error_page(request, visitor, exc)
    return render(
        request,
        visitor,
        _TEMPLATES[which],
        status,
        error=error,
        bots=mine,
        credential=credential,
        form=form or _BLANK,
        llm_form=llm_form or _BLANK_LLM,
        llm_bot=llm_bot or _BLANK,
    )


@router.get("/bots")
def bots_page(request: Request, bots: Bots, visitor: VisitorDep) -> Response:
    """Your bot sellers, with links to the pages that create them."""
    if visitor.user is None:
        return sign_in_first(request, visitor)
    return _page(request, bots, visitor)


@router.get("/bots/new/{kind}")
def new_bot_page(kind: str, request: Request, bots: Bots, visitor: VisitorDep) -> Response:
    """The form that creates a bot of one kind: ``fixed`` or ``llm``."""
    if visitor.user is None:
        return sign_in_first(request, visitor)
    if kind not in ("fixed", "llm"):
        message = (
            f"there is no kind of bot {kind[:40]!r} to create here; the kinds are fixed and llm"
        )
        return _page(request, bots, visitor, 404, message)
    return _page(request, bots, visitor, which=kind)


@router.get("/bots/llm-endpoint")
def llm_endpoint_page(request: Request, bots: Bots, visitor: VisitorDep) -> Response:
    """The form that stores (or forgets) your bots' LLM endpoint."""
    if visitor.user is None:
        return sign_in_first(request, visitor)
    return _page(request, bots, visitor, which="endpoint")


@router.post("/bots")
def create_bot(
    request: Request,
    bots: Bots,
    visitor: VisitorDep,
    form: Posted[FixedBotForm],
) -> Response:
    """Create a fixed bot: its offer (preview, private info, price) and its matcher."""

    def create(user: User) -> str:
        bots.create_bot(
            user.id,
            name=form.name.strip(),
            kind="fixed",
            price=parse_money(form.price, "the price"),
            preview=form.preview,
            private_info=form.private_info,
            **form.matcher(),
        )
        return "/bots?notice=bot-created"

    again = partial(_page, request, bots, visitor, form=_BLANK | form.echo(), which="fixed")
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

    def create(user: User) -> str:
        bots.create_bot(
            user.id,
            name=form.name.strip(),
            kind="llm",
            price=parse_money(form.price, "the price cap"),
            instructions=form.instructions,
            base_url=form.base_url.strip() or None,
            model=form.model.strip() or None,
            **form.matcher(),
        )
        return "/bots?notice=bot-created"

    again = partial(_page, request, bots, visitor, llm_bot=_BLANK | form.echo(), which="llm")
    return submit(request, visitor, form.csrf_token, create, refused_on(again))


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

    again = partial(_page, request, bots, visitor, llm_form=form.echo(), which="endpoint")
    return submit(request, visitor, form.csrf_token, store, refused_on(again))


@router.post("/bots/llm-endpoint/remove")
def remove_llm_endpoint(
    request: Request, bots: Bots, visitor: VisitorDep, csrf_token: Field = ""
) -> Response:
    """Forget your stored endpoint and key."""

    def forget(user: User) -> str:
        bots.delete_credential(user.id)
        return "/bots?notice=llm-removed"

    again = partial(_page, request, bots, visitor, which="endpoint")
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

    again = partial(_page, request, bots, visitor)
    return submit(request, visitor, csrf_token, act, refused_on(again))


_DONE = {"pause": "paused", "resume": "resumed", "delete": "deleted"}
