"""A throwaway lab of two network namespaces joined by a veth pair.

    client namespace (10.77.0.1/24)  <-- veth -->  server namespace (no IP)
                                                   raw_binder + etherbeam

The server side holds no address, so whatever answers there is etherbeam, not
the kernel. Daemons report readiness with sd_notify (READY=1) on a socket the
lab listens on: nothing waits by sleeping. Everything the lab made, processes
(by PID) and namespaces, is removed on exit, on failure and on SIGTERM.
"""
import ctypes
import itertools
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

CLIENT_IP = "10.77.0.1"
STACK_IP = "10.77.0.2"
PREFIX = 24
_ids = itertools.count()


class LabError(RuntimeError):
    pass


class Daemon:
    """A process started by the lab, with its log file."""

    def __init__(self, name, popen, log_path):
        self.name, self.popen, self.log_path = name, popen, log_path

    @property
    def pid(self):
        return self.popen.pid

    def alive(self):
        return self.popen.poll() is None

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def stop(self, sig=signal.SIGTERM, timeout=5.0):
        """Sends `sig` and waits; returns the exit code (SIGKILL after timeout)."""
        if self.alive():
            self.popen.send_signal(sig)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        return self.popen.returncode

    def wait_for_log(self, text, timeout=5.0):
        """Waits until `text` appears in the log; raises LabError otherwise."""
        deadline = time.monotonic() + timeout
        while text not in self.log():
            if time.monotonic() > deadline:
                raise LabError(f"{self.name} did not log {text!r} within {timeout}s; its log:\n{self.log()}")
            time.sleep(0.01)  # polling a log file: there is no other signal to await

    def counters(self, timeout=5.0):
        """Asks for counters with SIGUSR1 and returns them as a dict."""
        before = self.log().count("counters:")
        self.popen.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lines = [l for l in self.log().splitlines() if "counters:" in l]
            if len(lines) > before:
                pairs = lines[-1].split("counters:", 1)[1].split()
                return {k: int(v) for k, v in (p.split("=") for p in pairs)}
            time.sleep(0.02)  # polling a log file: there is no other signal to await
        raise LabError(f"{self.name} printed no counters within {timeout}s")


class ExtraLink:
    """Another client namespace joined to the lab's server namespace by a veth
    pair of its own, with a socket directory for its own raw_binder."""

    def __init__(self, lab, index, client_ip, prefix=PREFIX):
        n = f"{lab.id}l{index}"
        self.lab, self.client_ip, self.prefix = lab, client_ip, prefix
        self.client_ns, self.server_if, self.client_if = f"ebcli{n}", f"ebs{n}", f"ebc{n}"
        self.socket_dir = os.path.join(lab.workdir, f"sockets-{index}")

    def create(self):
        run(["ip", "netns", "add", self.client_ns])
        self.lab._created.append(self.client_ns)
        run(["ip", "netns", "exec", self.client_ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
             "net.ipv6.conf.default.disable_ipv6=1"])
        run(["ip", "-n", self.client_ns, "link", "set", "lo", "up"])
        run(["ip", "link", "add", self.server_if, "type", "veth", "peer", "name", self.client_if])
        run(["ip", "link", "set", self.server_if, "netns", self.lab.server_ns])
        run(["ip", "link", "set", self.client_if, "netns", self.client_ns])
        run(["ip", "-n", self.lab.server_ns, "link", "set", self.server_if, "up"])
        run(["ip", "-n", self.client_ns, "addr", "add", f"{self.client_ip}/{self.prefix}", "dev", self.client_if])
        run(["ip", "-n", self.client_ns, "link", "set", self.client_if, "up"])
        return self

    def client(self, cmd, **kw):
        return run(["ip", "netns", "exec", self.client_ns] + cmd, **kw)

    def client_popen(self, cmd, **kw):
        return subprocess.Popen(["ip", "netns", "exec", self.client_ns] + cmd, **kw)

    def server_mac(self):
        return self.lab.server(["cat", f"/sys/class/net/{self.server_if}/address"]).stdout.strip()

    def start_binder(self, *extra):
        return self.lab._start("raw_binder", ["--iface", self.server_if, "--socket-dir", self.socket_dir,
                                              *extra], binder_defaults=False)


