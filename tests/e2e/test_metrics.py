#!/usr/bin/python3
"""Metrics in the Prometheus text format, as `etherbeam metrics` prints them
and as --metrics-file writes them, accepted by promtool; the pool-use warning."""
import os
import re
import subprocess
import time

from e2e_base import LabTest, main

CONFIG = """
metrics_file = "{metrics}"
[dhcp]
state_dir = "{state}"
pool_warning = 50
[[dhcp.subnet]]
subnet = "10.77.0.0/24"
pools = ["10.77.0.100-10.77.0.101"]
routers = ["10.77.0.1"]
"""


class Metrics(LabTest):
    def setUp(self):
        super().setUp()
        self.metrics_file = os.path.join(self.lab.workdir, "etherbeam.prom")
        config = os.path.join(self.lab.workdir, "etherbeam.toml")
        with open(config, "w") as f:
            f.write(CONFIG.format(state=os.path.join(self.lab.workdir, "state"), metrics=self.metrics_file))
        self.binder = self.lab.start_binder()
        self.etherbeam = self.lab.start_etherbeam("--config", config)

    def metrics(self):
        r = subprocess.run([os.path.join(self.lab.build_dir, "bin", "etherbeam"), "metrics", "--socket-dir",
                            self.lab.socket_dir], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def promtool(self, text):
        r = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, f"promtool: {r.stdout}{r.stderr}\n{text[:3000]}")

    def value(self, text, sample):
        m = re.search("^" + re.escape(sample) + r" (\S+)$", text, re.M)
        self.assertIsNotNone(m, f"no sample {sample} in:\n{text[:4000]}")
        return float(m.group(1))

    def lease(self):
        r = self.lab.client(["busybox", "udhcpc", "-i", self.lab.client_if, "-n", "-q", "-f", "-t", "5", "-T", "1",
                             "-s", "/bin/true"], check=False)
        self.assertIn("obtained", r.stdout + r.stderr)

    def test_the_exposition_passes_promtool_and_counts_what_happened(self):
        self.lease()
        out = self.ping_and_metrics()
        self.promtool(out)
        self.assertGreaterEqual(self.value(out, 'etherbeam_replies_total{kind="icmp_echo_reply"}'), 3)
        self.assertEqual(self.value(out, 'etherbeam_dhcp4_packets_received_total{operation="discover"}'), 1)
        self.assertEqual(self.value(out, 'etherbeam_dhcp4_packets_sent_total{operation="ack"}'), 1)
        self.assertEqual(self.value(out, 'etherbeam_dhcp4_addresses{subnet="10.77.0.0/24"}'), 2)
        self.assertEqual(self.value(out, 'etherbeam_dhcp4_addresses_assigned{subnet="10.77.0.0/24"}'), 1)
        self.assertEqual(self.value(out, "etherbeam_journal_commit_seconds_count"), 1)
        self.assertEqual(self.value(out, 'etherbeam_journal_commit_seconds_bucket{le="+Inf"}'), 1)

    def ping_and_metrics(self):
        self.ping(count=3)
        # The lease manager refreshes its gauges at most once a second.
        deadline = time.monotonic() + 5
        while True:
            out = self.metrics()
            if 'etherbeam_dhcp4_addresses_assigned{subnet="10.77.0.0/24"} 1' in out or time.monotonic() > deadline:
                return out
            time.sleep(0.2)  # polling a gauge: it has no event to wait on

    def test_the_metrics_file_is_rewritten_whole_and_passes_promtool(self):
        deadline = time.monotonic() + 10
        while not os.path.exists(self.metrics_file):
            self.assertLess(time.monotonic(), deadline, "no metrics file:\n" + self.etherbeam.log())
            time.sleep(0.1)  # the file appearing is the signal
        with open(self.metrics_file) as f:
            self.promtool(f.read())
        self.assertEqual([n for n in os.listdir(self.lab.workdir) if ".prom.tmp" in n], [],
                         "no temporary left beside it")

    def test_a_pool_past_its_warning_threshold_is_said_once(self):
        self.lease()  # 1 of 2 addresses: 50%
        self.etherbeam.wait_for_log("subnet 10.77.0.0/24 is 50% used", timeout=10)
        self.assertIn("add a pool or shorten lease_time", self.etherbeam.log())
        self.lease()  # the same client again: no second warning
        self.assertEqual(self.etherbeam.log().count("% used (1 of 2"), 1, self.etherbeam.log())
        self.assertEqual(self.etherbeam.counters().get("dhcp.pool_usage_warnings"), 1)


if __name__ == "__main__":
    main()
