"""Pay-on-resolution offers on the web pages (issue 13): the offer form of a forecast question
takes a share and a cap (a plain context's form does not), refuses half-given, out-of-range
and hostile terms with a page saying why and nothing posted; the offers list shows the terms,
the question's page the escrows (held, then settled) and the ledger says what moved."""

from __future__ import annotations

import math
import re
from datetime import timedelta

from tests.support.web import Site, WebClient, post_context
from volition.bazaar.domain import ContextSpec, audit
from volition.bazaar.domain.forecast_service import Forecasts
from volition.bazaar.domain.forecasts import ForecastSpec


def _offer(carol: WebClient, context_id: str, rate: str, cap: str) -> tuple[int, str]:
    page = f"/contexts/{context_id}"
    fields = {"preview": "rain?", "private_info": "rain", "price": "0.10", "bid": ""}
    r = carol.submit(page, f"{page}/offers", fields | {"escrow_rate": rate, "escrow_cap": cap})
    return r.status_code, r.text


def test_the_offer_form_posts_terms_and_the_question_page_shows_the_escrows(site: Site) -> None:
    alice = site.sign_up("alice")
    carol = site.sign_up("carol", buyer=False, seller=True)
    site.credit("alice", 1_000)
    b = site.bazaar
    forecasts = Forecasts(b)
    buyer = b.find_user("alice")
    closes = b.clock() + timedelta(seconds=30)
    spec = ForecastSpec(("rain", "dry"), closes, max_escrow=200)
    context, _ = forecasts.post(buyer.id, ContextSpec("Will it rain?", 500), spec)
    page = carol.get(f"/contexts/{context.id}").text
    assert 'data-testid="escrow-rate"' in page and "at most $2.00 here" in page
    plain = post_context(alice, "1.00")
    assert 'data-testid="escrow-rate"' not in carol.get(f"/contexts/{plain}").text

    for rate, cap, says in (
        ("0.5", "", "needs both"),
        ("", "1.00", "needs both"),
        ("2", "1.00", "rate"),
        ("0", "1.00", "rate"),
        ("abc", "1.00", "rate"),
        ("1e-999999999", "1.00", "rate"),
        ("0.1234567", "1.00", "decimal places"),
        ("0.5", "-1.00", "cap"),
        ("0.5", "0", "cap"),
        ("0.5", "2.01", "accepts escrow caps up to 200"),
        ("0.5", "lots", "the cap must be an amount"),
    ):
        status, text = _offer(carol, context.id, rate, cap)
        assert status == 422 and says in text and "<html" in text.lower(), (rate, cap, status)
    status, text = _offer(carol, plain, "0.5", "1.00")
    assert status == 422 and "not a forecast question" in text
    assert b.offers(buyer.id, context.id) == [] and b.offers(buyer.id, plain) == []

    status, _ = _offer(carol, context.id, "0.5", "1.50")
    assert status == 303
    (offer,) = b.offers(buyer.id, context.id)
    shown = alice.get(f"/contexts/{context.id}").text
    assert "50% of its realised value at resolution, up to $1.50 held in escrow" in shown

    b.buy_blind(buyer.id, offer.id)
    forecasts.propose(context.id, "node", (0.9, 0.1))
    forecasts.confirm("node", (offer.id,))
    held = alice.get(f"/contexts/{context.id}/forecast").text
    assert 'data-testid="escrows"' in held and "held" in held
    assert 'data-testid="escrows"' not in carol.get(f"/contexts/{context.id}/forecast").text
    real_clock = b.clock
    b.clock = lambda: real_clock() + timedelta(hours=1)  # past its close time
    forecasts.resolve(site.operator.id, context.id, "rain")
    paid = math.floor(0.5 * 200 * math.log(0.9 / 0.5))  # 58 cents
    settled = alice.get(f"/contexts/{context.id}/forecast").text
    assert "settled" in settled and f"$0.{paid}" in settled and f"$0.{150 - paid}" in settled
    assert "Paid (price and escrow payment)" in settled and f"$0.{10 + paid}" in settled
    ledger = alice.get("/me/ledger").text
    assert "Held in escrow from the budget of" in ledger and "Back from escrow" in ledger
    assert "escrow held" in ledger and "escrow refunded" in ledger
    earned = carol.get("/me/ledger").text
    assert "Your share of the realised value" in earned and "escrow paid" in earned
    text = re.sub(r"<[^>]+>", "", ledger + earned)  # what a reader sees: no raw ids
    assert not re.search(r"\b(pur|off|ctx)_[0-9a-f]{6,}", text)
    assert audit(b.store) == []
