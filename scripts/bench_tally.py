"""Benchmark app.tally against pabutools and pyrankvote on the same generated ballots.

Ballots: Plackett-Luce top-5 over 50 projects (weights 1/(i+1)^0.8, seeded, Gumbel-max
sampling), channel online/kiosk/paper 60/30/10. Case "tie-heavy" adds 10 projects nobody
ranks. Each measurement runs in its own subprocess so peak memory (ru_maxrss) is its own.
Timed: ``tally(ballots=Counter[(ranking, channel)], rules)`` -> result, i.e. grouping
checks, packing and counting; building the Counter (the service's GROUP BY) is not timed.

References are slow: pabutools runs on the first 100,000 ballots, pyrankvote on the first
10,000 (it needs ~40 s for STV on 10k tie-heavy ballots); ours runs on the same subset
beside each for the ratio (of CPU seconds, robust to other load on the box).
"agree": the same selected set (irv: first winner).

Recount table (``--recount``): the same ballots written as a pabulib .pb file (ordinal,
top-5 of 50, with a voting_method column), recounted end to end as a user does it:
``pbvote tally FILE.pb --method M --tie-break lexicographic --json`` in a subprocess;
wall seconds, CPU seconds (user + sys) and peak RSS of that process (wait4), and whether
the selection equals the in-process count of the same ballots.

Usage: python scripts/bench_tally.py [--sizes 100000,1000000] [--ref-size 100000]
       python scripts/bench_tally.py --recount [--sizes 100000,1000000]
Never run by the test suite; takes a few minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
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
    ballots = Counter(
        zip(rankings, map(CHANNELS.__getitem__, data["channels"][:n].tolist()), strict=True)
    )
    costs = {str(p): int(c) for p, c in zip(names, data["costs"], strict=True)}
    return ballots, costs, sum(costs.values()) // 5


def peak_rss_mib() -> float:
    """VmHWM: this process's peak resident memory. (ru_maxrss would carry over the
    parent's peak across fork + exec on Linux.)"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(kind: str, method: str, path: Path, n: int) -> dict:
    ballots, costs, budget = load(path, n)
    before = peak_rss_mib()
    start, cpu = time.perf_counter(), time.process_time()
    selected = run_one(kind, method, ballots, costs, budget)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = peak_rss_mib()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "peak_mib": peak,
        "grew_mib": peak - before,
        "selected": sorted(selected),
    }


def run_one(kind: str, method: str, ballots, costs, budget) -> list[str]:
    if kind == "ours":
        from app.tally import Rules, TieBreak, tally

        rules = Rules(
            method=method,
            budget=budget,
            costs=costs,
            tie_break=TieBreak.lexicographic(),
            seats=STV_SEATS if method == "stv" else None,
        )
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
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=900,
    )
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1]}
    return json.loads(done.stdout)


RECOUNT = ("borda", "approval", "irv", "mes")


def write_pb(npz: Path, n: int, path: Path) -> None:
    """The first ``n`` generated ballots as a .pb file, as pbvote's export writes one."""
    data = np.load(npz)
    names = np.array([f"P{i:02d}" for i in range(len(data["costs"]))])
    costs = data["costs"] // 100
    votes = names[data["ranks"][:n].astype(np.int64)]
    channels = np.array(CHANNELS)[data["channels"][:n]]
    with path.open("w", encoding="utf-8") as out:
        out.write("META\nkey;value\ndescription;generated for bench_tally.py\n")
        out.write(f"num_projects;{len(names)}\nnum_votes;{n}\nbudget;{costs.sum() // 5}\n")
        out.write("vote_type;ordinal\nmax_length;5\nPROJECTS\nproject_id;cost;name\n")
        out.writelines(f"{p};{c};Project {p}\n" for p, c in zip(names, costs, strict=True))
        out.write("VOTES\nvoter_id;vote;voting_method\n")
        for start in range(0, n, 100_000):
            chunk = slice(start, start + 100_000)
            rows = zip(votes[chunk].tolist(), channels[chunk].tolist(), strict=True)
            out.writelines(f"{i};{','.join(v)};{c}\n" for i, (v, c) in enumerate(rows, start + 1))


