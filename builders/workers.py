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

``with_stack_room`` works around CPython 3.11's frame stack: frames live in 16 KB
chunks, and a chunk is unmapped as soon as the frame at its start returns, so a
deep recursion (GraphQL's execution of a window of pages) that keeps crossing a
chunk boundary maps and unmaps memory on every call.
"""

import contextlib
import multiprocessing
import signal
from collections.abc import Callable
from typing import Any

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


#: Locals of ``with_stack_room``'s own frame. A frame that does not fit its
#: chunk gets a new one of 16 KB doubled until the frame and 1,000 slots more fit:
#: 9,000 slots (72 KB) get 128 KB, which leaves about 7,000 slots (56 KB) for
#: the frames it calls.
_ROOM_SLOTS = 9000


def _make_with_stack_room() -> Callable[..., Any]:
    # A function whose frame holds _ROOM_SLOTS locals (never assigned: they are
    # locals because the dead branch names them).
    names = " = ".join(f"_{n}" for n in range(_ROOM_SLOTS))
    source = (
        "def with_stack_room(function, *args, **kwargs):\n"
        "    if function is None:\n"
        f"        {names} = None\n"
        "    return function(*args, **kwargs)\n"
    )
    namespace: dict[str, Any] = {}
    exec(compile(source, "<with_stack_room>", "exec"), namespace)
    return namespace["with_stack_room"]


with_stack_room = _make_with_stack_room()
with_stack_room.__doc__ = """``function(*args, **kwargs)``, called with 56 KB of
    frame stack to itself. Python 3.11 keeps frames in chunks and unmaps a chunk
    as soon as its first frame returns: a recursion going back and forth over a
    chunk's end maps, faults in and unmaps a chunk on every crossing. The fetch
    workers of ``portal bench build`` did so about 200,000 times (``strace -c``):
    1.4 of the fetch's 10 CPU-s. Called through here, the whole recursion fits in
    the one chunk this frame starts."""
