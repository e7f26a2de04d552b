"""The ledger page says every kind of entry in words, with its amount and no raw ids, and the
context page says where a decided context's budget went (issue 11)."""

from __future__ import annotations

import re
from dataclasses import replace
from html import unescape

from tests.support.web import Site, WebClient
from volition.bazaar.domain import ContextSpec, EntryKind
from volition.bazaar.web.ledger_words import LABELS

RAW_ID = re.compile(r"\b(ctx|off|ent|pur|usr|ins)_[0-9a-z]", re.IGNORECASE)
ROW = re.compile(r'<tr data-testid="entry">(.*?)</tr>', re.S)
CELL = re.compile(r'data-testid="entry-(kind|words|amount)">(.*?)</td>', re.S)
TAG = re.compile(r"<[^>]+>")


def _rows(client: WebClient) -> list[dict[str, str]]:
    """The ledger page's rows: kind, words (with their links' markup) and amount."""
    html = client.get("/me/ledger").text
    rows = []
    for row in ROW.findall(html):
        cells = {k: unescape(v) for k, v in CELL.findall(row)}
        cells["text"] = TAG.sub("", cells["words"])
        rows.append(cells)
    return rows


def _story(site: Site) -> tuple[WebClient, WebClient, str, str]:
    """Every kind of entry, once: a grant, a credit, two reservations (one for a follow-up),
    two purchases, an inspection cost, two releases, a cash-out, and two bids to be read
    (the attention auction: one read and paid to the buyer, one returned at the close).
    Returns the buyer's and seller's clients and the ids of the context and its follow-up."""
    site.bazaar.settings = replace(site.bazaar.settings, starting_grant=1_000)
    alice = site.sign_up("alice")
    carol = site.sign_up("carol", buyer=False, seller=True)
    site.credit("alice", 10_000)
    b = site.bazaar
    alice_id, carol_id = b.find_user("alice").id, b.find_user("carol").id
    parent = b.post_context(alice_id, ContextSpec("Will it rain?", 2_000))
    radar = b.post_offer(carol_id, parent.id, preview="radar", private_info="rain at 3", price=250)
    child = b.post_context(
        alice_id, ContextSpec("Is the radar right?", 200, parent_offer_ids=(radar.id,))
    )
    check = b.post_offer(carol_id, child.id, preview="checked", private_info="yes", price=100)
    b.buy_blind(alice_id, check.id)
    b.buy_blind(alice_id, radar.id)
    loud = b.post_offer(carol_id, parent.id, preview="read me", private_info="x", price=40, bid=20)
    b.post_offer(carol_id, parent.id, preview="skip me", private_info="y", price=40, bid=10)
    b.mark_inspected(alice_id, loud.id)  # its bid paid to alice; the other's back at the close
    b.charge_inspection(alice_id, parent.id, 30, idempotency_key="k1", memo=f"for {parent.id}")
    b.cancel_context(alice_id, child.id)  # 100 back into the parent's budget
    b.cancel_context(alice_id, parent.id)  # the rest back to alice's cash
    b.cash_out(carol_id, 100)
    return alice, carol, parent.id, child.id


def test_every_kind_of_entry_has_words_and_an_amount_and_no_raw_id(site: Site) -> None:
    assert set(LABELS) == set(EntryKind)  # a new kind of entry needs its words here
    alice, carol, parent, child = _story(site)
    mine, theirs = _rows(alice), _rows(carol)
    escrows = {"escrow held", "escrow paid", "escrow refunded"}  # tests/web/test_escrow_pages
    assert {r["kind"] for r in mine + theirs} == set(LABELS.values()) - escrows
    for row in mine + theirs:
        assert row["amount"].startswith("$") and row["amount"] != "$0.00", row
        assert not RAW_ID.search(row["text"]), row
        assert row["text"].strip() and row["text"] != row["kind"].capitalize() + ".", row
    said = [r["text"] for r in mine]
    expected = [  # newest first
        "The unspent budget of 'Will it rain?' back to your cash.",
        "What the follow-up 'Is the radar right?' did not spend, back to the budget of "
        "'Will it rain?'.",
        "Paid the operator's inspector (its model's tokens) for reading the offers on "
        "'Will it rain?', from that question's budget.",
        "Paid to you by carol, whose offer your inspector read on 'Will it rain?'.",
        "Bought 'radar' from carol for 'Will it rain?'.",
        "Bought 'checked' from carol for 'Is the radar right?'.",
        "Part of the budget of 'Will it rain?' set aside for the follow-up question "
        "'Is the radar right?'.",
        "Set aside as the budget of 'Will it rain?'.",
        "Added to your cash by the operator.",
        "Starting grant: money the bazaar gives every new account.",
    ]
    assert said == expected
    amounts = [r["amount"] for r in mine]
    assert amounts == [
        *("$16.20", "$1.00", "$0.30", "$0.20", "$2.50", "$1.00", "$2.00", "$20.00"),
        *("$100.00", "$10.00"),
    ]
    assert f'<a href="/contexts/{parent}">' in mine[0]["words"]
    assert f'<a href="/contexts/{child}">' in mine[1]["words"]
    sold = [r["text"] for r in theirs]
    assert sold[0] == "Moved from your earnings to your cash, to spend as a buyer."
    assert "Sold 'radar' to alice, for 'Will it rain?'." in sold
    assert "Sold 'checked' to alice, for 'Is the radar right?'." in sold
    rain = "on 'Will it rain?'"
    assert f"Held from your cash: the bid to have your offer 'read me' {rain} read." in sold
    assert f"Your bid back to your cash: nobody read your offer 'skip me' {rain}." in sold


