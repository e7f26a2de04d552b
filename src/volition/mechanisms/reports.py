"""The protocols and the oversight mechanism as JSON-ready reports.

Shared by the ``volition market`` and ``volition oversight`` commands and the HTTP API.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import numpy as np

from volition.errors import ComputationError, InputError
from volition.mechanisms.admissible import DEFAULT_MAX_POLICIES, BestAdmissible
from volition.mechanisms.market import Market
from volition.mechanisms.oversight import OversightResult
from volition.mechanisms.protocols import (
    Inspection,
    NoInspection,
    Protocol,
    ProtocolResult,
    Recursive,
    Successive,
)

__all__ = [
    "ProtocolName",
    "build_protocol",
    "compare_report",
    "market_report",
    "oversight_report",
]


class ProtocolName(StrEnum):
    """The protocols ``volition market`` runs."""

    NONE = "none"
    IP = "ip"
    SUCCESSIVE = "successive"
    RIP = "rip"
    BEST = "best"


def build_protocol(
    name: ProtocolName, depth: int | None, max_policies: int = DEFAULT_MAX_POLICIES
) -> Protocol:
    """The protocol called ``name`` at ``depth`` (none and ip have depth 1)."""
    if name in (ProtocolName.NONE, ProtocolName.IP):
        if depth not in (None, 1):
            raise InputError(
                f"protocol {name.value} looks one level deep; drop --depth or use successive/rip"
            )
        return NoInspection() if name is ProtocolName.NONE else Inspection()
    if name is ProtocolName.SUCCESSIVE:
        return Successive(depth)
    if name is ProtocolName.RIP:
        return Recursive(depth)
    return BestAdmissible(depth, max_policies)


def market_report(result: ProtocolResult) -> dict[str, Any]:
    """What ``volition market`` prints for one protocol, as a JSON-ready dict."""
    return {
        "protocol": result.protocol,
        "depth": result.depth,
        "method": result.method,
        "expected_utility": result.expected_utility,
        "expected_price_paid": result.expected_price_paid,
        "no_info_expected_utility": result.no_info_expected_utility,
        "seller_revenue": dict(result.seller_revenue),
        "outcomes": result.rows(),
    }


def compare_report(
    market: Market, depth: int | None, max_policies: int = DEFAULT_MAX_POLICIES
) -> dict[str, Any]:
    """Every protocol on one market; ``best`` carries a refusal when the market is too big."""
    rows: dict[str, Any] = {}
    for name in ProtocolName:
        shallow = name in (ProtocolName.NONE, ProtocolName.IP)
        protocol = build_protocol(name, None if shallow else depth, max_policies)
        try:
            result = protocol.evaluate(market)
        except ComputationError as exc:
            rows[name.value] = {"refused": str(exc)}
            continue
        rows[name.value] = {
            "depth": result.depth,
            "expected_utility": result.expected_utility,
            "expected_price_paid": result.expected_price_paid,
            "method": result.method,
        }
    return {"no_info_expected_utility": market.problem.no_info()[1], "protocols": rows}


def oversight_report(result: OversightResult, problem: Any) -> dict[str, Any]:
    """What ``volition oversight`` prints, as a JSON-ready dict (states of positive prior)."""
    states = []
    for s in np.flatnonzero(problem.prior > 0):
        path = result.paths[s]
        states.append(
            {
                "state": problem.space.states[s],
                "probability": float(problem.prior[s]),
                "path": list(path),
                "rewards": [float(r) for r in result.rewards[:, s]],
                "equilibrium_value": float(result.value[s]),
                "ideal_value": float(result.ideal[s]),
            }
        )
    return {
        "informers": result.informers if result.informers is not None else "until one passes",
        "knows": list(result.knows.keys),
        "method": result.method,
        "expected_equilibrium_value": result.expected_value,
        "expected_ideal_value": result.expected_ideal,
        "states": states,
    }
