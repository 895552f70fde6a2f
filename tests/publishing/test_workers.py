"""The build's worker helpers (builders/workers.py)."""

import resource
import sys

import pytest

from builders.workers import with_stack_room


def _recurse(depth: int) -> int:
    return _recurse(depth - 1) if depth else 0


def _at_depth(frames: int, call):
    return _at_depth(frames - 1, call) if frames else call()


def _faults_of_calls() -> int:
    """Page faults of 2,000 calls of a 20-frame recursion."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(2000):
        _recurse(20)
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def test_with_stack_room_calls_the_function_with_its_arguments():
    assert with_stack_room(lambda a, b=0: (a, b), 1, b=2) == (1, 2)
    with pytest.raises(KeyError):
        with_stack_room({}.__getitem__, "missing")


def test_a_recursion_called_with_stack_room_maps_no_memory_call_after_call():
    # From some depth, each call of the recursion crosses the end of a frame
    # stack chunk: Python 3.11 then maps a chunk and faults it in on every call.
    depths = range(0, 300, 3)
    roomy = max(_at_depth(d, lambda: with_stack_room(_faults_of_calls)) for d in depths)
    assert roomy < 100
    if sys.version_info < (3, 12):  # the behaviour the helper exists for
        assert max(_at_depth(d, _faults_of_calls) for d in depths) >= 2000
