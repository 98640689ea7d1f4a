"""Shared setup for the end-to-end tests: they need root (namespaces) and the
real binaries from the build directory given in ETHERBEAM_BUILD."""
import hashlib
import os
import re
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
import netns_lab  # noqa: E402

Lab = netns_lab.Lab
STACK_IP = netns_lab.STACK_IP
CLIENT_IP = netns_lab.CLIENT_IP


def ping_stats(output):
    """(transmitted, received) from ping's summary line."""
    m = re.search(r"(\d+) packets transmitted, (\d+) received", output)
    if not m:
        raise AssertionError(f"no ping summary in:\n{output}")
    return int(m.group(1)), int(m.group(2))


def wait_for_counter(daemon, name, value, timeout=10.0):
    """Waits until `daemon`'s counter `name` reaches `value` (a counter is the only
    signal some events give, e.g. etherbeam's ARP announcements at start)."""
    deadline = time.monotonic() + timeout
    while daemon.counters().get(name, 0) < value:
        if time.monotonic() > deadline:
            raise AssertionError(f"{daemon.name}'s {name} did not reach {value} within {timeout} s")
        time.sleep(0.2)


def replied_sequences(output):
    return {int(s) for s in re.findall(r"icmp_seq=(\d+) ttl=", output)}


def sha256_of(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def read_text(path):
    with open(path) as f:
        return f.read()


class LabTest(unittest.TestCase):
    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest("end-to-end tests need root for network namespaces")
        self.lab = Lab().__enter__()
        self.addCleanup(self.lab.__exit__, None, None, None)
        self.addCleanup(self.stop_daemons_cleanly)  # runs first: cleanups go last in, first out

    def stop_daemons_cleanly(self):
        """Every daemon still running ends on SIGTERM within 5 s, as a service manager expects."""
        hung = [d for d in self.lab.daemons if d.alive() and d.stop(signal.SIGTERM, timeout=5) == -signal.SIGKILL]
        if hung:
            self.fail("did not end on SIGTERM within 5 s (killed): " + ", ".join(
                f"{d.name}; its log ends:\n{d.log()[-1500:]}" for d in hung))

    def ping(self, address=STACK_IP, count=5, interval="0.01", extra=()):
        deadline = str(max(5, int(count * float(interval)) + 5))
        result = self.lab.client(["ping", "-n", "-c", str(count), "-i", interval, "-W", "1",
                                  "-w", deadline, *extra, address], check=False)
        return result.stdout

    def serve(self, side, address, port, name, data):
        """A static file server (/big holds `data`) in `side`'s client namespace; returns a
        function giving its log."""
        directory = os.path.join(self.lab.workdir, f"www-{name}")
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, "big"), "wb") as f:
            f.write(data)
        log = open(os.path.join(self.lab.workdir, f"http-{name}.log"), "w+")
        server = side.client_popen(netns_lab.http_server_command(port, address, directory), stdout=subprocess.PIPE,
                                   stderr=log, text=True)
        self.addCleanup(lambda: (server.kill(), server.wait(), server.stdout.close(), log.close()))
        self.assertIn("Serving HTTP", server.stdout.readline())  # listening
        return lambda: read_text(log.name)

    def curl(self, client, url, max_time=30, extra=()):
        """curl's result and the SHA-256 of what it fetched (None: nothing)."""
        out = os.path.join(self.lab.workdir, "got")
        r = client(["curl", "-sS", "--max-time", str(max_time), "-o", out, "-w", "%{http_code}", *extra, url],
                   check=False, timeout=max_time + 30)
        digest = sha256_of(out) if os.path.exists(out) else None
        if os.path.exists(out):
            os.remove(out)
        return r, digest

    def trace_one(self, filter_words, provoke, attempts=40):
        """`etherbeam trace` of the next packet matching `filter_words`, calling `provoke`
        (which sends one) until it is caught: the trace is armed only once the control
        socket takes it. Returns what it printed."""
        tracer = subprocess.Popen([os.path.join(self.lab.build_dir, "bin", "etherbeam"), "trace", "-c", "1",
                                   "--seconds", "20", *filter_words, "--socket-dir", self.lab.socket_dir],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: tracer.poll() is None and tracer.kill())
        for _ in range(attempts):
            provoke()
            if tracer.poll() is not None:
                break
        stdout, stderr = tracer.communicate(timeout=30)
        self.assertEqual(tracer.returncode, 0, stderr)
        return stdout

    def assert_all_alive(self):
        for d in self.lab.daemons[-2:]:
            self.assertTrue(d.alive(), f"{d.name} died; its log:\n{d.log()}")


def main():
    unittest.main(verbosity=2)
