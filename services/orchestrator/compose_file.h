// A docker compose file as a YAML tree, with the edits the renderer makes
// (environment entries, ports, images, network mode), written back as YAML
// that docker-compose v1 (YAML 1.1) and v2 read the same way.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace poolops::orchestrator {

class ComposeFile {
 public:
  // InvalidArgument (naming `name`) when the text is not a compose mapping.
  static absl::StatusOr<ComposeFile> Parse(std::string_view text,
                                           const std::string& name);
  ComposeFile Clone() const;

  std::vector<std::string> ServiceNames() const;
  bool HasService(const std::string& service) const;
  void RemoveService(const std::string& service);
  // Adds (or replaces) a service definition.
  void AddService(const std::string& service, const YAML::Node& definition);
  YAML::Node Service(const std::string& service);

  // Environment entries, written as a list of "KEY=VALUE".
  std::optional<std::string> GetEnv(const std::string& service,
                                    const std::string& key) const;
  // The names of the service's environment entries, in order.
  std::vector<std::string> EnvNames(const std::string& service) const;
  // Replaces the entry of `key` in place, or appends it.
  void SetEnv(const std::string& service, const std::string& key,
              const std::string& value);

  // A service key: remove it, or set it to a scalar.
  void RemoveKey(const std::string& service, const std::string& key);
  void SetScalar(const std::string& service, const std::string& key,
                 const std::string& value);
  // Drops list entries of `key` (ports, volumes) for which `drop` is true.
  template <typename Pred>
  void FilterList(const std::string& service, const std::string& key,
                  Pred drop);
  // Replaces list entries of `key` equal to `from` by `to`.
  void ReplaceListEntry(const std::string& service, const std::string& key,
                        const std::string& from, const std::string& to);
  void RemoveTopLevel(const std::string& key);
  // The whole tree (the swarm rewrite walks every value).
  YAML::Node Root() { return root_; }

  std::string Emit() const;

 private:
  explicit ComposeFile(YAML::Node root) : root_(std::move(root)) {}
  YAML::Node root_;
};

template <typename Pred>
void ComposeFile::FilterList(const std::string& service, const std::string& key,
                             Pred drop) {
  YAML::Node s = Service(service);
  if (!s || !s[key] || !s[key].IsSequence()) return;
  YAML::Node kept(YAML::NodeType::Sequence);
  for (const YAML::Node& item : s[key]) {
    if (!(item.IsScalar() && drop(item.Scalar()))) kept.push_back(item);
  }
  if (kept.size() == 0) {
    s.remove(key);
  } else {
    s[key] = kept;
  }
}

// A variable a compose file reads: $NAME, ${NAME}, ${NAME:-x}, ${NAME:?msg}.
struct VariableRef {
  std::string name;
  bool has_default = false;  // ${NAME:-...} / ${NAME-...}: may stay unset
};
// In order of first appearance; "$$" is an escaped dollar.
std::vector<VariableRef> ReferencedVariables(std::string_view text);

}  // namespace poolops::orchestrator