class Lab:
    def __init__(self, build_dir=None):
        n = f"{os.getpid()}x{next(_ids)}"
        self.id = n
        self.extra_links = []
        self.server_ns, self.client_ns = f"ebsrv{n}", f"ebcli{n}"
        self.server_if, self.client_if = f"ebs{n}", f"ebc{n}"
        self.build_dir = build_dir or os.environ.get("ETHERBEAM_BUILD", "build")
        self.workdir = tempfile.mkdtemp(prefix="etherbeam-lab-")
        self.socket_dir = os.path.join(self.workdir, "sockets")
        self.daemons = []
        self._started = itertools.count()  # names each daemon's files uniquely
        self._created = []

    # -- lifecycle -----------------------------------------------------------
    def __enter__(self):
        self._old_sigterm = signal.signal(signal.SIGTERM, self._on_sigterm)
        try:
            self._create()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()
        signal.signal(signal.SIGTERM, self._old_sigterm)

    def _on_sigterm(self, *_):
        self.close()
        raise SystemExit(143)

    def _create(self):
        remove_stale_labs()
        for ns in (self.server_ns, self.client_ns):
            run(["ip", "netns", "add", ns])
            self._created.append(ns)
        for ns in (self.server_ns, self.client_ns):
            # No IPv6 chatter (router solicitations, MLD): only traffic we send.
            run(["ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                 "net.ipv6.conf.default.disable_ipv6=1"])
            run(["ip", "-n", ns, "link", "set", "lo", "up"])
        self.recreate_link()
        # The default queue of 10 datagrams per UNIX socket is too short for bursts.
        self.server(["sysctl", "-qw", "net.unix.max_dgram_qlen=512"])

    def recreate_link(self):
        """The veth pair between the namespaces (again, after a test deleted it)."""
        run(["ip", "link", "add", self.server_if, "type", "veth", "peer", "name", self.client_if])
        run(["ip", "link", "set", self.server_if, "netns", self.server_ns])
        run(["ip", "link", "set", self.client_if, "netns", self.client_ns])
        run(["ip", "-n", self.server_ns, "link", "set", self.server_if, "up"])
        run(["ip", "-n", self.client_ns, "addr", "add", f"{CLIENT_IP}/{PREFIX}", "dev", self.client_if])
        run(["ip", "-n", self.client_ns, "link", "set", self.client_if, "up"])
        # Offloads stay as the kernel sets them, as users leave them: the client's
        # UDP and TCP checksums reach raw_binder unfinished, and raw_binder finishes them.

    def add_link(self, client_ip, prefix=PREFIX):
        """A second (third…) link into the server namespace: its own client
        namespace at `client_ip`, veth pair and socket directory."""
        link = ExtraLink(self, len(self.extra_links) + 1, client_ip, prefix).create()
        self.extra_links.append(link)
        return link

    def add_neighbour_host(self, address, prefix=PREFIX):
        """Another host on the client's segment of the main link, at `address`: a
        namespace of its own, joined to the client by a bridge in the client's
        namespace (which then holds the client's address). Returns a function that
        runs a command in it; the lab removes it with the rest."""
        ns = f"ebnh{self.id}x{len(self._created)}"
        run(["ip", "netns", "add", ns])
        self._created.append(ns)
        inside, outside = f"nh{self.id}"[:15], f"nhp{self.id}"[:15]
        self.client(["ip", "link", "add", "br0", "type", "bridge"])
        self.client(["ip", "link", "set", "dev", self.client_if, "master", "br0"])
        self.client(["ip", "addr", "flush", "dev", self.client_if])
        self.client(["ip", "addr", "add", f"{CLIENT_IP}/{PREFIX}", "dev", "br0"])
        self.client(["ip", "link", "add", outside, "type", "veth", "peer", "name", inside, "netns", ns])
        self.client(["ip", "link", "set", "dev", outside, "master", "br0", "up"])
        self.client(["ip", "link", "set", "dev", "br0", "up"])
        run(["ip", "-n", ns, "addr", "add", f"{address}/{prefix}", "dev", inside])
        run(["ip", "-n", ns, "link", "set", "dev", inside, "up"])
        run(["ip", "-n", ns, "link", "set", "dev", "lo", "up"])
        return lambda cmd, **kw: run(["ip", "netns", "exec", ns] + cmd, **kw)

    def close(self):
        for d in reversed(self.daemons):
            d.stop(signal.SIGTERM, timeout=3)
        # Whatever else runs in the lab's namespaces was started by the lab's
        # user (clients that daemonized): stop it before the namespaces go.
        for ns in self._created:
            pids = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True).stdout.split()
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except ProcessLookupError:
                    pass
        for ns in reversed(self._created):
            subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)
        self._created = []
        shutil.rmtree(self.workdir, ignore_errors=True)

    # -- commands in the namespaces -----------------------------------------
    def server(self, cmd, **kw):
        return run(["ip", "netns", "exec", self.server_ns] + cmd, **kw)

    def client(self, cmd, **kw):
        return run(["ip", "netns", "exec", self.client_ns] + cmd, **kw)

    def client_popen(self, cmd, **kw):
        return subprocess.Popen(["ip", "netns", "exec", self.client_ns] + cmd, **kw)

    def server_mac(self):
        out = self.server(["cat", f"/sys/class/net/{self.server_if}/address"]).stdout
        return out.strip()

    # -- daemons -------------------------------------------------------------
    def start_binder(self, *extra):
        return self._start("raw_binder", list(extra))

    def start_etherbeam(self, *extra, ip=f"{STACK_IP}/{PREFIX}"):
        args = ["--socket-dir", self.socket_dir] + (["--ip", ip] if ip else []) + list(extra)
        return self._start("etherbeam", args)

    def start_etherbeam_with(self, *args):
        """etherbeam with exactly these arguments (e.g. a --config with [[link]] tables)."""
        return self._start("etherbeam", list(args))

    def _start(self, program, args, timeout=10.0, wrapper=(), binder_defaults=True, namespace=None):
        """Starts a daemon in the server namespace, or in `namespace` (under
        `wrapper`, e.g. setpriv), and waits for its READY=1."""
        binary = os.path.join(self.build_dir, "bin", program)
        if program == "raw_binder" and binder_defaults:
            args = ["--iface", self.server_if, "--socket-dir", self.socket_dir] + list(args)
        n = next(self._started)
        notify_path = os.path.join(self.workdir, f"notify-{program}-{n}")
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(notify_path)
        os.chmod(notify_path, 0o777)  # daemons started under another user notify too
        notify.settimeout(timeout)
        log_path = os.path.join(self.workdir, f"{program}-{n}.log")
        env = dict(os.environ, NOTIFY_SOCKET=notify_path)
        with open(log_path, "w") as log:
            popen = subprocess.Popen(["ip", "netns", "exec", namespace or self.server_ns, *wrapper, binary] + args,
                                     stdout=log, stderr=subprocess.STDOUT, env=env,
                                     preexec_fn=_terminate_with_parent)
        daemon = Daemon(program, popen, log_path)
        self.daemons.append(daemon)
        try:
            while b"READY=1" not in notify.recv(4096):
                pass
        except socket.timeout:
            raise LabError(f"{program} did not report READY=1 within {timeout}s; its log:\n{daemon.log()}")
        finally:
            notify.close()
        return daemon


