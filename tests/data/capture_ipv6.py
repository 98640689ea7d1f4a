#!/usr/bin/python3
"""Captures IPv6 traffic for the decoder's tests: lab_ipv6.pcap.

A lab of two namespaces joined by a veth at default settings, each with a
static address (fd00:77::1 the client, fd00:77::3 the server side) besides its
link-local one: the kernels' own MLDv2 reports (with a hop-by-hop option) and
neighbour solicitations and advertisements, ping6 both small and fragmented
(-s 3000: fragment headers), a UDP datagram and a TCP exchange, recorded on the
server side. Run as root; writes the capture beside this script.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import netns_lab  # noqa: E402
from lab_capture import tcpdump_in  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT6, SERVER6 = "fd00:77::1", "fd00:77::3"
LISTENER = ("import socket; s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); "
            "s.bind(('::', 5001)); s.listen(1); print('listening', flush=True); c, _ = s.accept(); "
            "c.sendall(c.recv(100)); c.close()")
CLIENT = ("import socket; u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u.sendto(b'six', ('%s', 9)); "
          "c = socket.create_connection(('%s', 5001)); c.sendall(b'hello'); c.recv(100); c.close()"
          % (SERVER6, SERVER6))


def main():
    if os.geteuid() != 0:
        sys.exit("capture_ipv6: run as root")
    out = os.path.join(HERE, "lab_ipv6.pcap")
    with netns_lab.Lab() as lab:
        with tcpdump_in(lab.server_ns, ["-i", lab.server_if, "ip6"], out):
            # The lab turns IPv6 off (quiet links for etherbeam's tests); on again here.
            for side in (lab.client, lab.server):
                side(["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=0", "net.ipv6.conf.default.disable_ipv6=0"])
            lab.client(["sysctl", "-qw", f"net.ipv6.conf.{lab.client_if}.disable_ipv6=0"])
            lab.server(["sysctl", "-qw", f"net.ipv6.conf.{lab.server_if}.disable_ipv6=0"])
            # nodad: the addresses are usable at once, without waiting out duplicate address detection.
            lab.client(["ip", "-6", "addr", "add", f"{CLIENT6}/64", "dev", lab.client_if, "nodad"])
            lab.server(["ip", "-6", "addr", "add", f"{SERVER6}/64", "dev", lab.server_if, "nodad"])
            listener = subprocess.Popen(["ip", "netns", "exec", lab.server_ns, "/usr/bin/python3", "-c", LISTENER],
                                        stdout=subprocess.PIPE, text=True)
            assert listener.stdout.readline().strip() == "listening"
            lab.client(["ping", "-6", "-c", "2", "-i", "0.2", SERVER6])
            lab.client(["ping", "-6", "-c", "1", "-s", "3000", SERVER6])
            lab.client(["/usr/bin/python3", "-c", CLIENT])
            listener.wait(10)
    print(subprocess.run(["tcpdump", "-nn", "-v", "-r", out], capture_output=True, text=True).stdout)


if __name__ == "__main__":
    main()
