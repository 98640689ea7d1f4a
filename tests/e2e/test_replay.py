#!/usr/bin/python3
"""etherbeam replay against the live lab: what a live etherbeam answered, its
replay of the same frames answers byte for byte, with no network.

etherbeam serves DHCP and answers ping and arping while --record writes every
frame in and out; then `etherbeam replay` feeds the recording (its own
answers skipped) through the same configuration, and its output must hold
every answer the live run sent. Announcements, which ingress sends unasked
when a link comes up, are the only frames a replay does not make.
"""
import json
import os
import subprocess

from e2e_base import STACK_IP, LabTest, main

CONFIG = """
[dhcp]
state_dir = "{state}"
[[dhcp.subnet]]
subnet = "10.77.0.0/24"
pools = ["10.77.0.100-10.77.0.199"]
lease_time = 600
routers = ["10.77.0.1"]
dns_servers = ["10.77.0.53"]
"""


def frames(path, read_filter=None):
    """Each frame of a capture as (direction, hex bytes): 1 in, 2 out, 0 where a plain pcap does not say."""
    args = ["tshark", "-r", path, "-T", "json", "-x"] + (["-Y", read_filter] if read_filter else [])
    packets = json.loads(subprocess.run(args, capture_output=True, text=True, check=True).stdout)

    def find(tree, key):
        if isinstance(tree, dict):
            for k, v in tree.items():
                found = v if k == key else find(v, key)
                if found is not None:
                    return found
        return None

    return [(int(find(p, "frame.packet_flags_direction") or "0", 16), p["_source"]["layers"]["frame_raw"][0])
            for p in packets]


class Replay(LabTest):
    def setUp(self):
        super().setUp()
        os.chmod(self.lab.workdir, 0o755)
        self.config = os.path.join(self.lab.workdir, "etherbeam.toml")
        with open(self.config, "w") as f:
            f.write(CONFIG.format(state=os.path.join(self.lab.workdir, "state")))
        self.recording = os.path.join(self.lab.workdir, "live.pcapng")
        self.binary = os.path.join(self.lab.build_dir, "bin", "etherbeam")

    def replay(self, out, *extra):
        return subprocess.run([self.binary, "replay", self.recording, "-w", out, "--config", self.config,
                               "--ip", f"{STACK_IP}/24", *extra], capture_output=True, text=True, timeout=60)

    def test_a_replay_of_a_recording_sends_what_the_live_run_sent(self):
        self.lab.start_binder()
        etherbeam = self.lab.start_etherbeam("--config", self.config, "--record", self.recording)
        ping = self.lab.client(["ping", "-n", "-c", "3", "-i", "0.2", STACK_IP], check=False)
        self.assertIn(" 0% packet loss", ping.stdout)
        self.lab.client(["arping", "-c", "2", "-I", self.lab.client_if, STACK_IP], check=False)
        lease = self.lab.client(["busybox", "udhcpc", "-i", self.lab.client_if, "-n", "-q", "-f", "-t", "5",
                                 "-T", "1", "-s", "/bin/true"], check=False)
        self.assertIn("lease of 10.77.0.100 obtained", lease.stdout + lease.stderr)
        self.assertEqual(etherbeam.stop(), 0)
        live = frames(self.recording)
        sent_live = [data for direction, data in live if direction == 2]
        self.assertGreaterEqual(len(sent_live), 3 + 2 + 2)  # echo replies, ARP replies, OFFER and ACK

        out = os.path.join(self.lab.workdir, "replayed.pcap")
        r = self.replay(out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"frames replayed ({len(sent_live)} skipped: sent by etherbeam itself)", r.stderr)
        replayed = [data for _, data in frames(out)]
        announcements = [d for _, d in frames(self.recording, "arp.isannouncement == 1 && frame.packet_flags_direction == 2")]
        self.assertEqual(len(announcements), 2, live)  # RFC 5227's two, at start
        expected = [d for d in sent_live if d not in announcements]
        self.assertEqual(replayed, expected)

        # Deterministic: again, the same bytes.
        again = os.path.join(self.lab.workdir, "again.pcap")
        self.assertEqual(self.replay(again).returncode, 0)
        with open(out, "rb") as a, open(again, "rb") as b:
            self.assertEqual(a.read(), b.read())

    def test_a_bad_capture_or_link_is_refused_with_the_reason(self):
        with open(self.recording, "w") as f:
            f.write("not a capture\n")
        r = self.replay(os.path.join(self.lab.workdir, "out.pcap"))
        self.assertEqual(r.returncode, 2)
        self.assertIn(f"replay: cannot read {self.recording}", r.stderr)


if __name__ == "__main__":
    main()
