#!/usr/bin/python3
"""etherbeam --record: every frame in and out as pcapng, read back by Debian's tshark.

The client pings etherbeam and asks for its MAC with arping; the recording must
hold each request as inbound and each answer as outbound, on the link named in
its interface block, and etherbeam decode must read it too.
"""
import os
import signal
import subprocess

from e2e_base import CLIENT_IP, STACK_IP, LabTest, main


def tshark_fields(path, *fields):
    out = subprocess.run(["tshark", "-r", path, "-T", "fields", *[a for f in fields for a in ("-e", f)]],
                         capture_output=True, text=True, check=True).stdout
    return [line.split("\t") for line in out.splitlines()]


class Record(LabTest):
    def record_to(self, *extra):
        path = os.path.join(self.lab.workdir, "frames.pcapng")
        os.chmod(self.lab.workdir, 0o755)
        self.lab.start_binder()
        return path, self.lab.start_etherbeam("--record", path, *extra)

    def wait_for_recorded(self, etherbeam, at_least):
        for _ in range(100):
            if etherbeam.counters().get("record.frames", 0) >= at_least:
                return
            self.lab.client(["sleep", "0.05"])
        self.fail(f"only {etherbeam.counters().get('record.frames', 0)} frames recorded, {at_least} expected")

    def test_pings_and_arp_are_recorded_with_their_direction(self):
        path, etherbeam = self.record_to()
        ping = self.lab.client(["ping", "-n", "-c", "5", "-i", "0.2", STACK_IP], check=False)
        self.assertIn(" 0% packet loss", ping.stdout)
        self.lab.client(["arping", "-c", "2", "-I", self.lab.client_if, STACK_IP], check=False)
        c = etherbeam.counters()
        self.wait_for_recorded(etherbeam, c["frames_in"] + c["replies_sent"])
        etherbeam.stop()
        rows = tshark_fields(path, "frame.interface_name", "frame.packet_flags_direction", "icmp.type", "arp.opcode")
        requests = [r for r in rows if r[2] == "8"]
        replies = [r for r in rows if r[2] == "0"]
        self.assertEqual(len(requests), 5, rows)
        self.assertEqual(len(replies), 5, rows)
        self.assertTrue(all(r[0] == "main" and int(r[1], 16) == 1 for r in requests), requests)  # inbound
        self.assertTrue(all(r[0] == "main" and int(r[1], 16) == 2 for r in replies), replies)  # outbound
        arp_replies = [r for r in rows if r[3] == "2"]
        self.assertGreaterEqual(len(arp_replies), 2, rows)
        self.assertTrue(all(int(r[1], 16) == 2 for r in arp_replies))
        # etherbeam's own decoder reads its recording.
        decoded = subprocess.run([os.path.join(self.lab.build_dir, "bin", "etherbeam"), "decode", "-r", path],
                                 capture_output=True, text=True, check=True).stdout
        self.assertIn(f"{CLIENT_IP} → {STACK_IP} ICMP 98 Echo (ping) request", decoded)

    def test_the_file_rotates_beyond_its_size(self):
        path, etherbeam = self.record_to("--record-size", "1", "--record-files", "2")
        # ~1,400-byte pings, in and out: past 1 MB and again.
        self.lab.client(["ping", "-n", "-q", "-f", "-c", "1200", "-s", "1400", STACK_IP], check=False)
        self.wait_for_recorded(etherbeam, 2400)  # ~3.5 MB: FILE, FILE.1, FILE.2, and one gone
        c = etherbeam.counters()
        etherbeam.stop()
        self.assertGreaterEqual(c["record.rotations"], 3, c)
        self.assertFalse(os.path.exists(path + ".3"))
        for p in (path + ".1", path + ".2"):
            self.assertLess(os.path.getsize(p), (1 << 20) + 1600)  # 1 MB and at most one frame over it
            frames = tshark_fields(p, "frame.packet_flags_direction")  # each file readable on its own
            self.assertGreater(len(frames), 500)

    def test_decode_live_shows_frames_in_and_out_as_they_pass(self):
        self.lab.start_binder()
        etherbeam = self.lab.start_etherbeam()
        binary = os.path.join(self.lab.build_dir, "bin", "etherbeam")
        live = subprocess.Popen([binary, "decode", "--live", "--socket-dir", self.lab.socket_dir, "-f", "icmp",
                                 "-c", "4"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            ready = live.stderr.readline()  # printed once the tap streams: no sleep needed
            self.assertIn("decoding every frame in and out", ready)
            self.lab.client(["ping", "-n", "-c", "3", "-i", "0.2", STACK_IP], check=False)
            out, _ = live.communicate(timeout=30)
        finally:
            live.kill()
        lines = out.splitlines()
        self.assertEqual(len(lines), 4, out)  # -c 4, ICMP only (-f): ARP left out
        self.assertRegex(lines[0], rf"^main in +\d+ .* {CLIENT_IP} → {STACK_IP} ICMP 98 Echo \(ping\) request")
        self.assertRegex(lines[1], rf"^main out +\d+ .* {STACK_IP} → {CLIENT_IP} ICMP 98 Echo \(ping\) reply")
        self.assertEqual(etherbeam.counters()["replies_sent"] >= 3, True)

    def test_a_live_reader_gets_no_more_than_its_rate_and_is_told_what_it_lost(self):
        self.lab.start_binder()
        etherbeam = self.lab.start_etherbeam()
        binary = os.path.join(self.lab.build_dir, "bin", "etherbeam")
        live = subprocess.Popen([binary, "decode", "--live", "--live-rate", "50", "-T", "json",
                                 "--socket-dir", self.lab.socket_dir],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            self.assertIn("decoding every frame in and out", live.stderr.readline())
            flood = self.lab.client([os.path.join(self.lab.build_dir, "bin", "ebgen"), "-i", self.lab.client_if,
                                     "-s", CLIENT_IP, "-t", STACK_IP, "--mode", "flood", "-w", "64", "-d", "1"])
            live.send_signal(signal.SIGINT)
            out, err = live.communicate(timeout=30)
        finally:
            live.kill()
        self.assertIn("received", flood.stdout)
        echoes = etherbeam.counters()["replies_sent"]
        self.assertGreater(echoes, 2000, "the flood was answered at full speed")
        frames = len(out.splitlines())
        self.assertGreater(frames, 0)
        self.assertLess(frames, 400, "50 copies a second for the ~2 s the reader watched, with room for a slow machine")
        self.assertIn("more frames lost", err)

    def test_an_unwritable_file_is_refused_at_start(self):
        self.lab.start_binder()
        binary = os.path.join(self.lab.build_dir, "bin", "etherbeam")
        r = subprocess.run(["ip", "netns", "exec", self.lab.server_ns, binary, "--socket-dir", self.lab.socket_dir,
                            "--ip", f"{STACK_IP}/24", "--record", "/nonexistent/dir/frames.pcapng"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("--record: cannot write /nonexistent/dir/frames.pcapng: No such file or directory",
                      r.stdout + r.stderr)


if __name__ == "__main__":
    main()
