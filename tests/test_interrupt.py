"""visu/interrupt.py: an interrupt (a real SIGINT, as Ctrl-C and a notebook's ■ send) during
training stops the loop at the end of the iteration it arrives in; a second one at once."""

import os
import signal
import threading

import pytest

from visu.interrupt import StopAtIterationEnd


def interrupt_this_process():
    os.kill(os.getpid(), signal.SIGINT)


def test_an_interrupt_asks_to_stop_and_the_work_under_way_goes_on():
    done = []
    with StopAtIterationEnd() as stop:
        interrupt_this_process()
        done += ["the rest of the iteration"]
    assert stop.requested and done == ["the rest of the iteration"]


def test_a_second_interrupt_stops_at_once():
    with pytest.raises(KeyboardInterrupt):
        with StopAtIterationEnd() as stop:
            interrupt_this_process()
            interrupt_this_process()
            pytest.fail("the second interrupt must stop here")  # pragma: no cover
    assert stop.requested


def test_the_previous_handler_is_back_afterwards():
    before = signal.getsignal(signal.SIGINT)
    with StopAtIterationEnd():
        assert signal.getsignal(signal.SIGINT) is not before
    assert signal.getsignal(signal.SIGINT) is before
    with pytest.raises(KeyboardInterrupt):  # Python's default again: it raises
        interrupt_this_process()


def test_outside_the_main_thread_it_changes_nothing():
    seen = []

    def in_a_thread():
        with StopAtIterationEnd() as stop:
            seen.append(signal.getsignal(signal.SIGINT))
        seen.append(stop.requested)

    before = signal.getsignal(signal.SIGINT)
    thread = threading.Thread(target=in_a_thread)
    thread.start()
    thread.join()
    assert seen == [before, False]
