#!/usr/bin/python3
"""Simulated hosts: a group of 300, an actor each, seen from a real namespace.

etherbeam (--app sim) populates the lab's subnet with 300 hosts of consecutive
MACs and addresses behind one raw_binder (--promisc). The client namespace's
kernel pings a random sample and learns each host's own MAC; arp-scan's sweep
of the subnet finds every one; etherbeam still answers for itself. Groups of DHCP
hosts bind, renew, reboot and rebind against ISC Kea, and bind and renew
against a second etherbeam serving DHCP.
"""
import json
import os
import random
import re
import signal
import subprocess
import time

from e2e_base import CLIENT_IP, STACK_IP, LabTest, main, ping_stats

COUNT = 300
FIRST_MAC = 0x025E00000100
CONFIG = f"""
[[apps.sim.group]]
count = {COUNT}
mac = "02:5e:00:00:01:00"
address = "10.77.2.10/22"
"""


def read_text(path):
    with open(path) as f:
        return f.read()


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

    def sim(self, *args):
        return subprocess.run([os.path.join(self.lab.build_dir, "bin", "etherbeam"), "sim", *args,
                               "--socket-dir", self.lab.socket_dir], capture_output=True, text=True, timeout=20)

    def test_a_host_asked_to_arp_and_ping_finds_the_client_as_arping_and_ping_would(self):
        client_mac = self.lab.client(["cat", f"/sys/class/net/{self.lab.client_if}/address"]).stdout.strip()
        r = self.sim("arp", host_address(7), CLIENT_IP)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(f"{CLIENT_IP} is at {client_mac} (ARP from {host_address(7)} ({host_mac(7)})", r.stdout)
        r = self.sim("ping", host_mac(9), CLIENT_IP, "-c", "3")  # the host by its MAC this time
        self.assertRegex(r.stdout, rf"ping {CLIENT_IP} from {host_address(9)} \({host_mac(9)}\): 3 sent, "
                                   rf"3 received, rtt min/avg/max = [\d.]+/[\d.]+/[\d.]+ ms")
        print(r.stdout, end="")
        # The client's kernel saw host 9 at its own MAC (it answered its ARP).
        neighbours = self.lab.client(["ip", "neigh", "show", host_address(9)]).stdout
        self.assertIn(host_mac(9), neighbours)
        r = self.sim("arp", host_address(7), "10.77.1.99")  # nobody there
        self.assertIn("no answer to 3 requests", r.stdout)
        r = self.sim("ping", "02:5e:00:ff:ff:ff", CLIENT_IP)
        self.assertEqual(r.returncode, 1)
        self.assertIn("no simulated host has the MAC or address 02:5e:00:ff:ff:ff", r.stderr)
        r = self.sim("ping", host_address(7), "10.99.0.1")
        self.assertIn("is not on host", r.stderr)

    def test_hosts_added_at_run_time_answer_and_removed_ones_fall_silent(self):
        r = self.sim("add", "--count", "5", "--mac", "02:5e:00:00:07:00", "--address", "10.77.3.200/22")
        self.assertIn("5 hosts added: 02:5e:00:00:07:00 to 02:5e:00:00:07:04, 10.77.3.200 to 10.77.3.204",
                      r.stdout, r.stderr)
        self.assertIn(f"{COUNT + 5} hosts: {COUNT + 5} static", self.sim("status").stdout)
        out = self.lab.client(["ping", "-n", "-c", "1", "-W", "2", "10.77.3.202"], check=False).stdout
        self.assertEqual(ping_stats(out), (1, 1), out)
        self.assertIn("02:5e:00:00:07:02", self.lab.client(["ip", "neigh", "show", "10.77.3.202"]).stdout)
        r = self.sim("add", "--count", "1", "--mac", "02:5e:00:00:08:00", "--address", host_address(3) + "/22")
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"{host_address(3)} is already a simulated host's address; nothing added", r.stderr)
        r = self.sim("add", "--count", "1", "--mac", "02:5e:00:00:08:00", "--address", "10.77.3.255/22")
        self.assertIn("do not fit between its subnet's network and broadcast addresses", r.stderr)
        r = self.sim("remove", "10.77.3.202")
        self.assertIn("1 hosts removed", r.stdout, r.stderr)
        out = self.lab.client(["ping", "-n", "-c", "2", "-W", "1", "10.77.3.202"], check=False).stdout
        self.assertEqual(ping_stats(out)[1], 0, out)
        out = self.lab.client(["ping", "-n", "-c", "1", "-W", "2", "10.77.3.203"], check=False).stdout
        self.assertEqual(ping_stats(out), (1, 1), out)  # its neighbour stays
        self.assertIn(f"{COUNT + 4} hosts: {COUNT + 4} static", self.sim("status").stdout)

    def test_arp_scan_finds_every_host(self):
        # Debian's arp-scan, as a user surveys a subnet: every address of the /22 asked once.
        out = self.lab.client(["arp-scan", "--interface", self.lab.client_if, "--retry", "1", "--quiet",
                               "--plain", "10.77.0.0/22"], timeout=120).stdout
        found = dict(line.split()[:2] for line in out.splitlines() if line.strip())
        found.pop(STACK_IP, None)  # etherbeam itself answers too
        self.assertEqual(found, {host_address(i): host_mac(i) for i in range(COUNT)})


