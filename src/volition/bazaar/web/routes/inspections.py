"""The inspection pages (issue 5): start one from a context page, watch its tree grow.

``POST /contexts/{id}/inspect`` (CSRF-guarded) starts an inspection on the operator's
inspector chosen in the form and goes to ``/inspections/{id}``. That page shows the recursion
tree; while it runs, HTMX swaps in ``/inspections/{id}/live`` every second (without
JavaScript, a meta refresh reloads the page), and once done it lists what was bought with
the private info the buyer may read, as the purchases page shows it. Only the buyer and
operators see an inspection.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from volition.bazaar.api.deps import EngineDep, RunnerDep, services_of
from volition.bazaar.api.inspection_report import inspection_report
from volition.bazaar.api.routes.inspections import inspector_catalogue, start_inspection
from volition.bazaar.api.schemas_inspections import (
    InspectionCreate,
    InspectionPublic,
    InspectorPublic,
    NodePublic,
)
from volition.bazaar.domain import Bazaar, ContextStatus, Disclosure, User
from volition.bazaar.domain.page_reads import inspected_offer_ids
from volition.bazaar.errors import NotFound
from volition.bazaar.inspection import InspectionEngine
from volition.bazaar.web.form_models import InspectForm, Posted
from volition.bazaar.web.rendering import failure, render
from volition.bazaar.web.routes.common import sign_in_first, submit
from volition.bazaar.web.session import Visitor, VisitorDep
from volition.bazaar.web.views import ContextPage, PurchaseRow, purchase_rows
from volition.errors import InputError, VolitionError

__all__ = ["InspectPanel", "inspect_panel", "router"]

router = APIRouter()

# The pages allow no script but htmx, served from this site (the rest keep script-src 'none').
_CSP = (
    "default-src 'self'; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


@dataclass(frozen=True, slots=True)
class InspectPanel:
    """The inspection panel of a context page, for its buyer: start one, or go to it."""

    inspectors: tuple[tuple[str, str], ...]  # (name, label) of the operator's inspectors
    can_start: bool
    inspection_id: str | None
    max_depth: int
    depth_choices: tuple[int, ...]


def inspect_panel(request: Request, page: ContextPage) -> InspectPanel | None:
    """The panel for the context page's viewer, or None (not the buyer, or a follow-up)."""
    platform = services_of(request.app).platform
    engine = platform.engine
    context = page.context
    if not page.viewer_is_buyer or context.is_child:
        return None
    existing = engine.repository.inspection_for_context(context.id)
    ceiling = engine.bazaar.settings.max_depth
    return InspectPanel(
        inspectors=tuple((i.name, _label(i)) for i in inspector_catalogue(platform.agents)),
        can_start=existing is None and context.status is ContextStatus.OPEN,
        inspection_id=existing.id if existing else None,
        max_depth=min(engine.limits.max_depth, ceiling),
        depth_choices=tuple(range(ceiling + 1)),
    )


def _label(inspector: InspectorPublic) -> str:
    """An inspector as the select shows it: its name, words and price (never its URL)."""
    label = inspector.name + (f": {inspector.description}" if inspector.description else "")
    prompt, completion = inspector.prompt_cents_per_million, inspector.completion_cents_per_million
    if prompt or completion:
        label += f" ({prompt}¢ / {completion}¢ per million prompt / completion tokens)"
    return label


def _form_body(max_depth: str, policy: str, inspector: str = "") -> InspectionCreate:
    depth = None
    if max_depth.strip():
        if not max_depth.strip().isdigit():
            raise InputError(f"the depth must be a whole number, not {max_depth.strip()!r}")
        depth = int(max_depth.strip())
    if policy not in {"", "with_parent", "all"}:
        raise InputError(f"the policy must be 'with_parent' or 'all', not {policy!r}")
    try:
        return InspectionCreate(
            inspector=inspector.strip() or None,
            max_depth=depth,
            policy="all" if policy == "all" else ("with_parent" if policy else None),
        )
    except ValidationError as exc:  # out of range: the API's own words
        details = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InputError(details) from None


@router.post("/contexts/{context_id}/inspect")
def start(
    context_id: str,
    request: Request,
    engine: EngineDep,
    runner: RunnerDep,
    visitor: VisitorDep,
    form: Posted[InspectForm],
) -> Response:
    """Start inspecting your open context with one of the operator's inspectors."""

    def begin(user: User) -> str:
        body = _form_body(form.max_depth, form.policy, form.inspector)
        return f"/inspections/{start_inspection(engine, runner, user.id, context_id, body)}"

    return submit(request, visitor, form.csrf_token, begin)


