#!/usr/bin/python3
"""etherbeam as a learning bridge joining three links (apps/bridge), with real hosts.

    host A 10.77.0.1 ⇄ link a ─┐
    host B 10.77.0.3 ⇄ link b ─┼─ [etherbeam bridge] (10.77.0.2 on link a)
    host C 10.77.0.4 ⇄ link c ─┘

One subnet across three veth links, each with its own raw_binder (--promisc,
as a bridge port must be). ping and arping between the hosts; etherbeam is
one host on all three links, as Linux's br0 (ARP, ping and DHCP answered on
whichever link asks); a MAC that moves to another link (host A's address and
MAC taken over by a new interface behind link c) is learned there again.
"""
import os
import re
import subprocess
import time

from e2e_base import CLIENT_IP, STACK_IP, LabTest, main, ping_stats
from netns_lab import run

B_HOST, C_HOST = "10.77.0.3", "10.77.0.4"

CONFIG = """socket_dir = "{a}"

[apps]
enable = ["bridge"]

[[link]]
name = "a"
socket_dir = "{a}"
addresses = ["{stack}/24"]

[[link]]
name = "b"
socket_dir = "{b}"
addresses = []

[[link]]
name = "c"
socket_dir = "{c}"
addresses = []

[apps.bridge]
links = ["a", "b", "c"]

[dhcp]
state_dir = "{state}"

[[dhcp.subnet]]
subnet = "10.77.0.0/24"
pools = ["10.77.0.100-10.77.0.109"]
"""


class Bridge(LabTest):
    def setUp(self):
        super().setUp()
        self.b = self.lab.add_link(B_HOST)
        self.c = self.lab.add_link(C_HOST)
        config = os.path.join(self.lab.workdir, "bridge.toml")
        with open(config, "w") as f:
            f.write(CONFIG.format(a=self.lab.socket_dir, b=self.b.socket_dir, c=self.c.socket_dir, stack=STACK_IP,
                                  state=os.path.join(self.lab.workdir, "state")))
        self.binders = [self.lab.start_binder("--promisc"), self.b.start_binder("--promisc"),
                        self.c.start_binder("--promisc")]
        self.etherbeam = self.lab.start_etherbeam_with("--config", config)

    def ping(self, client, address, count=3):
        return client(["ping", "-n", "-c", str(count), "-i", "0.1", "-W", "2", "-w", "10", address], check=False).stdout

    def macs(self):
        r = subprocess.run([os.path.join(self.lab.build_dir, "bin", "etherbeam"), "macs", "--socket-dir",
                            self.lab.socket_dir], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        return dict((m, link) for m, link in re.findall(r"^(\S+) (\S+) seen", r.stdout, re.M))

    def mac_of(self, side, interface):
        return side(["cat", f"/sys/class/net/{interface}/address"]).stdout.strip()

    def test_hosts_on_three_links_reach_each_other(self):
        for client, address in ((self.lab.client, B_HOST), (self.lab.client, C_HOST), (self.b.client, C_HOST),
                                (self.c.client, CLIENT_IP)):
            out = self.ping(client, address)
            self.assertEqual(ping_stats(out), (3, 3), f"{address}: {out}\n{self.etherbeam.counters()}")
        # etherbeam answers for its own address on link a, where it holds it.
        self.assertEqual(ping_stats(self.ping(self.lab.client, STACK_IP)), (3, 3))
        macs = self.macs()
        self.assertEqual(macs.get(self.mac_of(self.lab.client, self.lab.client_if)), "a", macs)
        self.assertEqual(macs.get(self.mac_of(self.b.client, self.b.client_if)), "b", macs)
        self.assertEqual(macs.get(self.mac_of(self.c.client, self.c.client_if)), "c", macs)
        c = self.etherbeam.counters()
        self.assertGreater(c.get("bridge.forwarded", 0), 0, c)
        self.assertGreater(c.get("bridge.flooded", 0), 0, c)  # the first ARP requests

    def test_etherbeam_is_one_host_on_every_member_link(self):
        # Its address, held by link a, is answered on link c from link c's own MAC, once
        # (the bridge also floods the request to links a and b, where nobody answers it).
        out = self.c.client(["arping", "-c", "2", "-w", "4", "-I", self.c.client_if, STACK_IP], check=False).stdout
        self.assertEqual(set(m.lower() for m in re.findall(r"\[([0-9A-Fa-f:]{17})\]", out)), {self.c.server_mac()}, out)
        self.assertEqual(len(re.findall(r"Unicast reply", out)), 2, out)
        for client in (self.b.client, self.c.client):
            out = self.ping(client, STACK_IP)
            self.assertEqual(ping_stats(out), (3, 3), f"{out}\n{self.etherbeam.counters()}")
        # DHCP from it behind link b: busybox's udhcpc leases from the pool, the server
        # named by its address.
        r = self.b.client(["busybox", "udhcpc", "-i", self.b.client_if, "-n", "-q", "-f", "-t", "5", "-T", "1",
                           "-s", "/bin/true"], check=False)
        self.assertRegex(r.stdout + r.stderr, rf"lease of 10\.77\.0\.10\d obtained from {re.escape(STACK_IP)}",
                         r.stdout + r.stderr)

    def test_a_mac_that_moves_to_another_link_is_learned_there(self):
        a_mac = self.mac_of(self.lab.client, self.lab.client_if)
        self.assertEqual(ping_stats(self.ping(self.b.client, CLIENT_IP)), (3, 3))
        self.assertEqual(self.macs().get(a_mac), "a")
        # Host A unplugs from link a and plugs into link c, keeping its MAC and address: a
        # second interface in C's namespace (a macvlan on C's veth) takes both over.
        self.lab.client(["ip", "link", "set", "dev", self.lab.client_if, "down"])
        self.c.client(["ip", "link", "add", "moved", "link", self.c.client_if, "address", a_mac, "type",
                       "macvlan", "mode", "bridge"])
        self.c.client(["ip", "addr", "add", f"{CLIENT_IP}/32", "dev", "moved"])
        self.c.client(["ip", "link", "set", "dev", "moved", "up"])
        # It announces itself (gratuitous ARP, as a host does when its link comes up).
        r = self.c.client(["arping", "-U", "-c", "1", "-I", "moved", CLIENT_IP], check=False)
        deadline = time.monotonic() + 5
        while self.macs().get(a_mac) != "c":  # the bridge learns it as the frame passes
            self.assertLess(time.monotonic(), deadline, f"{self.macs()} {r.stdout}{r.stderr}")
            time.sleep(0.02)  # polling the control socket: there is no event to await
        self.assertGreaterEqual(self.etherbeam.counters().get("bridge.mac_moved", 0), 1)
        # B's pings to A, with B's ARP cache unchanged, now reach it behind link c.
        out = self.ping(self.b.client, CLIENT_IP)
        self.assertEqual(ping_stats(out), (3, 3), out)


if __name__ == "__main__":
    main()
