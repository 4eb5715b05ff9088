# StructViT-B for Kinetics-400: StructViT-S's recognizer with the B arch.
_base_ = ['./structvit_s_k400.py']

# Every B video row trains on 32 frames and tests 3-12 views of a clip:
# 4 views per backbone forward at test time (half the training batch of 8
# clips per GPU, without gradients, so a GPU that trains the row tests it;
# lower it on a smaller GPU; the scores do not change). mmaction2's
# Recognizer3D takes max_testing_views only for batches of one video, which
# validation's batches of 8 are not: ViewChunkRecognizer3D takes any batch
# (structvit_mm/models/recognizer.py).
model = dict(
    type='ViewChunkRecognizer3D',
    backbone=dict(arch='b', drop_path_rate=0.3),
    test_cfg=dict(max_testing_views=4))
