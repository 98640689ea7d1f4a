#!/usr/bin/python3
"""The privilege boundary and the link, attacked as issue 9 describes.

The daemons run as the README starts them: raw_binder as root with a socket
group, etherbeam as root switching to its user. The attacker is an
unprivileged process: etherbeam's own user (the side that is meant to be
unprivileged and may be compromised) or another user in the socket group.
"""
import grp
import os
import pwd
import stat
import subprocess

from e2e_base import CLIENT_IP, STACK_IP, LabTest, main, ping_stats

GROUP = "etherbeam"  # made by scripts/bootstrap from scripts/systemd/etherbeam.sysusers.conf
USER = "etherbeam"
BINDER_ARGS = ("--socket-group", GROUP, "--logic-server-user", USER)
ETHERBEAM_ARGS = ("--user", USER, "--socket-group", GROUP)

# Listens on the client's interface and prints the source MAC of every ARP
# frame until the sentinel's arrives; prints "ready" once it listens.
SNIFFER = r"""
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806))
s.bind((sys.argv[1], 0))
s.settimeout(10)
print("ready", flush=True)
while True:
    frame = s.recv(2048)
    src = frame[6:12].hex(":")
    print(src, flush=True)
    if src == sys.argv[2]:
        break
"""

SENDER = r"""
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(bytes.fromhex(sys.argv[2]), sys.argv[1])
"""


def as_user(user, group, cmd):
    return ["setpriv", f"--reuid={user}", f"--regid={group}", "--clear-groups", *cmd]


def arp_reply_from(mac):
    """A gratuitous-looking ARP reply claiming the stack's address for `mac`."""
    m = bytes.fromhex(mac.replace(":", ""))
    ip = lambda a: bytes(int(x) for x in a.split("."))  # noqa: E731
    return (b"\xff" * 6 + m + b"\x08\x06" + b"\x00\x01\x08\x00\x06\x04\x00\x02" + m + ip(STACK_IP)
            + b"\x00" * 6 + ip(CLIENT_IP)).hex()


def arp_request_for(address):
    """An ARP request for `address`, as raw_binder would relay it from the wire."""
    m = bytes.fromhex("020000000001")
    ip = lambda a: bytes(int(x) for x in a.split("."))  # noqa: E731
    return (b"\xff" * 6 + m + b"\x08\x06" + b"\x00\x01\x08\x00\x06\x04\x00\x01" + m + ip(CLIENT_IP)
            + b"\x00" * 6 + ip(address)).hex()


