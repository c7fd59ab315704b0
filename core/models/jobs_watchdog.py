"""Preloaded into the embedded Dask cluster's scheduler and nannies: each closes itself once the process that started
the cluster (the app's server, or the CLI) is gone — killed with -9, say — instead of fitting on for nobody."""
from __future__ import annotations

import asyncio
import os

OWNER_ENV = "SPOTIFY_CLUSTER_OWNER_PID"
CHECK_MS = 2_000


def dask_setup(server) -> None:
    """Dask's preload hook; `server` is the Scheduler or the Nanny being started."""
    import psutil
    from tornado.ioloop import PeriodicCallback

    owner = int(os.environ.get(OWNER_ENV, "0") or 0)
    if not owner:
        return

    def check() -> None:
        if not psutil.pid_exists(owner):
            asyncio.ensure_future(server.close(reason="the process that started this cluster is gone"))

    callback = PeriodicCallback(check, CHECK_MS)
    callback.start()
    server.periodic_callbacks["spotify-owner-watchdog"] = callback
