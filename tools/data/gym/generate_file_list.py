"""Video lists for FineGym Gym99 and Gym288 (the files our configs read).

mmaction2's ``tools/data/gym/generate_file_list.py`` writes the Gym99 lists
only, from paths fixed relative to its own folder. This is the same step for
either label set, from any working directory:

    python tools/data/gym/generate_file_list.py --label-set gym288

reads ``<data-root>/annotations/<set>_{train,val}_org.txt`` (FineGym's
element files, one ``<subaction name> <label>`` per line) and writes
``<data-root>/annotations/<set>_{train,val}.txt`` with one
``<subaction name>.mp4 <label>`` line per subaction clip found under
``<data-root>/subactions/`` (the clips mmaction2's ``trim_subaction.py``
cuts). Clips that are missing are counted and left out, as upstream does.
"""
import argparse
import os
import os.path as osp

# FineGym's own names for the element files (docs/en/user_guides/data_preparation.md)
LABEL_SETS = {'gym99': 99, 'gym288': 288}


def read_elements(path, num_classes):
    """``[(subaction name, label)]`` from a FineGym element file; errors name
    the file and line."""
    items = []
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            fields = line.split()
            if len(fields) != 2 or not fields[1].lstrip('-').isdigit():
                raise ValueError(f'{path}:{lineno}: expected "<subaction> '
                                 f'<label>", got {line.rstrip()!r}')
            label = int(fields[1])
            if not 0 <= label < num_classes:
                raise ValueError(f'{path}:{lineno}: label {label} is outside '
                                 f'[0, {num_classes}) for this label set')
            items.append((fields[0], label))
    return items


def write_split(data_root, label_set, split):
    """Write one split's video list; returns (written, missing)."""
    ann_dir = osp.join(data_root, 'annotations')
    org = osp.join(ann_dir, f'{label_set}_{split}_org.txt')
    if not osp.isfile(org):
        raise FileNotFoundError(
            f'{org} not found: download FineGym\'s {label_set} {split} '
            'element file there (docs/en/user_guides/data_preparation.md)')
    clips = set(os.listdir(osp.join(data_root, 'subactions')))
    items = read_elements(org, LABEL_SETS[label_set])
    kept = [(name, label) for name, label in items
            if name + '.mp4' in clips]
    out = osp.join(ann_dir, f'{label_set}_{split}.txt')
    with open(out, 'w') as f:
        f.writelines(f'{name}.mp4 {label}\n' for name, label in kept)
    print(f'{out}: {len(kept)} clips ({len(items) - len(kept)} listed in '
          f'{osp.basename(org)} but not found under subactions/)')
    return len(kept), len(items) - len(kept)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--label-set', choices=sorted(LABEL_SETS),
                        required=True)
    parser.add_argument('--data-root', default='data/gym',
                        help='holds annotations/ and subactions/')
    parser.add_argument('--splits', nargs='+', default=['train', 'val'])
    args = parser.parse_args()
    for split in args.splits:
        write_split(args.data_root, args.label_set, split)


if __name__ == '__main__':
    main()
