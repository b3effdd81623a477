#include "remote/session.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "base/strings.h"
#include "base/utf8.h"

namespace left4me::remote {
namespace {

// A header field: 1..10 decimal digits, at most max.
std::optional<std::uint64_t> parse_field(std::string_view text, std::uint64_t max) {
  if (text.empty() || text.size() > 10) return std::nullopt;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) value = value * 10 + static_cast<std::uint64_t>(c - '0');
  if (value > max) return std::nullopt;
  return value;
}

}  // namespace

std::string encode_answer(const Answer& answer) {
  int code = std::clamp(answer.exit_code, 0, 255);
  std::string frame =
      std::to_string(code) + " " + std::to_string(answer.out.size()) + " " + std::to_string(answer.err.size()) + "\n";
  frame.reserve(frame.size() + answer.out.size() + answer.err.size());
  frame += answer.out;
  frame += answer.err;
  return frame;
}

Result<std::optional<Answer>> take_answer(std::string& buffer) {
  std::size_t newline = buffer.find('\n');
  if (newline == std::string::npos) {
    if (buffer.size() > kMaxAnswerHeaderBytes) return Error::invalid("session answer: no header line");
    return std::optional<Answer>();
  }
  if (newline > kMaxAnswerHeaderBytes) return Error::invalid("session answer: the header line is too long");
  std::vector<std::string> fields = split(std::string_view(buffer).substr(0, newline), ' ');
  std::optional<std::uint64_t> code, out, err;
  if (fields.size() == 3) {
    code = parse_field(fields[0], 255);
    out = parse_field(fields[1], kMaxAnswerOutputBytes);
    err = parse_field(fields[2], kMaxAnswerOutputBytes);
  }
  if (!code || !out || !err) {
    return Error::invalid("session answer: '" + make_valid_utf8(buffer.substr(0, newline)) +
                          "' is not '<exit code 0..255> <stdout bytes> <stderr bytes>' within " +
                          std::to_string(kMaxAnswerOutputBytes) + " bytes each");
  }
  std::size_t start = newline + 1;
  if (buffer.size() - start < *out + *err) return std::optional<Answer>();
  Answer answer;
  answer.exit_code = static_cast<int>(*code);
  answer.out = buffer.substr(start, *out);
  answer.err = buffer.substr(start + *out, *err);
  buffer.erase(0, start + *out + *err);
  return std::optional<Answer>(std::move(answer));
}

Status check_session_call(const Call& call) {
  if (call.lifetime != Lifetime::kToCompletion) {
    return Error::invalid("'" + call.args.front() +
                          "' runs while its output is read: not in a session (a single call)");
  }
  if (call.spec != SpecInput::kNone) {
    return Error::invalid("'" + call.args.front() +
                          "' takes a spec on standard input: not in a session (a single call)");
  }
  return ok_status();
}

}  // namespace left4me::remote
