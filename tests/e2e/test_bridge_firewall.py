#!/usr/bin/python3
"""etherbeam as a filtering bridge: the bridge of test_bridge.py with a firewall
(apps/bridge/bridge_firewall.hpp), with real clients.

    host A 10.77.0.1 ⇄ link a ─┐
    host B 10.77.0.3 ⇄ link b ─┼─ [etherbeam bridge + firewall] (10.77.0.2 on link a)
    host C 10.77.0.4 ⇄ link c ─┘

The rules (below) let A open connections to anyone on the bridge; B may reach
C only on TCP port 9000 and UDP port 9001, which are rejected (a reset, a port
unreachable, both as from C); nothing else new crosses. C may not ping
etherbeam itself (the input chain). ARP crosses unjudged; fragments are put
together to be judged. curl, python's
http.server and sockets, ping, arping.
"""
import hashlib
import os
import signal
import subprocess
import time

from e2e_base import CLIENT_IP, STACK_IP, LabTest, main, ping_stats, sha256_of
from test_bridge import B_HOST, C_HOST, CONFIG

RULES = """
chain input policy accept {
  iif c icmp type echo-request drop
}
chain forward policy drop {
  ct state established,related accept
  ct state invalid drop
  iif a counter from_a accept
  iif b oif c tcp dport 9000 reject
  iif b oif c udp dport 9001 reject
}
"""

# After the reload: C may open connections too, and A only to port 1.
RULES_OPENED = RULES.replace("iif a counter from_a accept", "iif a tcp dport 1 accept\n  iif c accept")


