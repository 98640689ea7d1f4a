#!/usr/bin/python3
"""One etherbeam serving two links: two raw_binders on two veths into two client
namespaces, each link answering ARP, ping and DHCP for its own subnet; one
binder killed and restarted while the other link keeps answering every ping."""
import os
import re
import signal
import subprocess

from e2e_base import CLIENT_IP, STACK_IP, LabTest, main, ping_stats

B_CLIENT, B_STACK = "10.88.0.1", "10.88.0.2"

CONFIG = """
socket_dir = "{a_dir}"

[[link]]
name = "a"
socket_dir = "{a_dir}"
addresses = ["{a_stack}/24"]

[[link]]
name = "b"
socket_dir = "{b_dir}"
addresses = ["{b_stack}/24"]

[dhcp]
state_dir = "{state}"

[[dhcp.subnet]]
subnet = "10.77.0.0/24"
pools = ["10.77.0.100-10.77.0.149"]
routers = ["10.77.0.2"]

[[dhcp.subnet]]
subnet = "10.88.0.0/24"
pools = ["10.88.0.100-10.88.0.149"]
routers = ["10.88.0.2"]
"""


class TwoLinks(LabTest):
    def setUp(self):
        super().setUp()
        self.b = self.lab.add_link(B_CLIENT)
        config = os.path.join(self.lab.workdir, "etherbeam.toml")
        with open(config, "w") as f:
            f.write(CONFIG.format(a_dir=self.lab.socket_dir, b_dir=self.b.socket_dir, a_stack=STACK_IP,
                                  b_stack=B_STACK, state=os.path.join(self.lab.workdir, "state")))
        self.binder_a = self.lab.start_binder()
        self.binder_b = self.b.start_binder()
        self.etherbeam = self.lab.start_etherbeam_with("--config", config)

    def ping(self, client, address, count=5, interval="0.01"):
        return ping_stats(client(["ping", "-n", "-c", str(count), "-i", interval, "-W", "1",
                                  "-w", str(max(5, int(count * float(interval)) + 5)), address], check=False).stdout)

    def arping_macs(self, client, iface, address):
        out = client(["arping", "-c", "2", "-w", "4", "-I", iface, address], check=False).stdout
        return set(m.lower() for m in re.findall(r"\[([0-9A-Fa-f:]{17})\]", out))

    def udhcpc_lease(self, client, iface):
        r = client(["busybox", "udhcpc", "-i", iface, "-n", "-q", "-f", "-t", "5", "-T", "1",
                    "-s", "/bin/true"], check=False)
        m = re.search(r"lease of ([\d.]+) obtained", r.stdout + r.stderr)
        self.assertIsNotNone(m, r.stdout + r.stderr)
        return m.group(1)

    def test_each_link_answers_arp_ping_and_dhcp_for_its_own_subnet(self):
        a, b = self.lab, self.b
        self.assertEqual(self.arping_macs(a.client, a.client_if, STACK_IP), {a.server_mac()})
        self.assertEqual(self.arping_macs(b.client, b.client_if, B_STACK), {b.server_mac()})
        self.assertEqual(self.ping(a.client, STACK_IP), (5, 5))
        self.assertEqual(self.ping(b.client, B_STACK), (5, 5))
        # Each link owns only its own address: B's is not claimed on A.
        self.assertEqual(self.arping_macs(a.client, a.client_if, B_STACK), set())
        self.assertRegex(self.udhcpc_lease(a.client, a.client_if), r"^10\.77\.0\.1[0-4]\d$")
        self.assertRegex(self.udhcpc_lease(b.client, b.client_if), r"^10\.88\.0\.1[0-4]\d$")
        c = self.etherbeam.counters()
        for link in ("a", "b"):
            self.assertGreater(c.get(f"link.{link}.frames_in", 0), 0, c)
            self.assertGreater(c.get(f"link.{link}.replies_sent", 0), 0, c)
        self.assertEqual(c["frames_in"], c["link.a.frames_in"] + c["link.b.frames_in"], c)
        self.assertEqual(c.get("dhcp.acked"), 2, c)
        self.assert_all_alive()

    def test_a_binder_killed_and_restarted_while_the_other_link_loses_nothing(self):
        a, b = self.lab, self.b
        self.assertEqual(self.ping(b.client, B_STACK, count=3), (3, 3))
        # 20 s of pings on link a, across the kill and the restart on link b.
        pinging_a = a.client_popen(["ping", "-n", "-c", "2000", "-i", "0.01", "-W", "1", STACK_IP],
                                   stdout=subprocess.PIPE, text=True)
        self.binder_b.stop(signal.SIGKILL)
        self.assertEqual(self.ping(b.client, B_STACK, count=3)[1], 0, "link b has no binder")
        self.binder_b = b.start_binder()
        self.assertEqual(self.ping(b.client, B_STACK, count=5), (5, 5), "link b serves again")
        self.assertIsNone(pinging_a.poll(), "link a's pings must span the restart")
        out, _ = pinging_a.communicate(timeout=60)
        self.assertEqual(ping_stats(out), (2000, 2000), "link a lost nothing:\n" + out[-500:])
        self.assertTrue(self.etherbeam.alive(), self.etherbeam.log())
        c = self.etherbeam.counters()
        self.assertEqual(c.get("actor_restarts", 0), 0, "a binder's restart restarts no actor")


if __name__ == "__main__":
    main()
