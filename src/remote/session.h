// The session of l4d2ctl-remote (SSH_ORIGINAL_COMMAND exactly "session"): one ssh per host that carries many
// short l4d2ctl calls, saving the start of ssh, sshd's session and l4d2ctl-remote on each. A request is one line
// on standard input, the same quoted command line a single call takes, checked by the same split_command and
// check_call; an answer is one frame on standard output: "<exit code> <stdout bytes> <stderr bytes>\n" and then
// those bytes. Both ends (the host's l4d2ctl-remote, the panel's SshSession) use these functions. Pure; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "remote/remote_command.h"

namespace left4me::remote {

// The command line that opens a session instead of running one call.
inline constexpr std::string_view kSessionCommand = "session";
// The most of each output (stdout, stderr) one answer carries.
inline constexpr std::size_t kMaxAnswerOutputBytes = 16 * 1024 * 1024;
// The most a header line may take before its newline ("255 16777216 16777216" is 21 bytes).
inline constexpr std::size_t kMaxAnswerHeaderBytes = 32;

// One call's result as a session answers it.
struct Answer {
  int exit_code = 0;  // 0..255
  std::string out;
  std::string err;
};

// The frame of an answer (exit code clamped to 0..255; outputs must be within kMaxAnswerOutputBytes).
std::string encode_answer(const Answer& answer);

// Takes one whole answer off the front of buffer (what was read so far). nullopt while buffer holds less
// than a whole frame (more bytes are to come); an invalid-argument error for a header that is not three
// decimal numbers separated by single spaces, an exit code over 255 or an output over kMaxAnswerOutputBytes
// (then nothing more of the stream can be trusted).
Result<std::optional<Answer>> take_answer(std::string& buffer);

// Whether a checked call may run inside a session: only calls that run to completion without a spec on
// standard input (a following `logs` and `initialize -f -` are single calls). An invalid-argument error
// otherwise.
Status check_session_call(const Call& call);

}  // namespace left4me::remote
