#!/usr/bin/python3
"""The systemd units in scripts/systemd: systemd-analyze accepts them, and the
two daemons run the way the units start them (command line, user, capability
sets, no new privileges) serve the lab.

No systemd runs as PID 1 here, so the units' credentials are applied with
setpriv, as systemd would apply them, with the units' own users (created by
scripts/bootstrap from scripts/systemd/etherbeam.sysusers.conf).
"""
import configparser
import grp
import os
import pwd
import shlex
import signal
import subprocess
import tempfile
import time

from e2e_base import STACK_IP, LabTest, main, ping_stats

UNITS = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "systemd")
CAP_NET_RAW = 1 << 13


def service_section(unit):
    parser = configparser.ConfigParser(strict=False, interpolation=None, comment_prefixes=("#",))
    parser.optionxform = str
    with open(os.path.join(UNITS, unit)) as f:
        parser.read_string(f.read())
    return parser["Service"]


def status_fields(pid):
    with open(f"/proc/{pid}/status") as f:
        return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)


def setpriv_for(service):
    """setpriv arguments that give a process what the [Service] section gives it."""
    args = ["setpriv", f"--reuid={service['User']}", f"--regid={service['Group']}", "--clear-groups"]
    ambient = service.get("AmbientCapabilities", "").split()
    caps = ",".join("+" + c.lower().removeprefix("cap_") for c in ambient)
    if caps:
        args += [f"--inh-caps={caps}", f"--ambient-caps={caps}"]
    bounding = service.get("CapabilityBoundingSet", "").split()
    args.append("--bounding-set=-all" + "".join(",+" + c.lower().removeprefix("cap_") for c in bounding))
    if service.get("NoNewPrivileges") == "yes":
        args.append("--no-new-privs")
    return args


class Units(LabTest):
    def exec_start(self, service, instance=""):
        """The unit's ExecStart with the lab's paths for the installed ones."""
        line = service["ExecStart"].replace("%i", instance)
        line = line.replace("/usr/local/bin/", "").replace("/run/etherbeam", self.lab.socket_dir)
        line = line.replace("/var/lib/etherbeam", self.state).replace("/etc/etherbeam/etherbeam.toml", self.config)
        program, *args = shlex.split(line)
        return program, args

    def test_systemd_analyze_accepts_both_units(self):
        with tempfile.TemporaryDirectory() as d:
            for unit in ("etherbeam.service", "raw_binder@.service"):
                with open(os.path.join(UNITS, unit)) as f:
                    text = f.read().replace("/usr/local/bin/", os.path.abspath(self.lab.build_dir) + "/bin/")
                with open(os.path.join(d, unit), "w") as f:
                    f.write(text)
            r = subprocess.run(["systemd-analyze", "verify", "--man=no", "etherbeam.service",
                                "raw_binder@eth0.service"], cwd=d, capture_output=True, text=True)
            self.assertEqual((r.returncode, r.stdout + r.stderr), (0, ""))

    def test_the_daemons_started_as_the_units_say_serve_with_the_least_privilege(self):
        os.chmod(self.lab.workdir, 0o755)
        os.makedirs(self.lab.socket_dir)
        os.chown(self.lab.socket_dir, pwd.getpwnam("etherbeam-binder").pw_uid,
                 grp.getgrnam("etherbeam").gr_gid)  # RuntimeDirectory, User=, Group=
        os.chmod(self.lab.socket_dir, 0o1770)  # RuntimeDirectoryMode=
        self.state = os.path.join(self.lab.workdir, "state")
        os.makedirs(self.state)
        os.chown(self.state, pwd.getpwnam("etherbeam").pw_uid, -1)  # StateDirectory
        self.config = os.path.join(self.lab.workdir, "etherbeam.toml")
        with open(self.config, "w") as f:
            f.write(f'[stack]\naddresses = ["{STACK_IP}/24"]\n[dhcp]\n[[dhcp.subnet]]\n'
                    'subnet = "10.77.0.0/24"\npools = ["10.77.0.100-10.77.0.199"]\n')
        binder_unit, etherbeam_unit = service_section("raw_binder@.service"), service_section("etherbeam.service")
        program, args = self.exec_start(binder_unit, self.lab.server_if)
        args = [a for a in args if a not in ("--iface", self.lab.server_if, "--socket-dir", self.lab.socket_dir)]
        binder = self.lab._start(program, args, wrapper=setpriv_for(binder_unit))
        program, args = self.exec_start(etherbeam_unit)
        etherbeam = self.lab._start(program, args, wrapper=setpriv_for(etherbeam_unit))

        b, e = status_fields(binder.pid), status_fields(etherbeam.pid)
        for field in ("CapEff", "CapPrm", "CapBnd"):
            self.assertEqual(int(b[field], 16), CAP_NET_RAW, f"raw_binder {field}={b[field]}")
        for field in ("CapEff", "CapPrm", "CapBnd", "CapAmb", "CapInh"):
            self.assertEqual(int(e[field], 16), 0, f"etherbeam {field}={e[field]}")
        for s in (b, e):
            self.assertNotEqual(s["Uid"].split()[0], "0")
            self.assertEqual(s["NoNewPrivs"].strip(), "1")
        self.assertEqual(ping_stats(self.ping(count=5)), (5, 5))
        r = self.lab.client(["busybox", "udhcpc", "-i", self.lab.client_if, "-n", "-q", "-f", "-t", "5",
                             "-T", "1", "-s", "/bin/true"], check=False)
        self.assertIn("obtained", r.stdout + r.stderr)
        # systemctl reload sends SIGHUP; systemctl stop sends SIGTERM and waits TimeoutStopSec.
        self.assertEqual(etherbeam_unit["ExecReload"], "/bin/kill -HUP $MAINPID")
        etherbeam.popen.send_signal(signal.SIGHUP)
        etherbeam.wait_for_log("dhcp: configuration reloaded")
        t = time.monotonic()
        self.assertEqual(etherbeam.stop(signal.SIGTERM), 0)
        self.assertLess(time.monotonic() - t, float(etherbeam_unit["TimeoutStopSec"].rstrip("s")))
        self.assertEqual(etherbeam_unit["Restart"], "on-failure")


if __name__ == "__main__":
    main()
