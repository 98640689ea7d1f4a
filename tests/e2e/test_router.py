#!/usr/bin/python3
"""etherbeam as a router between two links (apps/router), with real clients.

    client A 10.77.0.1 ⇄ link a 10.77.0.2 [etherbeam] 10.88.0.2 link b ⇄ 10.88.0.1 client B
                        (MTU 1500)                    (MTU 1280)

Each client's default route points at etherbeam; the server namespace's kernel
does not forward (ip_forward is 0 in a new namespace). Through etherbeam:
ping (TTL one lower), traceroute (etherbeam's hop answers time exceeded),
curl against python's http.server both ways — TCP from veth senders comes in
64 KiB super-frames that raw_binder cuts — with path MTU discovery where link
b's smaller MTU makes it needed, an unknown network answered with "net
unreachable", a host redirected to a better gateway on its own link, and
etherbeam still answering for its own addresses.
"""
import hashlib
import json
import os
import re
import subprocess

from e2e_base import CLIENT_IP, STACK_IP, LabTest, main, ping_stats
import netns_lab  # noqa: E402  (e2e_base put scripts/ on the path)

B_CLIENT, B_STACK = "10.88.0.1", "10.88.0.2"
B_MTU = 1280
GATEWAY, BEYOND_GATEWAY = "10.77.0.5", "10.99.0.1"

