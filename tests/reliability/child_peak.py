"""Given to an extraction child in place of the pipe it answers on: before the
child hands back its result, it writes its own peak memory where the test
reads it (tests/reliability/test_hostile_inputs.py, `ChildPeaks`). Written
before the answer, since the parent kills a child still alive once answered.
Standard library only, so that it costs the measured child nothing worth
counting."""

from __future__ import annotations

import os
from pathlib import Path


def own_peaks_kib() -> tuple[int, int]:
    """This process's VmPeak and VmHWM, in KiB: the kernel's own peaks, not samples."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmPeak"].split()[0]), int(fields["VmHWM"].split()[0])


class ProbedSender:
    """The child's end of the pipe, writing the child's peaks to `probe` before each answer."""

    def __init__(self, sender, probe: str) -> None:
        self.sender, self.probe = sender, probe

    def send(self, value) -> None:
        peak, hwm = own_peaks_kib()
        written = Path(f"{self.probe}.part")
        written.write_text(f"{peak} {hwm}\n")
        os.replace(written, self.probe)
        self.sender.send(value)

    def close(self) -> None:
        self.sender.close()
