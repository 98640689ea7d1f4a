#!/usr/bin/python3
"""Captures real DHCP exchanges for the unit tests' byte vectors.

A lab of two namespaces: dnsmasq serves 10.77.0.100-199 on the server side
(10.77.0.3/24); dhclient, udhcpc, dhcpcd and perfdhcp run on the client side,
each obtaining and releasing a lease, while tcpdump records the server side (IPv6 is off: only DHCP and ARP) into lab_dhcp_<client>.pcap beside this script. None of the
clients' scripts run (each is given /bin/true), so no address, route or
resolv.conf is touched. Run as root; then run regenerate_frames.sh.
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import netns_lab  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER_IP = "10.77.0.3"

CLIENTS = {
    "dhclient": lambda lab, w: [
        ["sh", "-c", f"printf 'send host-name \"dhclient-host\";\\n' > {w}/dhclient.conf"],
        ["dhclient", "-4", "-1", "-v", "-sf", "/bin/true", "-lf", f"{w}/dhclient.leases",
         "-pf", f"{w}/dhclient.pid", "-cf", f"{w}/dhclient.conf", lab.client_if],
        ["dhclient", "-4", "-r", "-v", "-sf", "/bin/true", "-lf", f"{w}/dhclient.leases",
         "-pf", f"{w}/dhclient.pid", lab.client_if]],
    # udhcpc's script sets the leased address (in the client namespace) so that
    # its RELEASE can leave from it.
    "udhcpc": lambda lab, w: [
        ["sh", "-c", f"printf '#!/bin/sh\\n[ \"$1\" = bound ] && ip addr add $ip/$mask dev $interface\\n"
                     f"exit 0\\n' > {w}/udhcpc.sh && chmod +x {w}/udhcpc.sh"],
        ["busybox", "udhcpc", "-i", lab.client_if, "-n", "-q", "-f", "-R", "-s", f"{w}/udhcpc.sh",
         "-x", "hostname:udhcpc-host", "-O", "ntpsrv"]],
    "dhcpcd": lambda lab, w: [
        # dhcpcd sets the lease on the interface itself (in the client namespace only);
        # its hook script, which would write resolv.conf, is replaced by /bin/true.
        ["dhcpcd", "-4", "-1", "-B", "-t", "15", "-c", "/bin/true", "-h", "dhcpcd-host", lab.client_if],
        ["dhcpcd", "-4", "-1", "-B", "-t", "15", "-c", "/bin/true", "--inform", "10.77.0.150/24",
         lab.client_if]],
    "perfdhcp": lambda lab, w: [
        ["perfdhcp", "-4", "-l", lab.client_if, "-r", "4", "-n", "4", "-R", "4"]],
}


def main():
    if os.geteuid() != 0:
        sys.exit("capture_dhcp: run as root")
    for name, commands in CLIENTS.items():
        if len(sys.argv) > 1 and name not in sys.argv[1:]:
            continue
        with netns_lab.Lab() as lab:
            w = lab.workdir
            lab.client(["ip", "addr", "flush", "dev", lab.client_if])
            if name == "perfdhcp":  # perfdhcp sends from the interface's address
                lab.client(["ip", "addr", "add", "10.77.0.1/24", "dev", lab.client_if])
            lab.server(["ip", "addr", "add", f"{SERVER_IP}/24", "dev", lab.server_if])
            lab.server(["ethtool", "-K", lab.server_if, "tx", "off"])  # full UDP checksums from dnsmasq
            dnsmasq = subprocess.Popen(
                ["ip", "netns", "exec", lab.server_ns, "dnsmasq", "--no-daemon", "--port=0",
                 "--user=root", "--pid-file", f"--interface={lab.server_if}", "--bind-interfaces",
                 "--dhcp-range=10.77.0.100,10.77.0.199,255.255.255.0,1h",
                 "--dhcp-option=option:router,10.77.0.1", "--dhcp-option=option:dns-server,10.77.0.53",
                 "--dhcp-option=option:domain-name,lab.example", "--dhcp-option=option:ntp-server,10.77.0.123",
                 f"--dhcp-leasefile={w}/dnsmasq.leases", "--dhcp-authoritative", "--no-ping"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            pcap = os.path.join(HERE, f"lab_dhcp_{name}.pcap")
            tcpdump = subprocess.Popen(
                ["ip", "netns", "exec", lab.server_ns, "tcpdump", "-Z", "root", "--immediate-mode", "-i", lab.server_if, "-U",
                 "-w", pcap], stderr=subprocess.PIPE, text=True)
            tcpdump.stderr.readline()  # "listening on ...": capture has started
            time.sleep(0.3)  # dnsmasq gives no readiness signal; capture tooling only, not a test
            try:
                for cmd in commands(lab, w):
                    r = lab.client(cmd, check=False, timeout=60)
                    print(f"{name}: {' '.join(cmd[:2])} exited {r.returncode}\n{r.stdout}{r.stderr}")
                time.sleep(0.5)  # let the last reply reach tcpdump
            finally:
                tcpdump.terminate(); tcpdump.wait()
                dnsmasq.terminate(); dnsmasq.wait()
            print(subprocess.run(["tcpdump", "-nr", pcap], capture_output=True, text=True).stdout)


if __name__ == "__main__":
    main()
