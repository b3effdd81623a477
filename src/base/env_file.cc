#include "base/env_file.h"

#include "base/file.h"
#include "base/strings.h"

namespace left4me {
namespace {

bool valid_key(std::string_view key) {
  if (key.empty() || (key[0] >= '0' && key[0] <= '9')) return false;
  for (char c : key) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

}  // namespace

Result<EnvValues> parse_env_file(std::string_view content, std::string_view origin) {
  EnvValues values;
  std::vector<std::string> lines = split(content, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = trim(lines[i]);  // trim drops a trailing '\r' too
    if (line.empty() || line[0] == '#') continue;
    if (line.substr(0, 7) == "export ") line = trim(line.substr(7));
    std::string where = std::string(origin) + ":" + std::to_string(i + 1);
    size_t equals = line.find('=');
    if (equals == std::string_view::npos) return Error::invalid(where + ": expected KEY=VALUE");
    std::string key(trim(line.substr(0, equals)));
    if (!valid_key(key)) return Error::invalid(where + ": invalid key '" + key + "'");
    std::string_view value = trim(line.substr(equals + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    values[key] = std::string(value);
  }
  return values;
}

Result<EnvValues> read_env_file(const std::string& path, EnvFile need) {
  Result<std::string> content = read_file(path);
  if (!content) {
    if (content.error().code() == ErrorCode::kNotFound && need == EnvFile::kOptional) return EnvValues{};
    return content.error();
  }
  return parse_env_file(*content, path);
}

namespace {

// A table cell: '|' would end it.
std::string cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string env_keys_markdown(std::span<const EnvKeyDoc> keys) {
  std::string out = "| key | when absent | what it does |\n|---|---|---|\n";
  for (const EnvKeyDoc& key : keys) {
    out += "| `" + std::string(key.name) + "` | " + cell(key.fallback) + " | " + cell(key.meaning) + " |\n";
  }
  return out;
}

}  // namespace left4me
