#include "services/orchestrator/bundle_diff.h"

#include <openssl/sha.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "services/orchestrator/compose_file.h"

namespace poolops::orchestrator {

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

std::map<std::string, std::string> ParseEnvFile(const std::string& text) {
  std::map<std::string, std::string> out;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    size_t eq = line.find('=');
    if (eq == absl::string_view::npos || line[0] == '#') continue;
    std::string value(line.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') {
      value = value.substr(1, value.size() - 2);
    }
    out[std::string(line.substr(0, eq))] = value;
  }
  return out;
}

std::vector<std::pair<std::string, ComposeFile>> ComposeFilesOf(
    const Bundle& bundle) {
  std::vector<std::pair<std::string, ComposeFile>> out;
  for (const std::string& name : bundle.compose_files) {
    for (const BundleFile& f : bundle.files) {
      if (f.path != name) continue;
      absl::StatusOr<ComposeFile> parsed = ComposeFile::Parse(f.content, name);
      if (parsed.ok()) out.emplace_back(name, *std::move(parsed));
    }
  }
  return out;
}

BundleRecord RecordOf(const Bundle& bundle) {
  BundleRecord r;
  r.name = bundle.name;
  r.role = bundle.role;
  r.target = bundle.target;
  r.project = bundle.project;
  r.compose_files = bundle.compose_files;
  std::map<std::string, std::string> env;
  for (const BundleFile& f : bundle.files) {
    r.files[f.path] = Sha256Hex(f.content);
    if (f.path == ".env") env = ParseEnvFile(f.content);
  }
  std::map<std::string, std::string> material;  // service -> what it is made of
  for (auto& [name, parsed] : ComposeFilesOf(bundle)) {
    for (const std::string& s : parsed.ServiceNames()) {
      YAML::Emitter e;
      e << parsed.Service(s);
      std::string text = e.c_str();
      std::string& m = material[s];
      m += name + "\n" + text + "\n";
      for (const VariableRef& v : ReferencedVariables(text)) {
        m += v.name + "=" + env[v.name] + "\n";
      }
      // Mounted bundle files (wallets) count too.
      for (const auto& [path, hash] : r.files) {
        if (absl::StrContains(text, "./" + path) ||
            (absl::StrContains(text, "./$WALLET") && path == env["WALLET"])) {
          m += path + "#" + hash + "\n";
        }
      }
    }
  }
  for (const auto& [s, m] : material) r.services[s] = Sha256Hex(m);
  return r;
}

BundleChanges Diff(const BundleRecord* before, const BundleRecord& after) {
  BundleChanges c;
  static const BundleRecord kEmpty;
  const BundleRecord& b = before ? *before : kEmpty;
  for (const auto& [path, hash] : after.files) {
    auto it = b.files.find(path);
    if (it == b.files.end()) {
      c.created_files.push_back(path);
    } else if (it->second != hash) {
      c.changed_files.push_back(path);
    }
  }
  for (const auto& [path, hash] : b.files) {
    if (!after.files.count(path)) c.removed_files.push_back(path);
  }
  for (const auto& [s, hash] : after.services) {
    auto it = b.services.find(s);
    if (it == b.services.end()) {
      c.create.push_back(s);
    } else if (it->second != hash) {
      c.recreate.push_back(s);
    }
  }
  for (const auto& [s, hash] : b.services) {
    if (!after.services.count(s)) c.remove.push_back(s);
  }
  return c;
}

}  // namespace poolops::orchestrator
