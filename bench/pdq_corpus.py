"""Writes the picture corpus of bench/pdq.sh: a deterministic "phone dump"
of synthetic, benign pictures (smooth colour fields, shapes, grain).

usage: python pdq_corpus.py OUT_DIR COUNT BIG

COUNT pictures in all, BIG of them 12-megapixel (4032x3024) JPEGs. The rest,
by a fixed draw per picture: 75 % JPEG, 10 % PNG, 5 % GIF, 5 % WebP, 5 % BMP;
sizes 30 % thumbnails (96-320 px on the long side), 50 % medium (640-1600),
20 % large (2000-3264, JPEG only). Generated on every core.
"""

import os
import sys
from multiprocessing import Pool

import numpy as np
from PIL import Image, ImageDraw

FORMATS = [("jpg", 0.75), ("png", 0.10), ("gif", 0.05), ("webp", 0.05), ("bmp", 0.05)]


def plan(i: int, count: int, big: int):
    rng = np.random.RandomState(1000 + i)
    if i < big:
        return "jpg", 4032, 3024, rng
    r = rng.rand()
    if r < 0.30:
        long = rng.randint(96, 321)
    elif r < 0.80:
        long = rng.randint(640, 1601)
    else:
        long = rng.randint(2000, 3265)
    short = int(long * rng.choice([0.5625, 0.75, 0.8, 1.0]))
    w, h = (long, short) if rng.rand() < 0.7 else (short, long)
    f = rng.rand()
    acc = 0.0
    fmt = "jpg"
    for name, p in FORMATS:
        acc += p
        if f < acc:
            fmt = name
            break
    if long > 1600:
        fmt = "jpg"
    return fmt, w, h, rng


def make(i: int, out: str, count: int, big: int) -> str:
    fmt, w, h, rng = plan(i, count, big)
    # A smooth colour field: a small random picture scaled up.
    small = rng.randint(0, 256, size=(rng.randint(3, 9), rng.randint(3, 9), 3)).astype(np.uint8)
    img = Image.fromarray(small).resize((w, h), Image.BICUBIC)
    draw = ImageDraw.Draw(img)
    for _ in range(rng.randint(3, 12)):
        x0, y0 = int(rng.randint(0, w)), int(rng.randint(0, h))
        x1, y1 = x0 + int(rng.randint(4, max(5, w // 3))), y0 + int(rng.randint(4, max(5, h // 3)))
        colour = tuple(int(c) for c in rng.randint(0, 256, 3))
        if rng.rand() < 0.5:
            draw.ellipse([x0, y0, x1, y1], fill=colour)
        else:
            draw.rectangle([x0, y0, x1, y1], fill=colour)
    # Sensor-like grain, so JPEGs have the detail (and decoding cost) of photos.
    arr = np.asarray(img, dtype=np.int16)
    grain = rng.randint(-6, 7, size=(h, w, 1)).astype(np.int16)
    img = Image.fromarray(np.clip(arr + grain, 0, 255).astype(np.uint8))
    path = os.path.join(out, "%05d.%s" % (i, fmt))
    if fmt == "jpg":
        img.save(path, quality=int(rng.randint(80, 96)))
    elif fmt == "gif":
        img.quantize(256).save(path)
    elif fmt == "webp":
        img.save(path, quality=85)
    else:
        img.save(path)
    return path


def job(args):
    return make(*args)


def main() -> None:
    out, count, big = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    os.makedirs(out, exist_ok=True)
    with Pool(os.cpu_count() or 1) as pool:
        for _ in pool.imap_unordered(job, [(i, out, count, big) for i in range(count)], chunksize=8):
            pass


if __name__ == "__main__":
    main()
