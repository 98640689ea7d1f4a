#!/usr/bin/python3
"""The DHCP server against real clients: dhclient, udhcpc, dhcpcd, perfdhcp.

Client scripts only record what the client was given (into a file in the
lab's directory); nothing touches the host's addresses, routes or resolv.conf.
"""
import json
import os
import re
import signal
import subprocess
import time

from e2e_base import LabTest, main

CONFIG = """
[dhcp]
state_dir = "{state}"
[[dhcp.subnet]]
subnet = "10.77.0.0/24"
pools = ["10.77.0.100-10.77.0.199"]
lease_time = 600
routers = ["10.77.0.1"]
dns_servers = ["10.77.0.53", "10.77.0.54"]
domain_name = "lab.example"
domain_search = ["lab.example", "example"]
classless_static_route = ["198.51.100.0/24 via 10.77.0.254", "0.0.0.0/0 via 10.77.0.1"]
interface_mtu = 1400
  [[dhcp.subnet.reservation]]
  mac = "02:00:00:00:00:42"
  address = "10.77.0.42"
"""

# Records the client's variables on every event; changes nothing else. One
# write per event, so that a reader never sees an event without its variables.
RECORDER = """#!/bin/sh
record=$(echo "event=$1 reason=$reason"; env | grep -E '^(new_|ip=|router=|dns=|lease=|subnet=|domain=)')
printf '%s\\n\\n' "$record" >> {log}
exit 0
"""

# For udhcpc: records, and puts the leased address on the client's interface
# (in the lab's client namespace) so that its RELEASE can leave from it.
UDHCPC_SCRIPT = """#!/bin/sh
{{ echo "event=$1"; env | grep -E '^(ip=|router=|dns=|lease=)'; echo; }} >> {log}
case "$1" in bound|renew) ip addr replace "$ip/$mask" dev "$interface" ;; esac
exit 0
"""


