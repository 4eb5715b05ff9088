# StructViT-B-4-1, Kinetics-400, tested with 3 crops x 4 clips (paper: 7974
# GFLOPs over the 12 views, i.e. 664.50 per view; top-1 / top-5 83.4 / 95.8).
# The same model and training as the 1 crop x 4 clips row; only the test
# view changes, so test its checkpoint:
#   python tools/test.py THIS_CONFIG work_dirs/structvit-b-4-1_in1k-pre_32x4x1_k400-rgb/epoch_110.pth
_base_ = ['./structvit-b-4-1_in1k-pre_32x4x1_k400-rgb.py']
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)

test_pipeline = [
    dict(step, type='ThreeCrop') if step.type == 'CenterCrop' else step
    for step in _base_.test_pipeline
]
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
