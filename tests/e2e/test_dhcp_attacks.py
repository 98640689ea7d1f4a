#!/usr/bin/python3
"""DHCP clients that attack (issue 9): a DISCOVER flood from random MACs, DECLINEs
from clients that hold no lease or decline again and again, host names that are
not text. Kea serves legitimate clients through all of these; so must etherbeam.
"""
import json
import os
import re
import subprocess

from e2e_base import LabTest, main

CONFIG = """
[dhcp]
state_dir = "{state}"
client_rate_limit = 5
[[dhcp.subnet]]
subnet = "10.77.0.0/24"
pools = ["10.77.0.100-10.77.0.119"]
"""
TRICKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dhcp_tricks.py")


class DhcpAttacks(LabTest):
    def setUp(self):
        super().setUp()
        self.state = os.path.join(self.lab.workdir, "state")
        config = os.path.join(self.lab.workdir, "etherbeam.toml")
        with open(config, "w") as f:
            f.write(CONFIG.format(state=self.state))
        self.lab.start_binder()
        self.etherbeam = self.lab.start_etherbeam("--config", config)

    def tricks(self, *args):
        r = self.lab.client(["/usr/bin/python3", TRICKS, args[0], self.lab.client_if, *args[1:]], check=False)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r.stdout.strip()

    def leases(self, *extra):
        r = subprocess.run([os.path.join(self.lab.build_dir, "bin", "etherbeam"), "leases", "--state-dir",
                            self.state, *extra], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def udhcpc(self):
        r = self.lab.client(["busybox", "udhcpc", "-i", self.lab.client_if, "-n", "-q", "-f", "-t", "5",
                             "-T", "1", "-s", "/bin/true"], check=False)
        m = re.search(r"lease of ([\d.]+) obtained", r.stdout + r.stderr)
        return m.group(1) if m else None

    # -- finding 8 -----------------------------------------------------------
    def test_a_discover_flood_from_random_macs_does_not_starve_real_clients(self):
        # 100 DISCOVERs a second against a pool of 20 addresses held 30 s per offer.
        flood = self.lab.client_popen(["/usr/bin/python3", TRICKS, "flood", self.lab.client_if, "800", "100"],
                                      stdout=subprocess.PIPE, text=True)
        self.addCleanup(flood.stdout.close)
        self.addCleanup(flood.wait)
        self.addCleanup(flood.kill)
        counters = {}
        while counters.get("dhcp.offered", 0) < 60:  # three times the pool offered: it is "full" of offers
            self.assertIsNone(flood.poll(), "the flood ended before it filled the pool")
            counters = self.etherbeam.counters()
        self.assertIsNotNone(self.udhcpc(), "a real client got no lease during the flood")
        self.assertIsNotNone(self.tricks("dora", "02:00:00:00:00:77"))
        self.assertIsNone(flood.poll(), "the flood was over before the clients were served")
        self.assertEqual(self.leases().strip().splitlines()[-1], "2 leases")

    # -- finding 9 -----------------------------------------------------------
    def test_one_client_over_its_rate_is_ignored_beyond_it_and_said_once(self):
        self.tricks("repeat", "02:00:00:00:0e:01", "40")
        self.etherbeam.wait_for_log("sends more than client_rate_limit allows")
        counters = self.etherbeam.counters()
        self.assertGreaterEqual(counters.get("dhcp.client_rate_limited", 0), 20, counters)
        self.assertLessEqual(counters.get("dhcp.offered", 0), 20, counters)
        self.assertEqual(self.etherbeam.log().count("sends more than client_rate_limit"), 1)
        self.assertIsNotNone(self.udhcpc(), "another client is served all the same")

    def test_a_decline_without_a_lease_burns_nothing_and_declines_are_rate_limited(self):
        # DISCOVER + DECLINE of the offered address, over and over from one MAC.
        offered = {self.tricks("offer-then-decline", "02:00:00:00:00:66") for _ in range(5)}
        self.assertNotIn("declined", self.leases("--all"))
        self.assertGreaterEqual(self.etherbeam.counters()["dhcp.not_its_lease"], 5)
        self.assertIn("DECLINE from 02:00:00:00:00:66 ignored: it holds no lease", self.etherbeam.log())
        self.assertEqual(len(offered), 1)  # it was offered the same address each time: nothing burnt
        # A client that holds its address may decline it, once a minute.
        first = self.tricks("dora", "02:00:00:00:00:55", "-", "decline")
        self.etherbeam.wait_for_log(f"02:00:00:00:00:55 declined {first}")
        second = self.tricks("dora", "02:00:00:00:00:55", "-", "decline")
        self.assertNotEqual(first, second)
        self.etherbeam.wait_for_log(f"DECLINE of {second} by 02:00:00:00:00:55 ignored: one DECLINE per client")
        self.assertEqual(self.etherbeam.counters()["dhcp.declines_rate_limited"], 1)
        self.assertEqual(self.leases("--all").count("declined"), 1)

    # -- finding 10 ----------------------------------------------------------
    def test_host_names_that_are_not_text_are_escaped_in_every_listing(self):
        hostile = b"pc\xff\n10.77.0.250     02:00:00:00:00:99 forged\x1b[2J"
        address = self.tricks("dora", "02:00:00:00:00:44", hostile.hex())
        listed = json.loads(self.leases("--json"))
        self.assertEqual([l["address"] for l in listed], [address])
        self.assertEqual(bytes.fromhex(listed[0]["host_name_hex"]), hostile)
        self.assertTrue(listed[0]["host_name"].isprintable() and listed[0]["host_name"].isascii())
        table = self.leases()
        self.assertNotIn("\x1b", table)
        self.assertNotIn("10.77.0.250", table.split("\n", 2)[2] if table.count("\n") > 2 else "")
        self.assertEqual(table.strip().splitlines()[-1], "1 lease")
        self.assertEqual(len(table.strip().splitlines()), 3)  # header, one row, the count


if __name__ == "__main__":
    main()
