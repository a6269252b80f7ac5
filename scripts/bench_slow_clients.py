"""What anonymous slow connections cost a real `pbvote serve` (issue 18.3), in one run:
the server's memory (VmRSS) before and with N connections open, whether a ballot is cast
meanwhile and how long it takes, and how long until the server has closed them all.

    .venv/bin/python scripts/bench_slow_clients.py [--connections 200] [--upload-mib 10]

The reference is the goal of the issue: 200 such connections under 50 MiB, voting on,
every one closed by the server. Run it on an older checkout to see the "before" (there,
anonymous uploads were read whole into memory and nothing timed slow clients out: the
script then stops waiting after --wait seconds and says how many were still open).
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from app import audit, migrate  # noqa: E402
from app.audit import SYSTEM  # noqa: E402
from app.config import Settings  # noqa: E402
from app.db import make_engine, make_session_factory, open_session  # noqa: E402
from app.voting import service as voting  # noqa: E402
from tests.slow_clients import crowd, free_port, rss_kib, serve, stop  # noqa: E402
from tests.voting.helpers import build_world  # noqa: E402

SECRET = "bench-slow-clients-secret-0123456789"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--upload-mib", type=int, default=10)
    parser.add_argument("--wait", type=float, default=60.0)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    url = f"sqlite:///{tmp / 'bench.db'}"
    migrate.upgrade(url)
    audit.use_secret(None, SECRET)
    factory = make_session_factory(make_engine(url))
    world = build_world(factory)
    with open_session(factory, write=True) as session:
        _, codes = voting.generate_access_codes(
            session=session,
            settings=Settings(env="test", database_url=url, secret_key=SECRET),
            actor=SYSTEM,
            process_id=world.process_id,
            count=3,
            label="bench",
        )
        session.commit()
    env = {**os.environ, "PBVOTE_DATABASE_URL": url, "PBVOTE_ENV": "test"}
    env |= {"PBVOTE_SECRET_KEY": SECRET, "PBVOTE_HEADER_TIMEOUT_SECONDS": "10"}
    env |= {"PBVOTE_BODY_TIMEOUT_SECONDS": "20"}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with open(tmp / "server.log", "w") as log:
        server = serve(env, port, log)
    try:
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=30).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)

        def cast(code: str) -> tuple[int, float]:
            body = {"credential": {"access_code": code}, "ranking": world.proposals[:2]}
            start = time.monotonic()
            r = httpx.post(
                f"{base}/api/processes/{world.process_id}/ballots", json=body, timeout=300
            )
            return r.status_code, time.monotonic() - start

        cast(codes[0])
        before, peak_before = rss_kib(server.pid), rss_kib(server.pid, "VmHWM")
        third = args.connections // 3
        made = crowd(
            port,
            world.process_id,
            headers=third,
            uploads=third,
            bodies=args.connections - 2 * third,
            upload_bytes=args.upload_mib * 1024 * 1024,
        )
        status, seconds = cast(codes[1])
        during, peak = rss_kib(server.pid), rss_kib(server.pid, "VmHWM")
        start = time.monotonic()
        while made.open() and time.monotonic() - start < args.wait:
            made.poll()
            time.sleep(0.05)
        waited = time.monotonic() - start
        uploaded = sum(c.sent for c in made.connections if c.kind == "uploads")
        print(
            f"connections: {len(made.connections)} ({third} headers, {third} uploads, "
            f"{args.connections - 2 * third} bodies), anonymous"
        )
        print(
            "upload bytes the clients sent before the answer (kernel buffers included): "
            f"{uploaded / 2**20:.1f} MiB"
        )
        print(
            f"server memory: {before / 1024:.0f} MiB before, {during / 1024:.0f} MiB with them "
            f"open: +{(during - before) / 1024:.0f} MiB; "
            f"its peak +{(peak - peak_before) / 1024:.0f} MiB   (goal: under +50 MiB)"
        )
        print(f"a ballot cast meanwhile: {status} in {seconds:.2f} s   (goal: 201)")
        still = len(made.open())
        print(
            f"closed by the server: {len(made.connections) - still} of {len(made.connections)} "
            f"after {waited:.1f} s   (goal: all)"
        )
        made.close()
    finally:
        stop(server)


if __name__ == "__main__":
    main()
