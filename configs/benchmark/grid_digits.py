# The ablation grid on placed digits (the image column of the paper's
# analysis, Tables 1a-c, 6a, 7), on the small analysis model
# (configs/benchmark/structdeit-tiny-d4_digits-64.py: 64 channels, 4
# layers, 2 heads of 32, 8x8 tokens, D = 4, 3x3 kernels). Each variant
# changes one switch of that baseline through --cfg-options.
#
#   python tools/data/make_digits.py data/digits
#   python tools/analysis/ablate.py --grid configs/benchmark/grid_digits.py \
#       --seeds 0 1 2 3 4 --work-root work_dirs/ablate_digits \
#       --shape 1 3 64 64 --jobs 2 --threads 1
#
# FLOPs of the backbone (structvit_mm.analysis.complexity_info, one 64x64
# image): D=0 15.9 M, D=1 16.2 M, D=4 23.6 M, D=8 33.4 M; ConvSA (D = 1) at
# D = 4's FLOPs: 80 channels (2 heads of 40; 24.3 M, 0.34 M params) or 6
# layers (23.9 M, 0.32 M params).
config = 'configs/benchmark/structdeit-tiny-d4_digits-64.py'
baseline = 'd4'
seeds = [0, 1, 2, 3, 4]

_bb = 'model.backbone.'
variants = {
    # Table 1a: number of structure detectors (D = 0: plain attention)
    'd4': [],
    'd0': [_bb + 'structure_dim=0'],
    'd1': [_bb + 'structure_dim=1'],
    # Table 7: ConvSA (D = 1) made wider / deeper to D = 4's FLOPs
    'convsa-width': [_bb + 'structure_dim=1', _bb + 'arch.embed_dims=80',
                     'model.head.in_channels=80'],
    'convsa-depth': [_bb + 'structure_dim=1', _bb + 'arch.num_layers=6'],
    'd2': [_bb + 'structure_dim=2'],
    'd8': [_bb + 'structure_dim=8'],
    # the 'attention' init (each layer starts as plain attention) and the
    # per-detector reading of the softmax (docs/en/advanced_guides/
    # warm_start.md)
    'd4-attention-init': [_bb + 'structure_init=attention'],
    'd8-attention-init': [_bb + 'structure_dim=8',
                          _bb + 'structure_init=attention'],
    'd4-per-detector': [_bb + 'score_norm=per_detector'],
    # Table 1c: element vs context aggregation
    'element': [_bb + 'aggregation=element'],
    # Table 1b: kernel size M (M x M)
    'm1': [_bb + 'kernel_size=1'],
    'm5': [_bb + 'kernel_size=5'],
    # Table 6a: channel-wise correlation and aggregation off
    'no-channelwise': [_bb + 'channelwise_correlation=False',
                       _bb + 'channelwise_aggregation=False'],
}
