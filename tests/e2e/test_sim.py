#!/usr/bin/python3
"""Simulated hosts: a group of 300, an actor each, seen from a real namespace.

etherbeam (--app sim) populates the lab's subnet with 300 hosts of consecutive
MACs and addresses behind one raw_binder (--promisc). The client namespace's
kernel pings a random sample and learns each host's own MAC; arp-scan's sweep
of the subnet finds every one; etherbeam still answers for itself.
"""
import os
import random
import subprocess

from e2e_base import CLIENT_IP, STACK_IP, LabTest, main, ping_stats

COUNT = 300
FIRST_MAC = 0x025E00000100
CONFIG = f"""
[[apps.sim.group]]
count = {COUNT}
mac = "02:5e:00:00:01:00"
address = "10.77.2.10/22"
"""


def host_address(i):
    n = (10 << 24 | 77 << 16 | 2 << 8 | 10) + i
    return f"{n >> 24}.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


def host_mac(i):
    v = FIRST_MAC + i
    return ":".join(f"{v >> s & 255:02x}" for s in range(40, -8, -8))


class Sim(LabTest):
    def setUp(self):
        super().setUp()
        config = os.path.join(self.lab.workdir, "sim.toml")
        with open(config, "w") as f:
            f.write(CONFIG)
        # The client reaches the hosts' /22 on its link.
        self.lab.client(["ip", "route", "add", "10.77.0.0/22", "dev", self.lab.client_if])
        self.lab.start_binder("--promisc")
        self.etherbeam = self.lab.start_etherbeam("--app", "sim", "--config", config)

    def test_every_sampled_host_answers_ping_with_its_own_mac(self):
        sample = random.Random(15).sample(range(COUNT), 20)
        for i in sample:
            r = self.lab.client(["ping", "-n", "-c", "1", "-W", "2", host_address(i)], check=False)
            self.assertEqual(ping_stats(r.stdout), (1, 1), f"host {i} ({host_address(i)}): {r.stdout}")
        neighbours = self.lab.client(["ip", "neigh", "show", "dev", self.lab.client_if]).stdout
        for i in sample:
            self.assertIn(f"{host_address(i)} lladdr {host_mac(i)}", neighbours)
        self.assertEqual(ping_stats(self.lab.client(["ping", "-n", "-c", "2", "-i", "0.2", STACK_IP],
                                                    check=False).stdout), (2, 2))  # etherbeam itself
        status = subprocess.run([os.path.join(self.lab.build_dir, "bin", "etherbeam"), "sim", "status",
                                 "--socket-dir", self.lab.socket_dir], capture_output=True, text=True, timeout=10)
        self.assertIn(f"{COUNT} hosts", status.stdout, status.stderr)

    def test_arp_scan_finds_every_host(self):
        # Debian's arp-scan, as a user surveys a subnet: every address of the /22 asked once.
        out = self.lab.client(["arp-scan", "--interface", self.lab.client_if, "--retry", "1", "--quiet",
                               "--plain", "10.77.0.0/22"], timeout=120).stdout
        found = dict(line.split()[:2] for line in out.splitlines() if line.strip())
        found.pop(STACK_IP, None)  # etherbeam itself answers too
        self.assertEqual(found, {host_address(i): host_mac(i) for i in range(COUNT)})


if __name__ == "__main__":
    main()
