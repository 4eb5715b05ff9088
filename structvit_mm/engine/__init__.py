"""Runner hooks and loops (registered in mmaction2's registries)."""
from .bad_samples import BadSampleReportHook  # noqa: F401
from .nonfinite import NonFiniteLossError, NonFiniteLossHook  # noqa: F401
from .random_state_hook import RandomStateHook  # noqa: F401
from .runner import StructViTRunner  # noqa: F401
from .test_curve_hook import TestCurveHook  # noqa: F401
