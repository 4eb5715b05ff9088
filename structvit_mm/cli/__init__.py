"""The command lines behind the scripts under ``tools/`` and ``demo/``:
each script is one call into a module here, so the tests import what they
check instead of loading a script by its path."""
