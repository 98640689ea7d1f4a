#!/usr/bin/python3
"""Command lines, error messages and privileges of the two daemons."""
import grp
import os
import pwd
import re
import stat
import subprocess

from e2e_base import LabTest, main, ping_stats

CAP_NET_RAW = 1 << 13


def status_fields(pid):
    with open(f"/proc/{pid}/status") as f:
        return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)


# A binder of the design note's kind: an AF_PACKET socket on the interface,
# every frame sent as one datagram to /tmp/raw_to_gleam.sock (here: in the
# lab's directory), every datagram read from its own /tmp/gleam_to_raw.sock
# injected. Nothing of etherbeam's own: no link file, no options.
NOTE_BINDER = r"""
import os, select, socket, sys
iface, to_logic, own = sys.argv[1:4]
nic = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
nic.bind((iface, 0))
replies = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
replies.bind(own)
out = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
print("ready", flush=True)
while True:
    for s in select.select([nic, replies], [], [])[0]:
        if s is nic:
            frame, address = nic.recvfrom(65535)
            if address[2] == socket.PACKET_OUTGOING:
                continue
            try:
                out.sendto(frame, to_logic)
            except OSError:
                pass
        else:
            nic.send(replies.recv(65535))
"""


class Daemons(LabTest):
    def binary(self, name):
        return os.path.join(self.lab.build_dir, "bin", name)

    def run_binary(self, name, *args):
        return subprocess.run([self.binary(name), *args], capture_output=True, text=True, timeout=30)

    def test_help_documents_the_options(self):
        b = self.run_binary("raw_binder", "--help")
        self.assertEqual(b.returncode, 0)
        for opt in ("--iface", "--socket-dir", "--promisc", "--log-level"):
            self.assertIn(opt, b.stdout)
        e = self.run_binary("etherbeam", "--help")
        self.assertEqual(e.returncode, 0)
        for opt in ("--socket-dir", "--ip", "--mac", "--config", "--answer-broadcast-ping"):
            self.assertIn(opt, e.stdout)

    def test_configuration_errors_say_what_to_fix(self):
        r = self.run_binary("etherbeam", "--socket-dir", self.lab.socket_dir)
        self.assertEqual(r.returncode, 2)
        self.assertIn("no address to serve: give at least one --ip", r.stderr)
        r = self.run_binary("etherbeam", "--ip", "10.0.0.300/24")
        self.assertEqual(r.returncode, 2)
        self.assertIn("'10.0.0.300/24' is not an IPv4 address", r.stderr)
        r = self.run_binary("raw_binder", "--iface", "no-such-if0", "--socket-dir", self.lab.socket_dir)
        self.assertEqual(r.returncode, 1)
        self.assertIn("no such interface", r.stdout + r.stderr)

    def test_second_logic_server_on_the_same_sockets_is_refused(self):
        self.lab.start_etherbeam()
        r = self.run_binary("etherbeam", "--socket-dir", self.lab.socket_dir, "--ip", "10.77.0.2/24")
        self.assertEqual(r.returncode, 1)
        self.assertIn("another process is already serving", r.stdout + r.stderr)

    def test_binder_keeps_only_cap_net_raw(self):
        binder = self.lab.start_binder()
        s = status_fields(binder.pid)
        for field in ("CapEff", "CapPrm", "CapBnd"):
            self.assertEqual(int(s[field], 16), CAP_NET_RAW, f"{field}={s[field]}")
        self.assertEqual(int(s["CapInh"], 16), 0)
        self.assertEqual(int(s["CapAmb"], 16), 0)
        self.assertEqual(s["NoNewPrivs"].strip(), "1")

    def test_both_run_unprivileged_binder_with_only_cap_net_raw(self):
        os.makedirs(self.lab.socket_dir, exist_ok=True)
        os.chmod(self.lab.workdir, 0o755)
        os.chmod(self.lab.socket_dir, 0o1777)  # shared as /tmp is: sticky
        binder = self.lab._start("raw_binder", [], wrapper=[
            "setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
            "--inh-caps=+net_raw", "--ambient-caps=+net_raw"])
        s = status_fields(binder.pid)
        self.assertNotEqual(s["Uid"].split()[0], "0")
        self.assertEqual(int(s["CapEff"], 16), CAP_NET_RAW)
        etherbeam = self.lab._start("etherbeam", ["--socket-dir", self.lab.socket_dir, "--ip", "10.77.0.2/24"],
                                    wrapper=["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"])
        s = status_fields(etherbeam.pid)
        self.assertNotEqual(s["Uid"].split()[0], "0")
        self.assertEqual(int(s["CapEff"], 16), 0)
        self.assertEqual(ping_stats(self.ping(count=5)), (5, 5))

    def test_started_as_root_etherbeam_becomes_its_user_and_the_sockets_belong_to_a_group(self):
        os.chmod(self.lab.workdir, 0o755)  # the lab's directory, so that its users can reach into it
        group = grp.getgrnam("etherbeam").gr_gid
        user = pwd.getpwnam("etherbeam").pw_uid
        self.lab.start_binder("--socket-group", "etherbeam", "--logic-server-user", "etherbeam")
        state = os.path.join(self.lab.workdir, "state")
        etherbeam = self.lab.start_etherbeam("--user", "etherbeam", "--socket-group", "etherbeam",
                                             "--dhcp-pool", "10.77.0.100-10.77.0.199", "--state-dir", state)
        s = status_fields(etherbeam.pid)
        self.assertEqual(int(s["Uid"].split()[0]), user)
        for field in ("CapEff", "CapPrm", "CapAmb"):
            self.assertEqual(int(s[field], 16), 0, f"{field}={s[field]}")
        self.assertEqual(s["NoNewPrivs"].strip(), "1")
        self.assertEqual(stat.S_IMODE(os.stat(self.lab.socket_dir).st_mode), 0o1770)
        for sock in ("raw_to_beam.sock", "beam_to_raw.sock"):
            st = os.stat(os.path.join(self.lab.socket_dir, sock))
            self.assertEqual(stat.S_IMODE(st.st_mode), 0o660, sock)
            self.assertEqual(st.st_gid, group, sock)
        # The control socket is etherbeam's user's alone, not the group's.
        st = os.stat(os.path.join(self.lab.socket_dir, "etherbeam.control"))
        self.assertEqual((stat.S_IMODE(st.st_mode), st.st_uid), (0o600, user))
        self.assertEqual(ping_stats(self.ping(count=5)), (5, 5))
        r = self.lab.client(["busybox", "udhcpc", "-i", self.lab.client_if, "-n", "-q", "-f", "-t", "5",
                             "-T", "1", "-s", "/bin/true"], check=False)
        self.assertIn("obtained", r.stdout + r.stderr)
        journal = os.stat(os.path.join(state, "leases.journal"))
        self.assertEqual(journal.st_uid, user)
        self.assertEqual(etherbeam.stop(), 0, etherbeam.log())
        self.assertFalse(os.path.exists(os.path.join(self.lab.socket_dir, "raw_to_beam.sock")))

    def test_a_binder_of_the_design_notes_kind_relays_pings_to_etherbeam_through_its_two_paths(self):
        to_logic = os.path.join(self.lab.workdir, "raw_to_gleam.sock")
        own = os.path.join(self.lab.workdir, "gleam_to_raw.sock")
        binder = subprocess.Popen(["ip", "netns", "exec", self.lab.server_ns, "/usr/bin/python3", "-c", NOTE_BINDER,
                                   self.lab.server_if, to_logic, own], stdout=subprocess.PIPE, text=True)
        self.addCleanup(binder.wait)
        self.addCleanup(binder.kill)
        self.addCleanup(binder.stdout.close)
        self.assertEqual(binder.stdout.readline().strip(), "ready")
        self.lab.start_etherbeam("--frames-socket", to_logic, "--replies-socket", own, "--mac", self.lab.server_mac())
        self.assertEqual(ping_stats(self.ping(count=10)), (10, 10))

    def test_raw_binder_and_etherbeam_meet_on_the_design_notes_two_paths(self):
        paths = ("--frames-socket", os.path.join(self.lab.workdir, "raw_to_gleam.sock"),
                 "--replies-socket", os.path.join(self.lab.workdir, "gleam_to_raw.sock"))
        self.lab.start_binder(*paths)
        self.lab.start_etherbeam(*paths)  # the MAC from the link file beside raw_binder's socket
        self.assertEqual(ping_stats(self.ping(count=5)), (5, 5))
        self.assertTrue(os.path.exists(os.path.join(self.lab.workdir, "link")))

    def test_an_unknown_user_or_group_is_named(self):
        r = self.run_binary("etherbeam", "--socket-dir", self.lab.socket_dir, "--ip", "10.77.0.2/24",
                            "--user", "no-such-user-eb")
        self.assertEqual(r.returncode, 1)
        self.assertIn("no such user 'no-such-user-eb'", r.stdout + r.stderr)
        r = self.run_binary("etherbeam", "--socket-dir", self.lab.socket_dir, "--ip", "10.77.0.2/24",
                            "--socket-group", "no-such-group-eb")
        self.assertEqual(r.returncode, 1)
        self.assertIn("no such group 'no-such-group-eb'", r.stdout + r.stderr)


if __name__ == "__main__":
    main()
