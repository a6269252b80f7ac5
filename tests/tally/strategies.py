"""Hypothesis strategies for small generated elections."""

from __future__ import annotations

from collections import Counter

from hypothesis import strategies as st

CHANNELS = (None, "online", "kiosk", "paper")


@st.composite
def elections(draw, *, min_projects=2, max_projects=7, ballot_size=3, max_groups=12, blanks=True):
    n = draw(st.integers(min_projects, max_projects))
    projects = [f"p{i}" for i in range(n)]
    costs = {p: draw(st.integers(1, 60)) for p in projects}
    budget = draw(st.integers(1, sum(costs.values())))
    ballots: Counter = Counter()
    for _ in range(draw(st.integers(1, max_groups))):
        size = draw(st.integers(0 if blanks else 1, min(ballot_size, n)))
        ranking = tuple(draw(st.permutations(projects))[:size])
        ballots[(ranking, draw(st.sampled_from(CHANNELS)))] += draw(st.integers(1, 6))
    return ballots, costs, budget