def recount(path: Path, method: str) -> dict:
    """Run ``pbvote tally`` as a user does; wall time, CPU time and peak RSS (wait4)."""
    pbvote = Path(sys.executable).with_name("pbvote")
    command = [str(pbvote), "tally", str(path), "--method", method]
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen(
            [*command, "--tie-break", "lexicographic", "--json"], stdout=out, cwd=ROOT
        )
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        out.seek(0)
        result = json.loads(out.read()) if status == 0 else {}
    return {
        "seconds": seconds,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_mib": usage.ru_maxrss / 1024,
        "selected": result.get("selected"),
    }


def recount_table(sizes: list[int]) -> None:
    print(
        "pbvote tally FILE.pb --method M --tie-break lexicographic --json, end to end; "
        "same: the selection equals tally() on the same ballots in memory"
    )
    print(f"{'ballots':>9} {'method':<8} {'wall s':>7} {'cpu s':>6} {'peak MiB':>8}  same")
    with tempfile.TemporaryDirectory() as tmp:
        npz = Path(tmp) / "ballots.npz"
        for n in sizes:
            pb = Path(tmp) / f"{n}.pb"
            # In a subprocess: a child's ru_maxrss starts from its parent's peak on Linux,
            # so this process must stay small for the recount's peak to be its own.
            subprocess.run(
                [sys.executable, __file__, "--make-pb", str(max(sizes)), str(npz), str(n), str(pb)],
                check=True,
            )
            for method in RECOUNT:
                run = recount(pb, method)
                expected = measure("ours", method, npz, n).get("selected")
                same = run["selected"] is not None and sorted(run["selected"]) == expected
                if method == "irv" and run["selected"] is not None:
                    same = run["selected"][:1] == expected
                print(
                    f"{n:>9,} {method:<8} {run['seconds']:>7.2f} {run['cpu']:>6.2f} "
                    f"{run['peak_mib']:>8.0f}  {'yes' if same else 'NO'}",
                    flush=True,
                )
            pb.unlink()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--ref-size", type=int, default=100_000)
    parser.add_argument("--recount", action="store_true", help="only the pbvote tally table")
    parser.add_argument("--worker", nargs=4)
    parser.add_argument("--make-pb", nargs=4)
    args = parser.parse_args()
    if args.make_pb:
        total, npz, n, pb = args.make_pb
        if not Path(npz).exists():
            generate(n=int(total), extra=0, seed=2026, path=Path(npz))
        write_pb(Path(npz), int(n), Path(pb))
        return
    if args.worker:
        kind, method, path, n = args.worker
        print(json.dumps(worker(kind, method, Path(path), int(n))))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.recount:
        recount_table(sizes)
        return
    print(
        f"python {sys.version.split()[0]}, numpy {np.__version__}; "
        f"pabutools runs on the first {args.ref_size:,} ballots, "
        f"pyrankvote on the first {PYRANKVOTE_SIZE:,}; ours on the same ballots beside them"
    )
    print(
        "ours s / cpu s: wall and CPU seconds of one count; peak MiB: the worker's peak RSS "
        "(input Counter included); +MiB: growth of that peak during the count"
    )
    print(
        f"{'case':<10} {'ballots':>9} {'method':<8} {'ours s':>7} {'cpu s':>6} "
        f"{'peak MiB':>8} {'+MiB':>6}  "
        f"{'reference':<30} {'ref s':>7} {'ratio':>6}  agree"
    )
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
            ratio = f"{theirs['cpu'] / ours['cpu']:.0f}x"
            agree = "yes" if theirs["selected"] == ours["selected"] else "NO"
    print(
        f"{case:<10} {n:>9,} {method:<8} {ours['seconds']:>7.2f} {ours['cpu']:>6.2f} "
        f"{ours['peak_mib']:>8.0f} "
        f"{ours['grew_mib']:>6.0f}  {ref_name:<30} {ref_s:>7} {ratio:>6}  {agree}",
        flush=True,
    )


if __name__ == "__main__":
    main()
