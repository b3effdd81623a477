#include "web/script_overlay_seed.h"

#include <dirent.h>
#include <sodium.h>
#include <sys/stat.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <memory>

#include "base/file.h"
#include "web/overlay_directories.h"
#include "web/overlays.h"
#include "web/script_overlays.h"

namespace left4me::web {
namespace {

constexpr std::string_view kNameTag = "# left4me-name:";
constexpr std::string_view kDescriptionTag = "# left4me-description:";
constexpr Scope kSystem{0, true};

std::string trimmed(std::string_view text) {
  std::size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return "";
  std::size_t end = text.find_last_not_of(" \t\r");
  return std::string(text.substr(begin, end - begin + 1));
}

std::string sha256_hex(const std::string& text) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(text.data()), text.size());
  std::string out;
  for (unsigned char byte : digest) out += fmt::format("{:02x}", byte);
  return out;
}

Result<std::vector<std::string>> example_files(const std::string& dir) {
  std::unique_ptr<DIR, int (*)(DIR*)> opened(::opendir(dir.c_str()), ::closedir);
  if (!opened) return Error::from_errno(fmt::format("seed-script-overlays: cannot read '{}'", dir), errno);
  std::vector<std::string> files;
  while (dirent* entry = ::readdir(opened.get())) {
    std::string name = entry->d_name;
    if (name.size() > 3 && name.compare(name.size() - 3, 3, ".sh") == 0 && name[0] != '.') files.push_back(name);
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Creates the global overlay for the example, with its directory and script.
Result<Overlay> create_seeded(Database& database, const WebConfig& config, const ExampleScript& example) {
  Overlays overlays(database);
  Result<Overlay> overlay = overlays.create(std::nullopt, example.name, OverlayKind::kScript);
  if (!overlay) return overlay.error();
  Status made = make_overlay_directory(config, *overlay);
  if (made) made = ScriptOverlays(database, host_root(config)).save(*overlay, example.script, example.description);
  if (!made) {
    (void)overlays.remove(overlay->id, kSystem);
    remove_overlay_directory(host_root(config), overlay->directory);
    return made.error();
  }
  return overlay;
}

SeededFile seed_one(Database& database, const WebConfig& config, const std::string& dir, const std::string& file) {
  SeededFile out{file, SeedOutcome::kFailed, 0, ""};
  auto failed = [&](const Error& error) {
    out.message = fmt::format("{}: {}", file, error.message());
    return out;
  };
  std::string path = dir + "/" + file;
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return failed(Error::invalid("not a regular file"));
  Result<std::string> text = read_file(path);
  if (!text) return failed(text.error());
  Result<ExampleScript> example = parse_example_script(file.substr(0, file.size() - 3), *text);
  if (!example) return failed(example.error());
  std::string sha256 = sha256_hex(*text);
  ScriptOverlays scripts(database, host_root(config));
  Result<std::optional<std::int64_t>> found = scripts.find_example(example->key);
  if (!found) return failed(found.error());
  Result<Overlay> overlay = Error::not_found("");
  if (!*found) {
    overlay = create_seeded(database, config, *example);
    if (!overlay) return failed(overlay.error());
    out.outcome = SeedOutcome::kCreated;
  } else {
    overlay = Overlays(database).get(**found, kSystem);
    if (!overlay) return failed(overlay.error());
    Result<ScriptOverlay> current = scripts.get(*overlay);
    if (!current) return failed(current.error());
    out.overlay_id = overlay->id;
    if (current->example_sha256 == sha256) {
      out.outcome = SeedOutcome::kUnchanged;
      out.message = fmt::format("{}: unchanged, script overlay {} '{}'", file, overlay->id, overlay->name);
      return out;
    }
    if (overlay->name != example->name) {
      overlay = Overlays(database).rename(overlay->id, kSystem, example->name);
      if (!overlay) return failed(overlay.error());
    }
    if (Status saved = scripts.save(*overlay, example->script, example->description); !saved) {
      return failed(saved.error());
    }
    out.outcome = SeedOutcome::kUpdated;
  }
  if (Status recorded = scripts.record_example(overlay->id, example->key, sha256); !recorded) {
    return failed(recorded.error());
  }
  out.overlay_id = overlay->id;
  out.message = fmt::format("{}: {} script overlay {} '{}'", file,
                            out.outcome == SeedOutcome::kCreated ? "created" : "updated", overlay->id, overlay->name);
  return out;
}

}  // namespace

Result<ExampleScript> parse_example_script(const std::string& key, const std::string& text) {
  if (key.empty()) return Error::invalid("the file has no name before .sh");
  if (auto problem = check_script(text)) return Error::invalid(*problem);
  ExampleScript example{key, "", "", text};
  std::size_t at = 0;
  bool first = true;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + at, end - at);
    at = end + 1;
    if (first && line.rfind("#!", 0) == 0) {
      first = false;
      continue;
    }
    first = false;
    if (line.empty() || line[0] != '#') break;  // the header ends at the first line that is no comment
    if (line.rfind(kNameTag, 0) == 0) {
      example.name = trimmed(line.substr(kNameTag.size()));
    } else if (line.rfind(kDescriptionTag, 0) == 0) {
      std::string more = trimmed(line.substr(kDescriptionTag.size()));
      if (!more.empty()) example.description += (example.description.empty() ? "" : " ") + more;
    }
  }
  if (example.name.empty()) return Error::invalid("the header has no '# left4me-name: <name>' line");
  if (auto problem = check_overlay_name(example.name)) return Error::invalid(fmt::format("left4me-name: {}", *problem));
  if (auto problem = check_script_description(example.description)) {
    return Error::invalid(fmt::format("left4me-description: {}", *problem));
  }
  return example;
}

Result<std::vector<SeededFile>> seed_script_overlays(Database& database, const WebConfig& config,
                                                     const std::string& dir) {
  Result<std::vector<std::string>> files = example_files(dir);
  if (!files) return files.error();
  std::vector<SeededFile> seeded;
  for (const std::string& file : *files) seeded.push_back(seed_one(database, config, dir, file));
  return seeded;
}

}  // namespace left4me::web
