"""The worker processes of a build: forked, so they inherit the build session
(transport, site model, Jinja environment) instead of having it pickled.

A forked child also inherits the parent's signal handlers. The publishing task
worker (django-tasks' ``db_worker``) catches SIGTERM to finish its task before
it stops; a pool worker with that handler survives ``Pool.terminate()``, and the
build waits for it for ever. The children get Python's own handlers back.
"""

import multiprocessing
import signal
from collections.abc import Callable


def fork_pool(workers: int, initializer: Callable[[], None] | None = None):
    return multiprocessing.get_context("fork").Pool(
        workers, initializer=_start, initargs=(initializer,)
    )


def _start(initializer: Callable[[], None] | None) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if hasattr(signal, "SIGQUIT"):
        signal.signal(signal.SIGQUIT, signal.SIG_DFL)
    if initializer is not None:
        initializer()
