"""A section's time budget and synchronised median timings on any device
(``tools/analysis/gpu_check.py``)."""
import gc
import statistics
import time

import torch


class Clock:
    """Budget of one section: its share plus what earlier ones left."""

    def __init__(self, seconds):
        self.start, self.seconds = time.perf_counter(), seconds

    def elapsed(self):
        return time.perf_counter() - self.start

    def left(self):
        return self.seconds - self.elapsed()


def _sync(device):
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def _free(device):
    """Give the last model's GPU memory back before the next one is measured
    (on CPU there is nothing to gain, and a full collection takes long)."""
    if device.type == 'cuda':
        gc.collect()
        torch.cuda.empty_cache()


def _autocast(device, dtype):
    """fp32: no autocast; bf16 / fp16: autocast, as AMP training runs."""
    return torch.autocast(device.type, dtype=dtype,
                          enabled=dtype != torch.float32)


def _median_ms(fn, device, warmup, iters):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(max(iters, 1)):
        _sync(device)
        start = time.perf_counter()
        fn()
        _sync(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3
