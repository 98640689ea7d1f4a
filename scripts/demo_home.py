#!/usr/bin/python3
"""The home-router lab: etherbeam as bridge, router, firewall, NAT and DHCP server.

    host A 10.77.0.1 ⇄ LAN port a ─┐ bridge (10.77.0.2 on port a, DHCP)
    host B (DHCP)     ⇄ LAN port b ─┘     │ router, firewall, masquerade
    server W 10.88.0.1 ⇄ WAN link w ── 10.88.0.2

Host B leases an address from etherbeam on LAN port b, then fetches a file from
W with curl through the router (W sees only the router's WAN address); A pings
B across the bridge; W's ping to B is dropped by the firewall. Then what
etherbeam knows: its neighbours, flows and counters. With --stay the lab stays
up until Ctrl-C.
"""
import hashlib
import os
import re
import signal
import subprocess

import netns_lab

B_STATIC, W_HOST, W_STACK = "10.77.0.3", "10.88.0.1", "10.88.0.2"


def show(title, result):
    print(f"\n$ {title}", flush=True)
    print((result.stdout + result.stderr).rstrip(), flush=True)


def etherbeam_says(lab, command):
    r = subprocess.run([os.path.join(lab.build_dir, "bin", "etherbeam"), command, "--socket-dir", lab.socket_dir],
                       capture_output=True, text=True, timeout=30)
    show(f"etherbeam {command}", r)


def run(build, stay):
    with netns_lab.Lab(build) as lab:
        b = lab.add_link(B_STATIC)
        w = lab.add_link(W_HOST)
        config = netns_lab.write_home_router_config(lab, b, w, W_STACK)
        lab.client(["ip", "route", "add", "default", "via", netns_lab.STACK_IP])
        binders = [lab.start_binder("--promisc"), b.start_binder("--promisc"), w.start_binder()]
        etherbeam = lab.start_etherbeam_with("--config", config)
        print(open(config).read())
        print(open(os.path.join(lab.workdir, "home.rules")).read())

        b.client(["ip", "addr", "flush", "dev", b.client_if])
        dhcp = b.client(["busybox", "udhcpc", "-i", b.client_if, "-n", "-q", "-f", "-t", "5", "-T", "1", "-s",
                         "/bin/true"], check=False, timeout=60)
        show(f"busybox udhcpc -i {b.client_if}   # host B, behind LAN port b", dhcp)
        lease = re.search(r"lease of (\S+) obtained", dhcp.stdout + dhcp.stderr)
        b_address = lease.group(1) if lease else B_STATIC
        b.client(["ip", "addr", "add", f"{b_address}/{netns_lab.PREFIX}", "dev", b.client_if])
        b.client(["ip", "route", "add", "default", "via", netns_lab.STACK_IP])

        www = os.path.join(lab.workdir, "www")
        os.makedirs(www)
        data = os.urandom(5_000_000)
        with open(os.path.join(www, "file"), "wb") as f:
            f.write(data)
        server = w.client_popen(netns_lab.http_server_command(8080, W_HOST, www), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        try:
            server.stdout.readline()  # "Serving HTTP on ...": listening
            got = os.path.join(lab.workdir, "got")
            curl = b.client(["curl", "-sS", "--max-time", "60", "-o", got, "-w",
                             "%{http_code}, %{size_download} bytes in %{time_total} s\n",
                             f"http://{W_HOST}:8080/file"], check=False, timeout=90)
            show(f"curl http://{W_HOST}:8080/file   # from host B, through the bridge and the router", curl)
            with open(got, "rb") as f:
                same = hashlib.sha256(f.read()).digest() == hashlib.sha256(data).digest()
            print(f"the file arrived {'whole and unchanged' if same else 'DIFFERENT'}")
        finally:
            server.kill()
            _, served = server.communicate()
        print(f"the server's log (the client it saw):\n{served.rstrip()}")
        across = lab.client(["ping", "-n", "-c", "3", "-i", "0.2", b_address], check=False)
        show(f"ping -c 3 {b_address}   # from host A, across the bridge", across)
        w.client(["ip", "route", "add", f"{netns_lab.STACK_IP.rsplit('.', 1)[0]}.0/{netns_lab.PREFIX}", "via",
                  W_STACK])
        inbound = w.client(["ping", "-n", "-c", "2", "-i", "0.2", "-W", "1", b_address], check=False)
        show(f"ping -c 2 {b_address}   # from server W: a new flow from the WAN, dropped", inbound)
        for command in ("neighbours", "conntrack", "macs"):
            etherbeam_says(lab, command)
        print("\ncounters:")
        for daemon in binders + [etherbeam]:
            print(f"  {daemon.name}: " + " ".join(f"{k}={v}" for k, v in daemon.counters().items()))
        if stay:
            print(f"\nlab is up. Try: ip netns exec {b.client_ns} ping {W_HOST}. Ctrl-C tears it down.", flush=True)
            try:
                signal.pause()
            except KeyboardInterrupt:
                pass
        ok = (lease is not None and same and curl.returncode == 0 and f"{W_STACK} - -" in served and
              " 0% packet loss" in across.stdout and " 100% packet loss" in inbound.stdout)
        print("\ntearing the lab down")
    print("demo: DHCP, the bridge, the router, the firewall and NAT worked" if ok else
          "demo: something did not work (see above)")
    return 0 if ok else 1