class Router(LabTest):
    def setUp(self):
        super().setUp()
        self.b = self.lab.add_link(B_CLIENT)
        # Link b carries smaller packets (both ends, as a real link would): raw_binder
        # reads the MTU when it opens the interface and tells etherbeam.
        self.lab.server(["ip", "link", "set", "dev", self.b.server_if, "mtu", str(B_MTU)])
        self.b.client(["ip", "link", "set", "dev", self.b.client_if, "mtu", str(B_MTU)])
        self.lab.client(["ip", "route", "add", "default", "via", STACK_IP])
        self.b.client(["ip", "route", "add", "default", "via", B_STACK])
        config = netns_lab.write_router_config(self.lab, self.b, B_STACK)
        with open(config, "a") as f:  # another router on link a (test_..._redirected...)
            f.write(f'\n[apps.router]\nroutes = ["10.99.0.0/16 via {GATEWAY}"]\n')
        self.binder_a = self.lab.start_binder()
        self.binder_b = self.b.start_binder()
        self.etherbeam = self.lab.start_etherbeam_with("--config", config)

    def ping(self, client, address, count=5, extra=()):
        return client(["ping", "-n", "-c", str(count), "-i", "0.05", "-W", "1", "-w", "10", *extra, address],
                      check=False).stdout

    def fetch(self, client, url, out):
        r = client(["curl", "-sS", "--max-time", "30", "-o", out, "-w", "%{http_code}", url], check=False, timeout=60)
        self.assertEqual((r.returncode, r.stdout.strip()), (0, "200"),
                         f"{r.stderr}\n{self.etherbeam.counters()}\n{self.binder_a.counters()}\n{self.binder_b.counters()}")
        with open(out, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()

    def test_ping_crosses_with_the_ttl_lowered_both_ways(self):
        out = self.ping(self.lab.client, B_CLIENT)
        self.assertEqual(ping_stats(out), (5, 5), out)
        self.assertIn("ttl=63", out)  # B's kernel answers with 64, etherbeam lowers it by one
        out = self.ping(self.b.client, CLIENT_IP)
        self.assertEqual(ping_stats(out), (5, 5), out)
        # And etherbeam still answers for itself on both links, for its address on the
        # other link too (the weak host model, as Linux): A pings the router's far side.
        self.assertEqual(ping_stats(self.ping(self.lab.client, STACK_IP)), (5, 5))
        self.assertEqual(ping_stats(self.ping(self.b.client, B_STACK)), (5, 5))
        out = self.ping(self.lab.client, B_STACK)
        self.assertEqual(ping_stats(out), (5, 5), out)
        self.assertIn("ttl=64", out)  # answered by etherbeam, not forwarded to anyone
        self.assertEqual(ping_stats(self.ping(self.b.client, STACK_IP)), (5, 5))
        c = self.etherbeam.counters()
        self.assertGreaterEqual(c.get("router.forwarded", 0), 20, c)
        self.assertGreaterEqual(c.get("router.arp_requests", 0), 1, c)

    def test_record_route_and_timestamp_options_name_the_router(self):
        # RFC 791: a router forwarding a packet that records its route writes its address on
        # the out-link; ping -R prints the round trip (etherbeam's b address out, a back).
        out = self.ping(self.lab.client, B_CLIENT, count=1, extra=("-R",))
        self.assertEqual(ping_stats(out), (1, 1), out)
        route = re.findall(r"^\s*(?:RR:\s*)?(\d+\.\d+\.\d+\.\d+)\s*$", out, re.M)
        self.assertEqual(route[:5], [CLIENT_IP, B_STACK, B_CLIENT, B_CLIENT, STACK_IP], out)
        # Pinging etherbeam itself: its echo reply returns the option with its address added
        # twice, as a Linux host adds it (B_CLIENT above): as receiver, then as sender.
        out = self.ping(self.lab.client, STACK_IP, count=1, extra=("-R",))
        route = re.findall(r"^\s*(?:RR:\s*)?(\d+\.\d+\.\d+\.\d+)\s*$", out, re.M)
        self.assertEqual(route[:4], [CLIENT_IP, STACK_IP, STACK_IP, CLIENT_IP], out)
        out = self.ping(self.lab.client, B_CLIENT, count=1, extra=("-T", "tsandaddr"))
        self.assertEqual(ping_stats(out), (1, 1), out)
        self.assertRegex(out, rf"\n\s*{re.escape(B_STACK)}\s+\d+", out)  # a stamp with etherbeam's address

    def test_every_concurrency_model_forwards(self):
        # Once the next hop is REACHABLE a forwarded packet is a reply on the other link:
        # per-frame actors hand it to that link's sender, per-protocol workers write it
        # themselves (inline, the default, is what the other tests run).
        config = netns_lab.write_router_config(self.lab, self.b, B_STACK)
        for model in ("per-frame", "per-protocol"):
            self.etherbeam.stop()
            self.etherbeam = self.lab.start_etherbeam_with("--config", config, "--model", model)
            out = self.ping(self.lab.client, B_CLIENT, count=10)
            self.assertEqual(ping_stats(out), (10, 10), f"{model}: {out}")
            self.assertIn("ttl=63", out)
            c = self.etherbeam.counters()
            self.assertGreaterEqual(c.get("router.forwarded", 0), 18, f"{model}: {c}")
            self.assertGreaterEqual(c.get("link.b.replies_sent", 0), 9, f"{model}: {c}")

    def test_traceroute_sees_etherbeam_as_the_first_hop(self):
        for extra in ([], ["-I"]):  # UDP probes, then ICMP echo probes
            r = self.lab.client(["traceroute", "-n", "-q", "1", "-w", "2", "-m", "5", *extra, B_CLIENT],
                                check=False, timeout=60)
            hops = re.findall(r"^\s*(\d+)\s+([\d.]+)", r.stdout, re.M)
            self.assertEqual(hops[:2], [("1", STACK_IP), ("2", B_CLIENT)], r.stdout + r.stderr)
        self.assertGreaterEqual(self.etherbeam.counters().get("reply.icmp_time_exceeded", 0), 2)

    def serve(self, side, address, name, data):
        """A static file server in `side`'s client namespace, serving `data` as /big."""
        directory = os.path.join(self.lab.workdir, f"www-{name}")
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, "big"), "wb") as f:
            f.write(data)
        server = side.client_popen(
            netns_lab.http_server_command(8080, address, directory),
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.addCleanup(lambda: (server.kill(), server.wait(), server.stdout.close()))
        self.assertIn("Serving HTTP", server.stdout.readline())  # listening

    def fetched(self, client, address, name):
        path = os.path.join(self.lab.workdir, f"got-{name}")
        return self.fetch(client, f"http://{address}:8080/big", path)

    def test_curl_fetches_through_it_both_ways(self):
        # TCP from veth senders reaches raw_binder as 64 KiB super-frames, cut to the MTU
        # at each sender's segment size.
        data = os.urandom(3_000_000)
        self.serve(self.b, B_CLIENT, "b", data)
        self.assertEqual(self.fetched(self.lab.client, B_CLIENT, "b"), hashlib.sha256(data).hexdigest())
        self.serve(self.lab, CLIENT_IP, "a", data)
        self.assertEqual(self.fetched(self.b.client, CLIENT_IP, "a"), hashlib.sha256(data).hexdigest())
        self.assertGreater(self.binder_a.counters()["super_frames_segmented"], 0)
        self.assertGreater(self.binder_b.counters()["super_frames_segmented"], 0)

    def iperf3(self, port, *args):
        """iperf3 from A to a one-off server in B on `port`; returns the client's JSON report's end."""
        server = self.b.client_popen(["iperf3", "-s", "-1", "--forceflush", "-B", B_CLIENT, "-p", str(port)],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.addCleanup(lambda: (server.poll() is None and server.kill(), server.wait(), server.stdout.close()))
        self.assertIn("Server listening", server.stdout.readline() + server.stdout.readline())
        r = self.lab.client(["iperf3", "-c", B_CLIENT, "-p", str(port), "-t", "3", "-J", *args], check=False,
                            timeout=60)
        report = json.loads(r.stdout)
        self.assertNotIn("error", report, r.stdout[-2000:])
        return report["end"]

    def test_iperf3_tcp_and_udp_cross_it(self):
        tcp = self.iperf3(5201)
        received = tcp["sum_received"]["bits_per_second"]
        self.assertGreater(received, 10e6, tcp["sum_received"])  # well above a trickle, even on a loaded CI machine
        udp = self.iperf3(5202, "-u", "-b", "20M", "-l", "1200")  # datagrams that fit link b's 1280 MTU
        self.assertGreater(udp["sum"]["packets"], 5000, udp["sum"])
        self.assertLess(udp["sum"]["lost_percent"], 5, udp["sum"])

    def test_path_mtu_discovery_lets_a_large_download_through(self):
        # B's own interface says 1500, so B offers A an MSS of 1460: only etherbeam knows
        # that link b carries 1280. A's full-sized packets (DF, as Linux sends TCP) are
        # refused with "fragmentation needed", A learns the path MTU, and the rest passes.
        self.b.client(["ip", "link", "set", "dev", self.b.client_if, "mtu", "1500"])
        data = os.urandom(2_000_000)
        self.serve(self.lab, CLIENT_IP, "a", data)
        self.assertEqual(self.fetched(self.b.client, CLIENT_IP, "a"), hashlib.sha256(data).hexdigest())
        c = self.etherbeam.counters()
        self.assertGreaterEqual(c.get("reply.icmp_fragmentation_needed", 0), 1, c)
        route = self.lab.client(["ip", "route", "get", B_CLIENT]).stdout
        self.assertIn(f"mtu {B_MTU}", route)

    def test_fragmentation_needed_names_the_mtu_and_unknown_networks_are_unreachable(self):
        # Without DF a large ping is cut to link b's MTU and comes back whole (first: the
        # "fragmentation needed" below teaches A's kernel the path MTU, and it would then
        # cut the ping itself).
        out = self.ping(self.lab.client, B_CLIENT, count=3, extra=["-M", "dont", "-s", "3000"])
        self.assertEqual(ping_stats(out), (3, 3), out)
        self.assertGreaterEqual(self.etherbeam.counters().get("router.fragmented", 0), 3)
        out = self.ping(self.lab.client, B_CLIENT, count=2, extra=["-M", "do", "-s", "1400"])
        self.assertIn(f"From {STACK_IP}", out)
        self.assertIn(f"mtu = {B_MTU}", out)
        out = self.ping(self.lab.client, "198.51.100.7", count=2)
        self.assertIn(f"From {STACK_IP}", out)
        self.assertIn("Destination Net Unreachable", out)

    def test_a_neighbour_that_never_answers_arp_is_host_unreachable(self):
        # 10.88.0.99 is on link b's subnet but nobody holds it: etherbeam asks three times,
        # a second apart, then tells the sender (RFC 1812 §4.3.3.1), as Linux does.
        out = self.lab.client(["ping", "-n", "-c", "1", "-w", "8", "10.88.0.99"], check=False).stdout
        self.assertIn(f"From {STACK_IP}", out)
        self.assertIn("Destination Host Unreachable", out)
        c = self.etherbeam.counters()
        self.assertGreaterEqual(c.get("router.icmp_host_unreachable", 0), 1, c)
        self.assertGreaterEqual(c.get("router.arp_requests", 0), 3, c)

    def test_a_host_whose_packet_goes_back_out_its_own_link_is_redirected(self):
        # Another router, 10.77.0.5 on link a, is the way to 10.99.0.0/16 (etherbeam's static
        # route). A sends by its default route, through etherbeam, which forwards the ping
        # back out link a and tells A of the better first hop (ICMP host redirect, RFC 1812
        # §5.2.7.2). A's kernel takes it: its route to 10.99.0.1 now goes via 10.77.0.5.
        gateway = self.lab.add_neighbour_host(GATEWAY)
        gateway(["ip", "addr", "add", f"{BEYOND_GATEWAY}/32", "dev", "lo"])  # it answers for 10.99.0.1
        self.lab.client(["ip", "route", "replace", "default", "via", STACK_IP])  # br0 took the address
        self.assertNotIn(f"via {GATEWAY}", self.lab.client(["ip", "route", "get", BEYOND_GATEWAY]).stdout)
        out = self.ping(self.lab.client, BEYOND_GATEWAY, count=2)
        self.assertEqual(ping_stats(out), (2, 2), f"{out}\n{self.etherbeam.counters()}")
        c = self.etherbeam.counters()
        self.assertGreaterEqual(c.get("reply.icmp_redirect", 0), 1, c)
        route = self.lab.client(["ip", "route", "get", BEYOND_GATEWAY]).stdout
        self.assertIn(f"via {GATEWAY}", route)
        self.assertIn("redirected", route)

    def ask(self, command):
        r = subprocess.run([os.path.join(self.lab.build_dir, "bin", "etherbeam"), command, "--socket-dir",
                            self.lab.socket_dir], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def test_routes_and_neighbours_are_listed_as_ip_route_and_ip_neigh_do(self):
        self.assertEqual(self.ask("routes"), f"10.77.0.0/24 dev a\n10.88.0.0/24 dev b\n10.99.0.0/16 via {GATEWAY} dev a\n")
        self.assertEqual(ping_stats(self.ping(self.lab.client, B_CLIENT, count=2)), (2, 2))
        self.lab.client(["ping", "-n", "-c", "1", "-w", "8", "10.88.0.99"], check=False)  # never answered
        b_mac = self.b.client(["cat", f"/sys/class/net/{self.b.client_if}/address"]).stdout.strip()
        a_mac = self.lab.client(["cat", f"/sys/class/net/{self.lab.client_if}/address"]).stdout.strip()
        listed = self.ask("neighbours")
        self.assertRegex(listed, rf"(?m)^{re.escape(CLIENT_IP)} dev a lladdr {a_mac} (REACHABLE|STALE|PROBE)$")
        self.assertRegex(listed, rf"(?m)^{re.escape(B_CLIENT)} dev b lladdr {b_mac} (REACHABLE|STALE|PROBE)$")
        self.assertRegex(listed, r"(?m)^10\.88\.0\.99 dev b FAILED$")

if __name__ == "__main__":
    main()
