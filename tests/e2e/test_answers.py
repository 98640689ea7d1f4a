#!/usr/bin/python3
"""Real ping and arping, answered by etherbeam while the kernel holds no address."""
import os
import re
import subprocess

from e2e_base import CLIENT_IP, STACK_IP, LabTest, main, ping_stats, wait_for_counter


class Answers(LabTest):
    def setUp(self):
        super().setUp()
        self.binder = self.lab.start_binder()
        self.etherbeam = self.lab.start_etherbeam()

    def test_kernel_holds_no_address_on_the_served_interface(self):
        out = self.lab.server(["ip", "-4", "-o", "addr", "show", "dev", self.lab.server_if]).stdout
        self.assertEqual(out.strip(), "")

    def test_hundreds_of_pings_all_answered_with_payload_intact(self):
        # -p fills the payload with a pattern that ping checks on every reply.
        out = self.ping(count=300, interval="0.005", extra=["-p", "e7be4a11"])
        self.assertEqual(ping_stats(out), (300, 300), out)
        self.assertNotIn("wrong data", out)
        self.assertNotIn("DUP!", out)

    def test_large_echo_payload_comes_back(self):
        out = self.ping(count=5, extra=["-s", "1400"])
        self.assertEqual(ping_stats(out), (5, 5), out)
        self.assertIn("1408 bytes from", out)

    def test_echoes_larger_than_the_mtu_come_back_whole_as_the_kernel_answers_them(self):
        # The client's kernel sends these as 6 and 44 fragments over MTU 1500;
        # etherbeam reassembles each, and its reply leaves fragmented again.
        for size in (8000, 65000):
            out = self.ping(count=3, interval="0.2", extra=["-s", str(size), "-p", "e7be4a11"])
            self.assertEqual(ping_stats(out), (3, 3), out)
            self.assertIn(f"{size + 8} bytes from {STACK_IP}", out)
            self.assertNotIn("wrong data", out)
        counters = self.etherbeam.counters()
        self.assertEqual(counters.get("fragments.reassembled"), 6, counters)
        self.assertEqual(counters.get("fragments.received"), 3 * 6 + 3 * 44, counters)
        self.assertEqual(counters.get("replies_fragmented"), 6, counters)

    def test_arping_gets_the_interfaces_mac(self):
        out = self.lab.client(["arping", "-c", "3", "-w", "5", "-I", self.lab.client_if, STACK_IP],
                              check=False).stdout
        self.assertIn("Received 3 response(s)", out)
        macs = set(re.findall(r"\[([0-9A-Fa-f:]{17})\]", out))
        self.assertEqual(macs, {self.lab.server_mac().upper()}, out)

    def test_silence_for_an_address_it_does_not_own(self):
        out = self.ping("10.77.0.9", count=3)
        self.assertEqual(ping_stats(out)[1], 0, out)
        out = self.lab.client(["arping", "-c", "2", "-w", "3", "-I", self.lab.client_if, "10.77.0.9"],
                              check=False).stdout
        self.assertIn("Received 0 response(s)", out)

    def test_silence_for_broadcast_ping_by_default(self):
        out = self.ping("10.77.0.255", count=3, extra=["-b"])
        self.assertEqual(ping_stats(out)[1], 0, out)

    def test_udp_to_a_port_nothing_serves_is_refused_as_the_kernel_refuses_it(self):
        # A connected UDP socket learns of ICMP port unreachable as ECONNREFUSED.
        probe = ("import socket, sys\n"
                 "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)\n"
                 "s.connect((sys.argv[1], 9)); s.send(b'anyone?')\n"
                 "try:\n    s.recv(100); print('answered')\n"
                 "except ConnectionRefusedError: print('refused')\n"
                 "except socket.timeout: print('silence')\n")
        out = self.lab.client(["/usr/bin/python3", "-c", probe, STACK_IP]).stdout.strip()
        self.assertEqual(out, "refused")
        self.assertEqual(self.etherbeam.counters().get("reply.icmp_port_unreachable"), 1)

    def test_tcp_to_a_port_nothing_serves_is_refused_at_once_as_the_kernel_refuses_it(self):
        # curl's SYN is answered with a reset: "Couldn't connect" (exit 7) at once, not a
        # timeout. The client's SYN leaves its veth with the checksum unfinished (offload),
        # which raw_binder finishes, so etherbeam checks it as a wire would carry it.
        r = self.lab.client(["curl", "-sS", "--connect-timeout", "5", f"http://{STACK_IP}:8080/"], check=False)
        self.assertEqual(r.returncode, 7, r.stderr)
        self.assertIn("Couldn't connect", r.stderr)
        c = self.etherbeam.counters()
        self.assertEqual(c.get("reply.tcp_reset"), 1, c)
        self.assertEqual(c.get("ignored.tcp_bad_checksum", 0), 0, c)

    def test_an_ip_protocol_nothing_handles_is_answered_protocol_unreachable(self):
        probe = ("import sys\n"
                 "from scapy.all import ICMP, IP, Raw, conf, sr1\n"
                 "conf.verb = 0\n"
                 "a = sr1(IP(dst=sys.argv[1], proto=253)/Raw(b'anyone?'), timeout=3)\n"
                 "print('silence' if a is None else f'{a[ICMP].type}/{a[ICMP].code}')\n")
        out = self.lab.client(["/usr/bin/python3", "-c", probe, STACK_IP]).stdout.strip()
        self.assertEqual(out, "3/2")  # destination unreachable, protocol
        self.assertEqual(self.etherbeam.counters().get("reply.icmp_protocol_unreachable"), 1)

    def test_a_station_claiming_our_address_is_met_with_one_announcement(self):
        # scapy sends two gratuitous ARPs claiming STACK_IP from the client's MAC and
        # sniffs what the stack broadcasts: one Announcement (RFC 5227 §2.4), not two.
        # First the two announcements etherbeam makes when it starts must be over.
        wait_for_counter(self.etherbeam, "arp.announcements", 2)
        claim = ("import sys, threading, time\n"
                 "from scapy.all import ARP, AsyncSniffer, Ether, conf, get_if_hwaddr, sendp\n"
                 "conf.verb = 0\n"
                 "iface, ip, stack_mac = sys.argv[1], sys.argv[2], sys.argv[3].lower()\n"
                 "started = threading.Event()\n"
                 "sn = AsyncSniffer(iface=iface, lfilter=lambda p: ARP in p and p[Ether].src.lower() == stack_mac,\n"
                 "                  started_callback=started.set)\n"
                 "sn.start(); started.wait(5)\n"
                 "me = get_if_hwaddr(iface)\n"
                 "for _ in range(2):\n"
                 "    sendp(Ether(src=me, dst='ff:ff:ff:ff:ff:ff') / ARP(op=1, hwsrc=me, psrc=ip, pdst=ip), iface=iface)\n"
                 "deadline = time.time() + 3\n"
                 "while time.time() < deadline and not sn.results:\n"
                 "    time.sleep(0.05)  # scapy's sniffer has no event to wait on\n"
                 "time.sleep(0.5)  # room for a second announcement, which must not come\n"
                 "got = sn.stop()\n"
                 "print(len(got), ' '.join(f'{p[Ether].dst}:{p[ARP].op}:{p[ARP].psrc}:{p[ARP].pdst}' for p in got))\n")
        out = self.lab.client(["/usr/bin/python3", "-c", claim, self.lab.client_if, STACK_IP,
                               self.lab.server_mac()]).stdout.strip()
        self.assertEqual(out, f"1 ff:ff:ff:ff:ff:ff:1:{STACK_IP}:{STACK_IP}")
        c = self.etherbeam.counters()
        self.assertEqual(c.get("arp.address_conflicts"), 2, c)
        self.assertEqual(c.get("reply.arp_defence"), 1, c)
        self.assertEqual(c.get("arp.announcements"), 2, c)
        self.assertIn("claims our address " + STACK_IP, self.etherbeam.log())

    def test_counters_account_for_every_frame(self):
        self.ping(count=10)
        self.ping("10.77.0.9", count=2)
        c = self.etherbeam.counters()
        self.assertGreaterEqual(c["reply.icmp_echo_reply"], 10)
        self.assertGreaterEqual(c["ignored.not_our_address"], 1)
        accounted = sum(v for k, v in c.items() if k.split(".")[0] in ("reply", "ignored", "malformed"))
        self.assertEqual(accounted + c.get("frame_actor_failures", 0), c["frames_in"])
        b = self.binder.counters()
        self.assertEqual(b["frames_injected"], c["replies_sent"])
        self.assert_all_alive()

    def test_a_vlan_tagged_echo_is_answered_on_its_vlan(self):
        # The kernel hands tagged frames to raw_binder with the tag in auxdata;
        # the binder puts it back, and the reply must go out on the same VLAN.
        self.etherbeam.stop()
        self.etherbeam = self.lab.start_etherbeam("--ip", "10.77.10.2/24")
        self.assertEqual(self.tagged_echo(), "10 0 77 b'tagged'")

    def test_every_packet_io_mode_relays_echoes_arp_vlans_and_big_frames(self):
        self.etherbeam.stop()
        self.etherbeam = self.lab.start_etherbeam("--ip", "10.77.10.2/24")
        for io in ("mmap-v2", "mmap-v3", "copy"):
            with self.subTest(packet_io=io):
                self.binder.stop()
                self.binder = self.lab.start_binder("--packet-io", io)
                self.binder.wait_for_log(f"packet io {io}")
                out = self.ping(count=300, interval="0.002", extra=["-p", "e7be4a11"])
                self.assertEqual(ping_stats(out), (300, 300), out)
                self.assertNotIn("wrong data", out)
                out = self.ping(count=3, extra=["-s", "1400"])
                self.assertIn("1408 bytes from", out)
                out = self.lab.client(["arping", "-c", "3", "-w", "5", "-I", self.lab.client_if, STACK_IP],
                                      check=False).stdout
                self.assertIn("Received 3 response(s)", out)
                self.assertEqual(self.tagged_echo(), "10 0 77 b'tagged'")
                b = self.binder.counters()
                self.assertEqual(b["frames_injected"], b["frames_from_logic_server"])
                self.assertEqual(b["inject_errors"], 0)

    def tagged_echo(self):
        probe = (
            "from scapy.all import Ether, Dot1Q, IP, ICMP, srp1, conf\n"
            "conf.verb = 0\n"
            f"r = srp1(Ether(dst='{self.lab.server_mac()}') / Dot1Q(vlan=10) / IP(src='10.77.10.1', dst='10.77.10.2')"
            f" / ICMP(id=77, seq=1) / b'tagged', iface='{self.lab.client_if}', timeout=3)\n"
            "print('none' if r is None else f'{r[Dot1Q].vlan} {r[ICMP].type} {r[ICMP].id} {bytes(r[ICMP].payload)}'"
            " if Dot1Q in r and ICMP in r else 'untagged')\n")
        return self.lab.client(["/usr/bin/python3", "-c", probe]).stdout.strip()

    def test_every_concurrency_model_answers_ping_arping_and_dhcp(self):
        state = os.path.join(self.lab.workdir, "state")
        for model in ("per-frame", "per-protocol", "inline"):
            with self.subTest(model=model):
                self.etherbeam.stop()
                self.etherbeam = self.lab.start_etherbeam("--model", model, "--workers", "3", "--io-batch", "16",
                                                          "--dhcp-pool", "10.77.0.100-10.77.0.199",
                                                          "--state-dir", state)
                self.etherbeam.wait_for_log(f"model {model}")
                out = self.ping(count=200, interval="0.002", extra=["-p", "e7be4a11"])
                self.assertEqual(ping_stats(out), (200, 200), out)
                self.assertNotIn("wrong data", out)
                out = self.lab.client(["arping", "-c", "3", "-w", "5", "-I", self.lab.client_if, STACK_IP],
                                      check=False).stdout
                self.assertIn("Received 3 response(s)", out)
                r = self.lab.client(["busybox", "udhcpc", "-i", self.lab.client_if, "-n", "-q", "-f", "-t", "5",
                                     "-T", "1", "-s", "/bin/true"], check=False)
                self.assertIn("obtained", r.stdout + r.stderr)
                self.assertTrue(self.etherbeam.alive() and self.binder.alive(), self.etherbeam.log())


