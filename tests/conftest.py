import pytest
from mmengine.registry import DefaultScope


@pytest.fixture(autouse=True)
def _no_default_scope_leaks():
    """Every test starts without a default scope and leaves none behind.

    A Runner (or ``init_default_scope``) leaves its scope as the current
    one, which sends later ``MODELS.build`` calls of the *other* library to
    the wrong registry (mmpretrain's ``ImageClassifier`` looked up in
    mmaction2's). Module-scoped fixtures run before this function-scoped
    one, so restoring what was there before a test is not enough: clear it.
    """
    before = dict(DefaultScope._instance_dict)
    DefaultScope._instance_dict.clear()
    yield
    DefaultScope._instance_dict.clear()
    DefaultScope._instance_dict.update(before)
