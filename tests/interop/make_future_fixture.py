#!/usr/bin/env python3
"""Makes tests/data/h5/stance_v2_future.h5: the version-1 fixture with format_version set to 2,
a file "from the future" that this software must refuse with a clear message.

Run once by hand (python3 with h5py) from the repository root:
    python3 tests/interop/make_future_fixture.py
"""
import os
import shutil
import sys

import h5py
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
data = os.path.join(here, "..", "data", "h5")
src = os.path.join(data, "stance_v1_all_groups.h5")
dst = os.path.join(data, "stance_v2_future.h5")
tmp = dst + ".tmp"
shutil.copyfile(src, tmp)
with h5py.File(tmp, "r+") as f:
    if f.attrs["format"] != "stance-hdf5":
        sys.exit("the source fixture is not a stance-hdf5 file")
    f.attrs["format_version"] = np.int64(2)
os.replace(tmp, dst)
print("wrote", dst)
