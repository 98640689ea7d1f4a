#!/usr/bin/python3
"""Netboot: PXE ROMs and iPXE get their boot file by client class (the
README's PXE + iPXE chainload configuration), checked on the wire with scapy."""
import json
import os

from e2e_base import LabTest, main

CLIENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pxe_client.py")

# The README's chainload example, in a lab subnet.
CONFIG = """
[dhcp]
state_dir = "{state}"
[[dhcp.subnet]]
subnet = "10.77.0.0/24"
pools = ["10.77.0.100-10.77.0.199"]
routers = ["10.77.0.1"]
next_server = "10.77.0.5"
server_name = "tftp.lab"

[[dhcp.class]]
name = "ipxe"
user_class = "iPXE"
boot_file = "http://10.77.0.5/boot.ipxe"

[[dhcp.class]]
name = "pxe-efi64"
vendor_class = "PXEClient"
architectures = [7, 9]
boot_file = "ipxe.efi"

[[dhcp.class]]
name = "pxe-bios"
vendor_class = "PXEClient"
boot_file = "undionly.kpxe"
vendor_class_identifier = "PXEClient"
"""


class Netboot(LabTest):
    def setUp(self):
        super().setUp()
        config = os.path.join(self.lab.workdir, "etherbeam.toml")
        with open(config, "w") as f:
            f.write(CONFIG.format(state=os.path.join(self.lab.workdir, "state")))
        self.binder = self.lab.start_binder()
        self.etherbeam = self.lab.start_etherbeam("--config", config)

    def boot(self, mac, arch, user_class=None):
        args = ["/usr/bin/python3", CLIENT, self.lab.client_if, mac, str(arch)] + ([user_class] if user_class else [])
        r = self.lab.client(args, check=False)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr + self.etherbeam.log()[-2000:])
        return json.loads(r.stdout)

    def test_a_bios_pxe_rom_gets_the_bios_loader_over_tftp(self):
        offer = self.boot("02:00:00:00:0b:01", 0)
        self.assertEqual(offer["siaddr"], "10.77.0.5")
        self.assertEqual(offer["file"], "undionly.kpxe")
        self.assertEqual(offer["sname"], "tftp.lab")
        self.assertEqual(offer["67"], "undionly.kpxe")
        self.assertEqual(offer["66"], "tftp.lab")
        self.assertEqual(offer["60"], "PXEClient", "the class's own option")
        self.assertEqual(offer["router"], "10.77.0.1")

    def test_a_uefi_x64_rom_gets_the_efi_build(self):
        offer = self.boot("02:00:00:00:0b:02", 7)
        self.assertEqual(offer["file"], "ipxe.efi")
        self.assertEqual(offer["67"], "ipxe.efi")
        self.assertEqual(offer["siaddr"], "10.77.0.5")
        # pxe-bios matches every PXE ROM too: what pxe-efi64 leaves unset, it gives.
        self.assertEqual(offer["60"], "PXEClient")

    def test_ipxe_chainloaded_gets_its_script_over_http(self):
        offer = self.boot("02:00:00:00:0b:03", 7, "iPXE")
        self.assertEqual(offer["file"], "http://10.77.0.5/boot.ipxe")
        self.assertEqual(offer["67"], "http://10.77.0.5/boot.ipxe")


if __name__ == "__main__":
    main()