DHCP_HOSTS = 200
DHCP_CONFIG = f"""
[[apps.sim.group]]
count = {DHCP_HOSTS}
mac = "02:5e:00:00:02:00"
address = "dhcp"
start_spread_seconds = 2
"""


class DhcpHostsTest(LabTest):
    """Starting a group of simulated DHCP hosts and reading their status."""

    def start_sim(self, config_text, iface=None):
        """The hosts, on the lab's link or (with `iface`) on an interface of the server namespace."""
        config = os.path.join(self.lab.workdir, "sim.toml")
        with open(config, "w") as f:
            f.write(config_text)
        if iface:
            self.sim_sockets = os.path.join(self.lab.workdir, "sim-sockets")
            self.lab._start("raw_binder", ["--iface", iface, "--socket-dir", self.sim_sockets, "--promisc"],
                            binder_defaults=False)
            self.lab.start_etherbeam_with("--socket-dir", self.sim_sockets, "--ip", "10.77.0.5/24", "--app", "sim",
                                          "--config", config)
        else:
            self.sim_sockets = self.lab.socket_dir
            self.lab.start_binder("--promisc")
            self.lab.start_etherbeam("--app", "sim", "--config", config)

    def sim_command(self, *args):
        return subprocess.run([os.path.join(self.lab.build_dir, "bin", "etherbeam"), "sim", *args,
                               "--socket-dir", self.sim_sockets], capture_output=True, text=True, timeout=10)

    def status(self):
        return self.sim_command("status").stdout

    def wait_for_status(self, pattern, seconds):
        deadline = time.monotonic() + seconds
        while not re.search(pattern, self.status()):
            self.assertLess(time.monotonic(), deadline, f"no {pattern!r} in:\n{self.status()}")
            time.sleep(0.2)  # the hosts move on their own timers: their status is polled


