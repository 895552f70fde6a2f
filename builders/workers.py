"""The worker processes of a build: forked, so they inherit the build session
(transport, site model, Jinja environment) instead of having it pickled.

A forked child also inherits the parent's signal handlers. The publishing task
worker (django-tasks' ``db_worker``) catches SIGTERM to finish its task before
it stops; a pool worker with that handler survives ``Pool.terminate()``, and the
build waits for it for ever. The children get Python's own handlers back.

``Pool.terminate()`` can come before a child has got that far (a pool left at
once, or a child the pool starts late). So the stop signals are blocked while
the pool forks: each child is born with them blocked (the pool's own threads
too, which fork the children it starts later), sets the default handlers, and
only then unblocks them; a SIGTERM that came in between is delivered then and
ends it.
"""

import contextlib
import multiprocessing
import signal
from collections.abc import Callable

#: The signals that stop a process, with the handlers a fresh Python has.
DEFAULT_HANDLERS = {
    signal.SIGTERM: signal.SIG_DFL,
    signal.SIGINT: signal.default_int_handler,
    **({signal.SIGQUIT: signal.SIG_DFL} if hasattr(signal, "SIGQUIT") else {}),
}
STOP_SIGNALS = set(DEFAULT_HANDLERS)


def fork_pool(workers: int, initializer: Callable[[], None] | None = None):
    with _stop_signals_blocked():
        return multiprocessing.get_context("fork").Pool(
            workers, initializer=_start, initargs=(initializer,)
        )


@contextlib.contextmanager
def _stop_signals_blocked():
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _start(initializer: Callable[[], None] | None) -> None:
    for number, handler in DEFAULT_HANDLERS.items():
        signal.signal(number, handler)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    if initializer is not None:
        initializer()
