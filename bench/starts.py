"""Start-path diagnostic: what the start of one appraisal costs the dev server beyond a trivial
workflow's, from a client with no worker at all (nothing but the starts themselves).

    .venv/bin/python -m bench.starts [--n 2000] [--repeat 3]

Each variant starts n workflows at 100 concurrent starts on one fresh file-backed dev server:
bare, with an appraisal-sized input, with the four search attributes an appraisal starts with,
and both; rounds alternate the variants so that the store's growth falls on each alike. Prints
each variant's rates and their median."""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import uuid
from pathlib import Path

from temporalio.client import Client
from temporalio.common import SearchAttributePair, TypedSearchAttributes

from appraisal.servers import start_dev_server
from bench.launch import starts_per_second
from workflows import search_attributes as sa

INPUT_BYTES = 3500  # an appraisal's input with its policy is about 3.4 KB
ATTRIBUTES = TypedSearchAttributes(
    [
        SearchAttributePair(sa.CYCLE, "kota-bench-2030"),
        SearchAttributePair(sa.UNIT, "UNIT-01"),
        SearchAttributePair(sa.EMPLOYEE, "197801062004072147"),
        SearchAttributePair(sa.STAGE, "targets"),
    ]
)
VARIANTS = {
    "bare": (0, False),
    "input": (INPUT_BYTES, False),
    "attributes": (0, True),
    "both": (INPUT_BYTES, True),
}


async def start_rate(client: Client, n: int, size: int, attributes: bool) -> float:
    """Starts per second of n workflows that no worker will run."""
    queue = f"nobody-{uuid.uuid4().hex[:6]}"
    payload = "x" * size
    attrs = ATTRIBUTES if attributes else TypedSearchAttributes.empty

    async def start(i: int) -> object:
        return await client.start_workflow(
            "Nobody", payload, id=f"{queue}-{i}", task_queue=queue, search_attributes=attrs
        )

    return await starts_per_second(n, start)


async def main(n: int, repeat: int) -> None:
    """Alternate the variants `repeat` times on one fresh server."""
    rates: dict[str, list[float]] = {name: [] for name in VARIANTS}
    with tempfile.TemporaryDirectory() as tmp:
        env = await start_dev_server(db_file=str(Path(tmp) / "temporal.db"))
        try:
            for _ in range(repeat):
                for name, (size, attributes) in VARIANTS.items():
                    rates[name].append(await start_rate(env.client, n, size, attributes))
        finally:
            await env.shutdown()
    report = {
        name: {"runs": [round(r, 1) for r in runs], "median": round(statistics.median(runs), 1)}
        for name, runs in rates.items()
    }
    print(json.dumps(report))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000, help="starts per variant and round")
    parser.add_argument("--repeat", type=int, default=3, help="rounds")
    args = parser.parse_args()
    asyncio.run(main(args.n, args.repeat))
