// The packet decoder in etherbeam's catalog: `etherbeam decode`, which reads
// a capture and shows each frame's layers and fields as tshark does
// (options named as tshark's: -r, -f, -c, -V, -x, -T, -O), plus --explain;
// and `etherbeam --record FILE`, which writes every frame in and out as
// pcapng while etherbeam serves:
//
//   [apps.decoder]
//   record = "/var/lib/etherbeam/frames.pcapng"
//   record_size_mb = 64   # rotate beyond this
//   record_files = 4      # FILE.1 ... FILE.4 kept
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "apps/decoder/frame_decoder.hpp"
#include "apps/decoder/frame_views.hpp"
#include "apps/decoder/live_tap.hpp"
#include "apps/decoder/pcap_source.hpp"
#include "apps/decoder/recorder.hpp"
#include "apps/decoder/idle_priority.hpp"
#include "server/config_reading.hpp"
#include "server/applications.hpp"

namespace etherbeam::apps::decoder {

namespace {

struct decode_options {
  CLI::App* command = nullptr;
  bool live = false;
  std::string read, write, filter, format = "text", colour = "auto";
  std::size_t count = 0;
  std::size_t live_rate = 10000;
  std::vector<std::string> only;
  view_options view;
};

view_options view_of(const decode_options& o) {
  auto view = o.view;
  view.colour = o.colour == "always" || (o.colour == "auto" && ::isatty(STDOUT_FILENO));
  if (!o.only.empty()) view.verbose = true; // as tshark's -O
  view.only = o.only;
  return view;
}

int decode_file(const decode_options& o) {
  auto view = view_of(o);
  bool json = o.format == "json";
  try {
    pcap_source source(o.read, o.filter);
    // -w: the frames the filter passes go to a file instead of the screen, as with tcpdump and tshark.
    bool writing = !o.write.empty();
    if (writing) source.write_to(o.write);
    std::size_t shown = 0;
    source.for_each([&](protocols::byte_view bytes, double seconds, std::size_t number) {
      if (!writing) {
        auto frame = decode_frame(bytes, source.link());
        std::cout << (json ? json_view(number, seconds, frame) + "\n" : text_view(number, seconds, frame, bytes, view));
      }
      ++shown;
      return o.count == 0 || shown < o.count;
    });
    std::cout.flush();
    if (writing) std::cerr << "etherbeam decode: " << shown << " frames written to " << o.write << "\n";
  } catch (const pcap_error& e) {
    std::cerr << "etherbeam decode: " << e.what() << "\n";
    return 2;
  }
  return 0;
}

// Frames from a running etherbeam, each marked with its link and direction.
int decode_live(const decode_options& o, const server::server_config& config) {
  if (!run_only_when_idle()) std::cerr << "etherbeam decode: could not lower its priority\n";
  auto view = view_of(o);
  bool json = o.format == "json";
  try {
    std::optional<capture_filter> filter;
    if (!o.filter.empty()) filter.emplace(o.filter);
    std::vector<std::string> links;
    std::size_t number = 0, shown = 0;
    std::uint64_t lost = 0, skipped = 0; // by the tap; by this reader's budget
    double first = -1;
    live_budget budget(o.live_rate);
    auto show_live = [&](const live_message& m) {
      if (!m.header) {
        for (std::size_t at = 0; at <= m.bytes.size();) {
          auto comma = std::min(m.bytes.find(',', at), m.bytes.size());
          links.emplace_back(m.bytes.substr(at, comma - at));
          at = comma + 1;
        }
        std::cerr << "etherbeam decode: decoding every frame in and out (Ctrl-C to stop)" << std::endl;
        return true;
      }
      ++number;
      protocols::byte_view bytes{reinterpret_cast<const std::uint8_t*>(m.bytes.data()), m.bytes.size()};
      if (filter && !filter->passes(bytes)) return true;
      double t = double(m.header->microseconds) / 1e6;
      if (first < 0) first = t;
      std::string link = m.header->link < links.size() ? links[m.header->link] : std::to_string(m.header->link);
      std::string way = m.header->outbound ? "out" : "in";
      auto frame = decode_frame(bytes);
      if (json) {
        auto line = json_view(number, t - first, frame);
        std::cout << "{\"link\":\"" << link << "\",\"direction\":\"" << way << "\"," << line.substr(1) << "\n";
      } else {
        std::cout << link << " " << (way == "in" ? "in " : "out") << text_view(number, t - first, frame, bytes, view);
      }
      if (m.header->lost + skipped != lost) {
        std::cerr << "etherbeam decode: " << m.header->lost + skipped - lost << " more frames lost (this reader is "
                  << "slower than the traffic, or past --live-rate; etherbeam itself lost none)\n";
        lost = m.header->lost + skipped;
      }
      return o.count == 0 || ++shown < o.count;
    };
    // etherbeam copies no more than --live-rate frames a second for us: the
    // others are never copied, which is what keeps watching cheap for it.
    actors::control_stream(config.socket_dir, "tap " + std::to_string(o.live_rate), [&](std::string_view message) {
      if (message.starts_with("busy: ") || message.starts_with("error: "))
        throw std::runtime_error(std::string(message.substr(message.find(' ') + 1)));
      // Flushed once a message: each frame at once when traffic is light (a
      // message holds one), in blocks under a flood (a message holds many).
      bool more = true;
      for (const auto& m : read_live_messages(message)) {
        if (m.header && !budget.take(live_budget::clock::now())) {
          ++skipped;
          continue;
        }
        if (!(more = show_live(m))) break;
      }
      std::cout.flush();
      // Past the budget: not reading until the next window leaves the tap's
      // queue to fill, and the data path to stop copying.
      if (budget.spent(live_budget::clock::now())) std::this_thread::sleep_until(budget.window_end());
      return more;
    });
  } catch (const pcap_error& e) {
    std::cerr << "etherbeam decode: " << e.what() << "\n";
    return 2;
  } catch (const std::runtime_error& e) {
    std::cerr << "etherbeam decode --live: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

record_settings read_settings(const toml::table& table) {
  record_settings s;
  auto where = [](const toml::node& node, const std::string& key) {
    return "[apps.decoder] " + key + " (line " + std::to_string(node.source().begin.line) + ")";
  };
  for (auto&& [key, node] : table) {
    std::string name(key.str());
    if (name == "record") {
      auto v = node.value<std::string>();
      if (!v || v->empty()) throw server::config_error(where(node, name) + ": must be the path of a pcapng file");
      s.file = *v;
    } else if (name == "record_size_mb" || name == "record_files") {
      auto v = node.value<std::int64_t>();
      if (!v || *v < 1) throw server::config_error(where(node, name) + ": must be a positive whole number");
      if (name == "record_files") s.files = static_cast<std::size_t>(*v);
      else s.max_bytes = static_cast<std::uint64_t>(*v) << 20;
    } else {
      throw server::config_error("[apps.decoder]: unknown setting " + name +
                                 " (known: record, record_size_mb, record_files)");
    }
  }
  return s;
}

std::optional<server::running_application> start(const server::application_start& start) {
  auto settings = read_settings(start.settings);
  std::vector<std::string> links;
  for (actors::link_index i = 0; i < start.links->size(); ++i) links.push_back(start.links->at(i).name);
  server::running_application app;
  app.commands.push_back(tap_command(links));
  if (settings.file.empty()) return app;
  auto file = open_record_file(settings.file);
  auto counters = std::make_shared<record_counters>(start.counters->named);
  spdlog::info("recording every frame in and out to {} (pcapng, rotated beyond {} MB, {} older files kept)",
               settings.file.string(), settings.max_bytes >> 20, settings.files);
  auto opened = std::make_shared<std::shared_ptr<std::FILE>>(std::move(file));
  app.children.push_back({"recorder", [=](caf::actor_system& system) {
                            // A restarted recorder goes on in the same file: a new
                            // section, as pcapng allows, appended.
                            auto f = std::exchange(*opened, nullptr);
                            if (!f) f = open_record_file(settings.file, true);
                            return spawn_recorder(system, settings, std::move(f), links, counters);
                          }});
  return app;
}

server::command_line_part command_line(CLI::App& app) {
  auto o = std::make_shared<decode_options>();
  auto record = std::make_shared<std::string>();
  auto record_size = std::make_shared<std::int64_t>(0);
  auto record_files = std::make_shared<std::int64_t>(0);
  app.add_option("--record", *record, "Write every frame etherbeam takes in or sends out, on every link, to this "
                                      "pcapng file ([apps.decoder] record)");
  app.add_option("--record-size", *record_size, "Rotate the --record file beyond this many MB (default 64)")
    ->check(CLI::PositiveNumber);
  app.add_option("--record-files", *record_files, "Older --record files kept, FILE.1 to FILE.N (default 4)")
    ->check(CLI::PositiveNumber);
  o->command = app.add_subcommand("decode", "Decode the frames of a capture, each field with its value, meaning "
                                            "and bytes (as tshark does)");
  auto* c = o->command;
  c->fallthrough(); // --socket-dir and the other options of etherbeam itself
  auto* read = c->add_option("-r,--read", o->read, "The pcap or pcapng file to read (- for stdin)");
  auto* live = c->add_flag("--live", o->live, "Frames from the running etherbeam (--socket-dir), in and out, as "
                                              "they pass");
  read->excludes(live);
  c->add_option("-w,--write", o->write, "Write the frames the filter passes (up to -c) to this pcap file instead of "
                                        "showing them (- for stdout), as tcpdump -w does")
    ->excludes(live);
  c->add_option("-f,--filter", o->filter, "Only frames this capture filter passes (BPF syntax, as tcpdump's)");
  c->add_option("-c,--count", o->count, "Stop after this many frames");
  c->add_option("--live-rate", o->live_rate, "--live: etherbeam copies at most this many frames a second to this "
                                             "reader and counts the others lost, so that watching takes little CPU "
                                             "from it on a busy machine (0: no limit; for every frame of a flood, "
                                             "--record them)")
    ->capture_default_str();
  c->add_flag("-V,--verbose", o->view.verbose, "Every layer's fields, as a tree");
  c->add_flag("-x,--hex", o->view.hex, "A hex dump of each frame, its bytes coloured by layer on a terminal");
  c->add_option("-T,--format", o->format, "text or json (one object per frame per line)")
    ->check(CLI::IsMember({"text", "json"}))
    ->capture_default_str();
  c->add_option("-O,--only", o->only, "Show these protocols' fields only (eth, sll, vlan, arp, ip, icmp, ipv6, "
                                      "icmpv6, udp, tcp, dhcp)")
    ->delimiter(',');
  c->add_flag("--explain", o->view.explain, "With each field, what it is for and the RFC that defines it (implies -V)");
  c->add_option("--color", o->colour, "auto, always or never")
    ->check(CLI::IsMember({"auto", "always", "never"}))
    ->capture_default_str();
  server::command_line_part part;
  part.apply = [record, record_size, record_files](server::server_config& config) {
    auto& table = config.app_settings["decoder"];
    if (!record->empty()) table.insert_or_assign("record", *record);
    if (*record_size) table.insert_or_assign("record_size_mb", *record_size);
    if (*record_files) table.insert_or_assign("record_files", *record_files);
    if (table.contains("record") &&
        std::find(config.enabled_apps.begin(), config.enabled_apps.end(), "decoder") == config.enabled_apps.end())
      config.enabled_apps.push_back("decoder");
  };
  part.run_subcommand = [o](const server::server_config& config) -> std::optional<int> {
    if (!o->command->parsed()) return std::nullopt;
    if (o->view.explain) o->view.verbose = true;
    if (o->live) return decode_live(*o, config);
    if (o->read.empty()) {
      std::cerr << "etherbeam decode: say what to decode: -r FILE (- for stdin), or --live\n";
      return 2;
    }
    return decode_file(*o);
  };
  return part;
}

const bool added = server::add_application({
  "decoder",
  "the packet decoder: `etherbeam decode -r FILE` shows a capture's frames field by field; --record FILE "
  "writes every frame in and out as pcapng; `etherbeam decode --live` shows them as they pass",
  true,
  start,
  command_line, {}, {},
});

} // namespace

} // namespace etherbeam::apps::decoder
