"""mmaction2's ``Recognizer3D`` whose ``max_testing_views`` works in
validation too.

``model.test_cfg.max_testing_views=N`` makes mmaction2 push a test video's
views through the backbone ``N`` at a time (the 32-frame rows test 3-12
views of one clip per forward). mmaction2 1.2.0 asserts a test batch of one
video there, and ``test_cfg`` also serves validation, whose loaders batch 8
single-view clips: setting the option stopped the first validation of a
training run. Chunking the ``N_videos x views`` rows is the same for any
batch (the backbone is per sample in eval mode), so the batch is handed to
mmaction2's chunking as one video of all its rows; the head still averages
each video's own views (it counts them from the data samples).
"""
from mmaction.models import Recognizer3D
from mmaction.registry import MODELS


@MODELS.register_module()
class ViewChunkRecognizer3D(Recognizer3D):
    """``Recognizer3D`` with ``test_cfg.max_testing_views`` for batches of
    any size. Inputs ``(N, views, C, T, H, W)`` as mmaction2's."""

    def extract_feat(self, inputs, stage='neck', data_samples=None,
                     test_mode=False):
        if test_mode and self.test_cfg and \
                self.test_cfg.get('max_testing_views', False):
            inputs = inputs.reshape((1, -1) + inputs.shape[2:])
        return super().extract_feat(inputs, stage, data_samples, test_mode)