class SimDhcp(DhcpHostsTest):
    """A group of DHCP hosts against ISC Kea, which the test starts in the client namespace."""

    def start_kea(self, lease=24):
        """Kea with leases of `lease` s, T1 and T2 at a third and two thirds of it."""
        state = os.path.join(self.lab.workdir, "kea")
        os.makedirs(state, exist_ok=True)  # a restarted Kea reads the leases the first one wrote
        self.kea_leases = os.path.join(state, "leases4.csv")
        config = {"Dhcp4": {
            "interfaces-config": {"interfaces": [self.lab.client_if], "dhcp-socket-type": "raw"},
            "lease-database": {"type": "memfile", "persist": True, "name": self.kea_leases, "lfc-interval": 0},
            "valid-lifetime": lease, "renew-timer": lease // 3, "rebind-timer": 2 * lease // 3,
            "subnet4": [{"id": 1, "subnet": "10.77.0.0/24", "pools": [{"pool": "10.77.0.20 - 10.77.0.250"}],
                         "option-data": [{"name": "routers", "data": "10.77.0.1"}]}],
            "loggers": [{"name": "kea-dhcp4", "severity": "INFO",
                         "output_options": [{"output": os.path.join(state, "kea.log")}]}],
        }}
        path = os.path.join(state, "kea-dhcp4.json")
        with open(path, "w") as f:
            json.dump(config, f)
        env = dict(os.environ, KEA_PIDFILE_DIR=state, KEA_LOCKFILE_DIR=state)
        kea = self.lab.client_popen(["kea-dhcp4", "-c", path], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.STDOUT, env=env)
        self.addCleanup(lambda: (kea.poll() is None and kea.terminate(), kea.wait()))
        log = os.path.join(state, "kea.log")
        if os.path.exists(log):
            os.rename(log, log + ".before")
        deadline = time.monotonic() + 20
        while not (os.path.exists(log) and "DHCP4_STARTED" in read_text(log)):
            self.assertIsNone(kea.poll(), "kea-dhcp4 exited")
            self.assertLess(time.monotonic(), deadline, "kea-dhcp4 did not start")
            time.sleep(0.05)  # a foreign daemon: its log is its only readiness signal
        return kea

    def kea_leases_by_mac(self):
        leases = {}
        with open(self.kea_leases) as f:
            for row in f.read().splitlines()[1:]:
                address, mac = row.split(",")[:2]
                leases[mac] = address
        return leases

    def test_every_host_binds_a_distinct_address_kea_agrees_and_renews_at_t1(self):
        self.start_kea()
        self.start_sim(DHCP_CONFIG)
        self.wait_for_status(rf"bound {DHCP_HOSTS}\b", 60)
        leases = self.kea_leases_by_mac()
        macs = {host_mac(0x100 + i) for i in range(DHCP_HOSTS)}
        self.assertTrue(macs <= set(leases), f"Kea has no lease for {sorted(macs - set(leases))[:5]}")
        addresses = [leases[m] for m in macs]
        self.assertEqual(len(set(addresses)), DHCP_HOSTS)  # distinct
        # A sample answers ping at the address Kea gave it.
        for mac in random.Random(2).sample(sorted(macs), 5):
            r = self.lab.client(["ping", "-n", "-c", "1", "-W", "2", leases[mac]], check=False)
            self.assertEqual(ping_stats(r.stdout), (1, 1), f"{mac} at {leases[mac]}: {r.stdout}")
        # T1 is 8 s: every host renews, unicast to Kea, and stays bound.
        self.wait_for_status(rf"renewals: ({DHCP_HOSTS}|[2-9]\d\d|\d{{4,}}) ", 30)
        self.assertRegex(self.status(), rf"bound {DHCP_HOSTS}\b")
        self.assertEqual({m: a for m, a in self.kea_leases_by_mac().items() if m in macs},
                         {m: leases[m] for m in macs})  # the same addresses
        # The avalanche: all reboot at once, each asks for its address again (INIT-REBOOT) and gets it.
        reboot = self.sim_command("reboot")
        self.assertIn(f"{DHCP_HOSTS} DHCP hosts rebooting", reboot.stdout, reboot.stderr)
        self.wait_for_status(rf"bound {DHCP_HOSTS}\b.*\n  DISCOVER to BOUND: {2 * DHCP_HOSTS} times", 30)
        self.assertEqual({m: a for m, a in self.kea_leases_by_mac().items() if m in macs},
                         {m: leases[m] for m in macs})
        print(self.status(), end="")

    def test_hosts_keep_their_addresses_through_a_server_restart_by_rebinding(self):
        kea = self.start_kea()
        self.start_sim(DHCP_CONFIG)
        self.wait_for_status(rf"bound {DHCP_HOSTS}\b", 60)
        leases = self.kea_leases_by_mac()
        kea.send_signal(signal.SIGTERM)
        kea.wait(10)
        # Past T1 (8 s) with nobody answering their unicast REQUESTs: all RENEWING.
        self.wait_for_status(rf"renewing {DHCP_HOSTS}\b", 30)
        self.start_kea()  # before T2 (16 s): at T2 they broadcast, and the new Kea, from its lease file, answers
        self.wait_for_status(rf"bound {DHCP_HOSTS}\b.*\n.*\n  renewals: \d+ \({DHCP_HOSTS} by rebinding\)", 40)
        macs = {host_mac(0x100 + i) for i in range(DHCP_HOSTS)}
        self.assertEqual({m: a for m, a in self.kea_leases_by_mac().items() if m in macs},
                         {m: leases[m] for m in macs})  # the same addresses
        print(self.status(), end="")

    def test_a_group_on_a_link_losing_a_fifth_of_its_frames_still_binds(self):
        self.start_kea(lease=3600)  # long: once bound, a host stays bound
        # Retransmissions from 1 s (RFC 2131's 4 s, doubling, would make a slow test of the same thing).
        self.start_sim('[[apps.sim.group]]\ncount = 30\nmac = "02:5e:00:00:03:00"\naddress = "dhcp"\n'
                       'start_spread_seconds = 1\nfirst_retransmit_seconds = 1\nloss_percent = 20\n'
                       'delay_ms = 20\njitter_ms = 10\n')
        self.wait_for_status(r"bound 30\b", 150)
        status = self.status()
        self.assertRegex(status, r"retransmissions [1-9]")  # a fifth lost each way: some exchanges were retried
        print(status, end="")


