#!/usr/bin/python3
"""Captures how the Linux kernel refuses what nothing serves, for the unit tests.

A lab of two namespaces; the server-side kernel holds 10.77.0.3 and serves
nothing. From the client (10.77.0.1): curl's SYN to port 80 (the kernel
answers RST+ACK), a bare ACK to port 80 from scapy (answered RST from its
acknowledgment number), and an IP datagram of protocol 253 (answered ICMP
protocol unreachable). tcpdump records the server side into
lab_kernel_refusals.pcap beside this script. Run as root.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import netns_lab  # noqa: E402
from lab_capture import tcpdump_in  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER_IP = "10.77.0.3"
PROBES = ("from scapy.all import IP, TCP, Raw, send\n"
          f"send(IP(dst='{SERVER_IP}')/TCP(sport=40000, dport=80, flags='A', seq=1000, ack=123456789), verbose=0)\n"
          f"send(IP(dst='{SERVER_IP}', proto=253)/Raw(b'etherbeam'), verbose=0)\n")


def main():
    if os.geteuid() != 0:
        sys.exit("capture_refusals: run as root")
    out = os.path.join(HERE, "lab_kernel_refusals.pcap")
    with netns_lab.Lab() as lab:
        lab.server(["ip", "addr", "add", f"{SERVER_IP}/24", "dev", lab.server_if])
        lab.client(["ping", "-c", "1", "-W", "2", SERVER_IP])  # ARP resolved before the capture
        with tcpdump_in(lab.server_ns, ["-i", lab.server_if, "ip and not icmp[0] = 8 and not icmp[0] = 0"], out):
            lab.client(["curl", "-sS", "--max-time", "2", f"http://{SERVER_IP}/"], check=False)
            lab.client(["/usr/bin/python3", "-c", PROBES])
    print(subprocess.run(["tcpdump", "-nn", "-v", "-r", out], capture_output=True, text=True).stdout)


if __name__ == "__main__":
    main()
