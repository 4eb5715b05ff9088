# StructViT-B-4-1, Kinetics-400, tested with 3 crops x 4 clips: the paper's
# Table 4, row B-4-1 32x3x4 (its numbers: configs/structvit/README.md, from
# structvit_mm/zoo.py; its GFLOPs cover the 12 views). The same model and
# training as the 1 crop x 4 clips row; only the test view changes, so test its
# checkpoint:
#   python tools/test.py THIS_CONFIG \
#       work_dirs/structvit-b-4-1_in1k-pre_32x4x1_k400-rgb/epoch_110.pth
_base_ = ['./structvit-b-4-1_in1k-pre_32x4x1_k400-rgb.py']
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)

test_pipeline = [
    dict(step, type='ThreeCrop') if step.type == 'CenterCrop' else step
    for step in _base_.test_pipeline
]
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
