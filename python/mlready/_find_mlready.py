"""Locate the `mlready` binary that the wheel installed into the environment's scripts folder."""

import os
import sys
import sysconfig


def find_mlready_bin() -> str:
    """Return the path of the `mlready` binary installed with this package."""
    exe = "mlready" + sysconfig.get_config_var("EXE") if sysconfig.get_config_var("EXE") else "mlready"
    candidates = [
        sysconfig.get_path("scripts"),
        sysconfig.get_path("scripts", vars={"base": sys.base_prefix}),
    ]
    # A user install (`pip install --user`) puts scripts elsewhere.
    user_scheme = "nt_user" if os.name == "nt" else "posix_user"
    try:
        candidates.append(sysconfig.get_path("scripts", scheme=user_scheme))
    except KeyError:
        pass
    for folder in candidates:
        if folder:
            path = os.path.join(folder, exe)
            if os.path.isfile(path):
                return path
    raise FileNotFoundError(
        "the mlready binary was not found next to the Python package; reinstall with "
        "`pip install --force-reinstall mlready`"
    )
