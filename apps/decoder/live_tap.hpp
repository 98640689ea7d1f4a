#pragma once
// `etherbeam decode --live`: the control socket's `tap` command streams a
// copy of every frame in and out to the client, from a thread of its own,
// many frames to a seqpacket message (a message a frame cost the reader two
// system calls a frame, and its flush a third). A client that reads too
// slowly loses copies (counted in each frame's header), never the data
// path's frames.
#include <string>
#include <vector>

#include "actors/control_channel.hpp"
#include "apps/decoder/live_frames.hpp"

namespace etherbeam::apps::decoder {

// The first message: the links' names, comma-separated, after "links ".
actors::control_command tap_command(std::vector<std::string> link_names);

} // namespace etherbeam::apps::decoder
