#!/usr/bin/python3
"""Captures TCP super-frames (segmentation offload) for the unit tests.

A lab of two namespaces at default offloads: the client (10.77.0.1) sends
24,000 bytes to a listener of the server-side kernel (10.77.0.3) in one
write, while tcpdump records the server side into lab_tcp_super_frames.pcap
beside this script. The client's kernel hands its veth TCP packets larger
than the 1500-byte MTU (TSO/GSO: one header for several segments' payload),
which is what raw_binder's packet socket sees. Run as root.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import netns_lab  # noqa: E402
from lab_capture import tcpdump_in  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER_IP = "10.77.0.3"
LISTENER = ("import socket; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); "
            "s.bind(('0.0.0.0', 5001)); s.listen(1); print('listening', flush=True); c, _ = s.accept(); n = 0\n"
            "while True:\n d = c.recv(65536)\n if not d: break\n n += len(d)\nprint(n, flush=True)")
SENDER = ("import socket; c = socket.create_connection(('%s', 5001)); c.sendall(bytes(range(256)) * 93 + b'x' * 192); "
          "c.shutdown(socket.SHUT_WR); c.recv(1); c.close()" % SERVER_IP)


def main():
    if os.geteuid() != 0:
        sys.exit("capture_tcp: run as root")
    out = os.path.join(HERE, "lab_tcp_super_frames.pcap")
    with netns_lab.Lab() as lab:
        lab.server(["ip", "addr", "add", f"{SERVER_IP}/24", "dev", lab.server_if])
        listener = subprocess.Popen(["ip", "netns", "exec", lab.server_ns, "/usr/bin/python3", "-c", LISTENER],
                                    stdout=subprocess.PIPE, text=True)
        assert listener.stdout.readline().strip() == "listening"
        with tcpdump_in(lab.server_ns, ["-i", lab.server_if, "tcp"], out):
            lab.client(["/usr/bin/python3", "-c", SENDER])
            print("received:", listener.stdout.readline().strip())
            listener.wait(10)
    print(subprocess.run(["tcpdump", "-nn", "-r", out], capture_output=True, text=True).stdout)


if __name__ == "__main__":
    main()
