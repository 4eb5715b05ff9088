# Runtime of every image (mmpretrain) config of this project. Project-wide
# hooks and runtime settings go here, once, instead of into each row config.
_base_ = ['mmpretrain::_base_/default_runtime.py']

# Stop at the first NaN/inf loss before anything saves the poisoned weights;
# keep the random generators' states in checkpoints so --resume is exact
# (structvit_mm/engine/). A config that sets custom_hooks replaces this list.
custom_hooks = [
    dict(type='NonFiniteLossHook'),
    dict(type='RandomStateHook'),
]

# One number of classes: the head's (or a --cfg-options change) sizes mixup /
# cutmix, the datasets' label checks and the metrics' top-k before anything
# is built, under any OpenMMLab tools/train.py (structvit_mm/num_classes.py)
runner_type = 'StructViTRunner'
