// DHCP messages: BOOTP header, magic cookie, options with overload (file and
// sname), RFC 3396 long options, pad and end. A parsed message emitted again
// must parse to the same message.
#include <cstdint>
#include <vector>

#include "protocols/dhcp.hpp"
#include "tests/fuzz/fuzz_expect.hpp"

using namespace etherbeam::protocols;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto packet = dhcp_packet::check({data, size});
  if (!packet) return 0;
  auto repr = dhcp_repr::parse(*packet);
  if (!repr) return 0;
  std::vector<std::uint8_t> again(repr->buffer_len());
  repr->emit(again);
  auto reread = dhcp_packet::check(again);
  FUZZ_EXPECT(reread);
  auto same = dhcp_repr::parse(*reread);
  FUZZ_EXPECT(same);
  FUZZ_EXPECT(same->op == repr->op && same->message_type == repr->message_type);
  FUZZ_EXPECT(same->transaction_id == repr->transaction_id && same->client_hardware == repr->client_hardware);
  FUZZ_EXPECT(same->client_address == repr->client_address && same->relay_address == repr->relay_address);
  FUZZ_EXPECT(same->requested_address == repr->requested_address);
  FUZZ_EXPECT(same->server_identifier == repr->server_identifier);
  FUZZ_EXPECT(same->lease_time == repr->lease_time);
  FUZZ_EXPECT(same->client_identifier == repr->client_identifier);
  FUZZ_EXPECT(same->parameter_request_list == repr->parameter_request_list);
  FUZZ_EXPECT(same->relay_agent_information == repr->relay_agent_information && same->host_name == repr->host_name);
  return 0;
}
