#!/usr/bin/python3
"""Fair admission: a flood of one kind of traffic costs the others nothing
but their turn. raw_binder's lanes (binder/traffic_lanes.hpp) give ARP, IPv4
UDP (DHCP), TCP and the rest a packet socket and ring each; while etherbeam has no
room no lane is read, and each ring sheds its own frames.

- An ICMP echo flood far beyond what etherbeam answers (ebgen, open loop)
  while perfdhcp runs DORA at a modest rate and arping asks: DHCP keeps its
  rate (under 1% of exchanges lost), every ARP request is answered.
- A DHCP flood (perfdhcp well beyond the lease manager's rate) while ping and
  arping run: echo requests keep being answered (at most 1% lost), and every
  ARP request.

ETHERBEAM_LANES=1 runs the same with one lane, to see what the lanes buy
(printed as "fairness:" lines).
"""
import os
import re
import subprocess

from e2e_base import CLIENT_IP, STACK_IP, LabTest, main, ping_stats, wait_for_counter

CONFIG = """
[dhcp]
state_dir = "{state}"
[[dhcp.subnet]]
subnet = "10.77.0.0/16"
pools = ["10.77.1.0-10.77.255.250"]
lease_time = 600
"""
LANES = os.environ.get("ETHERBEAM_LANES", "4")


def perfdhcp_drops(output):
    """(exchanges sent, dropped) for DISCOVER-OFFER and REQUEST-ACK together."""
    sent = sum(int(n) for n in re.findall(r"sent packets: (\d+)", output))
    drops = sum(int(n) for n in re.findall(r"drops: (\d+)", output))
    if not sent:
        raise AssertionError(f"no perfdhcp statistics in:\n{output}")
    return sent, drops


class FairAdmission(LabTest):
    def setUp(self):
        super().setUp()
        config = os.path.join(self.lab.workdir, "etherbeam.toml")
        with open(config, "w") as f:
            f.write(CONFIG.format(state=os.path.join(self.lab.workdir, "state")))
        self.binder = self.lab.start_binder("--lanes", LANES)
        self.etherbeam = self.lab.start_etherbeam("--config", config, ip=f"{STACK_IP}/16")
        self.assertIn("1 received", self.ping(count=1))
        # Its two ARP announcements (RFC 5227, 2 s apart) are over: arping
        # would count them as answers.
        wait_for_counter(self.etherbeam, "arp.announcements", 2)

    def background(self, cmd):
        proc = self.lab.client_popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.addCleanup(proc.stdout.close)
        self.addCleanup(lambda: proc.poll() is None and (proc.kill(), proc.wait()))
        return proc

    def icmp_flood(self, seconds):
        """Echo requests open loop at about what the generator can send: several
        times what etherbeam (or the kernel on a lab of its own) answers."""
        return self.background([os.path.join(self.lab.build_dir, "bin", "ebgen"), "-i", self.lab.client_if,
                                "-s", CLIENT_IP, "-t", STACK_IP, "--proto", "icmp", "--mode", "paced",
                                "-r", "1000000", "-d", str(seconds)])

    def perfdhcp(self, rate, seconds):
        # -W: wait 2 s for the last replies before counting them as dropped.
        return self.background(["perfdhcp", "-4", "-l", self.lab.client_if, "-r", str(rate), "-R", "1000000",
                                "-p", str(seconds), "-W", "2000000"])

    def arping(self, count):
        # One probe a second (iputils takes whole seconds only). With -w, arping
        # stops at its count of replies and may leave its last probe out of
        # "Sent" (seen: 6 replies, etherbeam's counters 6 requests, "Sent 5"),
        # so the tests ask for at least one reply per probe counted.
        r = self.lab.client(["arping", "-c", str(count), "-w", str(count + 5), "-I", self.lab.client_if,
                             STACK_IP], check=False, timeout=60)
        self.last_arping = r.stdout[-600:]
        sent = re.search(r"Sent (\d+) probe", r.stdout)
        received = re.search(r"Received (\d+) response", r.stdout)
        self.assertTrue(sent and received, r.stdout + r.stderr)
        return int(sent.group(1)), int(received.group(1))

    def test_dhcp_keeps_its_rate_and_arp_is_answered_during_an_icmp_flood(self):
        flood = self.icmp_flood(seconds=12)
        dhcp = self.perfdhcp(rate=100, seconds=8)
        arp_sent, arp_answered = self.arping(6)
        dhcp_out = dhcp.communicate(timeout=60)[0]
        flood_out = flood.communicate(timeout=60)[0]
        sent, dropped = perfdhcp_drops(dhcp_out)
        offered = re.search(r"sent (\d+) \((\d+)/s\), received (\d+)", flood_out)
        self.assertIsNotNone(offered, flood_out)
        echo_offered, echo_answered = int(offered.group(2)), int(offered.group(3))
        ring = self.binder.counters().get("dropped_at_ring", 0)
        print(f"fairness ({LANES} lanes): ICMP flood offered {echo_offered}/s, {echo_answered} answered, "
              f"{ring} shed at the ring; DHCP at 100/s: {dropped} of {sent} exchanges lost; "
              f"ARP {arp_answered}/{arp_sent} answered")
        # A flood it is: the rings shed, and etherbeam answers at most part of it.
        self.assertGreater(ring, 0)
        self.assertLess(dropped, max(1, sent // 100), dhcp_out)
        self.assertGreater(arp_sent, 0)
        self.assertGreaterEqual(arp_answered, arp_sent, self.last_arping)
        self.assert_all_alive()

    def test_echo_and_arp_are_answered_during_a_dhcp_flood(self):
        dhcp = self.perfdhcp(rate=30000, seconds=10)
        echo = self.ping(count=200, interval="0.02")
        arp_sent, arp_answered = self.arping(6)
        dhcp_out = dhcp.communicate(timeout=60)[0]
        sent, dropped = perfdhcp_drops(dhcp_out)
        transmitted, received = ping_stats(echo)
        print(f"fairness ({LANES} lanes): DHCP flood at 30000/s, {dropped} of {sent} exchanges lost; "
              f"echo {received}/{transmitted} answered, ARP {arp_answered}/{arp_sent}")
        self.assertGreater(dropped, 0, "the DHCP load must be beyond what the server answers")
        # Kept being answered: at most 1% lost, on two cores that the flood's
        # generator shares (CI saw 200 of 201 once).
        self.assertGreaterEqual(received, transmitted * 0.99, echo)
        self.assertGreaterEqual(arp_answered, arp_sent, self.last_arping)
        self.assert_all_alive()


if __name__ == "__main__":
    main()
