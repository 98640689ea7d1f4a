#!/usr/bin/python3
"""The bridge and the router together, as a home router: two LAN ports bridged
into one subnet, routed (with a firewall and masquerade) to a WAN link.

    host A 10.77.0.1 ⇄ link a ─┐ bridge, 10.77.0.2/24 (held by link a)
    host B 10.77.0.3 ⇄ link b ─┘        │ router, masquerade
    server W 10.88.0.1 ⇄ link w ───── 10.88.0.2/24

Both LAN hosts use 10.77.0.2 as their gateway (scripts/netns_lab.py's
write_home_router_config, which `just demo home` runs too). B sits behind link b, which holds
no address: the router asks for it by ARP on every bridged link and sends by the
one it answered on, from that link's MAC. curl, python's http.server, ping,
traceroute.
"""
import hashlib
import os
import re
import subprocess

from e2e_base import CLIENT_IP, STACK_IP, LabTest, main, ping_stats
import netns_lab  # noqa: E402  (e2e_base put scripts/ on the path)

B_HOST, W_HOST, W_STACK = "10.77.0.3", "10.88.0.1", "10.88.0.2"

class HomeRouter(LabTest):
    BRIDGE_RULES = None

    def setUp(self):
        super().setUp()
        self.b = self.lab.add_link(B_HOST)
        self.w = self.lab.add_link(W_HOST)
        config = netns_lab.write_home_router_config(self.lab, self.b, self.w, W_STACK,
                                                    bridge_rules=self.BRIDGE_RULES)
        self.lab.client(["ip", "route", "add", "default", "via", STACK_IP])
        self.b.client(["ip", "route", "add", "default", "via", STACK_IP])
        self.lab.start_binder("--promisc")
        self.b.start_binder("--promisc")
        self.w.start_binder()
        self.etherbeam = self.lab.start_etherbeam_with("--config", config)

    def test_a_host_behind_the_bridged_link_reaches_the_wan_masqueraded(self):
        data = os.urandom(2_000_000)
        w_log = self.serve(self.w, W_HOST, 8080, "w", data)
        for client in (self.b.client, self.lab.client):
            r, digest = self.curl(client, f"http://{W_HOST}:8080/big")
            self.assertEqual((r.returncode, r.stdout), (0, "200"), r.stderr + str(self.etherbeam.counters()))
            self.assertEqual(digest, hashlib.sha256(data).hexdigest())
        self.assertIn(f"{W_STACK} - -", w_log())
        self.assertNotIn(B_HOST, w_log())
        out = self.b.client(["ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", W_HOST], check=False).stdout
        self.assertEqual(ping_stats(out), (3, 3), out)
        # The router found B behind link b, and says so as ip neigh would.
        neighbours = self.cli("neighbours").stdout
        self.assertRegex(neighbours, rf"(?m)^{re.escape(B_HOST)} dev b lladdr \S+ (REACHABLE|STALE)", neighbours)
        # B's traceroute sees the router as its first hop, from the gateway address.
        r = self.b.client(["traceroute", "-n", "-q", "1", "-w", "2", "-m", "3", W_HOST], check=False, timeout=30)
        hops = [line.split()[1] for line in r.stdout.splitlines()[1:]]
        self.assertEqual(hops[:2], [STACK_IP, W_HOST], r.stdout + r.stderr)
        c = self.etherbeam.counters()
        self.assertGreater(c.get("firewall.rule.lan_out.packets", 0), 0, c)

    def test_the_lan_hosts_reach_each_other_and_the_router(self):
        for client, address in ((self.lab.client, B_HOST), (self.b.client, CLIENT_IP), (self.b.client, STACK_IP)):
            out = client(["ping", "-n", "-c", "3", "-i", "0.1", "-W", "2", address], check=False).stdout
            self.assertEqual(ping_stats(out), (3, 3), f"{address}: {out}")
        # Nothing new comes in from the WAN (the forward policy).
        self.w.client(["ip", "route", "add", "10.77.0.0/24", "via", W_STACK])
        out = self.w.client(["ping", "-n", "-c", "2", "-i", "0.2", "-W", "1", B_HOST], check=False).stdout
        self.assertEqual(ping_stats(out), (2, 0), out)

    def test_a_lan_host_that_moves_to_the_other_port_is_followed_once_it_announces_itself(self):
        out = self.b.client(["ping", "-n", "-c", "2", "-i", "0.2", "-W", "2", W_HOST], check=False).stdout
        self.assertEqual(ping_stats(out), (2, 2), out)
        b_mac = self.b.client(["cat", f"/sys/class/net/{self.b.client_if}/address"]).stdout.strip()
        # B unplugs from port b and plugs into port a, keeping its MAC and address: a second
        # interface in A's namespace (a macvlan on A's veth) takes both over, with B's own routes.
        self.b.client(["ip", "link", "set", "dev", self.b.client_if, "down"])
        a = self.lab.client
        a(["ip", "link", "add", "moved", "link", self.lab.client_if, "address", b_mac, "type", "macvlan", "mode",
           "bridge"])
        a(["ip", "addr", "add", f"{B_HOST}/32", "dev", "moved"])
        a(["ip", "link", "set", "dev", "moved", "up"])
        a(["ip", "rule", "add", "from", B_HOST, "table", "100"])
        a(["ip", "route", "add", "default", "via", STACK_IP, "dev", "moved", "onlink", "table", "100"])
        # It announces itself, as a host does when its link comes up; the router, which knew
        # it behind port b, now sends to it by port a.
        a(["arping", "-U", "-c", "1", "-I", "moved", B_HOST], check=False)
        out = a(["ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", "-I", B_HOST, W_HOST], check=False).stdout
        self.assertEqual(ping_stats(out), (3, 3), f"{out}\n{self.cli('neighbours').stdout}")
        self.assertRegex(self.cli("neighbours").stdout, rf"(?m)^{re.escape(B_HOST)} dev a ")

    def cli(self, *args):
        return subprocess.run([os.path.join(self.lab.build_dir, "bin", "etherbeam"), *args, "--socket-dir",
                               self.lab.socket_dir], capture_output=True, text=True, timeout=30)


