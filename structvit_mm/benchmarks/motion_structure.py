"""Write the motion-structure benchmark: clips of real-photo objects whose
class is set by the *structure* of a motion, not by appearance.

Layout (mmaction2's video-list format, read by ``VideoDataset`` + decord)::

    OUT/videos_train/<class>/train_000000.mp4
    OUT/videos_test/<class>/test_000000.mp4
    OUT/train_list_videos.txt        # "<class>/<name>.mp4 <label>"
    OUT/test_list_videos.txt
    OUT/classes.txt                  # one class name a line, in label order
    OUT/meta.json                    # seed, arguments, classes, label maps,
                                     # source photos per split + licences

Eight classes in four time-reversal pairs. Every clip shows one large
*actor* (70-90 % of the frame by default) and up to one smaller
*distractor* (constant drift, no spin), all cut from real
photographs (scikit-image's and scikit-learn's bundled images, which load
without any network access) over a background cut from another photo.
Positions live on a torus (objects wrap around the border) and start angles
are uniform, so every single frame of every class has the same
distribution. The actor moves as its class says:

====  ============  ===============================================  =======
 id    class         actor                                          partner
====  ============  ===============================================  =======
 0     rotate_cw     spins clockwise in place (slight drift)         1
 1     rotate_ccw    counter-clockwise                               0
 2     speed_up      moves straight, speed ramps up from ~0          3
 3     slow_down     moves straight, speed ramps down to ~0          2
 4     move_right    constant speed, heading right (+-20 deg)        5
 5     move_left     heading left                                    4
 6     move_down     heading down (+-20 deg)                         7
 7     move_up       heading up                                      6
====  ============  ===============================================  =======

The odd class of each pair is drawn *as the exact time reversal* of a clip
of the even class, so (a) playing a clip backwards is a label-consistent
augmentation (``REVERSE_MAP``; see ``structvit_mm.datasets.transforms.
ReverseClip``), (b) any frame-order-blind model (a bag of frames) cannot
tell a clip from its partner, by construction. A horizontal flip is label-
consistent too, with ``HFLIP_MAP`` (it swaps the rotation and the
left / right pairs). What an order-blind model *can* see is which pair a
clip belongs to (spinning, or travelling along which axis): the
bag-of-frames ceiling is 1/2 on the
8 classes, the within-pair ceiling 1/2 (chance). See
tests/benchmarks/test_motion_structure.py for the probes and
docs/en/results/motion_structure.md for the calibration.

Clips are deterministic from ``--seed`` and independent of ``--workers``
(each clip has its own seed derived from (seed, split, index)).

Command line: ``tools/data/make_motion_structure.py``::

    python tools/data/make_motion_structure.py --out data/motion_structure \\
        --seed 0 --num-train 6000 --num-test 800 --frames 8 --size 32
"""
import json
import os
import os.path as osp
from functools import partial
from multiprocessing import Pool

import numpy as np

CLASSES = ('rotate_cw', 'rotate_ccw', 'speed_up', 'slow_down', 'move_right',
           'move_left', 'move_down', 'move_up')
#: label -> label of the same clip played backwards
REVERSE_MAP = {0: 1, 1: 0, 2: 3, 3: 2, 4: 5, 5: 4, 6: 7, 7: 6}
#: label -> label of the same clip flipped left-right
HFLIP_MAP = {0: 1, 1: 0, 2: 2, 3: 3, 4: 5, 5: 4, 6: 6, 7: 7}

