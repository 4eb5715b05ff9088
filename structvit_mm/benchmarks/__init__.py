"""Measurements of the op and the models; the scripts under ``tools/``
are their command lines. Heavy imports stay inside the functions."""