class BroadcastPing(LabTest):
    def test_broadcast_ping_answered_when_configured(self):
        self.lab.start_binder()
        self.lab.start_etherbeam("--answer-broadcast-ping")
        out = self.ping("10.77.0.255", count=3, extra=["-b"])
        self.assertEqual(ping_stats(out)[1], 3, out)
        self.assertIn(f"from {STACK_IP}", out)


class ConfiguredIdentity(LabTest):
    SECOND_IP = "10.77.0.20"
    MAC = "02:00:00:00:BE:01"

    def assert_answers_with(self, mac, addresses):
        for address in addresses:
            out = self.lab.client(["arping", "-c", "2", "-w", "5", "-I", self.lab.client_if, address],
                                  check=False).stdout
            self.assertIn("Received 2 response(s)", out)
            self.assertEqual(set(re.findall(r"\[([0-9A-Fa-f:]{17})\]", out)), {mac}, out)
            self.assertEqual(ping_stats(self.ping(address, count=20)), (20, 20))
        self.assert_all_alive()

    def test_several_addresses_and_a_mac_other_than_the_interfaces(self):
        self.lab.start_binder("--promisc")
        self.lab.start_etherbeam("--ip", f"{self.SECOND_IP}/24", "--mac", self.MAC)
        self.assert_answers_with(self.MAC, [STACK_IP, self.SECOND_IP])

    def test_addresses_from_a_config_file(self):
        config = os.path.join(self.lab.workdir, "etherbeam.toml")
        with open(config, "w") as f:
            f.write(f'[stack]\naddresses = ["{STACK_IP}/24", "{self.SECOND_IP}/24"]\n')
        self.lab.start_binder()
        self.lab.start_etherbeam("--config", config, ip=None)
        self.assert_answers_with(self.lab.server_mac().upper(), [STACK_IP, self.SECOND_IP])


