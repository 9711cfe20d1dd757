#!/usr/bin/env python3
"""Interoperability of stance-hdf5 with h5py (run by ctest as interop_h5py).

1. A bundle written by `stance import` is read by h5py with the values, dtypes, shapes, units,
   frames and storage filters that docs/stance-hdf5.md promises.
2. The committed version-1 fixture reads with the values it was written with.
3. A file written by h5py from the document alone is accepted by `stance validate` (without the
   recommended Fletcher-32 checksum: with one warning per signal; with it: none), and each
   departure from the document is reported with its HDF5 path and a non-zero exit.

usage: check_h5py.py STANCE_BINARY PUBLIC_DATA_DIR TEST_DATA_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np

stance, public, testdata = sys.argv[1:4]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(*args):
    p = subprocess.run([stance, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def text_columns(path, skip, sep):
    rows = []
    with open(path) as f:
        for k, line in enumerate(f):
            if k < skip or not line.strip():
                continue
            rows.append([float(c) for c in line.strip().split(sep)])
    return np.array(rows)


def attrs_strings(ds, name):
    return [s.decode() if isinstance(s, bytes) else str(s) for s in ds.attrs[name]]


with tempfile.TemporaryDirectory(prefix="stance_interop_") as tmp:
    # ---- 1. a bundle written by stance, read by h5py --------------------------------------
    bundle = os.path.join(tmp, "bds.h5")
    trial_file = os.path.join(public, "bds_santos_duarte_2016", "data", "BDS00001.txt")
    rc, out, err = run("import", "--format", "bds", "--info",
                       os.path.join(public, "bds_santos_duarte_2016", "BDSinfo.txt"),
                       "--out", bundle, trial_file)
    check(rc == 0, "stance import exits 0: " + err)
    src = text_columns(trial_file, 1, "\t")
    with h5py.File(bundle, "r") as f:
        check(f.attrs["format"] == "stance-hdf5", "root format")
        check(int(f.attrs["format_version"]) == 1, "root format_version is the integer 1")
        check(isinstance(f.attrs["created_utc"], str), "created_utc is a string")
        subject = f["subjects/bds_s001"]
        check(subject.attrs["sex"] == "female", "subject sex")
        check(abs(subject.attrs["height_m"] - 1.575) < 1e-12, "height in metres")
        trial = f["subjects/bds_s001/sessions/2015-10-08T08:30:00/trials/001"]
        check(trial.attrs["condition"] == "eo_firm", "condition")
        check(trial.attrs["source_id"] == "BDS00001", "source_id")
        check(trial.attrs["status"] == "complete", "status")
        cop = trial["forceplate/cop"]
        check(cop.shape == (6000, 2) and cop.dtype == np.float64, "cop shape and dtype")
        check(cop.maxshape == (None, 2), "cop first dimension unlimited")
        check(cop.chunks is not None and cop.compression == "gzip" and cop.shuffle,
              "cop chunked, shuffle + deflate")
        check(attrs_strings(cop, "units") == ["m", "m"], "cop units")
        check(attrs_strings(cop, "columns") == ["x_ml", "y_ap"], "cop columns")
        check(cop.attrs["frame"] == "plate", "cop frame")
        c = cop[:]
        check(np.array_equal(c[:, 0], src[:, 8] * 0.01), "cop x = COPy / 100 exactly")
        check(np.array_equal(c[:, 1], src[:, 7] * 0.01), "cop y = COPx / 100 exactly")
        t = trial["forceplate/time"]
        check(attrs_strings(t, "units") == ["s"] and np.array_equal(t[:], src[:, 0]), "time")
        check(trial["forceplate/gaps"].shape == (0, 2), "no gaps")
        force = trial["forceplate/force"]
        check(attrs_strings(force, "units") == ["N", "N", "N"], "force units")
        check(attrs_strings(trial["forceplate/moment"], "units") == ["N.m"] * 3, "moment units")
        raw = trial["raw/bds_forceplate/data"]
        physical = raw[:] * raw.attrs["scale"] + raw.attrs["offset"]
        check(np.allclose(physical[:, 6], src[:, 7] / 100, rtol=0, atol=1e-15),
              "raw COPx with scale 0.01 is metres")
        check(attrs_strings(raw, "units")[6] == "m", "raw COPx unit after scale")
        check(trial["raw/bds_forceplate/counter"].dtype == np.int64, "counter int64")
        check(f["devices/bds_forceplate"].attrs["kind"] == "forceplate", "device kind")
        for name, ds in [("time", t), ("force", force)]:
            check("frame" in ds.attrs and "units" in ds.attrs and "columns" in ds.attrs,
                  name + " has units, columns, frame")

    # ---- 2. the version-1 fixture --------------------------------------------------------
    fixture = os.path.join(testdata, "h5", "stance_v1_all_groups.h5")
    with h5py.File(fixture, "r") as f:
        check(int(f.attrs["format_version"]) == 1, "fixture version")
        tr = f["subjects/p001/sessions/2024-03-05T10:15:00Z/trials/001"]
        d = tr["raw/plate1/data"]
        check(d.dtype == np.int16, "fixture raw int16 as acquired")
        i, c, seed = 7, 3, 1  # makeTrial(seed, 60) in tests/datasets/test_h5_support.hpp
        check(d[i, c] == ((i * 37 + c * 101 + seed * 7) % 6001) - 3000, "fixture raw value")
        check(list(d.attrs["scale"])[2] == 0.05 + 0.001 * 2 and list(d.attrs["offset"])[2] == -1.5,
              "fixture scale and offset")
        check(np.allclose(tr["raw/plate1/gaps"][0], [0.03, 0.035], rtol=0, atol=1e-15), "fixture gap")
        check(np.isnan(tr["forceplate/cop"][1, 0]), "fixture NaN COP row")
        labels = [s.decode() if isinstance(s, bytes) else s for s in tr["events/label"][:]]
        check(labels == ["start", "eyes closed — yeux fermés"], "fixture UTF-8 event labels")
        check(tr["metrics/rms_ML"][()] == 0.00123, "fixture metric")
        check(tr["derived/cop_filtered"].attrs["param_order"] == 4, "fixture derived parameter")
        check(abs(tr["imu/trunk/quat"][2, 0] - np.cos(0.003)) < 1e-15, "fixture quaternion")

    # ---- 3. a file written from the document alone --------------------------------------
    # Fletcher-32 is recommended, not required: a file without it (h5py's and MATLAB's default)
    # is valid and draws one warning per signal; with it (as Stance writes), none.
    own = os.path.join(tmp, "own.h5")
    own_checksummed = os.path.join(tmp, "own_fletcher32.h5")
    n = 500
    t = np.arange(n) * 0.01

    def signal(group, name, data, units, columns, frame, fletcher32=False):
        data = np.asarray(data, dtype=np.float64)
        maxshape = (None,) + data.shape[1:]
        ds = group.create_dataset(name, data=data, maxshape=maxshape, chunks=True,
                                  shuffle=True, compression="gzip", compression_opts=4,
                                  fletcher32=fletcher32)
        ds.attrs["units"] = units
        ds.attrs["columns"] = columns
        ds.attrs["frame"] = frame
        return ds

    def write_own(path, fletcher32):
        def sig(group, name, data, units, columns, frame):
            return signal(group, name, data, units, columns, frame, fletcher32)

        with h5py.File(path, "w") as f:
            f.attrs["format"] = "stance-hdf5"
            f.attrs["format_version"] = np.int64(1)
            f.attrs["created_utc"] = "2024-06-01T12:00:00Z"
            f.attrs["software"] = "my-lab-script"
            f.attrs["software_version"] = "0.3"
            dev = f.create_group("devices/wii1")
            for a, v in [("kind", "loadcell_board"), ("make", "Nintendo"), ("model", "RVL-021"),
                         ("serial", ""), ("firmware", "")]:
                dev.attrs[a] = v
            dev.attrs["rate_hz"] = 100.0
            s = f.create_group("subjects/x17")
            s.attrs["id"] = "x17"
            s.attrs["sex"] = "male"
            s.attrs["age_years"] = 71.0
            se = s.create_group("sessions/2024-06-01T11:00:00Z")
            for a, v in [("start_utc", "2024-06-01T11:00:00Z"), ("site", "home"),
                         ("operator", "me"), ("protocol", "romberg"), ("protocol_version", "1")]:
                se.attrs[a] = v
            tr = se.create_group("trials/001")
            for a, v in [("condition", "ec_firm"), ("status", "complete"),
                         ("t0_utc", "2024-06-01T11:02:00Z"), ("source_id", ""),
                         ("source_format", "")]:
                tr.attrs[a] = v
            tr.attrs["planned_duration_s"] = 5.0
            raw = tr.create_group("raw/wii1")
            d = sig(raw, "data", np.full((n, 4), 1200, dtype=np.int32).astype(np.float64),
                    ["N"] * 4, ["tr", "br", "tl", "bl"], "device")
            d.attrs["scale"] = np.full(4, 0.1)
            d.attrs["offset"] = np.zeros(4)
            sig(raw, "time", t, ["s"], ["time"], "none")
            cnt = raw.create_dataset("counter", data=np.arange(n, dtype=np.int64),
                                     maxshape=(None,), chunks=True, shuffle=True,
                                     compression="gzip", fletcher32=fletcher32)
            cnt.attrs["units"] = ["1"]
            cnt.attrs["columns"] = ["counter"]
            cnt.attrs["frame"] = "none"
            sig(raw, "gaps", np.zeros((0, 2)), ["s", "s"], ["start", "end"], "none")
            fp = tr.create_group("forceplate")
            fp.attrs["frame"] = "plate"
            fp.attrs["cop_origin"] = "plate centre"
            fp.attrs["source"] = "raw/wii1"
            sig(fp, "time", t, ["s"], ["time"], "none")
            sig(fp, "cop", np.c_[0.01 * np.sin(t), 0.02 * np.cos(t)], ["m", "m"],
                ["x_ml", "y_ap"], "plate")
            sig(fp, "gaps", np.zeros((0, 2)), ["s", "s"], ["start", "end"], "none")

    write_own(own, False)
    write_own(own_checksummed, True)
    rc, out, err = run("validate", own)
    check(rc == 0 and "valid stance-hdf5 version 1" in out,
          "a file written by h5py from the document validates: " + out + err)
    tp = "/subjects/x17/sessions/2024-06-01T11:00:00Z/trials/001"
    signals = [tp + "/raw/wii1/" + d for d in ("time", "data", "counter", "gaps")] + \
              [tp + "/forceplate/" + d for d in ("time", "cop", "gaps")]
    check("(1 subjects, 1 sessions, 1 trials), 7 warnings" in out,
          "without Fletcher-32: valid, with one warning per signal: " + out)
    for path in signals:
        line = next((l for l in out.splitlines() if l.startswith(own + ": " + path + ": ")), "")
        check("warning: recommended but absent: the Fletcher-32 checksum" in line,
              "warning for " + path + ": " + out)
    rc, out, err = run("validate", "--format", "json", own)
    report = json.loads(out)[0] if rc == 0 else {}
    check(report.get("valid") is True and report.get("issues") == [] and
          sorted(w["path"] for w in report.get("warnings", [])) == sorted(signals),
          "json: valid, the warnings name every signal: " + out + err)
    rc, out, err = run("validate", own_checksummed)
    check(rc == 0 and out.strip() == own_checksummed +
          ": valid stance-hdf5 version 1 (1 subjects, 1 sessions, 1 trials)",
          "with Fletcher-32: valid and no warning: " + out + err)
    with h5py.File(own_checksummed, "r") as f:
        check(f[tp + "/forceplate/cop"].fletcher32, "h5py wrote the checksum it was asked for")

    def broken(name, mutate, expect_path, expect_text):
        path = os.path.join(tmp, name + ".h5")
        shutil.copyfile(own, path)
        with h5py.File(path, "r+") as f:
            mutate(f)
        rc, out, err = run("validate", path)
        check(rc == 1, name + ": validate exits 1 (got %d)" % rc)
        line = next((l for l in out.splitlines() if expect_path in l), "")
        check(expect_text in line, "%s: reports '%s' at %s; output:\n%s" %
              (name, expect_text, expect_path, out))

    broken("no_units", lambda f: f[tp + "/forceplate/cop"].attrs.__delitem__("units"),
           tp + "/forceplate/cop", "missing attribute 'units'")
    broken("wrong_unit", lambda f: f[tp + "/forceplate/cop"].attrs.__setitem__("units", ["mm", "mm"]),
           tp + "/forceplate/cop", "unit 'mm' where the format says 'm'")
    broken("bad_condition", lambda f: f[tp].attrs.__setitem__("condition", "Eyes Closed"),
           tp, "condition 'Eyes Closed'")
    broken("bad_status", lambda f: f[tp].attrs.__setitem__("status", "done"),
           tp, "status 'done'")
    broken("no_device", lambda f: f.__delitem__("devices/wii1"),
           tp + "/raw/wii1", "no /devices/wii1")

    def short_cop(f):
        del f[tp + "/forceplate/cop"]
        signal(f[tp + "/forceplate"], "cop", np.zeros((n - 1, 2)), ["m", "m"], ["x_ml", "y_ap"],
               "plate")
    broken("short_cop", short_cop, tp + "/forceplate/cop", "499 rows but the group's time has 500")

    def contiguous(f):
        del f[tp + "/forceplate/cop"]
        ds = f[tp + "/forceplate"].create_dataset("cop", data=np.zeros((n, 2)))
        ds.attrs["units"] = ["m", "m"]
        ds.attrs["columns"] = ["x_ml", "y_ap"]
        ds.attrs["frame"] = "plate"
    broken("contiguous", contiguous, tp + "/forceplate/cop", "must be chunked")

    def backwards(f):
        tt = f[tp + "/forceplate/time"]
        v = tt[:]
        v[10] = 0.0
        tt[:] = v
    broken("time_backwards", backwards, tp + "/forceplate/time", "decreases at row 10")
    broken("identifying", lambda f: f["subjects/x17"].attrs.__setitem__("name", "John Smith"),
           "/subjects/x17", "looks identifying")
    broken("extra_group", lambda f: f[tp].create_group("notes"), tp + "/notes",
           "not part of the format")
    broken("future", lambda f: f.attrs.__setitem__("format_version", np.int64(3)), "/",
           "format_version 3 is newer")

if failures:
    print("%d interop check(s) failed" % len(failures))
    sys.exit(1)
print("all h5py interop checks passed")
