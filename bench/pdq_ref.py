"""The reference side of bench/pdq.sh: Pillow decodes every picture of a
folder to RGB and Meta's C++ PDQ (the `pdqhash` bindings) hashes it at full
resolution, as python-threatexchange computes photo PDQ; one process per
core (multiprocessing.Pool). Prints `pictures=N failed=N seconds=S`, timed
from before the pool starts to after the last result; writes
`hash,quality,path` per picture, sorted by path.

usage: python pdq_ref.py FOLDER PROCESSES OUT.csv
"""

import os
import sys
import time
from multiprocessing import Pool

import numpy as np
import pdqhash
from PIL import Image


def one(path: str):
    try:
        with Image.open(path) as img:
            pixels = np.asarray(img.convert("RGB"))
        bits, quality = pdqhash.compute(pixels)
    except Exception as e:  # a bad picture is counted, not fatal
        return path, None, str(e)
    # The bindings return bit 255 first: the reference's hex digits in order.
    value = int("".join("1" if b else "0" for b in bits), 2)
    return path, "%064x" % value, int(quality)


def main() -> None:
    folder, processes, out_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    paths = sorted(os.path.join(folder, n) for n in os.listdir(folder))
    start = time.perf_counter()
    with Pool(processes) as pool:
        results = pool.map(one, paths, chunksize=4)
    seconds = time.perf_counter() - start
    ok = [r for r in results if r[1] is not None]
    print("pictures=%d failed=%d seconds=%.3f" % (len(ok), len(results) - len(ok), seconds))
    with open(out_path, "w") as out:
        for path, h, q in sorted(ok):
            out.write("%s,%d,%s\n" % (h, q, path))


if __name__ == "__main__":
    main()