class Dhcp(LabTest):
    def setUp(self):
        super().setUp()
        self.state = os.path.join(self.lab.workdir, "state")
        self.config = os.path.join(self.lab.workdir, "etherbeam.toml")
        with open(self.config, "w") as f:
            f.write(CONFIG.format(state=self.state))
        self.record = os.path.join(self.lab.workdir, "client-events")
        self.script = os.path.join(self.lab.workdir, "record.sh")
        with open(self.script, "w") as f:
            f.write(RECORDER.format(log=self.record))
        os.chmod(self.script, 0o755)
        self.udhcpc_script = os.path.join(self.lab.workdir, "udhcpc.sh")
        with open(self.udhcpc_script, "w") as f:
            f.write(UDHCPC_SCRIPT.format(log=self.record))
        os.chmod(self.udhcpc_script, 0o755)
        self.binder = self.lab.start_binder()
        self.etherbeam = self.start_server()

    def start_server(self):
        return self.lab.start_etherbeam("--config", self.config)

    def assert_all_alive(self):
        for d in (self.binder, self.etherbeam):
            self.assertTrue(d.alive(), f"{d.name} died; its log:\n{d.log()}")

    def events(self):
        try:
            with open(self.record) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def leases(self, *extra):
        out = subprocess.run([os.path.join(self.lab.build_dir, "bin", "etherbeam"), "leases", "--json",
                              "--state-dir", self.state, *extra], capture_output=True, text=True, check=True)
        return json.loads(out.stdout)

    def add_client_interface(self, name, mac):
        """A second client station on the same link (macvlan over the client veth)."""
        self.lab.client(["ip", "link", "add", "link", self.lab.client_if, "name", name, "address", mac,
                         "type", "macvlan", "mode", "bridge"])
        self.lab.client(["ip", "link", "set", name, "up"])
        return name

    def udhcpc_once(self, iface=None):
        r = self.lab.client(["busybox", "udhcpc", "-i", iface or self.lab.client_if, "-n", "-q", "-f",
                             "-t", "5", "-T", "1", "-s", self.script], check=False)
        m = re.search(r"lease of ([\d.]+) obtained", r.stdout + r.stderr)
        self.assertIsNotNone(m, r.stdout + r.stderr)
        return m.group(1)

    def dhclient_until_bound(self, base, times=1):
        """Runs dhclient in the foreground until it has bound `times` times, then stops it."""
        proc = self.lab.client_popen(base + ["-d", self.lab.client_if], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        try:
            lines = []
            for line in proc.stderr:
                lines.append(line)
                if line.startswith("bound to "):
                    times -= 1
                    if times == 0:
                        return "".join(lines)
            self.fail("dhclient never bound:\n" + "".join(lines))
        finally:
            proc.terminate()
            proc.wait()
            proc.stderr.close()

    def test_dhclient_gets_its_lease_again_after_a_reboot_renews_and_releases_it(self):
        lease_file = os.path.join(self.lab.workdir, "dhclient.leases")
        base = ["dhclient", "-4", "-v", "-sf", self.script, "-lf", lease_file,
                "-pf", os.path.join(self.lab.workdir, "dhclient.pid")]
        out = self.dhclient_until_bound(base)
        self.assertIn("DHCPACK of 10.77.0.100 from 10.77.0.2", out)
        ev = self.events()
        self.assertIn("new_ip_address=10.77.0.100", ev)
        self.assertIn("new_routers=10.77.0.1", ev)
        self.assertIn("new_domain_name_servers=10.77.0.53 10.77.0.54", ev)
        self.assertIn("new_domain_name=lab.example", ev)
        self.assertIn("new_dhcp_lease_time=600", ev)
        # Options 119 and 121 as dhclient decodes them (Debian's dhclient.conf
        # defines 121 as rfc3442-classless-static-routes, bytes in decimal).
        self.assertIn("new_domain_search=lab.example. example.", ev)
        self.assertIn("new_rfc3442_classless_static_routes=24 198 51 100 10 77 0 254 0 10 77 0 1", ev)
        self.assertIn("new_interface_mtu=1400", ev)
        # Started again with its lease file, dhclient asks for its address back (INIT-REBOOT).
        out = self.dhclient_until_bound(base)
        self.assertIn("DHCPREQUEST for 10.77.0.100", out)
        self.assertIn("DHCPACK of 10.77.0.100 from 10.77.0.2", out)
        self.assertEqual([l["address"] for l in self.leases()], ["10.77.0.100"])
        # A short lease makes dhclient renew (RENEWING, unicast with ciaddr) within seconds.
        self.restart_with_lease_time(8)
        out = self.dhclient_until_bound(base, times=2)
        self.assertRegex(out, r"DHCPREQUEST for 10\.77\.0\.100 on \S+ to 10\.77\.0\.2 port 67")
        self.assertEqual(out.count("DHCPACK of 10.77.0.100 from 10.77.0.2"), 2, out)
        self.lab.client(base + ["-r", self.lab.client_if], check=False, timeout=60)
        self.wait_for_counter("dhcp.released", 1)
        self.assertEqual(self.leases(), [])
        self.assertEqual([l["state"] for l in self.leases("--all")], ["released"])
        self.assert_all_alive()

    def test_udhcpc_renews_keeping_its_address_and_releases_it(self):
        proc = self.lab.client_popen(["busybox", "udhcpc", "-i", self.lab.client_if, "-f", "-t", "5", "-T", "1",
                                      "-s", self.udhcpc_script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True)
        self.addCleanup(lambda: (proc.kill(), proc.wait(), proc.stdout.close()))
        self.assertEqual(self.read_until(proc, r"lease of ([\d.]+) obtained"), "10.77.0.100")
        proc.send_signal(signal.SIGUSR1)  # renew now: unicast, from its UDP socket, checksum offloaded
        self.assertEqual(self.read_until(proc, r"lease of ([\d.]+) obtained"), "10.77.0.100")
        ev = self.wait_for_event("event=renew")
        self.assertEqual(self.etherbeam.counters().get("malformed.udp.bad_checksum", 0), 0)
        self.assertIn("router=10.77.0.1", ev)
        self.assertIn("dns=10.77.0.53 10.77.0.54", ev)
        self.assertIn("lease=600", ev)
        self.assertGreaterEqual(self.etherbeam.counters()["dhcp.acked"], 2)
        proc.send_signal(signal.SIGUSR2)  # release
        self.wait_for_counter("dhcp.released", 1)
        self.assertEqual(self.leases(), [])

    def test_dhcpcd_gets_renews_and_releases_its_lease(self):
        # dhcpcd puts the lease on the interface itself, in the client namespace;
        # its hook script (resolv.conf and the like) is replaced by the recorder.
        daemon = self.lab.client_popen(["dhcpcd", "-4", "-B", "-t", "30", "-c", self.script, self.lab.client_if],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: (daemon.kill(), daemon.wait()))
        ev = self.wait_for_event("reason=BOUND", timeout=30)
        self.assertIn("new_ip_address=10.77.0.100", ev)
        self.assertIn("new_routers=10.77.0.1", ev)
        self.assertIn("new_domain_name_servers=10.77.0.53 10.77.0.54", ev)
        self.assertIn("new_dhcp_lease_time=600", ev)
        acked = self.etherbeam.counters()["dhcp.acked"]
        self.lab.client(["dhcpcd", "-4", "--renew", self.lab.client_if], check=False)
        self.wait_for_counter("dhcp.acked", acked + 1)
        self.assertEqual([l["address"] for l in self.leases()], ["10.77.0.100"])
        self.lab.client(["dhcpcd", "-4", "--release", self.lab.client_if], check=False)
        self.wait_for_counter("dhcp.released", 1)
        self.assertEqual(self.leases(), [])

    def test_two_clients_get_different_addresses_and_a_reservation_is_honoured(self):
        second = self.add_client_interface("ebmv1", "02:00:00:00:00:07")
        reserved = self.add_client_interface("ebmv2", "02:00:00:00:00:42")
        first_address = self.udhcpc_once()
        second_address = self.udhcpc_once(second)
        self.assertNotEqual(first_address, second_address)
        self.assertEqual(self.udhcpc_once(reserved), "10.77.0.42")
        self.assertEqual(len(self.leases()), 3)

    def test_a_client_gets_the_same_address_after_the_server_is_killed_and_restarted(self):
        self.add_client_interface("ebmv1", "02:00:00:00:00:07")
        self.udhcpc_once()  # takes .100, so the next client's address is not simply the first
        address = self.udhcpc_once("ebmv1")
        self.assertEqual(self.etherbeam.stop(signal.SIGKILL), -signal.SIGKILL)
        self.etherbeam = self.start_server()
        self.etherbeam.wait_for_log("2 lease records loaded")
        self.assertEqual(self.udhcpc_once("ebmv1"), address)

    def test_the_journal_is_compacted_while_serving_and_loses_nothing(self):
        # A small slack makes renewals of a few clients trigger compactions.
        with open(self.config) as f:
            text = f.read().replace("[dhcp]\n", "[dhcp]\ncompaction_slack = 20\n", 1)
        with open(self.config, "w") as f:
            f.write(text)
        self.etherbeam.stop()
        self.etherbeam = self.start_server()
        r = self.lab.client(["perfdhcp", "-4", "-l", self.lab.client_if, "-r", "100", "-n", "400", "-R", "10",
                             "-W", "2000000"], check=False, timeout=120)
        out = r.stdout + r.stderr
        self.assertEqual(re.findall(r"drops: (\d+)", out), ["0", "0"], out)
        counters = self.wait_for_counter("journal.compactions", 1)
        self.assertEqual(counters["dhcp.acked"], 400)
        self.etherbeam.wait_for_log("lease journal compacted from")
        self.assertEqual(len(self.leases()), 10)
        # What a restart reads back is what was acknowledged: ten leases, no loss.
        self.assertEqual(self.etherbeam.stop(), 0, "SIGTERM ends a DHCP-serving etherbeam cleanly")
        self.etherbeam = self.start_server()
        self.etherbeam.wait_for_log("lease records loaded")
        self.assertEqual(len(self.leases()), 10)
        with open(os.path.join(self.state, "leases.journal")) as journal:
            self.assertLess(len(journal.readlines()), 400)

    def test_sighup_reloads_pools_and_reservations_keeping_leases_and_refuses_a_bad_config(self):
        first = self.udhcpc_once()
        self.assertEqual(first, "10.77.0.100")
        with open(self.config) as f:
            text = f.read()
        with open(self.config, "w") as f:
            f.write(text.replace('pools = ["10.77.0.100-10.77.0.199"]', 'pools = ["10.77.0.150-10.77.0.160"]')
                        .replace('mac = "02:00:00:00:00:42"', 'mac = "02:00:00:00:00:07"'))
        self.etherbeam.popen.send_signal(signal.SIGHUP)
        self.etherbeam.wait_for_log("dhcp: configuration reloaded (1 subnets); 1 lease records kept")
        self.add_client_interface("ebmv1", "02:00:00:00:00:07")  # now holds the reservation
        self.add_client_interface("ebmv2", "02:00:00:00:00:08")
        self.assertEqual(self.udhcpc_once("ebmv1"), "10.77.0.42")
        self.assertEqual(self.udhcpc_once("ebmv2"), "10.77.0.150")
        self.assertIn("10.77.0.100", [l["address"] for l in self.leases()])
        # A broken configuration is refused, named, and the running one stays.
        with open(self.config, "a") as f:
            f.write('\n[[dhcp.subnet]]\nsubnet = "10.77.0.0/24"\npools = ["10.77.0.9-10.77.0.1"]\n')
        self.etherbeam.popen.send_signal(signal.SIGHUP)
        self.etherbeam.wait_for_log("configuration not reloaded, the running one stays")
        self.assertIn("ends before it starts", self.etherbeam.log())
        self.add_client_interface("ebmv3", "02:00:00:00:00:09")
        self.assertEqual(self.udhcpc_once("ebmv3"), "10.77.0.151")
        self.assert_all_alive()

    def test_perfdhcp_completes_its_exchanges_without_drops(self):
        r = self.lab.client(["perfdhcp", "-4", "-l", self.lab.client_if, "-r", "50", "-n", "200", "-R", "80",
                             "-W", "2000000"],  # wait 2 s for the last replies before counting drops
                            check=False, timeout=120)
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, out)
        self.assertEqual(re.findall(r"drops: (\d+)", out), ["0", "0"], out)
        self.assertEqual(len(self.leases()), 80)
        # perfdhcp sends from a kernel UDP socket as a relay: on a veth at its default
        # offloads every checksum arrives unfinished, and raw_binder finished them.
        self.assertGreaterEqual(self.binder.counters()["checksums_completed"], 160)
        self.assert_all_alive()

    # -- helpers -------------------------------------------------------------
    def read_until(self, proc, pattern, timeout=30):
        deadline = time.monotonic() + timeout
        seen = []
        for line in proc.stdout:
            seen.append(line)
            m = re.search(pattern, line)
            if m:
                return m.group(1)
            if time.monotonic() > deadline:
                break
        self.fail(f"no {pattern!r} in:\n{''.join(seen)}")

    def restart_with_lease_time(self, seconds):
        with open(self.config) as f:
            text = f.read().replace("lease_time = 600", f"lease_time = {seconds}")
        with open(self.config, "w") as f:
            f.write(text)
        self.assertEqual(self.etherbeam.stop(), 0)
        self.etherbeam = self.start_server()

    def wait_for_event(self, text, timeout=10):
        """The client's script runs after it prints its lease: wait for its record."""
        deadline = time.monotonic() + timeout
        while text not in self.events():
            if time.monotonic() > deadline:
                self.fail(f"the client script never recorded {text!r}:\n{self.events()}")
            time.sleep(0.02)  # a file another program writes: nothing to await
        return self.events()

    def wait_for_counter(self, name, at_least, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            counters = self.etherbeam.counters()
            if counters.get(name, 0) >= at_least:
                return counters
            if time.monotonic() > deadline:
                self.fail(f"{name} stayed below {at_least}: {counters}")
            time.sleep(0.05)  # counters come from SIGUSR1 on the daemon: nothing to await


if __name__ == "__main__":
    main()