# Real photographs that ship inside the pip packages (no download). Each
# entry: name -> (package, loader, file that must be in the package,
# licence as the package documents it). Gray images are tinted per clip.
SOURCES = {
    'astronaut': ('skimage', 'astronaut', 'astronaut.png',
                  'public domain (NASA)'),
    'camera': ('skimage', 'camera', 'camera.png',
               'CC0 (Lav Varshney)'),
    'coffee': ('skimage', 'coffee', 'coffee.png',
               'CC0 (Rachel Michetti)'),
    'chelsea': ('skimage', 'chelsea', 'chelsea.png',
                'CC0 (Stefan van der Walt)'),
    'rocket': ('skimage', 'rocket', 'rocket.jpg',
               'public domain (SpaceX)'),
    'brick': ('skimage', 'brick', 'brick.png', 'CC0 (CC0Textures)'),
    'grass': ('skimage', 'grass', 'grass.png', 'CC0 (DeviantArt linolafett)'),
    'gravel': ('skimage', 'gravel', 'gravel.png', 'CC0 (CC0Textures)'),
    'coins': ('skimage', 'coins', 'coins.png',
              'no known copyright restrictions (Brooklyn Museum)'),
    'hubble_deep_field': ('skimage', 'hubble_deep_field',
                          'hubble_deep_field.jpg', 'public domain (NASA)'),
    'retina': ('skimage', 'retina', 'retina.jpg', 'CC0 (Wikimedia)'),
    'immunohistochemistry': ('skimage', 'immunohistochemistry', 'ihc.png',
                             'no known copyright restrictions'),
    'cell': ('skimage', 'cell', 'cell.png', 'CC0'),
    'clock': ('skimage', 'clock', 'clock_motion.png',
              'public domain (Stefan van der Walt)'),
    'china': ('sklearn', 'china.jpg', 'china.jpg',
              'CC BY 2.0 (danielbuechele, Flickr)'),
    'flower': ('sklearn', 'flower.jpg', 'flower.jpg',
               'CC BY 2.0 (vultilion, Flickr)'),
}
#: disjoint source photos per split (each split has colour photos, textures
#: and gray photos)
SPLIT_SOURCES = {
    'train': ('astronaut', 'coffee', 'chelsea', 'brick', 'grass', 'coins',
              'hubble_deep_field', 'immunohistochemistry', 'china', 'camera'),
    'test': ('rocket', 'gravel', 'retina', 'cell', 'clock', 'flower'),
}
_SPLIT_IDS = {'train': 1, 'test': 2}


def load_source(name: str) -> np.ndarray:
    """A bundled photo as float32 RGB in [0, 1], ``(H, W, 3)``.

    Refuses any loader whose file is not inside the installed package: some
    of scikit-image's loaders download their image on first use."""
    pkg, loader, fname, _ = SOURCES[name]
    if pkg == 'skimage':
        import skimage.data as data
        if not osp.isfile(osp.join(osp.dirname(data.__file__), fname)):
            raise RuntimeError(
                f'skimage.data.{loader} is not bundled with this '
                f'scikit-image ({fname} missing): refusing to download it')
        img = getattr(data, loader)()
    else:
        from sklearn.datasets import load_sample_image
        img = load_sample_image(loader)
    img = np.asarray(img)
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=2)
    img = img[..., :3].astype(np.float32)
    return img / 255.0 if img.max() > 1.0 else img


def _crop(rng, img, side):
    """A random square crop of ``img`` with a random source side, resized
    to ``side`` px, with a random tint for gray photos."""
    import cv2
    h, w = img.shape[:2]
    src = int(rng.uniform(0.15, 0.6) * min(h, w))
    y, x = rng.integers(0, h - src + 1), rng.integers(0, w - src + 1)
    patch = cv2.resize(img[y:y + src, x:x + src], (side, side),
                       interpolation=cv2.INTER_AREA)
    if np.allclose(img[..., 0], img[..., 1]):
        patch = patch * rng.uniform(0.5, 1.0, size=3).astype(np.float32)
    return patch


def _object(rng, img, long_side):
    """An object cut from a photo: RGB ``(s, s, 3)`` and alpha ``(s, s)``
    with an elongated shape (so that rotation is visible), a dark rim."""
    import cv2
    s = long_side
    rgb = _crop(rng, img, s)
    alpha = np.zeros((s, s), np.float32)
    c = (s - 1) / 2
    a = s / 2 - 1
    b = a * rng.uniform(0.45, 0.65)
    shape = rng.integers(3)
    if shape == 0:  # ellipse
        cv2.ellipse(alpha, (int(c), int(c)), (int(a), int(b)), 0, 0, 360, 1,
                    -1)
    elif shape == 1:  # rectangle
        alpha[int(c - b):int(c + b) + 1, int(c - a):int(c + a) + 1] = 1
    else:  # isosceles triangle pointing right
        pts = np.array([[c - a, c - b], [c - a, c + b], [c + a, c]], np.int32)
        cv2.fillPoly(alpha, [pts], 1)
    # a contrast rim so that the object stands out of any background
    rim = alpha - cv2.erode(alpha, np.ones((3, 3), np.uint8))
    rgb = rgb * (1 - rim[..., None]) + rim[..., None] * rng.uniform(0, 0.15)
    return rgb, alpha


