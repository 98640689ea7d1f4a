#!/usr/bin/python3
"""etherbeam's firewall and NAT (apps/firewall, run by apps/router), with real clients.

    inside A 10.77.0.1 ⇄ link a 10.77.0.2 [etherbeam] 10.88.0.2 link b ⇄ 10.88.0.1 outside B

The rules (below) let A open connections out through b, masqueraded behind
10.88.0.2; drop new connections from B except a port forward (10.88.0.2:9090
to A's port 8080); reject B's TCP to port 22 (a reset) and UDP to 5555 (port
unreachable). curl, python's http.server and sockets, scapy for the SYN flood.
"""
import hashlib
import os
import re
import signal
import subprocess
import time

from e2e_base import CLIENT_IP, STACK_IP, LabTest, main, ping_stats, sha256_of
import netns_lab  # noqa: E402  (e2e_base put scripts/ on the path)

B_CLIENT, B_STACK = "10.88.0.1", "10.88.0.2"

RULES = """
chain input policy accept {
  iif b tcp dport 22 reject
}
chain forward policy drop {
  ct state established,related accept
  ct state invalid drop
  iif a oif b counter outbound accept
  iif b tcp dport 22 reject
  iif b udp dport 5555 reject
  iif b ip daddr 10.77.0.1 tcp dport 8080 counter forwarded_web accept
  iif b ip daddr 10.77.0.1 udp dport 7777 accept
}
nat {
  oif b masquerade
  iif b tcp dport 9090 dnat to 10.77.0.1:8080
  iif b udp dport 9091 dnat to 10.77.0.1:7777
}
"""

# After the reload: A may no longer open new connections out.
RULES_CLOSED = RULES.replace("iif a oif b counter outbound accept", "iif a oif b tcp dport 1 accept")


