// The packet decoder in etherbeam's catalog: `etherbeam decode`, which reads
// a capture and shows each frame's layers and fields as tshark does
// (options named as tshark's: -r, -f, -c, -V, -x, -T, -O), plus --explain.
// It handles no frames of a running etherbeam (yet: live tap and recording
// come with the platform's tap).
#include <unistd.h>

#include <iostream>

#include <CLI/CLI.hpp>

#include "apps/decoder/frame_decoder.hpp"
#include "apps/decoder/frame_views.hpp"
#include "apps/decoder/pcap_source.hpp"
#include "server/applications.hpp"

namespace etherbeam::apps::decoder {

namespace {

struct decode_options {
  CLI::App* command = nullptr;
  std::string read, filter, format = "text", colour = "auto";
  std::size_t count = 0;
  std::vector<std::string> only;
  view_options view;
};

int run_decode(const decode_options& o) {
  auto view = o.view;
  view.colour = o.colour == "always" || (o.colour == "auto" && ::isatty(STDOUT_FILENO));
  if (!o.only.empty()) view.verbose = true; // as tshark's -O
  view.only = o.only;
  bool json = o.format == "json";
  try {
    pcap_source source(o.read, o.filter);
    std::size_t number = 0;
    std::string out;
    source.for_each([&](protocols::byte_view bytes, double seconds, std::size_t) {
      auto frame = decode_frame(bytes);
      ++number;
      out = json ? json_view(number, seconds, frame) + "\n" : text_view(number, seconds, frame, bytes, view);
      std::cout << out;
      return o.count == 0 || number < o.count;
    });
    std::cout.flush();
  } catch (const pcap_error& e) {
    std::cerr << "etherbeam decode: " << e.what() << "\n";
    return 2;
  }
  return 0;
}

server::command_line_part command_line(CLI::App& app) {
  auto o = std::make_shared<decode_options>();
  o->command = app.add_subcommand("decode", "Decode the frames of a capture, each field with its value, meaning "
                                            "and bytes (as tshark does)");
  auto* c = o->command;
  c->add_option("-r,--read", o->read, "The pcap or pcapng file to read (- for stdin)")->required();
  c->add_option("-f,--filter", o->filter, "Only frames this capture filter passes (BPF syntax, as tcpdump's)");
  c->add_option("-c,--count", o->count, "Stop after this many frames");
  c->add_flag("-V,--verbose", o->view.verbose, "Every layer's fields, as a tree");
  c->add_flag("-x,--hex", o->view.hex, "A hex dump of each frame, its bytes coloured by layer on a terminal");
  c->add_option("-T,--format", o->format, "text or json (one object per frame per line)")
    ->check(CLI::IsMember({"text", "json"}))
    ->capture_default_str();
  c->add_option("-O,--only", o->only, "Show these protocols' fields only (eth, vlan, arp, ip, icmp, udp, tcp, dhcp)")
    ->delimiter(',');
  c->add_flag("--explain", o->view.explain, "With each field, what it is for and the RFC that defines it (implies -V)");
  c->add_option("--color", o->colour, "auto, always or never")
    ->check(CLI::IsMember({"auto", "always", "never"}))
    ->capture_default_str();
  server::command_line_part part;
  part.run_subcommand = [o](const server::server_config&) -> std::optional<int> {
    if (!o->command->parsed()) return std::nullopt;
    if (o->view.explain) o->view.verbose = true;
    return run_decode(*o);
  };
  return part;
}

const bool added = server::add_application({
  "decoder",
  "the packet decoder: `etherbeam decode -r FILE` shows a capture's frames field by field",
  false,
  [](const server::application_start&) -> std::optional<server::running_application> { return std::nullopt; },
  command_line, {}, {},
});

} // namespace

} // namespace etherbeam::apps::decoder
