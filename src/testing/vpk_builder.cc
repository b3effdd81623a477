#include "testing/vpk_builder.h"

#include <algorithm>

namespace left4me::test {
namespace {

void put32(std::string& out, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((value >> (8 * i)) & 0xFF);
}

void put16(std::string& out, std::uint16_t value) {
  out += static_cast<char>(value & 0xFF);
  out += static_cast<char>(value >> 8);
}

std::string or_blank(const std::string& text) { return text.empty() ? " " : text; }

}  // namespace

VpkBuilder& VpkBuilder::add(VpkBuilderEntry entry) {
  entries_.push_back(std::move(entry));
  return *this;
}

VpkBuilder& VpkBuilder::add(std::string path, std::string data) {
  size_t slash = path.rfind('/');
  std::string directory = slash == std::string::npos ? "" : path.substr(0, slash);
  std::string file = slash == std::string::npos ? path : path.substr(slash + 1);
  size_t dot = file.rfind('.');
  std::string extension = dot == std::string::npos ? "" : file.substr(dot + 1);
  std::string name = dot == std::string::npos ? file : file.substr(0, dot);
  return add({extension, directory, name, std::move(data), ""});
}

std::string VpkBuilder::build() const {
  std::vector<std::string> extensions;
  for (const auto& entry : entries_) {
    if (std::find(extensions.begin(), extensions.end(), or_blank(entry.extension)) == extensions.end()) {
      extensions.push_back(or_blank(entry.extension));
    }
  }
  std::string tree;
  std::string data;
  for (const std::string& extension : extensions) {
    tree += extension + '\0';
    std::vector<std::string> directories;
    for (const auto& entry : entries_) {
      if (or_blank(entry.extension) != extension) continue;
      if (std::find(directories.begin(), directories.end(), or_blank(entry.directory)) == directories.end()) {
        directories.push_back(or_blank(entry.directory));
      }
    }
    for (const std::string& directory : directories) {
      tree += directory + '\0';
      for (const auto& entry : entries_) {
        if (or_blank(entry.extension) != extension || or_blank(entry.directory) != directory) continue;
        tree += entry.name + '\0';
        put32(tree, 0);  // crc
        put16(tree, static_cast<std::uint16_t>(entry.preload.size()));
        put16(tree, 0x7FFF);
        put32(tree, static_cast<std::uint32_t>(data.size()));
        put32(tree, static_cast<std::uint32_t>(entry.data.size()));
        put16(tree, 0xFFFF);
        tree += entry.preload;
        data += entry.data;
      }
      tree += '\0';
    }
    tree += '\0';
  }
  tree += '\0';
  std::string out;
  put32(out, 0x55AA1234);
  put32(out, version_);
  put32(out, static_cast<std::uint32_t>(tree.size()));
  if (version_ == 2) {
    put32(out, static_cast<std::uint32_t>(data.size()));  // file data section
    put32(out, 0);                                        // archive MD5 section
    put32(out, 0);                                        // other MD5 section
    put32(out, 0);                                        // signature section
  }
  return out + tree + data;
}

std::string mission_text(const std::string& title, const std::vector<std::pair<std::string, std::string>>& maps) {
  std::string text = "\"mission\"\n{\n\t\"Name\"\t\"" + title + "\"\n\t\"DisplayTitle\"\t\"" + title +
                     "\"\n\t\"modes\"\n\t{\n\t\t\"coop\"\n\t\t{\n";
  for (size_t i = 0; i < maps.size(); ++i) {
    text += "\t\t\t\"" + std::to_string(i + 1) + "\"\n\t\t\t{\n\t\t\t\t\"Map\" \"" + maps[i].first +
            "\"\n\t\t\t\t\"DisplayName\" \"" + maps[i].second + "\"\n\t\t\t}\n";
  }
  return text + "\t\t}\n\t}\n}\n";
}

}  // namespace left4me::test
