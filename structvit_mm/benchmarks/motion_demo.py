"""Write a small synthetic video dataset whose classes differ only by motion.

The layout is Kinetics-400's as mmaction2's ``VideoDataset`` reads it::

    <root>/videos_train/<class>/<name>.mp4
    <root>/videos_val/<class>/<name>.mp4
    <root>/kinetics400_train_list_videos.txt   # "<class>/<name>.mp4 <label>"
    <root>/kinetics400_val_list_videos.txt

Every clip shows one large textured object (a square, disc or diamond whose
side is 80-100% of the frame's) drifting over a smooth, noisy background; the class is the direction of the drift (default: left, right,
up, down). The object wraps around the frame border (toroidal motion), so in
every single frame its position is uniform over the frame for every class;
texture, colours, shape, size, speed, start position and noise are drawn at
random per clip. Appearance alone therefore carries no information about the
label: a model has to compare frames in order.

Command line (``tools/data/make_motion_demo.py``)::

    python tools/data/make_motion_demo.py data/motion_demo \
        --train-per-class 100 --val-per-class 25

Videos are written with OpenCV's ``mp4v`` fourcc, which decord reads.
"""
import os
import os.path as osp

import numpy as np

#: class name -> unit displacement (dy, dx) per frame
MOTIONS = {
    'move_left': (0, -1),
    'move_right': (0, 1),
    'move_up': (-1, 0),
    'move_down': (1, 0),
}


def _smooth_noise(rng: np.random.Generator, size: int, cells: int,
                  channels: int = 3) -> np.ndarray:
    """Blocky-smooth random texture in [0, 1], shape (size, size, channels)."""
    import cv2
    coarse = rng.random((cells, cells, channels)).astype(np.float32)
    return cv2.resize(coarse, (size, size), interpolation=cv2.INTER_CUBIC)


def render_clip(rng: np.random.Generator, motion: tuple, num_frames: int,
                size: int, obj_range=(0.8, 1.0), speed_range=(1.0, 2.0),
                noise_range=(0.01, 0.04), obj_cells=(10, 20),
                bg_contrast=(0.3, 0.7)) -> np.ndarray:
    """One clip as uint8 ``(T, H, W, 3)`` (BGR, for OpenCV).

    ``obj_range``: object side as a fraction of the frame; ``speed_range``:
    pixels per frame; ``noise_range``: std of the per-frame pixel noise (in
    [0, 1] units); ``obj_cells``: texture cells across the frame for the
    object (more = finer); ``bg_contrast``: background texture amplitude.
    (Small, flat objects make the task much harder for a small model
    trained for a few hundred steps: the defaults keep the demo short.)
    """
    # background: a random texture in a random colour scheme
    bg = _smooth_noise(rng, size, int(rng.integers(3, 9)))
    bg = bg * rng.uniform(*bg_contrast) + rng.uniform(0, 0.4, size=3)

    # the object: a random shape filled with its own texture
    obj_size = int(rng.uniform(*obj_range) * size)
    yy, xx = np.mgrid[:size, :size]
    cy = cx = size // 2
    r = obj_size / 2
    shape = int(rng.integers(3))
    if shape == 0:  # square
        mask = (np.abs(yy - cy) <= r) & (np.abs(xx - cx) <= r)
    elif shape == 1:  # disc
        mask = (yy - cy) ** 2 + (xx - cx) ** 2 <= r ** 2
    else:  # diamond
        mask = np.abs(yy - cy) + np.abs(xx - cx) <= 1.3 * r
    tex = _smooth_noise(rng, size, int(rng.integers(*obj_cells)))
    colour = rng.uniform(0, 1, size=3)
    obj = 0.5 * tex + 0.5 * colour
    # random start anywhere (the object wraps around the border)
    start = rng.integers(0, size, size=2)
    mask = np.roll(mask, tuple(start - size // 2), axis=(0, 1))
    obj = np.roll(obj, tuple(start - size // 2), axis=(0, 1))

    speed = rng.uniform(*speed_range)
    noise_std = rng.uniform(*noise_range)
    frames = np.empty((num_frames, size, size, 3), np.uint8)
    for t in range(num_frames):
        shift = (int(round(motion[0] * speed * t)),
                 int(round(motion[1] * speed * t)))
        m = np.roll(mask, shift, axis=(0, 1))[..., None]
        o = np.roll(obj, shift, axis=(0, 1))
        img = np.where(m, o, bg)
        img = img + rng.normal(0, noise_std, img.shape)
        frames[t] = np.clip(img * 255, 0, 255).astype(np.uint8)
    return frames


def write_video(path: str, frames: np.ndarray, fps: int = 15) -> None:
    """BGR ``(T, H, W, 3)`` uint8 (as rendered here) -> mp4: the motion
    structure benchmark's writer, which takes RGB."""
    from .motion_structure import write_video as write_rgb
    write_rgb(path, frames[..., ::-1], fps)


def make_split(root: str, split: str, per_class: int, num_frames: int,
               size: int, rng: np.random.Generator,
               classes: list) -> str:
    video_dir = osp.join(root, f'videos_{split}')
    lines = []
    for label, name in enumerate(classes):
        os.makedirs(osp.join(video_dir, name), exist_ok=True)
        for i in range(per_class):
            rel = f'{name}/{split}_{i:04d}.mp4'
            frames = render_clip(rng, MOTIONS[name], num_frames, size)
            write_video(osp.join(video_dir, rel), frames)
            lines.append(f'{rel} {label}')
    ann = osp.join(root, f'kinetics400_{split}_list_videos.txt')
    with open(ann, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return ann


def make_motion_demo(root: str, train_per_class: int = 100,
                     val_per_class: int = 25, num_frames: int = 32,
                     size: int = 64, num_classes: int = 4,
                     seed: int = 0) -> dict:
    """Write the dataset under ``root``; returns the annotation file paths."""
    classes = list(MOTIONS)[:num_classes]
    if not 2 <= num_classes <= len(MOTIONS):
        raise ValueError(f'num_classes must be in [2, {len(MOTIONS)}]')
    rng = np.random.default_rng(seed)
    os.makedirs(root, exist_ok=True)
    out = dict(
        train=make_split(root, 'train', train_per_class, num_frames, size,
                         rng, classes),
        val=make_split(root, 'val', val_per_class, num_frames, size, rng,
                       classes))
    with open(osp.join(root, 'classes.txt'), 'w') as f:
        f.write('\n'.join(classes) + '\n')
    return out