ETHERBEAM_DHCP = """
[dhcp]
state_dir = "{state}"
[[dhcp.subnet]]
subnet = "10.77.0.0/24"
pools = ["10.77.0.20-10.77.0.250"]
lease_time = 24
routers = ["10.77.0.1"]
"""


class SimAgainstEtherbeam(DhcpHostsTest):
    """The hosts against etherbeam's own DHCP server: two etherbeams, one at each end of a
    veth pair in the server namespace, each behind a raw_binder of its own."""

    def test_every_host_binds_a_distinct_address_the_server_lists_and_renews(self):
        server_end, hosts_end = f"ebw{self.lab.id}s", f"ebw{self.lab.id}h"
        self.lab.server(["ip", "link", "add", server_end, "type", "veth", "peer", "name", hosts_end])
        for end in (server_end, hosts_end):
            self.lab.server(["ip", "link", "set", end, "up"])
        state = os.path.join(self.lab.workdir, "state")
        config = os.path.join(self.lab.workdir, "dhcp.toml")
        with open(config, "w") as f:
            f.write(ETHERBEAM_DHCP.format(state=state))
        server_sockets = os.path.join(self.lab.workdir, "dhcp-sockets")
        self.lab._start("raw_binder", ["--iface", server_end, "--socket-dir", server_sockets], binder_defaults=False)
        self.lab.start_etherbeam_with("--socket-dir", server_sockets, "--ip", f"{STACK_IP}/24", "--config", config)
        self.start_sim(DHCP_CONFIG, iface=hosts_end)
        self.wait_for_status(rf"bound {DHCP_HOSTS}\b", 60)

        def leases():
            out = subprocess.run([os.path.join(self.lab.build_dir, "bin", "etherbeam"), "leases", "--json",
                                  "--state-dir", state], capture_output=True, text=True, check=True)
            return {l["mac"]: l["address"] for l in json.loads(out.stdout)}
        given = leases()
        macs = {host_mac(0x100 + i) for i in range(DHCP_HOSTS)}
        self.assertEqual(set(given), macs)  # one active lease per host, no more
        self.assertEqual(len(set(given.values())), DHCP_HOSTS)  # distinct
        # T1 is 12 s: every host renews, unicast to the server, and keeps its address.
        self.wait_for_status(rf"renewals: ({DHCP_HOSTS}|[2-9]\d\d|\d{{4,}}) ", 40)
        self.assertRegex(self.status(), rf"bound {DHCP_HOSTS}\b")
        self.assertEqual(leases(), given)
        print(self.status(), end="")
        # Twenty more at run time; then removed, each releasing its lease.
        r = self.sim_command("add", "--count", "20", "--mac", "02:5e:00:00:05:00", "--address", "dhcp",
                             "--start-spread", "1")
        self.assertIn("20 hosts added: 02:5e:00:00:05:00 to 02:5e:00:00:05:13, by DHCP", r.stdout, r.stderr)
        self.wait_for_status(rf"{DHCP_HOSTS + 20} hosts: 0 static.*\n  by state: bound {DHCP_HOSTS + 20}\b", 30)
        self.assertEqual(len(leases()), DHCP_HOSTS + 20)
        r = self.sim_command("add", "--count", "1", "--mac", "02:5e:00:00:05:13", "--address", "dhcp")
        self.assertIn("02:5e:00:00:05:13 is already a simulated host's MAC; nothing added", r.stderr)
        r = self.sim_command("remove", "02:5e:00:00:05:00", "-c", "20")
        self.assertIn("20 hosts removed", r.stdout, r.stderr)
        deadline = time.monotonic() + 10
        while len(leases()) != DHCP_HOSTS:  # the server frees each released lease
            self.assertLess(time.monotonic(), deadline, f"{len(leases())} active leases")
            time.sleep(0.2)
        self.assertEqual(leases(), given)
        self.assertRegex(self.status(), rf"(?s)^{DHCP_HOSTS} hosts: 0 static, {DHCP_HOSTS} by DHCP\n.*releases 20\b")
        # Hosts removed before they started (a long start spread) leave every count right.
        self.sim_command("add", "--count", "3", "--mac", "02:5e:00:00:06:00", "--address", "dhcp",
                         "--start-spread", "600")
        self.sim_command("remove", "02:5e:00:00:06:00", "-c", "3")
        self.wait_for_status(rf"by state: bound {DHCP_HOSTS} released 23\n", 10)


if __name__ == "__main__":
    main()
