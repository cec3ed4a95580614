"""Start-path diagnostic: what the start of one appraisal costs the dev server beyond a trivial
workflow's, from a client with no worker at all (nothing but the starts themselves).

    .venv/bin/python -m bench.starts [--n 2000] [--repeat 3]

Each variant starts n workflows at 100 concurrent starts on one fresh file-backed dev server:
bare, with an appraisal-sized input, with the four search attributes an appraisal starts with,
and both; each round runs the variants in a fresh random order, so that neither the store's
growth nor the machine's drift falls on one of them more than on another. Prints each variant's
rates, their median, and the median of its rate over the bare one's in the same round."""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import uuid

from temporalio.client import Client
from temporalio.common import SearchAttributePair, TypedSearchAttributes

from appraisal_engine.workflows import search_attributes as sa
from bench.launch import starts_per_second
from bench.stack import file_backed_server

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
    """Run every variant `repeat` times on one fresh server, in shuffled rounds."""
    rates: dict[str, list[float]] = {name: [] for name in VARIANTS}
    shuffle = random.Random(n * 1000 + repeat).shuffle
    async with file_backed_server() as (env, _):
        for _ in range(repeat):
            order = list(VARIANTS)
            shuffle(order)
            for name in order:
                size, attributes = VARIANTS[name]
                rates[name].append(await start_rate(env.client, n, size, attributes))
    report = {
        name: {
            "runs": [round(r, 1) for r in runs],
            "median": round(statistics.median(runs), 1),
            "x_bare": round(
                statistics.median(r / b for r, b in zip(runs, rates["bare"], strict=True)), 2
            ),
        }
        for name, runs in rates.items()
    }
    print(json.dumps(report))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000, help="starts per variant and round")
    parser.add_argument("--repeat", type=int, default=3, help="rounds")
    args = parser.parse_args()
    asyncio.run(main(args.n, args.repeat))
