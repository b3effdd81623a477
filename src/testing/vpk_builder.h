// Builds VPK files (versions 1 and 2) in memory for tests, as protocols.md §4.5 describes the format: the
// header, the tree grouped by extension then directory, each entry's fixed fields and preload bytes, then the
// data of the entries stored in the same file. Tests can then damage the bytes. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace left4me::test {

struct VpkBuilderEntry {
  std::string extension;  // " " or "" for none
  std::string directory;  // " " or "" for the root
  std::string name;
  std::string data;     // stored after the tree (archive 0x7FFF)
  std::string preload;  // stored in the tree
};

class VpkBuilder {
 public:
  explicit VpkBuilder(std::uint32_t version = 1) : version_(version) {}
  VpkBuilder& add(VpkBuilderEntry entry);
  VpkBuilder& add(std::string path, std::string data);  // "maps/c1m1_hotel.bsp"
  std::string build() const;
  // The size of the header (12 or 28) and of the tree in the last build().
  std::size_t header_bytes() const { return version_ == 2 ? 28 : 12; }

 private:
  std::uint32_t version_;
  std::vector<VpkBuilderEntry> entries_;
};

// A mission file (KeyValues) for a campaign with coop maps in order.
std::string mission_text(const std::string& title, const std::vector<std::pair<std::string, std::string>>& maps);

}  // namespace left4me::test
