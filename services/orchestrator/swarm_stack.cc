#include "services/orchestrator/swarm_stack.h"

#include <set>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "services/orchestrator/bundle_diff.h"
#include "services/orchestrator/compose_file.h"

namespace poolops::orchestrator {
namespace {

bool NameChar(char c, bool first) {
  return absl::ascii_isalpha(c) || c == '_' ||
         (!first && absl::ascii_isdigit(c));
}

// Swarm object names: letters, digits, _ . -, at most 64 bytes. The content
// hash makes a changed file a new object (secrets and configs cannot be
// changed in place); the stack's label lets `stack rm` remove them all.
std::string ObjectName(const std::string& project, const std::string& path,
                       const std::string& content) {
  std::string base = absl::StrCat(project, "_", path);
  for (char& c : base) {
    if (!absl::ascii_isalnum(c) && c != '_' && c != '.' && c != '-') c = '_';
  }
  if (base.size() > 50) base.resize(50);
  return absl::StrCat(base, "-", Sha256Hex(content).substr(0, 12));
}

// A compose key for a bundle file: letters, digits and _.
std::string KeyOf(const std::string& path) {
  std::string key = "f_";
  for (char c : path) key.push_back(absl::ascii_isalnum(c) ? c : '_');
  return key;
}

// Every scalar of the tree interpolated, then each $ doubled: stack deploy
// interpolates again, from its own environment, which must change nothing.
absl::Status InterpolateTree(YAML::Node node,
                             const std::map<std::string, std::string>& values) {
  if (node.IsScalar()) {
    absl::StatusOr<std::string> v = Interpolate(node.Scalar(), values);
    if (!v.ok()) return v.status();
    std::string escaped = absl::StrReplaceAll(*v, {{"$", "$$"}});
    if (escaped != node.Scalar()) {
      const std::string tag = node.Tag();
      node = escaped;
      if (tag == "!") node.SetTag("!");
    }
    return absl::OkStatus();
  }
  if (node.IsSequence()) {
    for (YAML::Node item : node) {
      if (absl::Status s = InterpolateTree(item, values); !s.ok()) return s;
    }
  } else if (node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (absl::Status s = InterpolateTree(it->second, values); !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

struct FileRefs {
  YAML::Node secrets{YAML::NodeType::Map};
  YAML::Node configs{YAML::NodeType::Map};
};

// A short-form volume "SRC:DST[:MODE]" of the bundle ("./x") as the
// secrets/configs entries of a service; other volumes stay as they are.
absl::Status MoveBundleMounts(const std::string& service, YAML::Node svc,
                              const Bundle& bundle, FileRefs* refs) {
  if (!svc["volumes"] || !svc["volumes"].IsSequence()) return absl::OkStatus();
  YAML::Node kept(YAML::NodeType::Sequence);
  for (const YAML::Node& v : svc["volumes"]) {
    if (!v.IsScalar()) {
      kept.push_back(v);
      continue;
    }
    std::vector<std::string> parts = absl::StrSplit(v.Scalar(), ':');
    const std::string& src = parts[0];
    if (parts.size() < 2 || absl::StartsWith(src, "/") ||
        (!absl::StartsWith(src, ".") && !absl::StrContains(src, "/"))) {
      kept.push_back(v);  // an absolute host path, a named volume
      continue;
    }
    std::string rel(absl::StripPrefix(src, "./"));
    while (!rel.empty() && rel.back() == '/') rel.pop_back();
    const std::string& dst = parts[1];
    int matched = 0;
    for (const BundleFile& f : bundle.files) {
      std::string inside;
      if (f.path == rel) {
        inside = dst;
      } else if (absl::StartsWith(f.path, rel + "/")) {
        inside = absl::StrCat(dst, f.path.substr(rel.size()));
      } else {
        continue;
      }
      ++matched;
      const bool secret = (f.mode & 077) == 0;
      const std::string key = KeyOf(f.path);
      YAML::Node def;
      def["file"] = "./" + f.path;
      def["name"] = ObjectName(bundle.project, f.path, f.content);
      (secret ? refs->secrets : refs->configs)[key] = def;
      YAML::Node ref;
      ref["source"] = key;
      ref["target"] = inside;
      // 0400 and 0444, in decimal: no YAML version reads them differently.
      ref["mode"] = secret ? 256 : 292;
      svc[secret ? "secrets" : "configs"].push_back(ref);
    }
    if (matched == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "service ", service, ": ", src,
          " is not a file of the bundle; a swarm task may run on a node "
          "without it (use an absolute path that every node has)"));
    }
  }
  if (kept.size() == 0) {
    svc.remove("volumes");
  } else {
    svc["volumes"] = kept;
  }
  return absl::OkStatus();
}

YAML::Node DeployOf(const v1::PoolSpec::Placement& placement,
                    uint32_t parallelism) {
  YAML::Node deploy;
  deploy["replicas"] = 1;
  YAML::Node restart;
  restart["condition"] = "any";
  restart["delay"] = "5s";
  deploy["restart_policy"] = restart;
  std::vector<std::string> constraints = PlacementConstraints(placement);
  if (!constraints.empty()) {
    YAML::Node list(YAML::NodeType::Sequence);
    for (const std::string& c : constraints) list.push_back(c);
    deploy["placement"]["constraints"] = list;
  }
  // Host network: the old task stops before the new one binds its ports.
  // A new task that fails within `monitor` rolls the service back.
  YAML::Node update;
  update["parallelism"] = parallelism == 0 ? 1 : parallelism;
  update["order"] = "stop-first";
  update["failure_action"] = "rollback";
  update["monitor"] = "20s";
  deploy["update_config"] = update;
  YAML::Node rollback;
  rollback["parallelism"] = 0;  // every task at once: back to what ran
  rollback["order"] = "stop-first";
  rollback["failure_action"] = "pause";
  deploy["rollback_config"] = rollback;
  return deploy;
}

}  // namespace

absl::StatusOr<std::string> Interpolate(
    const std::string& text, const std::map<std::string, std::string>& values) {
  std::string out;
  size_t i = 0;
  auto value_of = [&](const std::string& name) -> const std::string* {
    auto it = values.find(name);
    return it == values.end() ? nullptr : &it->second;
  };
  while (i < text.size()) {
    char c = text[i];
    if (c != '$') {
      out.push_back(c);
      ++i;
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '$') {
      out.push_back('$');
      i += 2;
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '{') {
      size_t close = text.find('}', i + 2);
      if (close == std::string::npos) {
        return absl::InvalidArgumentError(
            absl::StrCat("'${' without '}' in \"", text, "\""));
      }
      std::string inner = text.substr(i + 2, close - i - 2);
      size_t n = 0;
      while (n < inner.size() && NameChar(inner[n], n == 0)) ++n;
      if (n == 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("no variable name in \"${", inner, "}\""));
      }
      std::string name = inner.substr(0, n), op = inner.substr(n);
      const std::string* v = value_of(name);
      if (op.empty()) {
        if (v) out += *v;
      } else if (absl::StartsWith(op, ":-") || absl::StartsWith(op, "-")) {
        const bool colon = op[0] == ':';
        const std::string fallback = op.substr(colon ? 2 : 1);
        out += (v && !(colon && v->empty())) ? *v : fallback;
      } else if (absl::StartsWith(op, ":?") || absl::StartsWith(op, "?")) {
        const bool colon = op[0] == ':';
        if (!v || (colon && v->empty())) {
          return absl::InvalidArgumentError(
              absl::StrCat(name, " is required: ", op.substr(colon ? 2 : 1)));
        }
        out += *v;
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("unsupported \"${", inner, "}\""));
      }
      i = close + 1;
      continue;
    }
    size_t n = 0;
    while (i + 1 + n < text.size() && NameChar(text[i + 1 + n], n == 0)) ++n;
    if (n == 0) {
      out.push_back('$');  // as compose: a lone $ stays
      ++i;
      continue;
    }
    if (const std::string* v = value_of(text.substr(i + 1, n))) out += *v;
    i += 1 + n;
  }
  return out;
}

