"""Benchmark app.tally against pabutools and pyrankvote on the same generated ballots.

Ballots: Plackett-Luce top-5 over 50 projects (weights 1/(i+1)^0.8, seeded, Gumbel-max
sampling), channel online/kiosk/paper 60/30/10. Case "tie-heavy" adds 10 projects nobody
ranks. Each measurement runs in its own subprocess so peak memory (ru_maxrss) is its own.
Timed: ``tally(ballots=Counter[(ranking, channel)], rules)`` -> result, i.e. grouping
checks, packing and counting; building the Counter (the service's GROUP BY) is not timed.

References are slow: pabutools runs on the first 100,000 ballots, pyrankvote on the first
10,000 (it needs ~40 s for STV on 10k tie-heavy ballots); ours runs on the same subset
beside each for the ratio. "agree": the same selected set (irv: first winner).

Usage: python scripts/bench_tally.py [--sizes 100000,1000000] [--ref-size 100000]
Never run by the test suite; takes a few minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHANNELS = ("online", "kiosk", "paper")
OURS = ("borda", "approval", "irv", "stv", "mes")
STV_SEATS = 10
# Which reference counts the same rule as which of our methods.
REFERENCES = {
    "borda": "pabutools greedy (5..1 points)",
    "mes": "pabutools MES",
    "irv": "pyrankvote IRV (1st winner)",
    "stv": "pyrankvote STV (set)",
}
# pyrankvote takes ~40 s for STV on 10k tie-heavy ballots, so it gets a smaller subset.
PYRANKVOTE_SIZE = 10_000


def generate(*, n: int, extra: int, seed: int, path: Path) -> None:
    rng = np.random.default_rng(seed)
    m = 50
    log_w = np.log(1 / (np.arange(m) + 1) ** 0.8)
    ranks = np.empty((n, 5), dtype=np.int16)
    for start in range(0, n, 100_000):
        end = min(n, start + 100_000)
        keys = log_w[None, :] + rng.gumbel(size=(end - start, m))
        top = np.argpartition(-keys, 5, axis=1)[:, :5]
        order = np.argsort(-np.take_along_axis(keys, top, axis=1), axis=1)
        ranks[start:end] = np.take_along_axis(top, order, axis=1)
    channels = rng.choice(3, size=n, p=[0.6, 0.3, 0.1]).astype(np.int8)
    costs = rng.integers(20_000, 400_000, size=m + extra) * 100
    np.savez(path, ranks=ranks, channels=channels, costs=costs)


def load(path: Path, n: int):
    data = np.load(path)
    names = np.array([f"P{i:02d}" for i in range(len(data["costs"]))])
    rankings = map(tuple, names[data["ranks"][:n].astype(np.int64)].tolist())
    ballots = Counter(zip(rankings, map(CHANNELS.__getitem__, data["channels"][:n].tolist()), strict=True))
    costs = {str(p): int(c) for p, c in zip(names, data["costs"], strict=True)}
    return ballots, costs, sum(costs.values()) // 5


def worker(kind: str, method: str, path: Path, n: int) -> dict:
    ballots, costs, budget = load(path, n)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    selected = run_one(kind, method, ballots, costs, budget)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": seconds, "peak_mib": peak / 1024, "grew_mib": (peak - before) / 1024,
            "selected": sorted(selected)}


def run_one(kind: str, method: str, ballots, costs, budget) -> list[str]:
    if kind == "ours":
        from app.tally import Rules, TieBreak, tally

        rules = Rules(method=method, budget=budget, costs=costs, tie_break=TieBreak.lexicographic(),
                      seats=STV_SEATS if method == "stv" else None)
        result = tally(ballots=ballots, rules=rules)
        if method == "irv":
            return [result.projects[0].project]
        if method == "stv":
            return [line.project for line in result.projects[:STV_SEATS]]
        return list(result.selected)
    from tests.tally import references as ref

    if method == "borda":
        return list(ref.pabutools_greedy(ballots, costs, budget, (5, 4, 3, 2, 1)))
    if method == "mes":
        return ref.pabutools_mes(ballots, costs, budget, (5, 4, 3, 2, 1))
    if method == "irv":
        return ref.pyrankvote_winners(ballots, sorted(costs))[:1]
    return ref.pyrankvote_winners(ballots, sorted(costs), STV_SEATS)


def measure(kind: str, method: str, path: Path, n: int) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--worker", kind, method, str(path), str(n)],
        capture_output=True, text=True, cwd=ROOT, timeout=900,
    )
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1]}
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--ref-size", type=int, default=100_000)
    parser.add_argument("--worker", nargs=4)
    args = parser.parse_args()
    if args.worker:
        kind, method, path, n = args.worker
        print(json.dumps(worker(kind, method, Path(path), int(n))))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}; "
          f"pabutools runs on the first {args.ref_size:,} ballots, "
          f"pyrankvote on the first {PYRANKVOTE_SIZE:,}; ours on the same ballots beside them")
    print(f"{'case':<10} {'ballots':>9} {'method':<8} {'ours s':>7} {'peak MiB':>8} {'+MiB':>6}  "
          f"{'reference':<30} {'ref s':>7} {'ratio':>6}  agree")
    with tempfile.TemporaryDirectory() as tmp:
        for case, extra in (("standard", 0), ("tie-heavy", 10)):
            path = Path(tmp) / f"{case}.npz"
            generate(n=max(sizes), extra=extra, seed=2026, path=path)
            for n in sizes:
                for method in OURS:
                    report_row(case, n, method, path, None)
            for method in REFERENCES:
                n = PYRANKVOTE_SIZE if method in ("irv", "stv") else args.ref_size
                report_row(case, n, method, path, REFERENCES[method])


def report_row(case: str, n: int, method: str, path: Path, reference: str | None) -> None:
    ours = measure("ours", method, path, n)
    if "error" in ours:
        print(f"{case:<10} {n:>9,} {method:<8} ERROR {ours['error']}", flush=True)
        return
    ref_name, ref_s, ratio, agree = "", "", "", ""
    if reference is not None:
        theirs = measure("ref", method, path, n)
        ref_name = reference
        if "error" in theirs:
            ref_s = "ERROR"
        else:
            ref_s = f"{theirs['seconds']:.2f}"
            ratio = f"{theirs['seconds'] / ours['seconds']:.0f}x"
            agree = "yes" if theirs["selected"] == ours["selected"] else "NO"
    print(f"{case:<10} {n:>9,} {method:<8} {ours['seconds']:>7.2f} {ours['peak_mib']:>8.0f} "
          f"{ours['grew_mib']:>6.0f}  {ref_name:<30} {ref_s:>7} {ratio:>6}  {agree}", flush=True)


if __name__ == "__main__":
    main()
