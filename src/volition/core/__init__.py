"""volition.core: the exact value-of-information kernel on finite worlds (docs/theory.md §3).

Finite probability spaces, random variables and the partitions they generate, decision
problems (finite matrices and proper-scoring-rule forecasts), and the VOI quantities: the
true value (eq. 1), the ex-post value (eq. 2), Lindley's ex-ante value, the value under an
uncertain choice of information (eqs. 3-4), and the value judged under finer information.
"""

from volition.core.decision import TIE_RTOL, DecisionProblem, MatrixDecision, argmax_lowest
from volition.core.files import load_problem, problem_from_mapping
from volition.core.grouping import grouped_sums
from volition.core.partition import Partition, RandomVariable
from volition.core.problem import Info, Problem
from volition.core.scoring import ForecastDecision, ScoringRule
from volition.core.seller_choice import SellerChoiceValue, seller_choice_value
from volition.core.space import PRIOR_ATOL, ProbabilitySpace
from volition.core.voi import (
    CellValues,
    InformationValue,
    check_price,
    information_value,
    true_value,
    value_knowing,
)
from volition.core.world import World

__all__ = [
    "PRIOR_ATOL",
    "TIE_RTOL",
    "CellValues",
    "DecisionProblem",
    "ForecastDecision",
    "Info",
    "InformationValue",
    "MatrixDecision",
    "Partition",
    "ProbabilitySpace",
    "Problem",
    "RandomVariable",
    "ScoringRule",
    "SellerChoiceValue",
    "World",
    "argmax_lowest",
    "check_price",
    "grouped_sums",
    "information_value",
    "load_problem",
    "problem_from_mapping",
    "seller_choice_value",
    "true_value",
    "value_knowing",
]