class Hardening(LabTest):
    def setUp(self):
        super().setUp()
        os.chmod(self.lab.workdir, 0o755)  # the daemons' users reach their directories through it

    def etherbeam_binary(self):
        return os.path.join(self.lab.build_dir, "bin", "etherbeam")

    def root_owned_file(self, name, text="root's own file\n"):
        path = os.path.join(self.lab.workdir, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o600)
        return path

    def assert_untouched(self, path, text="root's own file\n"):
        st = os.lstat(path)
        self.assertEqual((st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)), (0, 0, 0o600))
        with open(path) as f:
            self.assertEqual(f.read(), text)

    # -- finding 1 -----------------------------------------------------------
    def test_links_planted_in_the_state_dir_never_make_root_chown_or_write_their_target(self):
        state = os.path.join(self.lab.workdir, "state")
        self.lab.start_binder(*BINDER_ARGS)
        e = self.lab.start_etherbeam(*ETHERBEAM_ARGS, "--dhcp-pool", "10.77.0.100-10.77.0.199",
                                     "--state-dir", state)
        self.assertEqual(e.stop(), 0)
        for planted in ("leases.journal", "lock"):
            target = self.root_owned_file(f"target-{planted}")
            link = os.path.join(state, planted)
            subprocess.run(as_user(USER, USER, ["sh", "-c", f"rm -f {link} && ln -s {target} {link}"]), check=True)
            r = self.lab.server([self.etherbeam_binary(), "--socket-dir", self.lab.socket_dir, "--ip",
                                 f"{STACK_IP}/24", *ETHERBEAM_ARGS, "--dhcp-pool", "10.77.0.100-10.77.0.199",
                                 "--state-dir", state], check=False, timeout=30)
            self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
            self.assertIn("Too many levels of symbolic links", r.stdout + r.stderr)
            self.assert_untouched(target)
            os.unlink(link)

    def test_a_state_directory_holding_other_files_is_not_given_to_etherbeams_user(self):
        shared = os.path.join(self.lab.workdir, "var-lib")  # as if --state-dir /var/lib
        os.mkdir(shared, 0o755)
        self.root_owned_file(os.path.join("var-lib", "someone-elses"))
        r = self.lab.server([self.etherbeam_binary(), "--socket-dir", self.lab.socket_dir, "--ip", f"{STACK_IP}/24",
                             *ETHERBEAM_ARGS, "--dhcp-pool", "10.77.0.100-10.77.0.199", "--state-dir", shared],
                            check=False, timeout=30)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("holds files that are not etherbeam's (someone-elses)", r.stdout + r.stderr)
        self.assertEqual(os.stat(shared).st_uid, 0)

    # -- finding 2 -----------------------------------------------------------
    def test_a_link_planted_as_link_new_is_removed_not_written_through(self):
        os.mkdir(self.lab.socket_dir)
        os.chown(self.lab.socket_dir, 0, grp.getgrnam(GROUP).gr_gid)
        os.chmod(self.lab.socket_dir, 0o1770)  # as RuntimeDirectory= makes it
        target = self.root_owned_file("target-link")
        link = os.path.join(self.lab.socket_dir, "link.new")
        subprocess.run(as_user(USER, GROUP, ["ln", "-s", target, link]), check=True)
        binder = self.lab.start_binder(*BINDER_ARGS)
        self.assert_untouched(target)
        with open(os.path.join(self.lab.socket_dir, "link")) as f:
            self.assertIn(f"interface={self.lab.server_if}", f.read())
        self.assertIn("link.new was already there", binder.log())
        self.lab.start_etherbeam(*ETHERBEAM_ARGS)
        self.assertEqual(ping_stats(self.ping(count=3)), (3, 3))

    # -- finding 3 -----------------------------------------------------------
    def test_only_etherbeams_user_may_have_frames_injected_and_read_counters(self):
        binder = self.lab.start_binder(*BINDER_ARGS)
        self.lab.start_etherbeam(*ETHERBEAM_ARGS)
        forged, sentinel = "02:00:00:00:ba:d0", "02:00:00:00:be:ef"
        sniffer = self.lab.client_popen(["/usr/bin/python3", "-c", SNIFFER, self.lab.client_if, sentinel],
                                        stdout=subprocess.PIPE, text=True)
        self.addCleanup(sniffer.stdout.close)
        self.addCleanup(sniffer.wait)
        self.addCleanup(sniffer.kill)
        self.assertEqual(sniffer.stdout.readline().strip(), "ready")
        to_binder = os.path.join(self.lab.socket_dir, "beam_to_raw.sock")
        # A member of the socket group that is not etherbeam's user: refused.
        subprocess.run(as_user("nobody", GROUP, ["/usr/bin/python3", "-c", SENDER, to_binder,
                                                 arp_reply_from(forged)]), check=True)
        # etherbeam's user: injected. It queues behind the forged one, so once it
        # is on the wire the forged one would have been too.
        subprocess.run(as_user(USER, GROUP, ["/usr/bin/python3", "-c", SENDER, to_binder,
                                             arp_reply_from(sentinel)]), check=True)
        seen = sniffer.stdout.read().split()
        self.assertIn(sentinel, seen)
        self.assertNotIn(forged, seen)
        self.assertIn(f"refused a frame from uid {pwd.getpwnam('nobody').pw_uid}", binder.log())
        self.assertEqual(binder.counters()["refused_untrusted_sender"], 1)
        # The other way: frames into etherbeam from a group member are refused too.
        etherbeam = self.lab.daemons[-1]
        to_etherbeam = os.path.join(self.lab.socket_dir, "raw_to_beam.sock")
        subprocess.run(as_user("nobody", GROUP, ["/usr/bin/python3", "-c", SENDER, to_etherbeam,
                                                 arp_request_for(STACK_IP)]), check=True)
        etherbeam.wait_for_log(f"refused a frame from uid {pwd.getpwnam('nobody').pw_uid}")
        counters = etherbeam.counters()
        self.assertEqual(counters["frames_refused_untrusted_sender"], 1)
        self.assertNotIn("reply.arp_reply", counters)
        # The control socket is not the group's: counters and faults are refused.
        r = subprocess.run(as_user("nobody", GROUP, [self.etherbeam_binary(), "counters", "--socket-dir",
                                                     self.lab.socket_dir]), capture_output=True, text=True)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("Permission denied", r.stderr)
        self.assertNotIn("frames_in", r.stdout)

    # -- finding 11 ----------------------------------------------------------
    def test_the_binder_rebinds_when_its_interface_is_deleted_and_created_again(self):
        binder = self.lab.start_binder()
        self.lab.start_etherbeam()
        self.assertEqual(ping_stats(self.ping(count=3)), (3, 3))
        self.lab.server(["ip", "link", "del", self.lab.server_if])  # takes its veth peer with it
        binder.wait_for_log(f"{self.lab.server_if} is gone")
        self.assertTrue(binder.alive())
        self.lab.recreate_link()
        binder.wait_for_log(f"{self.lab.server_if} is back", timeout=5)
        self.assertEqual(ping_stats(self.ping(count=5)), (5, 5))
        r = self.lab.client(["arping", "-c", "2", "-w", "5", "-I", self.lab.client_if, STACK_IP], check=False)
        self.assertIn("Received 2 response", r.stdout)
        counters = binder.counters()
        self.assertEqual((counters["link_lost"], counters["link_restored"]), (1, 1))


if __name__ == "__main__":
    main()