class Firewall(LabTest):
    MAX_FLOWS = 400
    FLOW_MODEL = "locked"

    def setUp(self):
        super().setUp()
        self.b = self.lab.add_link(B_CLIENT)
        self.lab.client(["ip", "route", "add", "default", "via", STACK_IP])
        # B has no route to A's network: what reaches A from B comes by the port forward.
        self.rules = os.path.join(self.lab.workdir, "firewall.rules")
        with open(self.rules, "w") as f:
            f.write(RULES)
        config = netns_lab.write_router_config(self.lab, self.b, B_STACK)
        with open(config, "a") as f:
            f.write(f'\n[apps.router]\nfirewall = "{self.rules}"\nmax_flows = {self.MAX_FLOWS}\n'
                    f'flow_model = "{self.FLOW_MODEL}"\n')
        self.binder_a = self.lab.start_binder()
        self.binder_b = self.b.start_binder()
        self.etherbeam = self.lab.start_etherbeam_with("--config", config)

    def cli(self, *args, timeout=30):
        return subprocess.run([os.path.join(self.lab.build_dir, "bin", "etherbeam"), *args, "--socket-dir",
                               self.lab.socket_dir], capture_output=True, text=True, timeout=timeout)

    def start_download(self, name, rate, started_at):
        """curl in A fetching B's /big at `rate`, once `started_at` bytes have arrived (the flow established)."""
        out = os.path.join(self.lab.workdir, name)
        download = self.lab.client_popen(["curl", "-sS", "--max-time", "60", "--limit-rate", rate, "-o", out,
                                          "-w", "%{http_code}", f"http://{B_CLIENT}:8080/big"],
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: download.poll() is None and download.kill())
        deadline = time.monotonic() + 10
        while not (os.path.exists(out) and os.path.getsize(out) > started_at):
            self.assertLess(time.monotonic(), deadline, "the download did not start")
            time.sleep(0.05)  # polling a growing file: curl gives no other signal
        return download, out

    def test_outbound_connections_are_masqueraded_and_new_inbound_ones_dropped(self):
        data = os.urandom(2_000_000)
        b_log = self.serve(self.b, B_CLIENT, 8080, "b", data)
        r, digest = self.curl(self.lab.client, f"http://{B_CLIENT}:8080/big")
        self.assertEqual((r.returncode, r.stdout), (0, "200"), r.stderr + str(self.etherbeam.counters()))
        self.assertEqual(digest, hashlib.sha256(data).hexdigest())
        # B saw the router's address, not A's.
        self.assertIn(f"{B_STACK} - -", b_log())
        self.assertNotIn(CLIENT_IP, b_log())
        # A new connection from B to etherbeam's b address on a port nobody forwards is
        # etherbeam's own (the input chain, policy accept): refused with a reset at once, as
        # Linux refuses it, never passed on to A.
        r, _ = self.curl(self.b.client, f"http://{B_STACK}:8081/", max_time=3)
        self.assertEqual(r.returncode, 7, r.stderr)
        c = self.etherbeam.counters()
        self.assertGreaterEqual(c.get("reply.tcp_reset", 0), 1, c)
        self.assertGreater(c.get("firewall.rule.outbound.packets", 0), 0, c)
        self.assertGreater(c.get("firewall.nat_translated", 0), 1000, c)
        counters = self.cli("firewall").stdout
        self.assertRegex(counters, r"outbound packets [1-9]")
        # The flow model asked for is the one that judged: the actor models take every packet in.
        handed = c.get("firewall.to_flow_actor", 0)
        if self.FLOW_MODEL == "locked":
            self.assertEqual(handed, 0, c)
        else:
            self.assertGreater(handed, 1000, c)

    def test_traceroute_sees_the_router_and_fragmented_datagrams_cross_the_nat(self):
        # The router's time exceeded is about the packet A sent, not the one masquerade made of it:
        # A's traceroute sees etherbeam as the first hop.
        r = self.lab.client(["traceroute", "-n", "-q", "1", "-w", "2", "-m", "3", B_CLIENT], check=False, timeout=30)
        hops = [line.split()[1] for line in r.stdout.splitlines()[1:]]
        self.assertEqual(hops[:2], [STACK_IP, B_CLIENT], r.stdout + r.stderr)
        # Datagrams larger than the links carry, both ways: etherbeam puts their fragments together
        # to find their flow and translate them (only the first fragment holds the ports).
        ping = self.lab.client(["ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", "-s", "3000", B_CLIENT], check=False)
        self.assertEqual(ping_stats(ping.stdout), (3, 3), ping.stdout)
        echo = self.b.client_popen(["/usr/bin/python3", "-c",
                                    "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                                    f"s.bind(('{B_CLIENT}', 7000))\ns.settimeout(10)\nprint('ready', flush=True)\n"
                                    "data, peer = s.recvfrom(65535)\nprint(len(data), peer[0], flush=True)\n"
                                    "s.sendto(b'z' * 5000, peer)\n"], stdout=subprocess.PIPE, text=True)
        self.addCleanup(lambda: echo.poll() is None and echo.kill())
        self.assertEqual(echo.stdout.readline().strip(), "ready")
        send = ("import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.settimeout(5)\n"
                f"s.sendto(b'q' * 4000, ('{B_CLIENT}', 7000))\nprint(len(s.recv(65535)))\n")
        r = self.lab.client(["/usr/bin/python3", "-c", send], check=False, timeout=30)
        self.assertEqual(r.stdout.strip(), "5000", r.stderr + str(self.etherbeam.counters()))
        self.assertEqual(echo.communicate(timeout=10)[0].split(), ["4000", B_STACK])  # masqueraded
        self.assertGreaterEqual(self.etherbeam.counters().get("firewall.fragments_reassembled", 0), 4)

    def test_the_inside_hosts_port_unreachable_reaches_a_port_forwards_client(self):
        # Nothing listens on A's port 7777: A's kernel answers B's datagram with a port
        # unreachable, which etherbeam rewrites to come from 10.88.0.2 and to quote B's
        # datagram to 10.88.0.2:9091, the only one B's connected socket knows.
        probe = ("import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.settimeout(3)\n"
                 f"s.connect(('{B_STACK}', 9091))\ns.send(b'x')\n"
                 "try:\n    s.recv(100)\nexcept ConnectionRefusedError:\n    print('refused')\n"
                 "except socket.timeout:\n    print('timeout')\n")
        r = self.b.client(["/usr/bin/python3", "-c", probe], check=False)
        self.assertEqual(r.stdout.strip(), "refused", r.stderr + str(self.etherbeam.counters()))

    def test_reject_answers_with_a_reset_and_a_port_unreachable(self):
        # B may route to A's network for this test; the forward chain rejects its port 22 and 5555.
        self.b.client(["ip", "route", "add", "10.77.0.0/24", "via", B_STACK])
        for address in (CLIENT_IP, B_STACK):  # through etherbeam (forward), and to it (input)
            connect = ("import socket\ntry:\n"
                       f"    socket.create_connection(('{address}', 22), timeout=3)\n    print('connected')\n"
                       "except ConnectionRefusedError:\n    print('refused')\n"
                       "except socket.timeout:\n    print('timeout')\n")
            r = self.b.client(["/usr/bin/python3", "-c", connect], check=False)
            self.assertEqual(r.stdout.strip(), "refused", f"{address}: {r.stderr}")  # the reset
        probe = ("import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.settimeout(3)\n"
                 f"s.connect(('{CLIENT_IP}', 5555))\ns.send(b'x')\n"
                 "try:\n    s.recv(100)\nexcept ConnectionRefusedError:\n    print('refused')\n"
                 "except socket.timeout:\n    print('timeout')\n")
        r = self.b.client(["/usr/bin/python3", "-c", probe], check=False)
        self.assertEqual(r.stdout.strip(), "refused", r.stderr)  # the connected socket heard the ICMP error
        self.assertGreaterEqual(self.etherbeam.counters().get("reply.firewall_reject", 0), 3)

    def test_a_port_forward_reaches_the_server_inside(self):
        data = os.urandom(1_000_000)
        a_log = self.serve(self.lab, CLIENT_IP, 8080, "a", data)
        r, digest = self.curl(self.b.client, f"http://{B_STACK}:9090/big")
        self.assertEqual((r.returncode, r.stdout), (0, "200"), r.stderr + str(self.etherbeam.counters()))
        self.assertEqual(digest, hashlib.sha256(data).hexdigest())
        self.assertIn(f"{B_CLIENT} - -", a_log())  # the server inside sees who really asked
        flows = self.cli("conntrack").stdout
        self.assertRegex(flows, rf"tcp {B_CLIENT}:\d+ > {B_STACK}:9090 \w+ reply tcp {CLIENT_IP}:8080 > {B_CLIENT}")

    def test_a_reload_during_a_transfer_does_not_cut_it(self):
        data = os.urandom(6_000_000)
        self.serve(self.b, B_CLIENT, 8080, "b", data)
        download, out = self.start_download("slow", "1500K", 500_000)
        with open(self.rules, "w") as f:
            f.write(RULES_CLOSED)
        self.etherbeam.popen.send_signal(signal.SIGHUP)
        self.etherbeam.wait_for_log("firewall rules reloaded")
        stdout, stderr = download.communicate(timeout=90)
        self.assertEqual((download.returncode, stdout), (0, "200"), stderr)
        self.assertEqual(sha256_of(out), hashlib.sha256(data).hexdigest())
        # The new rules hold for new connections.
        r, _ = self.curl(self.lab.client, f"http://{B_CLIENT}:8080/big", max_time=3)
        self.assertEqual(r.returncode, 28, r.stderr)

    def test_a_blind_reset_from_outside_does_not_cut_a_transfer(self):
        # Someone on link b who knows the masqueraded connection's addresses and ports but
        # not its sequence numbers sends resets as B's server (RFC 5961's blind reset): out
        # of the window, conntrack calls them invalid and they never reach A.
        # 40 MB at 500 KB/s: still going, whatever the machine's load, when the resets have
        # been sent and looked at (a download that ended on its own would leave the flow
        # closing, not ESTABLISHED).
        self.serve(self.b, B_CLIENT, 8080, "b", os.urandom(40_000_000))
        download, out = self.start_download("reset", "500K", 300_000)
        flow = re.search(rf"^tcp {re.escape(CLIENT_IP)}:\d+ > {re.escape(B_CLIENT)}:8080 ESTABLISHED reply tcp "
                         rf"{re.escape(B_CLIENT)}:8080 > {re.escape(B_STACK)}:(\d+)", self.cli("conntrack").stdout, re.M)
        self.assertIsNotNone(flow, self.cli("conntrack").stdout)
        before = self.etherbeam.counters().get("firewall.dropped", 0)
        # Guesses far from the server's real sequence number (read off the wire first, so
        # that none lands in the window by chance): half the number space away, and a
        # quarter behind.
        guesses = ("from scapy.all import IP, TCP, send, sniff\n"
                   f"seq = sniff(iface='{self.b.client_if}', filter='tcp src port 8080', count=1)[0][TCP].seq\n"
                   f"send([IP(src='{B_CLIENT}', dst='{B_STACK}')/TCP(sport=8080, dport={flow.group(1)}, flags='R', "
                   "seq=(seq + off) % 2**32) for off in [2**31 + k * 100000 for k in range(25)] + "
                   "[2**32 - 2**30 + k * 100000 for k in range(25)]], verbose=0)\n")
        self.b.client(["/usr/bin/python3", "-c", guesses], timeout=60)
        # Dropped by `ct state invalid drop`, the flow left as it was (a reset taken would
        # have closed it, and passed it on to A, whose curl would have failed).
        self.assertGreaterEqual(self.etherbeam.counters().get("firewall.dropped", 0) - before, 45)
        self.assertIn(f"> {B_CLIENT}:8080 ESTABLISHED", self.cli("conntrack").stdout)
        received = os.path.getsize(out)
        deadline = time.monotonic() + 10
        while os.path.getsize(out) < received + 500_000:  # the transfer goes on
            if download.poll() is not None:
                self.fail(f"the download ended after the resets: {download.communicate()}")
            self.assertLess(time.monotonic(), deadline, f"the download stalled after the resets: {received} then "
                            f"{os.path.getsize(out)} bytes\n{self.cli('conntrack').stdout}")
            time.sleep(0.05)  # polling a growing file: curl gives no other signal
        self.assertIsNone(download.poll())

    def test_a_bad_rules_file_is_refused_with_its_line_and_the_old_rules_stay(self):
        with open(self.rules, "w") as f:
            f.write("chain forward policy drop {\n  iif a oif c accept\n}\n")
        self.etherbeam.popen.send_signal(signal.SIGHUP)
        self.etherbeam.wait_for_log("firewall rules not reloaded")
        self.assertIn('line 2: no link named "c" (the links served: a, b)', self.etherbeam.log())
        self.assertEqual(ping_stats(self.lab.client(["ping", "-n", "-c", "3", "-i", "0.1", "-W", "2", B_CLIENT],
                                                    check=False).stdout), (3, 3))

    def test_a_syn_flood_keeps_the_flow_table_bounded_and_leaves_room_for_new_connections(self):
        data = os.urandom(4_000_000)
        self.serve(self.b, B_CLIENT, 8080, "b", data)
        self.serve(self.lab, CLIENT_IP, 8080, "a", b"inside")
        download, out = self.start_download("during-flood", "1M", 200_000)
        # 3,000 SYNs from random ports to the port forward: each a new flow the rules accept.
        flood = ("from scapy.all import IP, TCP, send, RandShort\n"
                 f"send(IP(dst='{B_STACK}')/TCP(sport=RandShort(), dport=9090, flags='S'), count=3000, verbose=0)\n")
        self.b.client(["/usr/bin/python3", "-c", flood], timeout=120)
        flows = [l for l in self.cli("conntrack").stdout.splitlines() if l.strip()]
        self.assertLessEqual(len(flows), self.MAX_FLOWS)
        # The table is full of the flood's half-open flows; as Linux's early drop does, each
        # new flow took the place of an unanswered one, never the established transfer's.
        c = self.etherbeam.counters()
        self.assertGreater(c.get("firewall.early_drops", 0), 3000 - self.MAX_FLOWS - 100, c)
        self.assertGreaterEqual(len(flows), self.MAX_FLOWS - 50, "\n".join(flows[-5:]))
        # Listed as conntrack -L lists them: the transfer's flow is assured (established, or
        # TIME_WAIT if it is over already), the flood's are not.
        transfer = [l for l in flows if l.startswith(f"tcp {CLIENT_IP}:") and f"> {B_CLIENT}:8080 " in l]
        self.assertEqual(len(transfer), 1, "\n".join(flows[:5]))
        self.assertIn("[ASSURED]", transfer[0])
        self.assertFalse([l for l in flows if ":9090 " in l and "[ASSURED]" in l])
        # So a new connection still gets through, and the transfer goes on to its end.
        r, _ = self.curl(self.lab.client, f"http://{B_CLIENT}:8080/big", max_time=20)
        self.assertEqual((r.returncode, r.stdout.strip()), (0, "200"), f"{r.stderr}\n{self.etherbeam.counters()}")
        stdout, stderr = download.communicate(timeout=90)
        self.assertEqual((download.returncode, stdout), (0, "200"), stderr)
        self.assertEqual(sha256_of(out), hashlib.sha256(data).hexdigest())

    def test_scans_with_flags_tcp_never_sends_are_invalid_and_open_nothing(self):
        # nmap's FIN, Xmas and NULL scans, and a SYN+FIN, at the port forward: conntrack calls
        # them invalid (Linux's tcp_valid_flags), so none opens a flow or is forwarded to A;
        # untranslated, they are etherbeam's own, judged by the input chain (as on Linux).
        input_policy = "firewall.rule.input.policy.packets"
        before = self.etherbeam.counters().get(input_policy, 0)
        scan = ("from scapy.all import IP, TCP, send\n"
                "for flags in ('F', 'FPU', '', 'SF'):\n"
                f"    send(IP(dst='{B_STACK}')/TCP(sport=40001, dport=9090, flags=flags), verbose=0)\n")
        self.b.client(["/usr/bin/python3", "-c", scan], timeout=60)
        deadline = time.monotonic() + 5
        while self.etherbeam.counters().get(input_policy, 0) < before + 4:
            self.assertLess(time.monotonic(), deadline, self.etherbeam.counters())
            time.sleep(0.02)  # polling the counters: a packet judged sends no event to await
        self.assertNotIn("9090", self.cli("conntrack").stdout)
        self.assertEqual(self.etherbeam.counters().get("firewall.nat_translated", 0), 0)

    def test_trace_shows_the_rules_a_packet_meets_and_udp_flows_are_listed_unreplied(self):
        # Filtered by A's address, which only the requests carry as the firewall sees them: an
        # answer (from B, to etherbeam's b address) judged just after the trace armed is not taken.
        stdout = self.trace_one(["icmp", "host", CLIENT_IP],
                                lambda: self.lab.client(["ping", "-n", "-c", "1", "-W", "1", B_CLIENT], check=False))
        self.assertIn(f"a icmp {CLIENT_IP}", stdout)
        self.assertIn("forward oif b", stdout)
        self.assertRegex(stdout, r"line \d+: iif a oif b counter outbound accept  <- match")
        self.assertIn("verdict accept", stdout)
        self.assertIn(f"snat to {B_STACK}", stdout)
        # One UDP datagram out, no answer: an unreplied flow that lives Linux's 30 s.
        self.lab.client(["/usr/bin/python3", "-c", "import socket; socket.socket(socket.AF_INET, "
                         f"socket.SOCK_DGRAM).sendto(b'x', ('{B_CLIENT}', 7777))"])
        flows = self.cli("conntrack").stdout
        line = next((l for l in flows.splitlines() if l.startswith(f"udp {CLIENT_IP}")), "")
        self.assertIn("[UNREPLIED]", line, flows)
        self.assertLessEqual(int(re.search(r"expires-in (\d+)s", line).group(1)), 30)

    def test_sigterm_ends_it_at_once_with_flows_open(self):
        ping = self.lab.client(["ping", "-n", "-c", "2", "-i", "0.1", "-W", "2", B_CLIENT], check=False)
        self.assertEqual(ping_stats(ping.stdout), (2, 2))
        self.assertEqual(self.etherbeam.stop(timeout=5.0), 0, self.etherbeam.log()[-2000:])  # -9: it hung


class FirewallSharded(Firewall):
    """The same firewall with its flows owned by shard actors ([apps.router] flow_model)."""
    FLOW_MODEL = "sharded"

    def test_a_bad_rules_file_is_refused_with_its_line_and_the_old_rules_stay(self):
        self.skipTest("reading the rules file does not depend on the flow model")


class FirewallPerFlow(FirewallSharded):
    """The same firewall with an actor per flow."""
    FLOW_MODEL = "per-flow"


if __name__ == "__main__":
    main()
