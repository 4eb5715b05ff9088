# The ablation grid on a small StructViT
# (configs/benchmark/structvit-tiny-d4_8x64_motion-structure.py: depths
# 1-1-2-1, channels 16-32-64-128, StructSA on 4x4x4 and 4x2x2 token grids,
# D = 4, key/value stride 1, 3x3x3 kernels). Each variant changes one switch
# through --cfg-options; the variants are the other grids'. Run in phases
# (the harness resumes; each seed is a phase):
#
#   python tools/analysis/ablate.py --grid configs/benchmark/grid_structvit.py \
#       --seeds 0 1 2 3 4 --work-root work_dirs/motion_structvit \
#       --shape 1 3 8 64 64 --jobs 2 --threads 1 \
#       --record docs/results/motion_structvit/runs
#
# FLOPs (tools/analysis/get_flops.py --shape 1 3 8 64 64, per clip): D=0
# 24.1 M, D=1 24.7 M, D=4 29.7 M, D=8 36.3 M. The convolution stages carry
# most of them, so StructSA's extra cost is small here. ConvSA (D = 1) at
# D = 4's FLOPs: stages 3-4 widened to 80-160 channels (30.9 M) or a third
# stage-3 block (28.7 M).
config = 'configs/benchmark/structvit-tiny-d4_8x64_motion-structure.py'
baseline = 'd4'
seeds = [0, 1, 2, 3, 4]

_bb = 'model.backbone.'
_sa = _bb + 'structsa_cfg.'
# the variants and their order are the other grids' (grid_structdeit.py,
# grid_digits.py; a test holds them equal)
variants = {
    # Table 1a: number of structure detectors (D = 0: plain attention)
    'd4': [],
    'd0': [_bb + 'structure_dim=0'],
    'd1': [_bb + 'structure_dim=1'],
    # Table 7: ConvSA (D = 1) made wider / deeper to D = 4's FLOPs
    'convsa-width': [_bb + 'structure_dim=1',
                     _bb + 'arch.channels=[16,32,80,160]',
                     'model.cls_head.in_channels=160'],
    'convsa-depth': [_bb + 'structure_dim=1', _bb + 'arch.depths=[1,1,3,1]'],
    'd2': [_bb + 'structure_dim=2'],
    'd8': [_bb + 'structure_dim=8'],
    # the 'attention' init and the per-detector softmax
    'd4-attention-init': [_bb + 'structure_init=attention'],
    'd8-attention-init': [_bb + 'structure_dim=8',
                          _bb + 'structure_init=attention'],
    'd4-per-detector': [_bb + 'score_norm=per_detector'],
    # Table 1c: element vs context aggregation
    'element': [_sa + 'aggregation=element'],
    # Table 1b: kernel size M (M x M x M)
    'm1': [_bb + 'kernel_size=1'],
    'm5': [_bb + 'kernel_size=5'],
    # Table 6a: channel-wise correlation and aggregation off
    'no-channelwise': [_sa + 'channelwise_correlation=False',
                       _sa + 'channelwise_aggregation=False'],
}
