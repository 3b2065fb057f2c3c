"""One worker's share of the polling, alone in a process the system tests can SIGKILL.

`python -m tests.system.poller --lease SECONDS --long-poll SECONDS` runs a `PollingSupervisor` against the database
of `CITYMES_DATABASE_URL`, with short timings so a takeover happens within a test; its first line of output is the
lease owner it writes into the channel's row.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta

from citymes_app.core.polling import PollingSupervisor
from citymes_app.runtime import get_runtime


async def poll(lease: float, long_poll: float) -> None:
    runtime = get_runtime()
    supervisor = PollingSupervisor(
        ingestor=runtime.ingestor,
        channels=runtime.channels,
        long_poll_seconds=long_poll,
        lease=timedelta(seconds=lease),
        rescan_seconds=0.2,
    )
    print(supervisor.owner, flush=True)
    await supervisor.run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lease", type=float, required=True)
    parser.add_argument("--long-poll", type=float, required=True)
    args = parser.parse_args()
    asyncio.run(poll(args.lease, args.long_poll))


if __name__ == "__main__":
    main()
