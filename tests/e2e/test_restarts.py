#!/usr/bin/python3
"""Either process can start first, and each survives the other's restart."""
import signal
import subprocess

from e2e_base import STACK_IP, LabTest, main, ping_stats, replied_sequences


class Restarts(LabTest):
    def test_ping_resumes_after_the_logic_server_is_killed_and_restarted(self):
        binder = self.lab.start_binder()
        etherbeam = self.lab.start_etherbeam()
        ping = self.lab.client_popen(["ping", "-n", "-i", "0.01", "-c", "600", "-W", "1", STACK_IP],
                                     stdout=subprocess.PIPE, text=True)
        self.addCleanup(ping.kill)
        lines = []
        for line in ping.stdout:  # wait until 100 replies have come back
            lines.append(line)
            if len(replied_sequences("".join(lines))) >= 100:
                break
        etherbeam.stop(signal.SIGKILL)
        killed_at = max(replied_sequences("".join(lines)))
        # Frames that arrive while the logic server is gone are dropped, not
        # queued: wait until the binder has seen that happen, then restart.
        binder.wait_for_log("logic server is not listening")
        self.assertTrue(binder.alive())
        self.lab.start_etherbeam()
        rest, _ = ping.communicate(timeout=60)
        out = "".join(lines) + rest
        after = {s for s in replied_sequences(out) if s > killed_at}
        self.assertTrue(binder.alive(), binder.log())
        self.assertGreater(len(after), 100, out[-2000:])
        self.assertTrue(set(range(551, 601)) <= after, "ping did not resume for good")
        self.assertIn("logic server is back", binder.log())

    def test_logic_server_serves_again_after_the_binder_restarts(self):
        binder = self.lab.start_binder()
        etherbeam = self.lab.start_etherbeam()
        self.assertEqual(ping_stats(self.ping(count=5)), (5, 5))
        self.assertEqual(binder.stop(signal.SIGTERM), 0)
        self.assertEqual(ping_stats(self.ping(count=3))[1], 0)
        self.lab.start_binder()
        self.assertEqual(ping_stats(self.ping(count=20)), (20, 20))
        self.assertTrue(etherbeam.alive())

    def test_logic_server_may_start_before_the_binder(self):
        etherbeam = self.lab.start_etherbeam()
        self.lab.start_binder()
        # The MAC is learned from the binder once frames arrive: the first
        # ARP may go unanswered, ping retries it within the count.
        out = self.ping(count=20)
        self.assertGreaterEqual(ping_stats(out)[1], 19, out)
        self.assertEqual(ping_stats(self.ping(count=20)), (20, 20))
        self.assertTrue(etherbeam.alive())

    def test_sigterm_stops_both_cleanly(self):
        binder = self.lab.start_binder()
        etherbeam = self.lab.start_etherbeam()
        self.ping(count=3)
        self.assertEqual(etherbeam.stop(signal.SIGTERM), 0)
        self.assertEqual(binder.stop(signal.SIGTERM), 0)
        self.assertIn("counters: frames_in=", etherbeam.log())
        self.assertIn("counters: frames_from_nic=", binder.log())


if __name__ == "__main__":
    main()
