#include "services/orchestrator/compose_file.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/orchestrator/spec_text.h"

namespace poolops::orchestrator {
namespace {

// Scalars that must be written quoted: the empty string, and digit:digit
// mappings that PyYAML (docker-compose v1, YAML 1.1) reads as base-60
// numbers. Scalars quoted in the template keep their quotes (tag "!").
bool NeedsQuotes(const std::string& s) {
  if (s.empty()) return true;
  // "22:22" is a base-60 number to PyYAML: keep port mappings strings.
  if (s.find(':') == std::string::npos) return false;
  for (char c : s) {
    if (!(absl::ascii_isdigit(c) || c == ':')) return false;
  }
  return true;
}

void EmitNode(YAML::Emitter& out, const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      out << YAML::BeginMap;
      for (auto it = node.begin(); it != node.end(); ++it) {
        out << YAML::Key << it->first.Scalar() << YAML::Value;
        EmitNode(out, it->second);
      }
      out << YAML::EndMap;
      return;
    case YAML::NodeType::Sequence:
      out << YAML::BeginSeq;
      for (const YAML::Node& item : node) EmitNode(out, item);
      out << YAML::EndSeq;
      return;
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      // Quoted in the template ("!" tag) or ambiguous: keep it a string.
      if (node.Tag() == "!" || NeedsQuotes(s)) {
        out << YAML::DoubleQuoted << s;
      } else {
        out << s;
      }
      return;
    }
    default:
      out << YAML::Null;
  }
}

}  // namespace

absl::StatusOr<ComposeFile> ComposeFile::Parse(std::string_view text,
                                               const std::string& name) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ":", e.mark.line + 1, ": ", PrintableText(e.msg)));
  }
  if (!root.IsMap() || !root["services"] || !root["services"].IsMap()) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": not a compose file (no services mapping)"));
  }
  return ComposeFile(root);
}

ComposeFile ComposeFile::Clone() const {
  return ComposeFile(YAML::Clone(root_));
}

std::vector<std::string> ComposeFile::ServiceNames() const {
  std::vector<std::string> names;
  for (auto it = root_["services"].begin(); it != root_["services"].end();
       ++it) {
    names.push_back(it->first.Scalar());
  }
  return names;
}

bool ComposeFile::HasService(const std::string& service) const {
  return static_cast<bool>(root_["services"][service]);
}

void ComposeFile::RemoveService(const std::string& service) {
  YAML::Node services = root_["services"];
  services.remove(service);
}

void ComposeFile::AddService(const std::string& service,
                             const YAML::Node& definition) {
  YAML::Node services = root_["services"];
  services[service] = definition;
}

YAML::Node ComposeFile::Service(const std::string& service) {
  YAML::Node services = root_["services"];
  if (!services[service]) return YAML::Node(YAML::NodeType::Undefined);
  return services[service];
}

std::optional<std::string> ComposeFile::GetEnv(const std::string& service,
                                               const std::string& key) const {
  YAML::Node s = root_["services"][service];
  if (!s || !s["environment"] || !s["environment"].IsSequence()) {
    return std::nullopt;
  }
  std::string prefix = key + "=";
  for (const YAML::Node& e : s["environment"]) {
    if (e.IsScalar() && absl::StartsWith(e.Scalar(), prefix)) {
      return e.Scalar().substr(prefix.size());
    }
  }
  return std::nullopt;
}

std::vector<std::string> ComposeFile::EnvNames(
    const std::string& service) const {
  std::vector<std::string> out;
  YAML::Node s = root_["services"][service];
  if (!s || !s["environment"] || !s["environment"].IsSequence()) return out;
  for (const YAML::Node& e : s["environment"]) {
    if (!e.IsScalar()) continue;
    const std::string& entry = e.Scalar();
    out.push_back(entry.substr(0, entry.find('=')));
  }
  return out;
}

