#!/usr/bin/python3
"""The live lease API (Kea's lease4-* over the control socket), `etherbeam
leases` asking the running server, and `etherbeam watch` following a real
client's DORA, renewal and release."""
import json
import os
import re
import signal
import subprocess

from e2e_base import LabTest, main

CONFIG = """
[dhcp]
state_dir = "{state}"
[[dhcp.subnet]]
subnet = "10.77.0.0/24"
pools = ["10.77.0.100-10.77.0.199"]
lease_time = 600
"""

UDHCPC_SCRIPT = """#!/bin/sh
case "$1" in bound|renew) ip addr replace "$ip/$mask" dev "$interface" ;; esac
exit 0
"""


class LeaseApi(LabTest):
    def setUp(self):
        super().setUp()
        self.state = os.path.join(self.lab.workdir, "state")
        self.config = os.path.join(self.lab.workdir, "etherbeam.toml")
        with open(self.config, "w") as f:
            f.write(CONFIG.format(state=self.state))
        self.script = os.path.join(self.lab.workdir, "udhcpc.sh")
        with open(self.script, "w") as f:
            f.write(UDHCPC_SCRIPT)
        os.chmod(self.script, 0o755)
        self.lab.start_binder()
        self.etherbeam = self.lab.start_etherbeam("--config", self.config)

    def cli(self, *args):
        return subprocess.run([os.path.join(self.lab.build_dir, "bin", "etherbeam"), *args, "--socket-dir",
                               self.lab.socket_dir], capture_output=True, text=True, timeout=30)

    def api(self, command, arguments=None, expect=0):
        r = self.cli(command, json.dumps(arguments or {}))
        self.assertEqual(r.returncode, expect, r.stdout + r.stderr)
        return json.loads(r.stdout)

    def udhcpc(self):
        proc = self.lab.client_popen(["busybox", "udhcpc", "-i", self.lab.client_if, "-f", "-t", "5", "-T", "1",
                                      "-s", self.script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.addCleanup(lambda: (proc.kill(), proc.wait(), proc.stdout.close()))
        for line in proc.stdout:
            if re.search(r"lease of [\d.]+ obtained", line):
                return proc
        self.fail("udhcpc got no lease")

    def test_get_add_delete_and_wipe_while_serving(self):
        self.udhcpc()
        mac = self.lab.client(["cat", f"/sys/class/net/{self.lab.client_if}/address"]).stdout.strip()
        got = self.api("lease4-get", {"ip-address": "10.77.0.100"})
        self.assertEqual(got["arguments"]["hw-address"], mac)
        self.assertEqual(got["arguments"]["state"], "active")
        self.assertEqual(self.api("lease4-get", {"hw-address": mac})["arguments"]["ip-address"], "10.77.0.100")
        self.api("lease4-get", {"ip-address": "10.77.0.150"}, expect=3)

        added = self.api("lease4-add", {"ip-address": "10.77.0.150", "hw-address": "02:00:00:00:aa:01",
                                        "hostname": "printer", "valid-lft": 3600})
        self.assertIn("added", added["text"])
        self.api("lease4-add", {"ip-address": "10.77.0.100", "hw-address": "02:00:00:00:aa:02"}, expect=1)
        self.api("lease4-add", {"ip-address": "192.168.1.1", "hw-address": "02:00:00:00:aa:02"}, expect=1)
        page = self.api("lease4-get-page", {"from": "start", "limit": 1})["arguments"]
        self.assertEqual([l["ip-address"] for l in page["leases"]], ["10.77.0.100"])
        page = self.api("lease4-get-page", {"from": "10.77.0.100", "limit": 10})["arguments"]
        self.assertEqual([l["ip-address"] for l in page["leases"]], ["10.77.0.150"])

        # `etherbeam leases` asks the running server; the journal says the same.
        live = json.loads(self.cli("leases", "--json").stdout)
        self.assertEqual(sorted(l["address"] for l in live), ["10.77.0.100", "10.77.0.150"])
        on_disk = subprocess.run([os.path.join(self.lab.build_dir, "bin", "etherbeam"), "leases", "--json",
                                  "--state-dir", self.state, "--socket-dir", "/nonexistent"],
                                 capture_output=True, text=True)
        self.assertEqual(sorted(l["address"] for l in json.loads(on_disk.stdout)), ["10.77.0.100", "10.77.0.150"],
                         "lease4-add is durable: in the journal before it answers")

        self.api("lease4-del", {"ip-address": "10.77.0.150"})
        self.api("lease4-get", {"ip-address": "10.77.0.150"}, expect=3)
        wiped = self.api("lease4-wipe", {"subnet": "10.77.0.0/24"})
        self.assertIn("Deleted 1", wiped["text"])
        self.assertEqual(json.loads(self.cli("leases", "--json").stdout), [])
        self.api("lease4-get", {"ip-address": "nonsense"}, expect=1)

    def test_watch_prints_a_dora_a_renewal_a_release_and_a_delete(self):
        watch = subprocess.Popen([os.path.join(self.lab.build_dir, "bin", "etherbeam"), "watch", "--socket-dir",
                                  self.lab.socket_dir], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: (watch.kill(), watch.wait(), watch.stdout.close(), watch.stderr.close()))
        self.assertIn("watching lease events", watch.stderr.readline())

        def next_event():
            return json.loads(watch.stdout.readline())

        client = self.udhcpc()
        event = next_event()
        self.assertEqual((event["event"], event["ip-address"]), ("acked", "10.77.0.100"))
        client.send_signal(signal.SIGUSR1)  # renew
        self.assertEqual(next_event()["event"], "renewed")
        client.send_signal(signal.SIGUSR2)  # release
        self.assertEqual(next_event()["event"], "released")
        self.api("lease4-add", {"ip-address": "10.77.0.160", "hw-address": "02:00:00:00:aa:03"})
        self.assertEqual(next_event()["event"], "acked")
        self.api("lease4-del", {"ip-address": "10.77.0.160"})
        event = next_event()
        self.assertEqual((event["event"], event["ip-address"]), ("deleted", "10.77.0.160"))


if __name__ == "__main__":
    main()
