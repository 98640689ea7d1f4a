#!/usr/bin/python3
"""Captures the link types other than Ethernet that users bring to `etherbeam decode`.

- lab_any_sll2.pcap: `tcpdump -i any` (Linux cooked capture v2, tcpdump's default
  for "any" since 4.99), on the server side of a namespace lab: ARP, ping, a
  UDP datagram and a TCP exchange between the client (10.77.0.1) and the
  server-side kernel (10.77.0.3), each frame once as received and once as sent
  where both ends are in the namespace's view;
- lab_any_sll.pcap: the same traffic with `-y LINUX_SLL` (cooked capture v1);
- lab_tun_raw.pcap: `tcpdump -i ebtun0` on that tun device (raw IPv4, no link
  header): the ping and the UDP datagram.

The IPv6 chatter of new interfaces is filtered out: the decoder shows IPv6 as
data. Run as root; writes the captures beside this script.
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
            "s.bind(('0.0.0.0', 5001)); s.listen(1); print('listening', flush=True); c, _ = s.accept(); "
            "c.sendall(c.recv(100)); c.close()")
# Holds a tun device open (without a reader its carrier is down and the kernel
# drops what is routed into it before any capture sees it).
TUN_HOLDER = ("import fcntl, struct, sys; t = open('/dev/net/tun', 'r+b', buffering=0); "
              "fcntl.ioctl(t, 0x400454ca, struct.pack('16sH', b'ebtun0', 0x0001 | 0x1000)); "
              "print('open', flush=True); sys.stdin.read()")  # TUNSETIFF, IFF_TUN | IFF_NO_PI
CLIENT = ("import socket; u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.sendto(b'cooked', ('%s', 9)); "
          "c = socket.create_connection(('%s', 5001)); c.sendall(b'hello'); c.recv(100); c.close()"
          % (SERVER_IP, SERVER_IP))


def main():
    if os.geteuid() != 0:
        sys.exit("capture_cooked: run as root")
    sll2, sll, raw = (os.path.join(HERE, name) for name in ("lab_any_sll2.pcap", "lab_any_sll.pcap", "lab_tun_raw.pcap"))
    with netns_lab.Lab() as lab:
        lab.server(["ip", "addr", "add", f"{SERVER_IP}/24", "dev", lab.server_if])
        holder = subprocess.Popen(["ip", "netns", "exec", lab.server_ns, "/usr/bin/python3", "-c", TUN_HOLDER],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert holder.stdout.readline().strip() == "open"
        lab.server(["ip", "addr", "add", "10.98.0.1/24", "dev", "ebtun0"])
        lab.server(["ip", "link", "set", "ebtun0", "up"])
        listener = subprocess.Popen(["ip", "netns", "exec", lab.server_ns, "/usr/bin/python3", "-c", LISTENER],
                                    stdout=subprocess.PIPE, text=True)
        assert listener.stdout.readline().strip() == "listening"
        with tcpdump_in(lab.server_ns, ["-i", "any", "not ip6"], sll2), \
                tcpdump_in(lab.server_ns, ["-i", "any", "-y", "LINUX_SLL", "not ip6"], sll), \
                tcpdump_in(lab.server_ns, ["-i", "ebtun0"], raw):
            lab.client(["arping", "-c", "1", "-w", "2", SERVER_IP], check=False)
            lab.client(["ping", "-c", "2", "-i", "0.2", SERVER_IP])
            lab.client(["/usr/bin/python3", "-c", CLIENT])
            listener.wait(10)
            # Into the tun, which nobody reads: seen as sent, with no link address.
            lab.server(["ping", "-c", "2", "-i", "0.2", "-W", "0.2", "10.98.0.2"], check=False)
            lab.server(["/usr/bin/python3", "-c", "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM)"
                                                  ".sendto(b'raw', ('10.98.0.2', 9))"])
        holder.stdin.close()
        holder.wait(10)
    for out in (sll2, sll, raw):
        print(subprocess.run(["tcpdump", "-nn", "-r", out], capture_output=True, text=True).stdout)


if __name__ == "__main__":
    main()
