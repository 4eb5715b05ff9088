"""Convert a public UniFormer checkpoint into a StructViT one that starts as UniFormer.

    python tools/convert/uniformer_to_structvit.py SRC DST --config CONFIG [--force]

The StructSA detectors / aggregators, which UniFormer lacks, get the
'attention' init; see docs/en/advanced_guides/warm_start.md for what is exact.
"""
from structvit_mm.convert import main

if __name__ == '__main__':
    main('uniformer')