class BridgeFirewall(LabTest):
    def setUp(self):
        super().setUp()
        self.b = self.lab.add_link(B_HOST)
        self.c = self.lab.add_link(C_HOST)
        self.rules = os.path.join(self.lab.workdir, "bridge.rules")
        with open(self.rules, "w") as f:
            f.write(RULES)
        self.config = os.path.join(self.lab.workdir, "bridge.toml")
        with open(self.config, "w") as f:
            f.write(CONFIG.format(a=self.lab.socket_dir, b=self.b.socket_dir, c=self.c.socket_dir, stack=STACK_IP,
                                  state=os.path.join(self.lab.workdir, "state")).replace(
                '[apps.bridge]\n', f'[apps.bridge]\nfirewall = "{self.rules}"\nmax_flows = 1000\n'))
        for side in (self.lab, self.b, self.c):
            side.start_binder("--promisc")
        self.etherbeam = self.lab.start_etherbeam_with("--config", self.config)

    def cli(self, *args):
        return subprocess.run([os.path.join(self.lab.build_dir, "bin", "etherbeam"), *args, "--socket-dir",
                               self.lab.socket_dir], capture_output=True, text=True, timeout=30)

    def pings(self, client, address, count=3):
        out = client(["ping", "-n", "-c", str(count), "-i", "0.1", "-W", "1", "-w", "5", address], check=False).stdout
        return ping_stats(out)[1]

    def test_a_reaches_across_and_nothing_new_comes_back(self):
        data = os.urandom(1_000_000)
        self.serve(self.c, C_HOST, 8080, "c", data)
        r, digest = self.curl(self.lab.client, f"http://{C_HOST}:8080/big")
        self.assertEqual((r.returncode, r.stdout), (0, "200"), r.stderr + str(self.etherbeam.counters()))
        self.assertEqual(digest, hashlib.sha256(data).hexdigest())
        self.assertIn(f"{CLIENT_IP}:", self.cli("conntrack").stdout)
        self.assertRegex(self.cli("firewall").stdout, r"from_a packets [1-9]")
        # C opening a connection to A is a new flow from link c: dropped (curl times out).
        self.serve(self.lab, CLIENT_IP, 8080, "a", b"inside")
        r, _ = self.curl(self.c.client, f"http://{CLIENT_IP}:8080/big", max_time=3)
        self.assertEqual(r.returncode, 28, r.stderr)
        # A's pings to C are answered; C's to A, and B's to C, are new flows nobody accepts.
        self.assertEqual(self.pings(self.lab.client, C_HOST), 3)
        self.assertEqual(self.pings(self.c.client, CLIENT_IP, 2), 0)
        self.assertEqual(self.pings(self.b.client, C_HOST, 2), 0)
        # Datagrams larger than the links: put together to be judged, and bridged in fragments.
        out = self.lab.client(["ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", "-s", "3000", C_HOST],
                              check=False).stdout
        self.assertEqual(ping_stats(out), (3, 3), out)
        c = self.etherbeam.counters()
        self.assertGreaterEqual(c.get("firewall.fragments_reassembled", 0), 6, c)
        self.assertGreaterEqual(c.get("firewall.dropped", 0), 4, c)
        self.assertGreater(c.get("firewall.established_fast_path", 0), 100, c)

    def test_a_reject_is_answered_as_from_the_host_behind(self):
        connect = ("import socket\ntry:\n"
                   f"    socket.create_connection(('{C_HOST}', 9000), timeout=3)\n    print('connected')\n"
                   "except ConnectionRefusedError:\n    print('refused')\n"
                   "except socket.timeout:\n    print('timeout')\n")
        started = time.monotonic()
        r = self.b.client(["/usr/bin/python3", "-c", connect], check=False)
        self.assertEqual(r.stdout.strip(), "refused", r.stderr + str(self.etherbeam.counters()))
        self.assertLess(time.monotonic() - started, 2.5)
        probe = ("import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.settimeout(3)\n"
                 f"s.connect(('{C_HOST}', 9001))\ns.send(b'x')\n"
                 "try:\n    s.recv(100)\nexcept ConnectionRefusedError:\n    print('refused')\n"
                 "except socket.timeout:\n    print('timeout')\n")
        r = self.b.client(["/usr/bin/python3", "-c", probe], check=False)
        self.assertEqual(r.stdout.strip(), "refused", r.stderr + str(self.etherbeam.counters()))
        self.assertEqual(self.etherbeam.counters().get("reply.firewall_reject", 0), 2)

    def test_trace_shows_the_rules_a_bridged_packet_meets(self):
        stdout = self.trace_one(["icmp", "host", B_HOST],
                                lambda: self.b.client(["ping", "-n", "-c", "1", "-W", "1", C_HOST], check=False))
        self.assertIn(f"b icmp {B_HOST}", stdout)
        self.assertIn("ct state new forward oif c", stdout)
        self.assertRegex(stdout, r"line \d+: iif b oif c tcp dport 9000 reject\n")
        self.assertIn("verdict drop (policy)", stdout)

    def test_the_input_chain_guards_etherbeam_itself_and_arp_still_crosses(self):
        self.assertEqual(self.pings(self.c.client, STACK_IP, 2), 0)
        self.assertEqual(self.pings(self.b.client, STACK_IP), 3)
        out = self.c.client(["arping", "-c", "2", "-w", "4", "-I", self.c.client_if, STACK_IP], check=False).stdout
        self.assertIn("Unicast reply", out)  # etherbeam's ARP, not judged
        out = self.c.client(["arping", "-c", "2", "-w", "4", "-I", self.c.client_if, CLIENT_IP], check=False).stdout
        self.assertIn("Unicast reply", out)  # A's, across the bridge

    def test_a_reload_keeps_a_transfer_and_applies_to_new_flows(self):
        data = os.urandom(3_000_000)
        self.serve(self.c, C_HOST, 8080, "c", data)
        self.serve(self.lab, CLIENT_IP, 8080, "a", b"inside")
        out = os.path.join(self.lab.workdir, "slow")
        download = self.lab.client_popen(["curl", "-sS", "--max-time", "60", "--limit-rate", "1M", "-o", out, "-w",
                                          "%{http_code}", f"http://{C_HOST}:8080/big"],
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: download.poll() is None and download.kill())
        deadline = time.monotonic() + 10
        while not (os.path.exists(out) and os.path.getsize(out) > 300_000):
            self.assertLess(time.monotonic(), deadline, "the download did not start")
            time.sleep(0.05)  # polling a growing file: curl gives no other signal
        with open(self.rules, "w") as f:
            f.write(RULES_OPENED)
        self.etherbeam.popen.send_signal(signal.SIGHUP)
        self.etherbeam.wait_for_log("bridge firewall rules reloaded")
        r, digest = self.curl(self.c.client, f"http://{CLIENT_IP}:8080/big", max_time=10)
        self.assertEqual((r.returncode, r.stdout, digest), (0, "200", hashlib.sha256(b"inside").hexdigest()), r.stderr)
        r, _ = self.curl(self.lab.client, f"http://{C_HOST}:8080/big", max_time=3)
        self.assertEqual(r.returncode, 28, r.stderr)  # A's new connections are no longer accepted
        stdout, stderr = download.communicate(timeout=90)
        self.assertEqual((download.returncode, stdout), (0, "200"), stderr)
        self.assertEqual(sha256_of(out), hashlib.sha256(data).hexdigest())

    def test_nat_in_a_bridges_rules_is_refused_with_its_line(self):
        self.etherbeam.stop()
        with open(self.rules, "a") as f:
            f.write("nat {\n  oif c masquerade\n}\n")
        r = self.lab.server([os.path.join(self.lab.build_dir, "bin", "etherbeam"), "--config", self.config],
                            check=False, timeout=30)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn(f"{self.rules} line 13: a bridge passes frames unchanged and cannot translate addresses",
                      r.stdout + r.stderr)

    def test_a_bridge_named_as_one_of_the_links_is_refused(self):
        self.etherbeam.stop()
        with open(self.config) as f:
            text = f.read()
        with open(self.config, "w") as f:
            f.write(text.replace("[apps.bridge]\n", '[apps.bridge]\nname = "c"\n'))
        r = self.lab.server([os.path.join(self.lab.build_dir, "bin", "etherbeam"), "--config", self.config],
                            check=False, timeout=30)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn('[apps.bridge] name: "c" is a [[link]]\'s name too; give the bridge a name of its own',
                      r.stdout + r.stderr)


if __name__ == "__main__":
    main()
