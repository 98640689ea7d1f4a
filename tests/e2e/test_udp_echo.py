#!/usr/bin/python3
"""The UDP echo application (RFC 862), the worked example of docs/WRITING_AN_APP.md:
the client's kernel UDP socket sends datagrams to port 7 and reads them back."""
import json

from e2e_base import STACK_IP, LabTest, main

# Runs in the client namespace: sends each payload from one kernel UDP socket
# and reports what came back, and from where.
CLIENT = r"""
import json, socket, sys
port, sizes = int(sys.argv[1]), [int(s) for s in sys.argv[2].split(",")]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
got = []
for n in sizes:
    payload = bytes((i * 7 + n) % 256 for i in range(n))
    s.sendto(payload, (sys.argv[3], port))
    try:
        data, peer = s.recvfrom(65535)
        got.append({"same": data == payload, "from": list(peer)})
    except socket.timeout:
        got.append(None)
print(json.dumps(got))
"""


class UdpEcho(LabTest):
    def echo(self, port, sizes):
        out = self.lab.client(["/usr/bin/python3", "-c", CLIENT, str(port), ",".join(map(str, sizes)), STACK_IP],
                              check=False).stdout
        return json.loads(out.strip().splitlines()[-1])

    def test_datagrams_to_port_7_come_back_unchanged_from_port_7(self):
        self.lab.start_binder()
        etherbeam = self.lab.start_etherbeam("--app", "udp_echo")
        sizes = [0, 1, 9, 512, 1472]
        got = self.echo(7, sizes)
        self.assertEqual(got, [{"same": True, "from": [STACK_IP, 7]}] * len(sizes))
        c = etherbeam.counters()
        self.assertEqual(c["reply.udp_echo"], len(sizes), c)
        self.assert_all_alive()

    def test_off_unless_asked_for_and_then_port_7_is_nobodys(self):
        self.lab.start_binder()
        etherbeam = self.lab.start_etherbeam()
        self.assertEqual(self.echo(7, [16, 16]), [None, None])
        c = etherbeam.counters()
        self.assertEqual(c.get("reply.icmp_port_unreachable"), 2, c)  # the host says nobody serves it
        self.assertNotIn("reply.udp_echo", c)

    def test_the_port_is_set_in_the_config_file(self):
        config = f"{self.lab.workdir}/etherbeam.toml"
        with open(config, "w") as f:
            f.write('[apps]\nenable = ["udp_echo"]\n\n[apps.udp_echo]\nport = 7007\n')
        self.lab.start_binder()
        self.lab.start_etherbeam("--config", config)
        self.assertEqual(self.echo(7007, [100]), [{"same": True, "from": [STACK_IP, 7007]}])
        self.assertEqual(self.echo(7, [100]), [None])


if __name__ == "__main__":
    main()
