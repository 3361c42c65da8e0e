"""mlready: a linter for the hidden technical debt of machine-learning code.

The linter is a compiled binary installed next to this package; `python -m mlready` runs it.
"""

from ._find_mlready import find_mlready_bin

__all__ = ["find_mlready_bin"]