std::vector<std::string> PlacementConstraints(
    const v1::PoolSpec::Placement& placement) {
  std::vector<std::string> out;
  const std::string& node = placement.node();
  if (!node.empty()) {
    bool id = node.size() == 25;
    for (char c : node) id &= absl::ascii_islower(c) || absl::ascii_isdigit(c);
    out.push_back(absl::StrCat(id ? "node.id == " : "node.hostname == ", node));
  }
  std::map<std::string, std::string> labels(placement.node_labels().begin(),
                                            placement.node_labels().end());
  for (const auto& [k, v] : labels) {
    out.push_back(absl::StrCat("node.labels.", k, " == ", v));
  }
  return out;
}

absl::Status ToSwarmStack(Bundle* bundle, const SwarmStackOptions& options) {
  const std::map<std::string, std::string> values(bundle->env.begin(),
                                                  bundle->env.end());
  std::vector<std::pair<std::string, ComposeFile>> stacks;
  for (const std::string& name : bundle->compose_files) {
    const BundleFile* file = nullptr;
    for (const BundleFile& f : bundle->files) {
      if (f.path == name) file = &f;
    }
    if (file == nullptr) {
      return absl::InternalError(absl::StrCat(bundle->name, ": no ", name));
    }
    absl::StatusOr<ComposeFile> f = ComposeFile::Parse(file->content, name);
    if (!f.ok()) return f.status();
    if (absl::Status s = InterpolateTree(f->Root(), values); !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(bundle->name, "/", name, ": ", s.message()));
    }
    FileRefs refs;
    for (const std::string& service : f->ServiceNames()) {
      YAML::Node svc = f->Service(service);
      // Compose-only keys: the swarm places, restarts and names tasks.
      for (const char* key : {"container_name", "network_mode", "restart",
                              "depends_on", "links", "ports", "expose"}) {
        svc.remove(key);
      }
      if (absl::Status s = MoveBundleMounts(service, svc, *bundle, &refs);
          !s.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(bundle->name, "/", name, ": ", s.message()));
      }
      if (!svc["image"]) continue;  // an overlay's partial service
      YAML::Node nets(YAML::NodeType::Sequence);
      nets.push_back("hostnet");
      svc["networks"] = nets;
      auto p = options.placement_of.find(service);
      svc["deploy"] = DeployOf(
          p == options.placement_of.end() ? options.placement : p->second,
          options.parallelism);
    }
    YAML::Node root = f->Root();
    root["version"] = "3.8";
    f->RemoveTopLevel("networks");
    root["networks"]["hostnet"]["external"] = true;
    root["networks"]["hostnet"]["name"] = "host";
    if (refs.secrets.size() > 0) root["secrets"] = refs.secrets;
    if (refs.configs.size() > 0) root["configs"] = refs.configs;
    stacks.emplace_back(name, std::move(*f));
  }
  // Each service labelled with the hash of its definitions (every file's):
  // after `stack deploy` the label says which definition a service runs,
  // so one the swarm rolled back to the previous one is told apart from
  // one running what was deployed (swarm-services.txt: service and hash).
  std::map<std::string, std::string> defs;
  for (auto& [name, f] : stacks) {
    for (const std::string& service : f.ServiceNames()) {
      defs[service] += YAML::Dump(f.Service(service));
    }
  }
  std::string labels;
  for (auto& [name, f] : stacks) {
    for (const std::string& service : f.ServiceNames()) {
      YAML::Node svc = f.Service(service);
      if (!svc["deploy"]) continue;
      const std::string hash = Sha256Hex(defs[service]).substr(0, 16);
      // Quoted: a hash of digits only (or "1e5...") must stay a string.
      YAML::Node label(hash);
      label.SetTag("!");
      svc["deploy"]["labels"]["poolops.spec"] = label;
      absl::StrAppend(&labels, service, " ", hash, "\n");
    }
  }
  std::vector<BundleFile> out;
  for (auto& [name, f] : stacks) out.push_back({name, f.Emit(), 0600});
  out.push_back({std::string(kSwarmServicesFile), labels, 0644});
  // The bundle's other files stay: stack deploy reads secrets and configs
  // from them. .env goes: its values are in the stack files now.
  for (BundleFile& f : bundle->files) {
    bool compose = false;
    for (const BundleFile& o : out) compose |= o.path == f.path;
    if (!compose && f.path != ".env") out.push_back(std::move(f));
  }
  bundle->files = std::move(out);
  return absl::OkStatus();
}

}  // namespace poolops::orchestrator
