"""Runs the interpreter's own test_ssl (``test.test_ssl``, nothing copied
from CPython) over whichever ``_ssl`` comes first on ``sys.path``, the way
``python3 -m test test_ssl -v`` runs it, and writes one JSON object per line
(an event) to the file given by ``--events``.

Driven by ``conformance test-ssl`` (conformance/src/test_ssl.rs), which puts
the built module's directory on PYTHONPATH, restarts this runner after a test
that hangs or crashes (``--exclude``: the tests already done), runs the
undeclared failures once more in a fresh runner (``--only``: those test
ids), as regrtest's ``--rerun`` does, and turns the events into the verdict.

What regrtest does that matters here, done the same way:

- ``test.support.use_resources = []`` before the module is imported (the
  ``requires_resource`` decorators are evaluated at import): no ``network``,
  no ``walltime``, so those tests skip as under ``python3 -m test``;
- ``support.verbose = 1`` and a ``unittest.TextTestRunner`` at verbosity 2,
  as ``-v`` does (its ``warnings='default'`` filter included);
- the tests come from ``TestLoader().loadTestsFromModule`` and run as one
  suite, so ``setUpModule`` (which takes ``threading_setup()`` and registers
  ``threading_cleanup`` as a module cleanup), ``setUpClass`` and the
  teardowns run as unittest runs them;
- faulthandler is enabled for all threads; an uncaught exception in a thread
  or an unraisable one marks the environment altered, as regrtest's hooks do.

The watchdog: ``faulthandler.dump_traceback_later(--test-timeout,
exit=True)``, re-armed when each test starts and ends (so a class's setup or
teardown is bounded too): a test that hangs gets every thread's traceback on
stderr and the process exits; its "start" event has no "result".

Events (each a JSON object with "event"):
  python       {version, executable}
  module       {file, backend}         the _ssl that loaded (printed too)
  wrong_module {file, expected}        it is not the one asked for: exit 3
  import_failed {what, error}          _ssl or test.test_ssl failed to import: exit 2
  test_ssl     {file, openssl_version}
  start        {id}
  result       {id, outcome, message}  outcome: passed failed error skipped
                                       expected-failure unexpected-success
  finished     {tests_run, environment_altered}
"""

import argparse
import faulthandler
import json
import os
import re
import sys
import threading
import unittest

PREFIX = "test.test_ssl."


def first_line(exc_type, exc):
    """The exception line of a traceback (``AssertionError: 1 != 2``), first
    line of the message only."""
    if exc_type is None:
        return ""
    name = exc_type.__qualname__
    module = getattr(exc_type, "__module__", "builtins")
    if module not in ("builtins", "__main__"):
        name = f"{module}.{name}"
    text = str(exc) if exc is not None else ""
    lines = text.splitlines()
    line = f"{name}: {lines[0]}" if lines else name
    return line if len(line) <= 500 else line[:497] + "..."


class Events:
    def __init__(self, path):
        self.file = open(path, "a", encoding="utf-8")

    def write(self, **event):
        # Flushed at once: the watchdog ends the process with _exit().
        self.file.write(json.dumps(event) + "\n")
        self.file.flush()


def holder_id(test):
    """``setUpClass (test.test_ssl.ThreadedTests)`` ->
    ``test.test_ssl.ThreadedTests.setUpClass`` (unittest's _ErrorHolder)."""
    text = str(test)
    m = re.fullmatch(r"(\w+) \((.+)\)", text)
    return f"{m.group(2)}.{m.group(1)}" if m else text