void ComposeFile::SetEnv(const std::string& service, const std::string& key,
                         const std::string& value) {
  YAML::Node s = Service(service);
  if (!s) return;
  std::string entry = absl::StrCat(key, "=", value);
  if (!s["environment"] || !s["environment"].IsSequence()) {
    s["environment"] = YAML::Node(YAML::NodeType::Sequence);
  }
  YAML::Node env = s["environment"];
  std::string prefix = key + "=";
  for (size_t i = 0; i < env.size(); ++i) {
    if (env[i].IsScalar() && absl::StartsWith(env[i].Scalar(), prefix)) {
      env[i] = entry;
      return;
    }
  }
  env.push_back(entry);
}

void ComposeFile::RemoveKey(const std::string& service,
                            const std::string& key) {
  YAML::Node s = Service(service);
  if (s) s.remove(key);
}

void ComposeFile::SetScalar(const std::string& service, const std::string& key,
                            const std::string& value) {
  YAML::Node s = Service(service);
  if (s) s[key] = value;
}

void ComposeFile::ReplaceListEntry(const std::string& service,
                                   const std::string& key,
                                   const std::string& from,
                                   const std::string& to) {
  YAML::Node s = Service(service);
  if (!s || !s[key] || !s[key].IsSequence()) return;
  YAML::Node list = s[key];
  for (size_t i = 0; i < list.size(); ++i) {
    if (list[i].IsScalar() && list[i].Scalar() == from) {
      YAML::Node replacement(to);
      replacement.SetTag("!");  // ports stay quoted strings
      list[i] = replacement;
    }
  }
}

void ComposeFile::RemoveTopLevel(const std::string& key) { root_.remove(key); }

std::string ComposeFile::Emit() const {
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetSeqFormat(YAML::Block);
  out.SetMapFormat(YAML::Block);
  // Top level: blank lines between the sections, like a hand-written file.
  out << YAML::BeginMap;
  bool first = true;
  for (auto it = root_.begin(); it != root_.end(); ++it) {
    if (!first) out << YAML::Newline;
    first = false;
    out << YAML::Key << it->first.Scalar() << YAML::Value;
    const YAML::Node value = it->second;  // a copy: it-> is a temporary
    if (value.IsMap() && value.size() == 0) {
      out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
    } else if (value.IsMap()) {
      out << YAML::BeginMap;
      for (auto s = value.begin(); s != value.end(); ++s) {
        out << YAML::Key << s->first.Scalar() << YAML::Value;
        if (s->second.IsNull()) {
          out << YAML::Flow << YAML::BeginMap << YAML::EndMap;  // "name: {}"
        } else {
          EmitNode(out, s->second);
        }
      }
      out << YAML::EndMap;
    } else {
      EmitNode(out, value);
    }
  }
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::vector<VariableRef> ReferencedVariables(std::string_view text) {
  std::vector<VariableRef> refs;
  std::set<std::string> seen;
  auto is_name = [](char c) { return absl::ascii_isalnum(c) || c == '_'; };
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$') continue;
    if (i + 1 < text.size() && text[i + 1] == '$') {
      ++i;
      continue;
    }
    VariableRef ref;
    size_t j = i + 1;
    if (j < text.size() && text[j] == '{') {
      size_t k = j + 1;
      while (k < text.size() && is_name(text[k])) ++k;
      ref.name = std::string(text.substr(j + 1, k - j - 1));
      if (k < text.size() && text[k] != '}') {
        size_t op = text[k] == ':' ? k + 1 : k;
        ref.has_default = op < text.size() && text[op] == '-';
      }
    } else {
      size_t k = j;
      while (k < text.size() && is_name(text[k])) ++k;
      ref.name = std::string(text.substr(j, k - j));
    }
    if (ref.name.empty() || absl::ascii_isdigit(ref.name[0])) continue;
    if (seen.insert(ref.name).second) {
      refs.push_back(ref);
    } else if (!ref.has_default) {
      for (VariableRef& r : refs) {
        if (r.name == ref.name) r.has_default = false;
      }
    }
  }
  return refs;
}

}  // namespace poolops::orchestrator
