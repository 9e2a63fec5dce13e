#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Self-test of tests/bench/report.py on made-up results (unittest).

    python3 tests/bench/report_test.py
"""

import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402


def rec(group, name, system, unit, better, samples):
    return {"group": group, "name": name, "system": system, "unit": unit,
            "better": better, "samples": samples}


GUEST = [
    {"meta": {"bench": "guest", "cpu": "Test CPU", "cores": 2, "kernel": "6.1.0-test"}},
    rec("metadata", "create", "sealfs", "ops/s", "higher", [900, 1000, 1300]),
    rec("metadata", "create", "nfs", "ops/s", "higher", [400, 500, 600]),
    rec("metadata", "create", "local", "ops/s", "higher", [10000, 10000, 10000]),
    # lower is better: SealFS takes twice NFS's time, 4x the TCP round trip
    rec("latency", "stat", "sealfs", "us", "lower", [200, 210, 190]),
    rec("latency", "stat", "nfs", "us", "lower", [100, 100, 100]),
    rec("latency", "stat", "tcp", "us", "lower", [50]),
    # NFS missing
    rec("data", "seq-write", "sealfs", "MiB/s", "higher", [100]),
    rec("data", "seq-write", "local", "MiB/s", "higher", [400]),
]
SERVER = [
    {"meta": {"bench": "server", "cpu": "Test CPU", "cores": 2, "kernel": "6.1.0-test"}},
    rec("server", "create", "server", "ops/s", "higher", [2000, 3000, 2500]),
    rec("server", "create", "leveldb", "ops/s", "higher", [5000, 5000, 5000]),
    rec("server", "create-4t", "server", "ops/s", "higher", [1000]),
    rec("server", "put", "leveldb", "ops/s", "higher", [6000]),
    rec("server-cpu", "create", "server", "us/op", "lower", [120, 130, 125]),
]


class ReportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        self = cls
        self.tmp = tempfile.TemporaryDirectory()
        d = self.tmp.name
        self.files = []
        for name, recs in (("guest.jsonl", GUEST), ("server.jsonl", SERVER)):
            path = os.path.join(d, name)
            with open(path, "w", encoding="utf-8") as f:
                f.write("".join(json.dumps(r) + "\n" for r in recs))
            self.files.append(path)
        self.out = os.path.join(d, "out")
        with open(os.devnull, "w", encoding="utf-8") as null:
            stdout, sys.stdout = sys.stdout, null
            try:
                rc = report.main(["--out", self.out, *self.files])
            finally:
                sys.stdout = stdout
        assert rc == 0
        with open(os.path.join(self.out, "results.json"), encoding="utf-8") as f:
            self.doc = json.load(f)
        with open(os.path.join(self.out, "results.md"), encoding="utf-8") as f:
            self.md = f.read()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def fig(self, group, name):
        return next(e for e in self.doc["figures"]
                    if e["group"] == group and e["name"] == name)

    def test_statistics(self):
        s = self.fig("metadata", "create")["systems"]["sealfs"]
        self.assertEqual(s["median"], 1000)
        self.assertEqual((s["min"], s["max"]), (900, 1300))
        self.assertAlmostEqual(s["mean"], 3200 / 3)
        self.assertAlmostEqual(s["stdev"], 208.16659994661327)  # sample stdev
        self.assertAlmostEqual(s["spread"], 0.2)
        self.assertEqual(self.fig("server", "create")["systems"]["server"]["median"], 2500)

    def test_ratio_higher_is_better(self):
        r = self.fig("metadata", "create")["ratios"]
        self.assertAlmostEqual(r["sealfs/nfs"], 2.0)
        self.assertAlmostEqual(r["sealfs/limit"], 0.1)
        self.assertEqual(r["limit_system"], "local")

    def test_ratio_lower_is_better(self):
        r = self.fig("latency", "stat")["ratios"]
        self.assertAlmostEqual(r["sealfs/nfs"], 0.5)   # slower than NFS: below 1
        self.assertAlmostEqual(r["sealfs/limit"], 0.25)
        self.assertEqual(r["limit_system"], "tcp")
        self.assertIn("| stat | us | 200 ± 5% | 100 ± 0% | — | 50.0 | 0.50 | 0.25 (tcp) |",
                      self.md)

    def test_missing_system(self):
        r = self.fig("data", "seq-write")["ratios"]
        self.assertIsNone(r["sealfs/nfs"])
        self.assertAlmostEqual(r["sealfs/limit"], 0.25)
        self.assertIn("| seq-write | MiB/s | 100 | — | 400 | — | 0.25 |", self.md)

    def test_server_table(self):
        self.assertAlmostEqual(self.fig("server", "create")["ratios"]["server/leveldb"], 0.5)
        # a threaded figure against LevelDB's single-threaded one
        self.assertAlmostEqual(self.fig("server", "create-4t")["ratios"]["server/leveldb"],
                               0.2)
        self.assertIsNone(self.fig("server", "put")["ratios"]["server/leveldb"])
        self.assertIn("| create | ops/s | 2,500 ± 20% | 5,000 ± 0% | 0.50 | 125 ± 4% |",
                      self.md)
        self.assertIn("| put | ops/s | — | 6,000 | — | — |", self.md)

    def test_machine_and_png(self):
        self.assertEqual(len(self.doc["machine"]["runs"]), 2)
        self.assertIn("cores", self.doc["machine"]["report_host"])
        self.assertIn("Test CPU", self.md.splitlines()[2])
        with open(os.path.join(self.out, "results.png"), "rb") as f:
            head = f.read(8)
        self.assertEqual(head, b"\x89PNG\r\n\x1a\n")
        self.assertGreater(os.path.getsize(os.path.join(self.out, "results.png")), 5000)


if __name__ == "__main__":
    unittest.main()