def _terminate_with_parent():
    """Daemons get SIGTERM if the lab's process dies without cleaning up (e.g. SIGKILL
    by a test runner's timeout); PR_SET_PDEATHSIG survives the exec of `ip netns exec`."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def remove_stale_labs():
    """Deletes namespaces left by labs whose process is gone (killed before it could
    clean up). A lab's namespaces carry its PID: ebsrv<PID>x<N>, ebcli<PID>x<N>."""
    listing = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    for ns, pid in re.findall(r"^(eb(?:srv|cli)(\d+)x\w+)", listing, re.M):
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)
        except PermissionError:
            pass  # alive, another user's


ROUTER_CONFIG = """socket_dir = "{a_dir}"

[apps]
enable = ["router"]

[[link]]
name = "a"
socket_dir = "{a_dir}"
addresses = ["{a_address}/{prefix}"]

[[link]]
name = "b"
socket_dir = "{b_dir}"
addresses = ["{b_address}/{prefix}"]
"""


# python's http.server asks DNS for its own name when it binds, and a lab has
# no DNS: each start waited for the resolver's timeouts (10 s). This one does not ask.
_HTTP_SERVER = """
import functools, http.server, socketserver, sys
class server(http.server.ThreadingHTTPServer):
    def server_bind(self):
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]
port, address, directory = int(sys.argv[1]), sys.argv[2], sys.argv[3]
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=directory)
with server((address, port), handler) as s:
    print(f"Serving HTTP on {address} port {port}", flush=True)
    s.serve_forever()
"""


