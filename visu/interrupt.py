"""Ctrl-C, or a notebook's interrupt (■), while a step trains: taken at the end of the iteration
it arrives in.

Python raises KeyboardInterrupt wherever the program is when the signal comes. In the middle of an
iteration, that can be between two of the lists the run records a point in (its iteration added
to the bands, not yet the bands themselves): the record no longer fits together, and the final
graphs fail to draw, a traceback instead of the graphs so far. So while training, the interrupt
only asks the loop to stop; the loop stops once the iteration is whole. A second interrupt stops
at once, wherever the step is (one that hangs can still be stopped).
A learner's page: docs/running.md ("Run options": Ctrl-C).
"""

import signal
import threading


class StopAtIterationEnd:
    """Between start() and stop() (or within `with StopAtIterationEnd() as stop:`), a first
    interrupt sets .requested instead of raising; a second raises KeyboardInterrupt. Outside the
    main thread, where Python cannot take signals, it changes nothing."""

    def __init__(self):
        self.requested = False
        self._previous = None
        self._installed = False

    def start(self):
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._on_interrupt)
            self._installed = True
        return self

    def stop(self):
        """Puts back the handler there was before start()."""
        if self._installed:
            previous = self._previous
            if previous is None:  # a handler set from outside Python: Python's default instead
                previous = signal.default_int_handler
            signal.signal(signal.SIGINT, previous)
            self._installed = False

    def __enter__(self):
        return self.start()

    def __exit__(self, *exception):
        self.stop()
        return False

    def _on_interrupt(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