@dataclass(frozen=True, slots=True)
class Declined:
    """An offer the inspector read and did not buy: what anyone may see of it, no more
    (its private info is forgotten: amnesia, docs/theory.md §5)."""

    preview: str
    seller: str
    price: int
    context_id: str


@dataclass
class NodeRow:
    """One node of the tree as the page draws it, with its children."""

    node: NodePublic
    bought: list[tuple[str, int]]  # (preview, price) of each offer bought here
    declined: list[Declined] = field(default_factory=list)
    forgotten: bool = False  # a follow-up the viewer is shown forgotten
    children: list[NodeRow] = field(default_factory=list)


@dataclass(frozen=True)
class InspectionPage:
    """What the inspection page and its live fragment show."""

    report: InspectionPublic
    root: NodeRow | None
    context_query: str
    purchases: list[PurchaseRow]
    running: bool
    declined: list[Declined] = field(default_factory=list)


def _page(
    bazaar: Bazaar, engine: InspectionEngine, user: User, inspection_id: str
) -> InspectionPage:
    report = inspection_report(engine, user.id, inspection_id)
    rows: dict[str, NodeRow] = {}
    root = None
    for node in report.nodes:  # parents come before their children
        declined, forgotten = _read_and_declined(bazaar, user, node.context_id)
        row = NodeRow(node, [_bought(bazaar, user, i) for i in node.bought], declined, forgotten)
        rows[node.id] = row
        if node.parent_id is None:
            root = row
        elif node.parent_id in rows:
            rows[node.parent_id].children.append(row)
    running = report.status != "done"
    purchases: list[PurchaseRow] = []
    if not running and user.id == report.buyer_id:
        bought = {b.offer_id for b in report.bought}
        purchases = [r for r in purchase_rows(bazaar, user) if r.purchase.offer_id in bought]
    query = bazaar.context(user.id, report.context_id).query
    every_declined = [d for row in rows.values() for d in row.declined]
    return InspectionPage(report, root, query, purchases, running, every_declined)


def _read_and_declined(bazaar: Bazaar, user: User, context_id: str) -> tuple[list[Declined], bool]:
    """The offers on ``context_id`` the inspector read and did not buy, as ``user`` may see
    them, and whether the context is shown to ``user`` forgotten."""
    try:
        context = bazaar.context(user.id, context_id)
        read = inspected_offer_ids(bazaar, user.id, context_id)
        offers = bazaar.offers(user.id, context_id) if read else []
    except NotFound:  # a follow-up context the viewer (an operator) cannot see
        return [], False
    names: dict[str, str] = {}
    declined = []
    for offer in offers:
        if offer.id in read and not offer.purchased:
            if offer.seller_id not in names:
                names[offer.seller_id] = bazaar.user(offer.seller_id).name
            seller = names[offer.seller_id]
            declined.append(Declined(offer.preview, seller, offer.price, context_id))
    return declined, context.disclosure is Disclosure.FORGOTTEN


def _bought(bazaar: Bazaar, user: User, offer_id: str) -> tuple[str, int]:
    try:
        offer = bazaar.offer(user.id, offer_id)
    except NotFound:  # an offer in a follow-up context the viewer (an operator) cannot see
        return ("an offer of a follow-up context", 0)
    return (offer.preview, offer.price)


def _show(
    request: Request, engine: InspectionEngine, visitor: Visitor, inspection_id: str, template: str
) -> Response:
    if visitor.user is None:
        return sign_in_first(request, visitor)
    try:
        page = _page(engine.bazaar, engine, visitor.user, inspection_id)
    except VolitionError as exc:
        status, message = failure(exc)
        return render(request, visitor, "error.html", status, error=message)
    response = render(request, visitor, template, ins=page)
    response.headers["Content-Security-Policy"] = _CSP
    return response


@router.get("/inspections/{inspection_id}")
def show(inspection_id: str, request: Request, engine: EngineDep, visitor: VisitorDep) -> Response:
    """An inspection's tree as it grows, and its purchases once done."""
    return _show(request, engine, visitor, inspection_id, "inspection.html")


@router.get("/inspections/{inspection_id}/live")
def live(inspection_id: str, request: Request, engine: EngineDep, visitor: VisitorDep) -> Response:
    """The part of the inspection page that changes, for HTMX to swap in."""
    return _show(request, engine, visitor, inspection_id, "_inspection_live.html")