def http_server_command(port, address, directory):
    """argv of a static file server on address:port; prints "Serving HTTP" once listening, logs to stderr."""
    return ["/usr/bin/python3", "-u", "-c", _HTTP_SERVER, str(port), address, directory]


def write_router_config(lab, b, b_address, a_address=STACK_IP, prefix=PREFIX):
    """etherbeam's config for routing between the lab's link (a) and extra link `b`;
    returns its path."""
    path = os.path.join(lab.workdir, "router.toml")
    with open(path, "w") as f:
        f.write(ROUTER_CONFIG.format(a_dir=lab.socket_dir, b_dir=b.socket_dir, a_address=a_address,
                                     b_address=b_address, prefix=prefix))
    return path


HOME_ROUTER_CONFIG = """socket_dir = "{a_dir}"

[apps]
enable = ["bridge", "router"]

[[link]]
name = "a"
socket_dir = "{a_dir}"
addresses = ["{a_address}/{prefix}"]

[[link]]
name = "b"
socket_dir = "{b_dir}"
addresses = []

[[link]]
name = "w"
socket_dir = "{w_dir}"
addresses = ["{w_address}/{prefix}"]

[apps.bridge]
links = ["a", "b"]
name = "lan"
{bridge_firewall}
[apps.router]
firewall = "{rules}"

[dhcp]
state_dir = "{state}"

[[dhcp.subnet]]
subnet = "{lan}"
pools = ["{pool}"]
routers = ["{a_address}"]
"""

HOME_ROUTER_RULES = """# forward: the LAN (the bridge's ports a and b) may open anything towards the WAN;
# nothing new comes in.
chain forward policy drop {
  ct state established,related accept
  ct state invalid drop
  iif lan oif w counter lan_out accept
}
nat {
  oif w masquerade
}
"""


def write_home_router_config(lab, b, w, w_address, pool="10.77.0.100-10.77.0.109", bridge_rules=None):
    """etherbeam's config for a home router: the lab's link (a, which holds the LAN's
    gateway address) and extra link `b` bridged into one LAN, routed with a firewall
    and masquerade to extra link `w` (the WAN), and DHCP on the LAN; with `bridge_rules`,
    the bridge filters what crosses between the LAN ports too. Returns its path."""
    rules = os.path.join(lab.workdir, "home.rules")
    with open(rules, "w") as f:
        f.write(HOME_ROUTER_RULES)
    bridge_firewall = ""
    if bridge_rules:
        path = os.path.join(lab.workdir, "lan.rules")
        with open(path, "w") as f:
            f.write(bridge_rules)
        bridge_firewall = f'firewall = "{path}"\n'

    path = os.path.join(lab.workdir, "home.toml")
    with open(path, "w") as f:
        f.write(HOME_ROUTER_CONFIG.format(a_dir=lab.socket_dir, b_dir=b.socket_dir, w_dir=w.socket_dir,
                                          a_address=STACK_IP, w_address=w_address, prefix=PREFIX, rules=rules,
                                          bridge_firewall=bridge_firewall,
                                          state=os.path.join(lab.workdir, "home-state"),
                                          lan=f"{STACK_IP.rsplit('.', 1)[0]}.0/{PREFIX}", pool=pool))
    return path


def run(cmd, check=True, timeout=120, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    result = subprocess.run(cmd, timeout=timeout, **kw)
    if check and result.returncode != 0:
        raise LabError(f"{' '.join(cmd)} exited {result.returncode}: {result.stderr}{result.stdout}")
    return result
