"""The compiled (numba) kernels, loaded once per process off the caller's path.

Loading them costs ``import numba`` plus, per kernel, either a compilation (seconds, the
first time on a machine) or a read of numba's on-disk cache (``cache=True``: the
``__pycache__`` folder next to ``_kernels.py``, or ``NUMBA_CACHE_DIR`` where that is not
writable). ``grouping`` asks :func:`kernels` on every large call: until the kernels are loaded
it gets ``None``, uses its numpy path and then calls :func:`start`, so that one background
thread loads them (after the call: the loading holds the GIL much of the time) and makes a tiny
call (numba's threads are started, and no caller races the loading).
:func:`load` waits for them (a server at start-up, a benchmark before timing).
"""

from __future__ import annotations

import threading
import time
from types import ModuleType

import numpy as np

__all__ = ["kernels", "load", "load_seconds", "start"]

_lock = threading.Lock()
_ready = threading.Event()
_module: ModuleType | None = None
_error: BaseException | None = None
_thread: threading.Thread | None = None
_seconds: float | None = None


def kernels() -> ModuleType | None:
    """The loaded ``_kernels`` module, or ``None`` until it is loaded (see :func:`start`)."""
    return _module if _ready.is_set() else None


def start() -> None:
    """Start loading the kernels in a background thread, once per process."""
    global _thread
    with _lock:
        if _thread is None:
            _thread = threading.Thread(target=_load, name="volition-kernels", daemon=True)
            _thread.start()


def load(timeout: float | None = None) -> ModuleType | None:
    """Wait until the kernels are loaded (``None`` if ``timeout`` ran out first).

    Raises the loading's own error when numba could not load them; ``grouping`` then keeps
    using its numpy path, which gives the same sums.
    """
    start()
    _ready.wait(timeout)
    if _error is not None:
        raise RuntimeError(f"the compiled kernels could not be loaded: {_error}") from _error
    return _module


def load_seconds() -> float | None:
    """How long loading took (import, compile or cache read, first tiny call), once done."""
    return _seconds if _ready.is_set() else None


def _load() -> None:
    global _module, _error, _seconds
    start = time.perf_counter()
    try:
        from volition.core import _kernels

        # numba specialises on read-only arrays apart: the kernel's callers pass read-only
        # ones (a partition's cells, a space's prior, a decision's features) and writable ones
        for read_only in (True, False):
            arrays = (np.zeros(2, dtype=np.intp), np.ones(2), np.ones((2, 1)))
            for a in arrays:
                a.setflags(write=not read_only)
            _kernels.cell_statistics_compiled(*arrays, 1)
        _module = _kernels
    except Exception as exc:  # numba missing or broken: the numpy path stays in use
        _error = exc
    finally:
        _seconds = time.perf_counter() - start
        _ready.set()
