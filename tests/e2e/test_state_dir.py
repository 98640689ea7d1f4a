#!/usr/bin/python3
"""The state directory and the disk, as an unlucky operator meets them (issue 9):
two servers on one journal, a full disk, a read-only or foreign directory, a
journal that cannot be read, and reloads that drop a subnet or lose the file.
"""
import os
import re
import subprocess
import time

from e2e_base import STACK_IP, LabTest, main, ping_stats

CONFIG = """
[dhcp]
state_dir = "{state}"
[[dhcp.subnet]]
subnet = "10.77.0.0/24"
pools = ["10.77.0.100-10.77.0.199"]
[[dhcp.subnet]]
subnet = "10.88.0.0/24"
pools = ["10.88.0.100-10.88.0.199"]
"""


class StateDirectory(LabTest):
    def setUp(self):
        super().setUp()
        self.state = os.path.join(self.lab.workdir, "state")
        self.config = os.path.join(self.lab.workdir, "etherbeam.toml")
        with open(self.config, "w") as f:
            f.write(CONFIG.format(state=self.state))

    def binary(self):
        return os.path.join(self.lab.build_dir, "bin", "etherbeam")

    def etherbeam_once(self, *args, socket_dir=None, wrapper=()):
        """Runs etherbeam in the server namespace to see it refuse to start."""
        return self.lab.server([*wrapper, self.binary(), "--socket-dir", socket_dir or self.lab.socket_dir,
                                "--ip", f"{STACK_IP}/24", *args], check=False, timeout=30)

    def udhcpc(self, tries=5):
        r = self.lab.client(["busybox", "udhcpc", "-i", self.lab.client_if, "-n", "-q", "-f", "-t", str(tries),
                             "-T", "1", "-s", "/bin/true"], check=False)
        m = re.search(r"lease of ([\d.]+) obtained", r.stdout + r.stderr)
        return m.group(1) if m else None

    def mount_tmpfs(self, path, options):
        os.makedirs(path, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", path], check=True)
        # Lazy: a daemon still holding a file there must not keep the lab's cleanup from running.
        self.addCleanup(subprocess.run, ["umount", "-l", path], check=False)

    # -- finding 4 -----------------------------------------------------------
    def test_a_second_server_on_the_same_state_directory_is_refused_naming_the_first(self):
        self.lab.start_binder()
        first = self.lab.start_etherbeam("--config", self.config)
        r = self.etherbeam_once("--config", self.config, socket_dir=os.path.join(self.lab.workdir, "other"))
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn(f"state directory {self.state} is in use by another etherbeam (pid {first.pid})",
                      r.stdout + r.stderr)
        self.assertTrue(first.alive())
        self.assertIsNotNone(self.udhcpc())

    # -- finding 5 -----------------------------------------------------------
    def test_a_full_disk_costs_dhcp_only_and_service_resumes_by_itself(self):
        self.mount_tmpfs(self.state, "size=256k")
        self.lab.start_binder()
        etherbeam = self.lab.start_etherbeam("--config", self.config)
        filler = os.path.join(self.state, "filler")
        subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=4k"], capture_output=True)  # until ENOSPC
        self.assertIsNone(self.udhcpc(tries=4), "an ACK left without its record on disk")
        self.assertIsNone(self.udhcpc(tries=2))
        self.assertEqual(ping_stats(self.ping(count=5)), (5, 5))  # ARP and ICMP unaffected
        self.assertTrue(etherbeam.alive(), etherbeam.log())
        log = etherbeam.log()
        self.assertEqual(log.count("no DHCP ACK until the lease journal can be written again"), 1, log)
        self.assertIn("No space left on device", log)
        self.assertNotIn("restart", log)  # the lease manager did not crash
        counters = etherbeam.counters()
        self.assertGreaterEqual(counters["journal.write_errors"], 1)
        self.assertGreaterEqual(counters["dhcp.unanswered_journal_failing"], 1)
        self.assertNotIn("dhcp.out.ack", counters)  # decided, never sent
        os.unlink(filler)
        # The retry is on a timer (back-off of at most 30 s): no client needed.
        etherbeam.wait_for_log("lease journal written again", timeout=40)
        self.assertIsNotNone(self.udhcpc())
        self.assertTrue(etherbeam.alive())

    # -- finding 6 -----------------------------------------------------------
    def test_a_read_only_or_foreign_state_directory_exits_2_before_ready(self):
        read_only = os.path.join(self.lab.workdir, "read-only")
        self.mount_tmpfs(read_only, "ro,size=64k")
        r = self.etherbeam_once("--dhcp-pool", "10.77.0.100-10.77.0.199", "--state-dir", read_only)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("Read-only file system", r.stdout + r.stderr)
        self.assertNotIn("serving", r.stdout + r.stderr)
        # Not root, not its directory: refused with the errno's text, not five restarts.
        foreign = os.path.join(self.lab.workdir, "foreign")
        os.mkdir(foreign, 0o755)
        os.chmod(self.lab.workdir, 0o755)
        sockets = os.path.join(self.lab.workdir, "shared-sockets")
        os.mkdir(sockets)
        os.chmod(sockets, 0o1777)
        r = self.etherbeam_once("--dhcp-pool", "10.77.0.100-10.77.0.199", "--state-dir", foreign,
                                socket_dir=sockets, wrapper=["setpriv", "--reuid=nobody", "--regid=nogroup",
                                                             "--clear-groups"])
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn(f"state directory {foreign} is not writable by this user", r.stdout + r.stderr)
        self.assertIn("Permission denied", r.stdout + r.stderr)

    # -- finding 7 -----------------------------------------------------------
    def test_leases_on_a_journal_it_cannot_read_says_so_and_fails(self):
        os.makedirs(self.state)
        journal = os.path.join(self.state, "leases.journal")
        with open(journal, "wb") as f:
            f.write(b"\x00" * 512 + b"\n" + os.urandom(256) + b"\n")
        r = subprocess.run([self.binary(), "leases", "--state-dir", self.state], capture_output=True, text=True)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("could be read", r.stderr)
        os.chmod(journal, 0o600)
        os.chmod(self.lab.workdir, 0o755)
        os.chmod(self.state, 0o755)
        r = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", self.binary(),
                            "leases", "--state-dir", self.state], capture_output=True, text=True)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("Permission denied", r.stderr)
        self.assertNotIn("0 leases", r.stdout)

    # -- finding 12 ----------------------------------------------------------
    def test_a_reload_warns_of_orphaned_leases_and_says_why_a_missing_file_is_not_reloaded(self):
        self.lab.start_binder()
        etherbeam = self.lab.start_etherbeam("--config", self.config)
        self.assertIsNotNone(self.udhcpc())
        with open(self.config, "w") as f:  # the served subnet is gone, the relayed one stays
            f.write(CONFIG.format(state=self.state).split("[[dhcp.subnet]]")[0] + "[[dhcp.subnet]]" +
                    CONFIG.split("[[dhcp.subnet]]")[2])
        etherbeam.popen.send_signal(1)  # SIGHUP
        etherbeam.wait_for_log("1 active lease is in no configured subnet any more (e.g. 10.77.0.100)")
        os.unlink(self.config)
        etherbeam.popen.send_signal(1)
        etherbeam.wait_for_log("SIGHUP: configuration not reloaded, the running one stays: --config: File does "
                               f"not exist: {self.config}")
        self.assertTrue(etherbeam.alive())


if __name__ == "__main__":
    main()
