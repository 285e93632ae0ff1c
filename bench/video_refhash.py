"""The reference pipeline's second half for bench/video.sh: PDQ of every PNG
in a folder (name order) with Meta's C++ PDQ through the `pdqhash` Python
bindings, as python-threatexchange computes photo PDQ. Writes one
`hash,quality` line per picture.

usage: python video_refhash.py PNG_DIR OUT.txt
"""

import os
import sys

import numpy as np
import pdqhash
from PIL import Image


def main() -> None:
    folder, out_path = sys.argv[1], sys.argv[2]
    with open(out_path, "w") as out:
        for name in sorted(os.listdir(folder)):
            with Image.open(os.path.join(folder, name)) as img:
                pixels = np.asarray(img.convert("RGB"))
            bits, quality = pdqhash.compute(pixels)
            # The bindings return bit 255 first: the reference's hex digits
            # in order.
            value = int("".join("1" if b else "0" for b in bits), 2)
            out.write("%064x,%d\n" % (value, quality))


if __name__ == "__main__":
    main()