def test_the_context_page_says_where_the_budget_went(site: Site) -> None:
    alice, carol, parent, child = _story(site)
    html = unescape(alice.get(f"/contexts/{parent}").text)
    assert 'data-testid="budget-use"' in html
    for testid, words in {
        "use-purchases": "Spent on offers you bought: $2.50",
        "use-inspection": "Paid for the inspector's reading (its model's tokens): $0.30",
        "use-follow-ups": "(their purchases and inspector): $1.00",
        "use-released": "Released back to your cash: $16.20",
    }.items():
        cell = re.search(rf'data-testid="{testid}">(.*?)</li>', html, re.S)
        assert cell is not None and words in " ".join(cell.group(1).split()), testid
    assert "use-remaining" not in html  # nothing is still reserved
    follow_up = unescape(alice.get(f"/contexts/{child}").text)
    assert "Released back to the parent question's budget: $1.00" in " ".join(follow_up.split())
    # the seller sees the question, never the buyer's money
    assert 'data-testid="budget-use"' not in carol.get(f"/contexts/{parent}").text


def test_an_open_context_with_nothing_spent_says_nothing_of_its_use(site: Site) -> None:
    alice = site.sign_up("alice")
    site.credit("alice", 1_000)
    b = site.bazaar
    context = b.post_context(b.find_user("alice").id, ContextSpec("Will it snow?", 500))
    html = alice.get(f"/contexts/{context.id}").text
    assert 'data-testid="remaining">$5.00<' in html and "budget-use" not in html


def test_a_seller_paid_in_a_follow_up_whose_words_are_withheld_reads_no_words(
    site: Site,
) -> None:
    site.sign_up("alice")
    carol = site.sign_up("carol", buyer=False, seller=True)
    site.credit("alice", 10_000)
    b = site.bazaar
    alice_id, carol_id = b.find_user("alice").id, b.find_user("carol").id
    parent = b.post_context(alice_id, ContextSpec("Will it rain?", 2_000))
    tip = b.post_offer(
        carol_id, parent.id, preview="tip", private_info="secret", price=50, quotable=False
    )
    b.mark_inspected(alice_id, tip.id)  # the inspector read an offer that refuses quotation
    child = b.post_context(
        alice_id,
        ContextSpec(
            "Is the tip 'secret' right?", 200, parent_offer_ids=(tip.id,), by_inspector=True
        ),
    )
    answer = b.post_offer(carol_id, child.id, preview="answer", private_info="no", price=20)
    b.buy_blind(alice_id, answer.id)
    said = [r["text"] for r in _rows(carol)]
    assert "Sold 'answer' to alice, for a follow-up question (its words withheld)." in said
    assert not any("secret" in s for s in said)


def test_a_bid_paid_in_a_forgotten_follow_up_names_neither_offer_nor_seller(site: Site) -> None:
    """The attention auction under amnesia: the buyer's inspector read a bidding offer in a
    follow-up the buyer is shown forgotten (she did not buy the offer it is about); her
    ledger says she was paid, and nothing of whose offer it was or what it said."""
    alice = site.sign_up("alice")
    site.sign_up("carol", buyer=False, seller=True)
    site.credit("alice", 10_000)
    site.credit("carol", 1_000)
    b = site.bazaar
    alice_id, carol_id = b.find_user("alice").id, b.find_user("carol").id
    parent = b.post_context(alice_id, ContextSpec("Will it rain?", 2_000))
    tip = b.post_offer(carol_id, parent.id, preview="tip", private_info="ACME at 3", price=50)
    b.mark_inspected(alice_id, tip.id)
    child = b.post_context(
        alice_id,
        ContextSpec("Is the ACME tip right?", 200, parent_offer_ids=(tip.id,), by_inspector=True),
    )
    loud = b.post_offer(
        carol_id, child.id, preview="the ACME check", private_info="it is wrong", price=20, bid=15
    )
    b.mark_inspected(alice_id, loud.id)  # its bid paid to alice; she never buys the tip
    b.cancel_context(alice_id, parent.id)
    rows = _rows(alice)
    paid = [r for r in rows if r["kind"] == LABELS[EntryKind.BID_PAYMENT]]
    assert [r["text"] for r in paid] == [
        "Paid to you for reading an offer in a forgotten follow-up: who it was is forgotten."
    ]
    assert paid[0]["amount"] == "$0.15"
    page = alice.get("/ledger").text
    for secret in ("carol", "ACME", "it is wrong"):
        assert secret not in page, secret
