"""The op and the backbones work in a plain PyTorch project: importing and
running them needs torch and mmengine, not mmaction2 / mmpretrain / mmcv."""
import subprocess
import sys
import textwrap

from tool_runner import ROOT

BLOCKED = ('mmaction', 'mmpretrain', 'mmcv')

SCRIPT = textwrap.dedent('''
    import sys

    class Block:  # any import of a blocked library fails, as if absent
        def find_spec(self, name, path=None, target=None):
            if name.split('.')[0] in BLOCKED:
                raise ModuleNotFoundError(f'No module named {name!r}')

    sys.meta_path.insert(0, Block())
    import torch
    from structvit_mm.models.structsa import StructSA
    from structvit_mm.models.structvit import StructViT3D
    from structvit_mm.models.structdeit import StructDeiT

    op = StructSA(16, 2, structure_dim=4, kernel_size=(3, 3, 3),
                  stride=(1, 2, 2), structure_init='attention')
    assert op(torch.randn(1, 32, 16), (2, 4, 4)).shape == (1, 32, 16)
    arch = dict(depths=[1, 1, 1, 1], channels=[8, 8, 16, 16],
                heads=[1, 1, 1, 1])
    y = StructViT3D(arch=arch)(torch.randn(1, 3, 4, 64, 64))
    assert y.shape == (1, 16, 2, 2, 2), y.shape
    deit = StructDeiT(arch=dict(embed_dims=16, num_layers=1, num_heads=2),
                      img_size=32)
    assert deit(torch.randn(1, 3, 32, 32))[0].shape == (1, 16)
    loaded = sorted({m.split('.')[0] for m in sys.modules} & set(BLOCKED))
    assert not loaded, loaded
    print('ok')
''')


def test_op_and_backbones_import_without_openmmlab():
    proc = subprocess.run(
        [sys.executable, '-c', f'BLOCKED = {BLOCKED!r}\n' + SCRIPT],
        cwd=ROOT, text=True, capture_output=True, timeout=300)
    assert proc.returncode == 0 and 'ok' in proc.stdout, proc.stderr[-3000:]
