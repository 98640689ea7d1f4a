#!/usr/bin/python3
"""Mistakes a user can fix are said once, with the fix: not only counted."""
import os

from e2e_base import LabTest, main, ping_stats


class SaidErrors(LabTest):
    def test_daemons_of_two_users_without_a_socket_group_are_told_the_fix(self):
        # As the README starts them on a real interface, but without --socket-group:
        # raw_binder (root, CAP_NET_RAW only) may not write to nobody's socket.
        os.chmod(self.lab.workdir, 0o755)  # etherbeam's user reaches its directories through it
        binder = self.lab.start_binder()
        self.lab.start_etherbeam("--user", "nobody")
        self.assertEqual(ping_stats(self.ping(count=3))[1], 0, "no frame can reach etherbeam")
        binder.wait_for_log("may not send to")
        log = binder.log()
        self.assertIn("permission denied", log)
        self.assertIn("--socket-group", log)
        self.ping(count=3)
        self.assertEqual(binder.log().count("may not send to"), 1, "said once per episode, not per frame")
        self.assertGreater(binder.counters().get("relay_errors", 0), 0)

    def test_frames_without_a_mac_to_answer_with_are_told_the_fix(self):
        # etherbeam told to reply elsewhere than where this raw_binder listens: it
        # finds no link file there, so it never learns the interface's MAC.
        elsewhere = os.path.join(self.lab.workdir, "elsewhere")
        os.mkdir(elsewhere)
        self.lab.start_binder()
        etherbeam = self.lab.start_etherbeam("--replies-socket", os.path.join(elsewhere, "beam_to_raw.sock"))
        self.assertEqual(ping_stats(self.ping(count=3))[1], 0, "no MAC to answer with")
        etherbeam.wait_for_log("no MAC is known to answer with")
        log = etherbeam.log()
        self.assertIn(os.path.join(elsewhere, "link"), log)
        self.assertIn("Give --mac", log)
        self.ping(count=2)
        self.assertEqual(etherbeam.log().count("no MAC is known"), 1, "said once")

    def test_a_raw_binder_on_another_socket_dir_is_told_the_fix(self):
        elsewhere = os.path.join(self.lab.workdir, "elsewhere")
        os.mkdir(elsewhere)
        self.lab._start("raw_binder", ["--iface", self.lab.server_if, "--socket-dir", elsewhere],
                        binder_defaults=False)
        etherbeam = self.lab.start_etherbeam()
        etherbeam.wait_for_log("no frame has arrived in 10 s", timeout=15)
        self.assertIn(f"--socket-dir {self.lab.socket_dir}", etherbeam.log())

    def test_a_raw_binder_on_another_interface_is_told_the_fix(self):
        # raw_binder serves a second link whose subnet is not etherbeam's: its
        # client's broadcast pings arrive, and none is for etherbeam.
        other = self.lab.add_link("10.88.0.1")
        self.lab._start("raw_binder", ["--iface", other.server_if, "--socket-dir", self.lab.socket_dir],
                        binder_defaults=False)
        etherbeam = self.lab.start_etherbeam()
        other.client(["ping", "-b", "-q", "-c", "400", "-i", "0.03", "10.88.0.255"], check=False, timeout=60)
        etherbeam.wait_for_log("not one was answered", timeout=15)
        self.assertIn(f"on {other.server_if}", etherbeam.log())
        self.assertIn("10.77.0.2/24", etherbeam.log())


if __name__ == "__main__":
    main()
