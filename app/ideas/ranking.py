"""Ranking ideas by the delegates' scores: exact arithmetic, no database, no web.

For an idea scored by delegates d = 1..n against criteria c with positive integer
weights w_c, delegate d's weighted score is

    s_d = Σ_c w_c · v_{d,c} / Σ_c w_c          (v_{d,c} in 1..5)

The idea's weighted mean is m = (1/n) Σ_d s_d, which equals Σ_c w_c · mean_c / Σ_c w_c
where mean_c is the mean over delegates of criterion c. Its spread is the population
standard deviation of the s_d: sqrt((1/n) Σ_d (s_d − m)²), so 0 when all delegates agree.
Ideas are ordered by m, highest first, ties by idea id; ideas nobody scored come last,
by id. Everything is a Fraction until output, so a tie is a real tie, not a float artefact.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction

DEFINITION = (
    "Each delegate's weighted score is Σ weight×score / Σ weight over the criteria; "
    "weighted_mean is the mean of those over the delegates who scored the idea; spread is "
    "their population standard deviation; criterion_means are per-criterion means over the "
    "same delegates. Order: weighted_mean descending, ties by idea id; unscored ideas last. "
    "Computed exactly (fractions), rounded to 3 decimals for display only."
)


@dataclass(frozen=True)
class IdeaScores:
    idea_id: int
    # One mapping criterion id -> 1..5 per delegate who scored the idea.
    delegate_scores: Sequence[Mapping[int, int]]


@dataclass(frozen=True)
class RankedIdea:
    idea_id: int
    delegates: int
    weighted_mean: Fraction | None
    variance: Fraction | None
    criterion_means: dict[int, Fraction]


def weighted_score(scores: Mapping[int, int], weights: Mapping[int, int]) -> Fraction:
    total = sum(weights.values())
    return Fraction(sum(weights[c] * scores[c] for c in weights), total)


def rank_ideas(ideas: Sequence[IdeaScores], weights: Mapping[int, int]) -> list[RankedIdea]:
    """The ideas in ranking order; `weights` maps every criterion id to its weight."""
    ranked = []
    for idea in ideas:
        n = len(idea.delegate_scores)
        if n == 0:
            ranked.append(RankedIdea(idea.idea_id, 0, None, None, {}))
            continue
        per_delegate = [weighted_score(s, weights) for s in idea.delegate_scores]
        mean = sum(per_delegate, Fraction(0)) / n
        variance = sum(((s - mean) ** 2 for s in per_delegate), Fraction(0)) / n
        criterion_means = {c: Fraction(sum(s[c] for s in idea.delegate_scores), n) for c in weights}
        ranked.append(RankedIdea(idea.idea_id, n, mean, variance, criterion_means))
    ranked.sort(key=lambda r: (r.weighted_mean is None, -(r.weighted_mean or 0), r.idea_id))
    return ranked


def rounded(value: Fraction, places: int = 3) -> float:
    """Round half to even at `places` decimals, exactly, then show as a float."""
    return float(round(value, places))


def rounded_sqrt(value: Fraction, places: int = 3) -> float:
    with localcontext() as context:
        context.prec = 40
        root = (Decimal(value.numerator) / Decimal(value.denominator)).sqrt()
        return float(root.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN))


def fraction_text(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else str(value)
