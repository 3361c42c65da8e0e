"""`python -m mlready ...` runs the installed `mlready` binary with the same arguments."""

import os
import subprocess
import sys

from ._find_mlready import find_mlready_bin


def main() -> int:
    binary = find_mlready_bin()
    if sys.platform == "win32":
        return subprocess.run([binary, *sys.argv[1:]]).returncode
    os.execvp(binary, [binary, *sys.argv[1:]])
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