def _paste(canvas, rgb, alpha, pos, angle, R):
    """Alpha-blend an object onto the ``(R, R, 3)`` canvas (in place),
    centred at ``pos`` (y, x; any real numbers, wrapped on the torus),
    rotated by ``angle`` degrees (counter-clockwise on screen)."""
    import cv2
    s = rgb.shape[0]
    py, px = pos[0] % R, pos[1] % R
    iy, ix = int(np.floor(py)), int(np.floor(px))
    # rotate about the object centre and place it at the canvas centre
    # plus the sub-pixel offset; the integer offset is a roll (wrap)
    M = cv2.getRotationMatrix2D(((s - 1) / 2, (s - 1) / 2), angle, 1.0)
    M[:, 2] += [R / 2 - (s - 1) / 2 + (px - ix), R / 2 - (s - 1) / 2 +
                (py - iy)]
    layer = cv2.warpAffine(np.dstack([rgb * alpha[..., None], alpha]), M,
                           (R, R), flags=cv2.INTER_LINEAR)
    layer = np.roll(layer, (iy - R // 2, ix - R // 2), axis=(0, 1))
    a = layer[..., 3:4]
    canvas *= 1 - a
    canvas += layer[..., :3]


def _actor_track(rng, kind, T, S):
    """Positions ``(T, 2)`` (y, x, output px) and angles ``(T,)`` (deg) of
    the actor for the even (forward) class of each pair."""
    pos0 = rng.uniform(0, S, size=2)
    ang0 = rng.uniform(0, 360)
    heading = rng.uniform(0, 2 * np.pi)
    d = np.array([np.sin(heading), np.cos(heading)])
    t = np.arange(T, dtype=np.float64)
    if kind == 'rotate':  # clockwise on screen = negative cv2 angle
        omega = rng.uniform(18, 32)
        drift = rng.uniform(0, 0.4) * d
        return pos0 + t[:, None] * drift, ang0 - omega * t
    if kind == 'speed':
        v = np.linspace(rng.uniform(0.0, 0.3), rng.uniform(2.6, 3.6), T - 1)
        steps = np.concatenate([[0], np.cumsum(v)])
        return pos0 + steps[:, None] * d, np.full(T, ang0)
    if kind in ('right', 'down'):  # a heading within 20 deg of the class's
        h = rng.uniform(-0.35, 0.35) + (np.pi / 2 if kind == 'down' else 0)
        v = rng.uniform(1.5, 3.0) * np.array([np.sin(h), np.cos(h)])
        return pos0 + t[:, None] * v, np.full(T, ang0)
    raise ValueError(kind)


_KINDS = ('rotate', 'speed', 'right', 'down')
# Difficulty (calibrated, docs/en/results/motion_structure.md): with an actor of a
# third of the frame and 1-2 distractors neither a small ViT nor a 3D CNN
# left chance within a few hundred steps; an actor of 70-90 % of the frame
# and two constant-velocity pairs (left / right, up / down, in place of
# turns and go-stop) bring plain attention to 50-80 % within the budget of
# the benchmark configs.
DISTRACTORS = (0, 1)
ACTOR_SIZE = (0.7, 0.9)
_CACHE = {}


def _photos(names):
    for n in names:
        if n not in _CACHE:
            _CACHE[n] = load_source(n)
    return [_CACHE[n] for n in names]


def render_clip(rng: np.random.Generator, label: int, num_frames: int = 8,
                size: int = 32, sources=SPLIT_SOURCES['train'],
                leak: bool = False, distractors=DISTRACTORS,
                actor_size=ACTOR_SIZE) -> np.ndarray:
    """One clip of class ``label`` as uint8 RGB ``(T, S, S, 3)``.

    Rendered at twice the size and area-downsampled (sub-pixel motion).
    ``distractors``: (min, max) number of distractor objects;
    ``actor_size``: its long side as a fraction of the frame. ``leak``
    (tests only) tints every frame by the label, a deliberately
    leaky variant that single-frame probes must detect."""
    import cv2
    T, S = num_frames, size
    R = 2 * S
    photos = _photos(sources)

    def pick():
        return photos[int(rng.integers(len(photos)))]

    bg = _crop(rng, pick(), R)
    bg = cv2.GaussianBlur(bg, (0, 0), rng.uniform(0.5, 1.5))
    bg = bg.mean() + (bg - bg.mean()) * rng.uniform(0.3, 0.6)

    kind = _KINDS[label // 2]
    pos, ang = _actor_track(rng, kind, T, S)
    objs = [(_object(rng, pick(), int(rng.uniform(*actor_size) * R)),
             pos * 2, ang)]
    num_distractors = int(rng.integers(distractors[0], distractors[1] + 1))
    for _ in range(num_distractors):  # distractors: constant drift
        h = rng.uniform(0, 2 * np.pi)
        v = rng.uniform(0, 1.5) * np.array([np.sin(h), np.cos(h)])
        p = rng.uniform(0, S, size=2) + np.arange(T)[:, None] * v
        objs.append((_object(rng, pick(), int(rng.uniform(0.22, 0.38) * R)),
                     p * 2, np.full(T, rng.uniform(0, 360))))
    order = rng.permutation(len(objs))  # actor depth order at random
    noise = rng.uniform(0.0, 0.03)

    frames = np.empty((T, S, S, 3), np.uint8)
    for t in range(T):
        canvas = bg.astype(np.float32).copy()
        for i in order:
            (rgb, alpha), p, a = objs[i]
            _paste(canvas, rgb, alpha, p[t], a[t], R)
        if leak:
            canvas = canvas * 0.6 + 0.4 * np.array(
                [label / 7, 1 - label / 7, 0.5], np.float32)
        small = cv2.resize(canvas, (S, S), interpolation=cv2.INTER_AREA)
        small = small + rng.normal(0, noise, small.shape)
        frames[t] = np.clip(small * 255 + 0.5, 0, 255).astype(np.uint8)
    if label % 2:  # the partner class: the exact time reversal
        frames = frames[::-1].copy()
    return frames


def clip_seed(seed: int, split: str, index: int) -> np.random.SeedSequence:
    return np.random.SeedSequence([seed, _SPLIT_IDS[split], index])


def write_video(path: str, frames: np.ndarray, fps: int = 8) -> None:
    """RGB ``(T, H, W, 3)`` uint8 -> mp4 (OpenCV 'mp4v', decord reads it)."""
    import cv2
    h, w = frames.shape[1:3]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), fps,
                             (w, h))
    if not writer.isOpened():
        raise RuntimeError(f'OpenCV cannot open a mp4v writer for {path}')
    for frame in frames:
        writer.write(np.ascontiguousarray(frame[..., ::-1]))
    writer.release()


def _write_one(job, out, split, seed, frames, size, render_kw):
    index, label = job
    import cv2
    cv2.setNumThreads(1)
    rng = np.random.default_rng(clip_seed(seed, split, index))
    clip = render_clip(rng, label, frames, size, SPLIT_SOURCES[split],
                       **render_kw)
    rel = f'{CLASSES[label]}/{split}_{index:06d}.mp4'
    write_video(osp.join(out, f'videos_{split}', rel), clip)
    return f'{rel} {label}'


def make_split(out, split, num, seed, frames, size, workers, render_kw):
    """Write ``num`` clips (classes balanced: label = index mod 8) and the
    list file; returns its path."""
    for name in CLASSES:
        os.makedirs(osp.join(out, f'videos_{split}', name), exist_ok=True)
    jobs = [(i, i % len(CLASSES)) for i in range(num)]
    fn = partial(_write_one, out=out, split=split, seed=seed, frames=frames,
                 size=size, render_kw=render_kw)
    if workers > 1:
        with Pool(workers) as pool:
            lines = pool.map(fn, jobs, chunksize=32)
    else:
        lines = [fn(j) for j in jobs]
    ann = osp.join(out, f'{split}_list_videos.txt')
    with open(ann, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return ann


def make_motion_structure(out, seed=0, num_train=6000, num_test=800,
                          frames=8, size=32, workers=1,
                          distractors=DISTRACTORS, actor_size=ACTOR_SIZE):
    if num_train % len(CLASSES) or num_test % len(CLASSES):
        raise ValueError(f'--num-train and --num-test must be multiples of '
                         f'{len(CLASSES)} (balanced classes); got '
                         f'{num_train}, {num_test}')
    if frames < 4 or size < 16:
        raise ValueError('need --frames >= 4 and --size >= 16')
    if not 0 <= distractors[0] <= distractors[1]:
        raise ValueError(f'--distractors MIN MAX: 0 <= MIN <= MAX; got '
                         f'{distractors}')
    render_kw = dict(distractors=tuple(distractors),
                     actor_size=tuple(actor_size))
    os.makedirs(out, exist_ok=True)
    anns = {split: make_split(out, split, n, seed, frames, size, workers,
                              render_kw)
            for split, n in (('train', num_train), ('test', num_test))}
    with open(osp.join(out, 'classes.txt'), 'w') as f:
        f.write('\n'.join(CLASSES) + '\n')
    meta = dict(
        seed=seed,
        args=dict(num_train=num_train, num_test=num_test, frames=frames,
                  size=size, distractors=list(distractors),
                  actor_size=list(actor_size)),
        classes=list(CLASSES),
        reverse_map=REVERSE_MAP,
        hflip_map=HFLIP_MAP,
        sources={split: {n: dict(package=SOURCES[n][0],
                                 loader=SOURCES[n][1],
                                 licence=SOURCES[n][3]) for n in names}
                 for split, names in SPLIT_SOURCES.items()},
        generator='tools/data/make_motion_structure.py')
    with open(osp.join(out, 'meta.json'), 'w') as f:
        json.dump(meta, f, indent=1)
    return anns
