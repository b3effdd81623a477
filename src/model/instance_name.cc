#include "model/instance_name.h"

namespace left4me::model {

bool InstanceName::is_valid(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  auto allowed_first = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!allowed_first(name[0])) return false;
  for (char c : name) {
    if (!allowed_first(c) && c != '_' && c != '-') return false;
  }
  return true;
}

Result<InstanceName> InstanceName::create(std::string_view name) {
  if (!is_valid(name)) {
    std::string shown(name.substr(0, 80));
    for (char& c : shown) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    }
    return Error::invalid("invalid instance name '" + shown +
                          "': use 1-64 characters a-z, 0-9, '_' or '-', starting with a letter or digit");
  }
  return InstanceName(std::string(name));
}

}  // namespace left4me::model
