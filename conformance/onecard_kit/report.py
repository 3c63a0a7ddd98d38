"""The pass/fail table: every check is a row, whatever happened."""

import time
import traceback


class Report:
    def __init__(self, verbose: bool = False):
        self.rows: list[tuple[str, bool, str]] = []
        self.verbose = verbose

    def run(self, name: str, fn) -> bool:
        """Runs one check; its return value (a string) is the row's detail, an exception fails it."""
        start = time.monotonic()
        try:
            detail = fn() or ""
            ok = True
        except Exception as e:  # noqa: BLE001 — any failure of a check is a failed row, never a crash
            ok, detail = False, f"{type(e).__name__}: {e}"
            if self.verbose:
                traceback.print_exc()
        ms = int((time.monotonic() - start) * 1000)
        self.rows.append((name, ok, f"{detail} ({ms} ms)" if detail else f"({ms} ms)"))
        return ok

    def skip_after(self, name: str, because: str) -> None:
        """A check that could not run because an earlier one failed: counted as failed."""
        self.rows.append((name, False, f"not run: {because}"))

    def failed(self) -> int:
        return sum(1 for _, ok, _ in self.rows if not ok)

    def table(self) -> str:
        width = max(len(n) for n, _, _ in self.rows)
        lines = [f"{'check'.ljust(width)}  result  detail", f"{'-' * width}  ------  ------"]
        lines += [f"{n.ljust(width)}  {'PASS' if ok else 'FAIL'}    {d}" for n, ok, d in self.rows]
        passed = len(self.rows) - self.failed()
        lines.append(f"{passed} passed, {self.failed()} failed")
        return "\n".join(lines)