# Sniffs ARP from the stack's MAC for a few seconds, from before etherbeam starts.
ANNOUNCEMENTS = """
import sys
from scapy.all import ARP, Ether, conf, sniff
conf.verb = 0
iface, mac = sys.argv[1], sys.argv[2].lower()
got = sniff(iface=iface, timeout=float(sys.argv[3]),
            lfilter=lambda p: ARP in p and p[Ether].src.lower() == mac,
            started_callback=lambda: print("sniffing", flush=True))
print(" ".join(f"{p[Ether].dst}:{p[ARP].op}:{p[ARP].psrc}:{p[ARP].pdst}:{p.time:.1f}" for p in got), flush=True)
"""


class Announcements(LabTest):
    def test_etherbeam_announces_its_addresses_twice_2_s_apart_when_it_starts(self):
        self.lab.start_binder()
        sniffer = self.lab.client_popen(["/usr/bin/python3", "-c", ANNOUNCEMENTS, self.lab.client_if,
                                         self.lab.server_mac(), "5"], stdout=subprocess.PIPE, text=True)
        self.assertEqual(sniffer.stdout.readline().strip(), "sniffing")
        etherbeam = self.lab.start_etherbeam()
        out = sniffer.communicate(timeout=30)[0].split()
        self.assertEqual(len(out), 2, out)
        for seen in out:
            dst, op, psrc, pdst, _ = seen.rsplit(":", 4)
            self.assertEqual((dst, op, psrc, pdst), ("ff:ff:ff:ff:ff:ff", "1", STACK_IP, STACK_IP))
        gap = float(out[1].rsplit(":", 1)[1]) - float(out[0].rsplit(":", 1)[1])
        self.assertGreaterEqual(gap, 1.5, out)  # RFC 5227: ANNOUNCE_INTERVAL, 2 s
        self.assertEqual(etherbeam.counters().get("arp.announcements"), 2)


if __name__ == "__main__":
    main()