def make_result_class(events, arm):
    class Result(unittest.TextTestResult):
        """TextTestResult that also writes an event per test."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.current = None  # [id, outcome, message]

        def startTest(self, test):
            arm()
            self.current = [test.id(), "passed", ""]
            events.write(event="start", id=test.id())
            super().startTest(test)

        def stopTest(self, test):
            super().stopTest(test)
            if self.current is not None and self.current[0] == test.id():
                tid, outcome, message = self.current
                events.write(event="result", id=tid, outcome=outcome, message=message)
            self.current = None
            arm()

        def _record(self, test, outcome, message):
            if isinstance(test, unittest.case._SubTest):
                if outcome == "skipped":
                    return  # a skipped subtest does not skip its test
                test = test.test_case
            if self.current is not None and self.current[0] == test.id():
                # The first failure decides; a later success does not undo it.
                if self.current[1] in ("passed", "skipped"):
                    self.current[1:] = [outcome, message]
            else:
                # A class or module fixture (unittest's _ErrorHolder).
                events.write(
                    event="result", id=holder_id(test), outcome=outcome, message=message
                )

        def addSuccess(self, test):
            super().addSuccess(test)
            self._record(test, "passed", "")

        def addFailure(self, test, err):
            super().addFailure(test, err)
            self._record(test, "failed", first_line(err[0], err[1]))

        def addError(self, test, err):
            super().addError(test, err)
            self._record(test, "error", first_line(err[0], err[1]))

        def addSkip(self, test, reason):
            super().addSkip(test, reason)
            self._record(test, "skipped", str(reason))

        def addExpectedFailure(self, test, err):
            super().addExpectedFailure(test, err)
            self._record(test, "expected-failure", first_line(err[0], err[1]))

        def addUnexpectedSuccess(self, test):
            super().addUnexpectedSuccess(test)
            self._record(test, "unexpected-success", "unexpected success")

        def addSubTest(self, test, subtest, err):
            super().addSubTest(test, subtest, err)
            if err is not None:
                failed = issubclass(err[0], test.failureException)
                line = first_line(err[0], err[1])
                self._record(
                    test,
                    "failed" if failed else "error",
                    f"{line} [subtest {subtest._subDescription()}]",
                )

    return Result


def install_hooks(support):
    """regrtest's hooks, in short: note the altered environment, then let
    the default hook print."""
    previous_thread_hook = threading.excepthook

    def thread_hook(args):
        support.environment_altered = True
        previous_thread_hook(args)

    threading.excepthook = thread_hook
    previous_unraisable = sys.unraisablehook

    def unraisable_hook(unraisable):
        support.environment_altered = True
        previous_unraisable(unraisable)

    sys.unraisablehook = unraisable_hook


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", required=True)
    parser.add_argument("--expect-module", help="the _ssl that must load")
    parser.add_argument("--exclude", help="file of test ids not to run, one a line")
    parser.add_argument(
        "--only", help="file of the test ids to run (and no other), one a line"
    )
    parser.add_argument("--test-timeout", type=float, default=60.0)
    args = parser.parse_args()
    events = Events(args.events)
    faulthandler.enable(all_threads=True, file=sys.__stderr__)

    def arm():
        faulthandler.cancel_dump_traceback_later()
        faulthandler.dump_traceback_later(
            args.test_timeout, exit=True, file=sys.__stderr__
        )

    arm()  # the imports are bounded too
    events.write(
        event="python", version=sys.version.split()[0], executable=sys.executable
    )

    try:
        import _ssl
    except BaseException as e:  # noqa: BLE001 -- anything the import raises
        events.write(event="import_failed", what="_ssl", error=first_line(type(e), e))
        print(f"import _ssl failed: {first_line(type(e), e)}", flush=True)
        return 2
    loaded = os.path.realpath(getattr(_ssl, "__file__", "") or "")
    print(f"import _ssl; _ssl.__file__ = {loaded}", flush=True)
    events.write(event="module", file=loaded, backend=getattr(_ssl, "BACKEND", None))
    if args.expect_module and os.path.realpath(args.expect_module) != loaded:
        events.write(
            event="wrong_module",
            file=loaded,
            expected=os.path.realpath(args.expect_module),
        )
        print(
            f"the _ssl that loaded is {loaded}, not {args.expect_module}",
            file=sys.stderr,
            flush=True,
        )
        return 3

    from test import support

    support.use_resources = []
    support.verbose = 1
    support.failfast = False
    support.PGO = False
    support.junit_xml_list = None
    support.record_original_stdout(sys.stdout)
    install_hooks(support)

    try:
        import test.test_ssl as module
    except BaseException as e:  # noqa: BLE001 -- SkipTest included
        cause = e
        # import_helper.import_module("ssl") turns the ImportError into SkipTest.
        if isinstance(e, unittest.SkipTest) and isinstance(e.__context__, ImportError):
            cause = e.__context__
        line = first_line(type(cause), cause)
        events.write(event="import_failed", what="test.test_ssl", error=line)
        print(f"test_ssl could not be imported: {line}", file=sys.stderr, flush=True)
        return 2
    ssl = sys.modules.get("ssl")
    events.write(
        event="test_ssl",
        file=module.__file__,
        openssl_version=getattr(ssl, "OPENSSL_VERSION", None),
    )

    loader = unittest.TestLoader()
    suite = loader.loadTestsFromModule(module)
    if loader.errors:
        line = str(loader.errors[0]).strip().splitlines()[-1]
        events.write(event="import_failed", what="test.test_ssl (loading)", error=line)
        return 2
    def ids(path):
        with open(path, encoding="utf-8") as f:
            return {line.strip() for line in f if line.strip()}

    excluded = ids(args.exclude) if args.exclude else set()
    only = ids(args.only) if args.only else None

    def keep(suite):
        # A class none of whose tests is kept has no fixture run either
        # (unittest runs setUpClass / setUpModule before a class's first test).
        tests = []
        for t in suite._tests:
            if isinstance(t, unittest.TestSuite):
                keep(t)
                tests.append(t)
            elif t.id() not in excluded and (only is None or t.id() in only):
                tests.append(t)
        suite._tests = tests

    keep(suite)
    runner = unittest.TextTestRunner(
        stream=sys.stdout,
        verbosity=2,
        resultclass=make_result_class(events, arm),
    )
    result = runner.run(suite)
    faulthandler.cancel_dump_traceback_later()
    events.write(
        event="finished",
        tests_run=result.testsRun,
        environment_altered=bool(support.environment_altered),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