class HomeRouterWithABridgeFirewall(HomeRouter):
    """The same, the bridge filtering between the LAN ports too: what is routed is the
    router's firewall's to judge, not the bridge's (as Linux's br0 passes it up to IP)."""
    BRIDGE_RULES = """chain forward policy drop {
  ct state established,related accept
  ct state invalid drop
  iif a accept
  iif b oif a icmp type echo-request accept
  iif b oif a tcp dport 22 reject
}
"""

    def test_the_bridge_filters_between_the_lan_ports(self):
        connect = ("import socket\ntry:\n"
                   f"    socket.create_connection(('{CLIENT_IP}', 22), timeout=3)\n    print('connected')\n"
                   "except ConnectionRefusedError:\n    print('refused')\n"
                   "except socket.timeout:\n    print('timeout')\n")
        self.assertEqual(self.b.client(["/usr/bin/python3", "-c", connect], check=False).stdout.strip(), "refused")
        self.assertEqual(self.etherbeam.counters().get("reply.firewall_reject", 0), 1)
        out = self.b.client(["ping", "-n", "-c", "2", "-i", "0.2", "-W", "1", CLIENT_IP],
                            check=False).stdout
        self.assertEqual(ping_stats(out), (2, 2), out)
        # Both firewalls answer `etherbeam conntrack` and `firewall`, each under its name.
        out = self.b.client(["ping", "-n", "-c", "1", "-W", "2", W_HOST], check=False).stdout
        self.assertEqual(ping_stats(out), (1, 1), out)
        flows = self.cli("conntrack").stdout
        bridge_part, router_part = flows.split("# the flows the router firewall tracks")
        self.assertIn("# the flows the bridge firewall tracks", bridge_part)
        self.assertIn(f"icmp {B_HOST}", bridge_part)  # the ping across the bridge
        self.assertIn(f"icmp {B_HOST}", router_part)  # the ping routed to the WAN, masqueraded
        self.assertIn(W_STACK, router_part)
        self.assertEqual(len(re.findall(r"(?m)^flows \d+ of \d+$", self.cli("firewall").stdout)), 2)

    def test_one_trace_shows_what_each_firewall_judged(self):
        # B's ping to A crosses the bridge (the bridge's firewall judges it); its ping to the
        # WAN is routed (the router's does). One `etherbeam trace` sees both, each named.
        tracer = subprocess.Popen([os.path.join(self.lab.build_dir, "bin", "etherbeam"), "trace", "-c", "6",
                                   "--seconds", "20", "icmp", "host", B_HOST, "--socket-dir", self.lab.socket_dir],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: tracer.poll() is None and tracer.kill())
        for _ in range(20):  # until the trace, armed once the control socket takes it, has its packets
            self.b.client(["ping", "-n", "-c", "1", "-W", "1", CLIENT_IP], check=False)
            self.b.client(["ping", "-n", "-c", "1", "-W", "1", W_HOST], check=False)
            if tracer.poll() is not None:
                break
        stdout, stderr = tracer.communicate(timeout=30)
        self.assertEqual(tracer.returncode, 0, stderr)
        self.assertRegex(stdout, rf"(?m)^bridge: b icmp {B_HOST}\S* > {CLIENT_IP}", stdout)
        self.assertRegex(stdout, rf"(?m)^router: b icmp {B_HOST}\S* > {W_HOST}", stdout)


if __name__ == "__main__":
    main()
