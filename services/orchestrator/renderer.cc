#include "services/orchestrator/renderer.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "services/orchestrator/spec_defaults.h"
#include "services/orchestrator/spring_duration.h"
#include "services/orchestrator/swarm_stack.h"
#include "services/orchestrator/target_address.h"

namespace poolops::orchestrator {
namespace {

bool IsLoopback(const std::string& host) {
  return host == "localhost" || absl::StartsWith(host, "127.");
}

// The compose services that publish a port of the core host, with the
// container port and the spec's host port.
struct PublishedPort {
  const char* service;
  const char* mapping;  // as in the template
  std::string container_port;
  uint32_t port;
};

// Order terms of the publisher containers. TAG only for the standard one:
// the TEE publishers keep their framework's tag.
void SetOrderTerms(ComposeFile* f, const std::string& service,
                   const v1::PoolSpec& spec, const std::string& tag,
                   bool set_tag) {
  if (!f->HasService(service)) return;
  const auto& o = spec.orders();
  f->SetEnv(service, "VOLUME", o.volume());
  f->SetEnv(service, "CATEGORY", o.category());
  f->SetEnv(service, "TRUST", o.trust());
  f->SetEnv(service, "IS_GPU_POOL", o.gpu_pool() ? "true" : "false");
  f->SetEnv(service, "CHECK_SLEEP_TIME",
            std::to_string(o.check_period_seconds()));
  if (TraitsOf(spec.stack_version()).published_ports) {
    f->SetEnv(service, "MAX_ORDER_NUMBER", std::to_string(o.max_open_orders()));
  }
  if (set_tag) f->SetEnv(service, "TAG", tag);
}

// Host networking: no compose networks, no published ports; services find
// each other on 127.0.0.1 instead of by service name.
void ToHostNetwork(ComposeFile* f) {
  for (const std::string& s : f->ServiceNames()) {
    f->RemoveKey(s, "ports");
    f->RemoveKey(s, "expose");
    f->RemoveKey(s, "networks");
    if (f->Service(s)["image"]) {
      f->SetScalar(s, "network_mode", "host");
      YAML::Node svc = f->Service(s);
      svc["init"] = true;
    }
  }
  f->RemoveTopLevel("networks");
}

void UseSimulators(ComposeFile* f, const v1::PoolSpec::Images& images,
                   bool loopback, const std::string& stack) {
  const std::string& tag = images.simulator_tag();
  for (const std::string& s : f->ServiceNames()) {
    if (!f->Service(s)["image"]) continue;  // an overlay's partial service
    std::optional<std::string> role = SimulatorRole(s);
    if (!role.has_value()) continue;  // validation rejects these stacks
    f->SetScalar(s, "image", absl::StrCat("poolops-sim/", *role, ":", tag));
    // The simulators read each stack's variables as its services do.
    f->SetEnv(s, "POOLOPS_SIM_STACK", stack);
    // The version each plays: the core's /version and requiredWorkerVersion,
    // the worker's own (refused by a core that requires another).
    const std::string& played = *role == "core"     ? images.core_tag()
                                : *role == "worker" ? images.worker_tag()
                                                    : tag;
    if (*role == "core" || *role == "worker") {
      f->SetEnv(s, "POOLOPS_SIM_VERSION", played);
    }
    // FROM scratch images: the template's bash entrypoints cannot run.
    f->RemoveKey(s, "entrypoint");
    f->RemoveKey(s, "command");
    f->RemoveKey(s, "healthcheck");
    if (loopback && *role != "worker" && *role != "order-publisher") {
      f->SetEnv(s, "POOLOPS_SIM_BIND", "127.0.0.1");
    }
    // The worker simulator starts no containers: no docker socket mount
    // (on a test daemon the host path would not exist).
    f->FilterList(s, "volumes", [](const std::string& v) {
      return absl::StartsWith(v, "/var/run/docker.sock:");
    });
  }
}

std::string YesNo(bool b) { return b ? "true" : "false"; }

// The operator's override_env entries, as `NAME=${POOLOPS_OVERRIDE_NAME}`
// in the service and the value in `values` (.env): written there by
// EnvLine, whatever bytes it holds, it cannot change the compose file.
absl::Status ApplyOverrides(
    ComposeFile* f, const std::string& service,
    const google::protobuf::Map<std::string, std::string>& env,
    std::map<std::string, std::string>* values) {
  if (!f->HasService(service) || !f->Service(service)["image"]) {
    return absl::OkStatus();
  }
  std::map<std::string, std::string> sorted(env.begin(), env.end());
  for (const auto& [name, value] : sorted) {
    if (!IsEnvName(name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "override_env: '", name, "' is not an environment variable name"));
    }
    std::string var = absl::StrCat("POOLOPS_OVERRIDE_", name);
    f->SetEnv(service, name, absl::StrCat("${", var, "}"));
    (*values)[var] = value;
  }
  return absl::OkStatus();
}

// The config server's nginx site: GET /config/chain, nothing else.
std::string ConfigServerSite(uint32_t port) {
  return absl::StrCat(
      "# poolops: the v9.3 config server (GET /config/chain), a static file.\n"
      "server {\n"
      "  listen ",
      port,
      ";\n"
      "  location = /config/chain {\n"
      "    root /usr/share/nginx/html;\n"
      "    default_type application/json;\n"
      "  }\n"
      "  location / {\n"
      "    return 404;\n"
      "  }\n"
      "}\n");
}

// What core 9.x and the workers read from GET /config/chain
// (iexec-common PublicChainConfig).
absl::StatusOr<std::string> ConfigServerChain(const ChainInfo& chain) {
  uint64_t id = 0;
  if (!absl::SimpleAtoi(chain.chain_id, &id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("chain '", chain.name, "' id: not a number"));
  }
  nlohmann::ordered_json j;
  j["chainId"] = id;
  j["sidechain"] = chain.sidechain;
  j["chainNodeUrl"] = chain.public_rpc;
  j["iexecHubContractAddress"] = chain.hub;
  j["blockTime"] = IsoSeconds(chain.block_time);
  return j.dump(2) + "\n";
}

// Variables each worker has its own value of: suffixed per worker when
// several workers share a host's bundle.
constexpr const char* kPerWorkerVariables[] = {
    "WALLET",      "WORKER_NAME",         "WORKER_ID", "PROD_WALLET_PASSWORD",
    "RESULTS_DIR", "WORKER_AVAILABLE_CPU"};

std::string VariableSuffix(const std::string& worker) {
  std::string out = absl::AsciiStrToUpper(worker);
  for (char& c : out) {
    if (!absl::ascii_isalnum(c)) c = '_';
  }
  return out;
}

// Renames $NAME / ${NAME...} references of the per-worker variables.
std::string RenameWorkerVariables(const std::string& text,
                                  const std::string& suffix) {
  std::string out;
  auto is_name = [](char c) { return absl::ascii_isalnum(c) || c == '_'; };
  for (size_t i = 0; i < text.size(); ++i) {
    out.push_back(text[i]);
    if (text[i] != '$') continue;
    if (i + 1 < text.size() && text[i + 1] == '$') {
      out.push_back('$');
      ++i;
      continue;
    }
    size_t j = i + 1;
    bool brace = j < text.size() && text[j] == '{';
    if (brace) {
      out.push_back('{');
      ++j;
    }
    size_t k = j;
    while (k < text.size() && is_name(text[k])) ++k;
    std::string name = text.substr(j, k - j);
    out += name;
    for (const char* v : kPerWorkerVariables) {
      if (name == v) {
        out += "_" + suffix;
        break;
      }
    }
    i = k - 1;
  }
  return out;
}

void RenameInNode(YAML::Node node, const std::string& suffix) {
  if (node.IsScalar()) {
    std::string renamed = RenameWorkerVariables(node.Scalar(), suffix);
    if (renamed != node.Scalar()) {
      std::string tag = node.Tag();
      node = renamed;
      if (tag == "!") node.SetTag("!");
    }
  } else if (node.IsSequence()) {
    for (size_t i = 0; i < node.size(); ++i) RenameInNode(node[i], suffix);
  } else if (node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      RenameInNode(it->second, suffix);
    }
  }
}

// One bundle per host and role: workers that share a target become one
// bundle ("workers-<first worker>"), each worker a service named after it
// with its own wallet file and suffixed variables, so that one compose
// project (one `up`) starts them all. A worker alone on its target keeps
// the README's single-worker form.
absl::StatusOr<std::vector<Bundle>> MergeWorkersByTarget(
    std::vector<Bundle> bundles, const std::string& worker_service) {
  std::vector<Bundle> out;
  std::map<std::string, std::vector<size_t>> by_target;
  std::vector<std::string> order;
  for (size_t i = 0; i < bundles.size(); ++i) {
    if (bundles[i].role != "worker") continue;
    if (!by_target.count(bundles[i].target)) order.push_back(bundles[i].target);
    by_target[bundles[i].target].push_back(i);
  }
  for (Bundle& b : bundles) {
    if (b.role != "worker") out.push_back(std::move(b));
  }
  for (const std::string& target : order) {
    const std::vector<size_t>& members = by_target[target];
    if (members.size() == 1) {
      out.push_back(std::move(bundles[members[0]]));
      continue;
    }
    Bundle merged;
    merged.name = "workers-" + bundles[members[0]].name;
    merged.role = "worker";
    merged.target = target;
    std::string pool = bundles[members[0]].project.substr(
        0, bundles[members[0]].project.size() -
               bundles[members[0]].name.size() - 1);
    merged.project = absl::StrCat(pool, "-", merged.name);
    std::map<std::string, ComposeFile> files;
    std::map<std::string, std::string> env;  // name -> value, in order below
    std::vector<std::string> env_order;
    std::vector<BundleFile> wallets;
    for (size_t idx : members) {
      Bundle& b = bundles[idx];
      std::string suffix = VariableSuffix(b.name);
      for (const BundleFile& f : b.files) {
        if (absl::StartsWith(f.path, "wallet-")) wallets.push_back(f);
      }
      for (const std::string& name : b.compose_files) {
        for (const BundleFile& f : b.files) {
          if (f.path != name) continue;
          absl::StatusOr<ComposeFile> c = ComposeFile::Parse(f.content, name);
          if (!c.ok()) return c.status();
          YAML::Node service = YAML::Clone(c->Service(worker_service));
          RenameInNode(service, suffix);
          auto it = files.find(name);
          if (it == files.end()) {
            c->RemoveService(worker_service);
            if (std::find(merged.compose_files.begin(),
                          merged.compose_files.end(),
                          name) == merged.compose_files.end()) {
              merged.compose_files.push_back(name);
            }
            it = files.emplace(name, std::move(*c)).first;
          }
          it->second.AddService(b.name, service);
        }
      }
      // By name, as the merged .env has always listed them.
      std::map<std::string, std::string> values(b.env.begin(), b.env.end());
      for (const auto& [k, v] : values) {
        bool per_worker = false;
        for (const char* pw : kPerWorkerVariables) per_worker |= k == pw;
        std::string key = per_worker ? absl::StrCat(k, "_", suffix) : k;
        if (!env.count(key)) env_order.push_back(key);
        env[key] = v;
      }
    }
    std::string env_text;
    for (const std::string& k : env_order) {
      absl::StatusOr<std::string> line = EnvLine(k, env[k]);
      if (!line.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(
            merged.name, " .env: ", k, ": ", line.status().message()));
      }
      absl::StrAppend(&env_text, *line);
      merged.env.emplace_back(k, env[k]);
    }
    merged.files.push_back({".env", env_text, 0600});
    // Compose files in the order of the first worker's, then any new ones.
    std::sort(merged.compose_files.begin() + 1, merged.compose_files.end());
    for (const std::string& name : merged.compose_files) {
      merged.files.push_back({name, files.at(name).Emit(), 0644});
    }
    for (BundleFile& w : wallets) merged.files.push_back(std::move(w));
    out.push_back(std::move(merged));
  }
  return out;
}

// The bundle's compose files as rendered, after its .env (0600) holding a
// value for every variable they read; a variable with neither a value nor a
// default is an InternalError naming `who` (a template/spec mismatch).
absl::StatusOr<std::vector<BundleFile>> EmitComposeAndEnv(
    std::vector<std::pair<std::string, ComposeFile>>& composes,
    const std::map<std::string, std::string>& values, const std::string& who,
    Bundle* b) {
  std::vector<BundleFile> files = {{".env", "", 0600}};
  std::set<std::string> emitted;
  std::string missing;
  for (auto& [name, f] : composes) {
    std::string text = f.Emit();
    for (const VariableRef& ref : ReferencedVariables(text)) {
      if (!emitted.insert(ref.name).second) continue;
      auto v = values.find(ref.name);
      if (v == values.end() || (v->second.empty() && ref.has_default)) {
        if (!ref.has_default) absl::StrAppend(&missing, " ", ref.name);
        continue;
      }
      // Every value is checked for what its variable holds (URLs are URLs,
      // hosts are hosts) and written so that compose reads back the same
      // bytes, whatever its source: spec, chain file, secret store.
      absl::Status ok = CheckValue(KindOfVariable(ref.name), v->second);
      absl::StatusOr<std::string> line =
          ok.ok() ? EnvLine(ref.name, v->second) : ok;
      if (!line.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(
            who, " .env: ", ref.name, ": ", line.status().message()));
      }
      absl::StrAppend(&files.front().content, *line);
      b->env.emplace_back(ref.name, v->second);
    }
    b->compose_files.push_back(name);
    files.push_back({name, std::move(text), 0644});
  }
  if (!missing.empty()) {
    return absl::InternalError(absl::StrCat(who, ": no value for", missing));
  }
  return files;
}

}  // namespace

absl::StatusOr<Renderer> Renderer::Create() {
  std::map<std::string, ComposeFile> parsed;
  for (const auto& [path, text] : EmbeddedTemplates()) {
    if (!absl::EndsWith(path, ".yml")) continue;
    absl::StatusOr<ComposeFile> f = ComposeFile::Parse(text, path);
    if (!f.ok()) return f.status();
    parsed.emplace(path, std::move(*f));
  }
  return Renderer(std::move(parsed));
}

absl::StatusOr<std::vector<Bundle>> Renderer::Render(
    const RenderInput& input) const {
  const v1::PoolSpec spec = WithDefaults(input.spec);
  const ChainInfo& chain = input.chain;
  // Chain values come from presets, chain-gateway and the spec:
  // they reach .env files, a YAML file and a file name (the chain id).
  if (absl::Status s = CheckChainInfo(chain); !s.ok()) return s;
  if (TraitsOf(spec.stack_version()).config_server && chain.sidechain) {
    return absl::FailedPreconditionError(absl::StrCat(
        "chain '", chain.name,
        "' is native (RLC as its coin, Bellecour-like): iExec v9.3 runs on "
        "PoCo 6 token chains (Arbitrum, the arbitrum devnet)"));
  }
  const StackTraits& st = TraitsOf(spec.stack_version());
  const bool v8 = st.builtin_https;
  const bool v9 = st.config_server;
  const bool host_net = spec.network_mode() == v1::NETWORK_MODE_HOST;
  const bool sims = spec.images().simulators();
  const bool http = HasFeature(spec, v1::FEATURE_REV_PROXY_HTTP);
  const bool https = HasFeature(spec, v1::FEATURE_REV_PROXY_HTTPS);
  const bool tee = HasFeature(spec, v1::FEATURE_TEE);
  const bool tdx = HasFeature(spec, v1::FEATURE_TDX);
  const bool iexec_publisher = spec.orders().publisher() == v1::PUBLISHER_IEXEC;
  const std::string dir = StackDir(spec.stack_version());
  const auto& core = spec.core();

  auto load = [&](const std::string& rel) -> absl::StatusOr<ComposeFile> {
    auto it = templates_.find(absl::StrCat(dir, "/", rel));
    if (it == templates_.end()) {
      return absl::InternalError(absl::StrCat("no template ", dir, "/", rel));
    }
    return it->second.Clone();
  };
  absl::StatusOr<std::string> tag = TagToBytes32(spec.orders().tag());
  if (!tag.ok()) return tag.status();

  auto password = [&](const std::string& var) -> absl::StatusOr<std::string> {
    auto it = input.secrets.values.find(var);
    if (it == input.secrets.values.end()) {
      return absl::FailedPreconditionError(absl::StrCat("no value for ", var));
    }
    return it->second;
  };
  auto wallet = [&](const std::string& name, const std::string& field)
      -> absl::StatusOr<std::pair<WalletKeystore, std::string>> {
    auto w = input.wallets.find(name);
    if (w == input.wallets.end()) {
      return absl::FailedPreconditionError(
          absl::StrCat(field, ": wallet '", name,
                       "' is not in the vault (poolctl wallet "
                       "create/import, or `pool up` creates it)"));
    }
    auto p = input.secrets.wallet_passwords.find(name);
    if (p == input.secrets.wallet_passwords.end()) {
      return absl::FailedPreconditionError(
          absl::StrCat(field, ": no password known for wallet '", name,
                       "'; give its *_password_file in the spec"));
    }
    return std::make_pair(w->second, p->second);
  };

  // Values every bundle may read; each .env keeps only what its files use.
  std::map<std::string, std::string> common = {
      {"CHAIN", chain.name},
      {"CHAIN_URL", chain.rpc},
      {"DOCKER_REGISTRY", spec.images().registry()},
      {"GAS_PRICE_CAP", chain.sidechain ? "0" : "22000000000"},
      // 9.x refuses 0 (@Positive); Bellecour's gas is free anyway.
      {"GAS_PRICE_MULTIPLIER", chain.sidechain && !v9 ? "0" : "1.0"},
      {"PROD_CORE_HOST", core.host()},
      {"PROD_POOL_ADDRESS", input.workerpool_address.empty()
                                ? spec.workerpool().address()
                                : input.workerpool_address},
      {"CORE_URL",
       https ? absl::StrCat("https://", core.host())
             : absl::StrCat("http://", core.host(), ":", core.core_port())},
      {"WORKER_TAG", spec.images().worker_tag()},
  };
  for (const auto& [k, v] : StackDefaults(spec.stack_version())) {
    common.emplace(k, v);
  }

  std::vector<Bundle> bundles;

  // ---------------------------------------------------------------- core --
  {
    Bundle b;
    b.name = "core";
    b.role = "core";
    b.target = core.target();
    b.project = absl::StrCat(spec.name(), "-core");
    std::vector<std::pair<std::string, ComposeFile>> composes;
    absl::StatusOr<ComposeFile> base = load("core/docker-compose.yml");
    if (!base.ok()) return base.status();
    if (st.published_ports) {
      std::vector<PublishedPort> published = {
          {"core", "7001:13000", "13000", core.core_port()},
          {"grafana", "7000:3000", "3000", core.grafana_port()}};
      if (!v9) {
        published.push_back({"blockchain-adapter", "13010:13010", "13010",
                             core.chain_adapter_port()});
      } else {
        published.push_back(
            {"config-server", "8888:8888", "8888", core.config_server_port()});
        // The adapter is internal in 9.x: loopback only, whatever the proxy.
        base->ReplaceListEntry(
            "blockchain-adapter", "ports", "127.0.0.1:13010:13010",
            absl::StrCat("127.0.0.1:", core.chain_adapter_port(), ":13010"));
      }
      for (const PublishedPort& p : published) {
        if (http || https) {
          // The proxy publishes 80/443; the README has these removed by hand.
          base->RemoveKey(p.service, "ports");
        } else {
          base->ReplaceListEntry(p.service, "ports", p.mapping,
                                 absl::StrCat(p.port, ":", p.container_port));
        }
      }
      if (!http && !https && !v9) {
        base->SetEnv("core", "IEXEC_CORE_CHAIN_ADAPTER_PORT",
                     std::to_string(core.chain_adapter_port()));
      }
    }
    if (v9 && chain.result_host.empty()) {
      // No result proxy on this chain (Arbitrum has none): the core's own
      // default, not an empty URL.
      base->FilterList("core", "environment", [](const std::string& e) {
        return absl::StartsWith(e, "IEXEC_RESULT_REPOSITORY_URL=");
      });
    }
    if (iexec_publisher) {
      SetOrderTerms(&*base, "order-publisher-std", spec, *tag, true);
    } else {
      base->RemoveService("order-publisher-std");
    }
    std::map<std::string, std::string> overrides;
    for (const auto& [service, env] :
         {std::pair{"core", &spec.override_env().core()},
          {"blockchain-adapter", &spec.override_env().blockchain_adapter()}}) {
      if (absl::Status s = ApplyOverrides(&*base, service, *env, &overrides);
          !s.ok()) {
        return s;
      }
    }
    composes.emplace_back("docker-compose.yml", std::move(*base));
    std::vector<std::string> overlays;
    if (http && !v8) overlays.push_back("rev-proxy-http");
    if (https && !v8) overlays.push_back("rev-proxy-https");
    if (tee && iexec_publisher) overlays.push_back("tee");
    if (tdx) overlays.push_back("tdx");
    for (const std::string& feature : overlays) {
      std::string file = absl::StrCat("docker-compose-", feature, ".yml");
      absl::StatusOr<ComposeFile> f = load("core/" + file);
      if (!f.ok()) return f.status();
      for (const char* s : {"order-publisher", "order-publisher-tee-scone",
                            "order-publisher-tee-gramine"}) {
        SetOrderTerms(&*f, s, spec, *tag, false);
      }
      composes.emplace_back(file, std::move(*f));
    }
    for (auto& [name, f] : composes) {
      if (host_net) {
        ToHostNetwork(&f);
        // No service names on the host network: loopback and the spec's
        // ports instead.
        std::string cp = std::to_string(core.core_port());
        std::string ap = std::to_string(core.chain_adapter_port());
        std::string gp = std::to_string(core.grafana_port());
        if (f.HasService("core") && f.Service("core")["image"]) {
          f.SetEnv("core", "IEXEC_CORE_PORT", cp);
          f.SetEnv("core", "MONGO_HOST", "127.0.0.1");
          if (v9) {
            f.SetEnv("core", "IEXEC_CORE_CHAIN_ADAPTER_URL",
                     absl::StrCat("http://127.0.0.1:", ap));
          } else {
            f.SetEnv("core", "IEXEC_CORE_CHAIN_ADAPTER_PORT", ap);
          }
          if (v8) {
            f.SetEnv("core", "IEXEC_PLATFORM_REGISTRY",
                     "http://127.0.0.1:8888");
          }
        }
        if (v9 && f.GetEnv("core", "IEXEC_PLATFORM_REGISTRY").has_value()) {
          f.SetEnv("core", "IEXEC_PLATFORM_REGISTRY", "http://127.0.0.1:8889");
        }
        if (f.HasService("blockchain-adapter")) {
          f.SetEnv("blockchain-adapter", "IEXEC_BLOCKCHAIN_ADAPTER_API_PORT",
                   ap);
          f.SetEnv("blockchain-adapter",
                   "IEXEC_BLOCKCHAIN_ADAPTER_API_MONGO_HOST", "127.0.0.1");
        }
        if (f.HasService("grafana")) {
          f.SetEnv("grafana", "GF_SERVER_HTTP_PORT", gp);
          f.SetEnv("grafana", "GRAFANA_HOST", "localhost:" + gp);
          f.SetEnv("grafana", "MONGO_PROXY_URL", "http://127.0.0.1:3333");
          f.SetEnv("grafana", "MONGO_URL", "mongodb://127.0.0.1:13002");
        }
        if (f.HasService("mongo_ui")) {
          f.SetEnv("mongo_ui", "ME_CONFIG_MONGODB_SERVER", "127.0.0.1");
        }
        if (f.HasService("blockchain-adapter-mongo-ui")) {
          f.SetEnv("blockchain-adapter-mongo-ui", "ME_CONFIG_MONGODB_SERVER",
                   "127.0.0.1");
        }
        for (const std::string& s : f.ServiceNames()) {
          if (f.GetEnv(s, "CORE_URL").has_value()) {
            f.SetEnv(s, "CORE_URL", absl::StrCat("http://127.0.0.1:", cp));
          }
        }
      }
      if (sims) {
        if (v8) {
          // v8.3 on the devnet: no simulator plays its built-in proxy, so
          // the core reaches the adapter directly, in plain http.
          for (const char* s : {"nginx-proxy", "letsencrypt", "nginx-forbidden",
                                "platform-registry"}) {
            f.RemoveService(s);
          }
          if (f.HasService("core")) {
            f.SetEnv("core", "IEXEC_CORE_CHAIN_ADAPTER_PROTOCOL", "http");
            f.SetEnv("core", "IEXEC_CORE_CHAIN_ADAPTER_HOST", "127.0.0.1");
          }
        }
        UseSimulators(&f, spec.images(), IsLoopback(core.host()), dir);
        if (host_net && f.HasService("config-server")) {
          f.SetEnv("config-server", "POOLOPS_SIM_PORT",
                   std::to_string(core.config_server_port()));
        }
      }
    }

    absl::StatusOr<std::pair<WalletKeystore, std::string>> w =
        wallet(spec.workerpool().owner_wallet(), "workerpool.owner_wallet");
    if (!w.ok()) return w.status();
    std::map<std::string, std::string> values = common;
    values.insert(overrides.begin(), overrides.end());
    auto put = [&](const std::string& k, const std::string& v) {
      values[k] = v;
    };
    put("BLOCKCHAIN_ADAPTER_TAG", spec.images().blockchain_adapter_tag());
    put("CHAIN_BLOCK_TIME",
        st.iso_block_time ? IsoSeconds(chain.block_time)
                          : std::to_string(std::max<int64_t>(
                                1, absl::ToInt64Seconds(chain.block_time))));
    put("CHAIN_HUB_ADDRESS", chain.hub);
    put("CHAIN_ID", chain.chain_id);
    put("CHAIN_IS_SIDECHAIN", YesNo(chain.sidechain));
    put("CHAIN_LAST_BLOCK", chain.start_block);
    put("CORE_TAG", spec.images().core_tag());
    put("GRAFANA_TAG", spec.images().grafana_tag());
    put("CORE_GRAFANA_TAG", spec.images().grafana_tag());
    put("MARKET_API_HOST", chain.market_api_host);
    put("ORDER_PUBLISHER_REQUESTER_RESTRICT",
        spec.orders().requester_restrict());
    put("ORDER_PUBLISHER_TAG", spec.images().order_publisher_tag());
    put("PROD_CHAIN_ADAPTER_HOST", core.chain_adapter_host());
    put("PROD_CORE_WALLET_PASSWORD", w->second);
    for (const char* var :
         {"PROD_CHAIN_ADAPTER_PASSWORD", "PROD_GRAFANA_ADMIN_PASSWORD",
          "PROD_MONGO_PASSWORD"}) {
      absl::StatusOr<std::string> p = password(var);
      if (!p.ok()) return p.status();
      put(var, *p);
    }
    put("PROD_SMS_HOST", chain.sms_host);
    put("PUBLIC_CHAIN_URL", chain.public_rpc);
    put("RESULT_HOST", chain.result_host);
    put("WORKERPOOL_PRICE", spec.orders().price());
    put("GRAFANA_HOME_NAME", core.grafana_home_name());
    put("WORKERPOOL_DESCRIPTION", core.grafana_home_name());
    put("PROD_GRAFANA_HOST", core.grafana_host());
    put("PROD_PLATFORM_REGISTRY_HOST", core.platform_registry_host());
    put("PROD_CONFIG_SERVER_HOST", core.config_server_host());
    put("CONFIG_SERVER_URL",
        https ? absl::StrCat("https://", core.config_server_host())
              : absl::StrCat("http://", core.host(), ":",
                             core.config_server_port()));
    put("RESULT_URL", chain.result_host.empty()
                          ? ""
                          : absl::StrCat("https://", chain.result_host));
    put("LETSENCRYPT_ADMIN_EMAIL", core.letsencrypt_email());
    put("MAX_ORDER_NUMBER", std::to_string(spec.orders().max_open_orders()));

    absl::StatusOr<std::vector<BundleFile>> emitted =
        EmitComposeAndEnv(composes, values, "core", &b);
    if (!emitted.ok()) return emitted.status();
    std::vector<BundleFile> files = std::move(*emitted);
    files.push_back({"wallet.json", w->first.keystore_json, 0600});
    if (v9) {
      absl::StatusOr<std::string> chain_json = ConfigServerChain(chain);
      if (!chain_json.ok()) return chain_json.status();
      files.push_back({"config-server/chain.json", *chain_json, 0644});
      files.push_back(
          {"config-server/nginx.conf",
           ConfigServerSite(host_net ? core.config_server_port() : 8888),
           0644});
      if (tdx) {
        files.push_back({absl::StrCat("platform-registry-config/application-",
                                      chain.chain_id, ".yml"),
                         absl::StrCat("sms:\n  tdx: ", chain.sms_tdx_url, "\n"),
                         0644});
      }
    }
    if (v8) {
      auto conf = EmbeddedTemplates().find(dir + "/core/nginx_deny_all.conf");
      if (conf != EmbeddedTemplates().end()) {
        files.push_back(
            {"nginx_deny_all.conf", std::string(conf->second), 0644});
      }
      files.push_back(
          {absl::StrCat("platform-registry-config/application-", chain.chain_id,
                        ".yml"),
           absl::StrCat("sms:\n  scone: ", chain.sms_scone_url,
                        "\n  gramine: ", chain.sms_gramine_url, "\n"),
           0644});
    }
    b.files = std::move(files);
    bundles.push_back(std::move(b));
  }

  // ------------------------------------------------------------- workers --
  const std::string& worker_service = st.worker_service;
  for (int i = 0; i < spec.workers_size(); ++i) {
    const v1::PoolSpec::Worker& wk = spec.workers(i);
    Bundle b;
    b.name = wk.name();
    b.role = "worker";
    b.target = wk.target();
    b.project = absl::StrCat(spec.name(), "-", wk.name());
    std::vector<std::pair<std::string, ComposeFile>> composes;
    absl::StatusOr<ComposeFile> base = load("worker/docker-compose.yml");
    if (!base.ok()) return base.status();
    if (!v8 && !v9 && !http && !https) {
      base->SetEnv(worker_service, "IEXEC_CORE_PORT",
                   std::to_string(core.core_port()));
    }
    if (wk.gpu())
      base->SetEnv(worker_service, "IEXEC_WORKER_GPU_ENABLED", "True");
    if (!wk.docker_socket().empty()) {
      base->ReplaceListEntry(
          worker_service, "volumes",
          "/var/run/docker.sock:/var/run/docker.sock",
          absl::StrCat(wk.docker_socket(), ":/var/run/docker.sock"));
    }
    std::map<std::string, std::string> overrides;
    if (absl::Status s = ApplyOverrides(
            &*base, worker_service, spec.override_env().worker(), &overrides);
        !s.ok()) {
      return s;
    }
    composes.emplace_back("docker-compose.yml", std::move(*base));
    std::vector<std::string> overlays;
    // v9.3 workers reach the core by CORE_URL: no overlay for the proxy.
    if (http && !v8 && !v9) overlays.push_back("rev-proxy-http");
    if (https && !v8 && !v9) overlays.push_back("rev-proxy-https");
    // A TEE worker: SGX (tee) up to v8.3, TDX from v9.3.
    if (wk.tee()) overlays.push_back(v9 ? "tdx" : "tee");
    for (const std::string& feature : overlays) {
      std::string file = absl::StrCat("docker-compose-", feature, ".yml");
      absl::StatusOr<ComposeFile> f = load("worker/" + file);
      if (!f.ok()) return f.status();
      composes.emplace_back(file, std::move(*f));
    }
    for (auto& [name, f] : composes) {
      if (host_net) {
        ToHostNetwork(&f);
        if (f.Service(worker_service)["image"] && !v9) {
          f.SetEnv(worker_service, "IEXEC_CORE_PORT",
                   std::to_string(core.core_port()));
        }
      }
      if (sims && v8 && f.Service(worker_service)["image"]) {
        // No proxy in front of the simulated core: plain http to its port.
        f.SetEnv(worker_service, "IEXEC_CORE_PROTOCOL", "http");
        f.SetEnv(worker_service, "IEXEC_CORE_PORT",
                 std::to_string(core.core_port()));
      }
      if (sims) UseSimulators(&f, spec.images(), false, dir);
    }
    absl::StatusOr<std::pair<WalletKeystore, std::string>> w =
        wallet(wk.wallet(), absl::StrCat("workers[", i, "].wallet"));
    if (!w.ok()) return w.status();
    std::string wallet_file = absl::StrCat("wallet-", i, ".json");
    std::map<std::string, std::string> values = common;
    values.insert(overrides.begin(), overrides.end());
    values["PROD_WALLET_PASSWORD"] = w->second;
    values["RESULTS_DIR"] = wk.results_dir();
    values["WALLET"] = wallet_file;
    values["WORKER_AVAILABLE_CPU"] = wk.cpu() ? std::to_string(wk.cpu()) : "";
    values["WORKER_NAME"] = wk.name();
    values["WORKER_ID"] = wk.name();
    const auto& reg = spec.images().private_registry();
    values["REGISTRY_ADDRESS"] = reg.address();
    values["REGISTRY_USERNAME"] = reg.username();
    if (auto p = input.secrets.values.find("REGISTRY_PASSWORD");
        !reg.address().empty() && p != input.secrets.values.end()) {
      values["REGISTRY_PASSWORD"] = p->second;
    }
    if (wk.tee() && !v9) {
      values["SCONTAIN_REGISTRY_USERNAME"] = core.tee().scontain_username();
      absl::StatusOr<std::string> p = password("SCONTAIN_REGISTRY_PASSWORD");
      if (!p.ok()) return p.status();
      values["SCONTAIN_REGISTRY_PASSWORD"] = *p;
    }
    absl::StatusOr<std::vector<BundleFile>> emitted =
        EmitComposeAndEnv(composes, values, wk.name(), &b);
    if (!emitted.ok()) return emitted.status();
    std::vector<BundleFile> files = std::move(*emitted);
    files.push_back({wallet_file, w->first.keystore_json, 0600});
    b.files = std::move(files);
    bundles.push_back(std::move(b));
  }

  absl::StatusOr<std::vector<Bundle>> merged =
      MergeWorkersByTarget(std::move(bundles), worker_service);
  if (!merged.ok()) return merged.status();
  bundles = std::move(*merged);

  // Swarm targets: each bundle a stack, placed as the spec says.
  for (Bundle& b : bundles) {
    absl::StatusOr<TargetAddress> t = ParseTarget(b.target);
    if (!t.ok() || t->kind != TargetAddress::Kind::kSwarm) continue;
    SwarmStackOptions o;
    o.parallelism = spec.rollout().workers_at_once();
    if (b.role == "core") {
      o.placement = core.placement();
    } else {
      for (const v1::PoolSpec::Worker& wk : spec.workers()) {
        if (wk.target() != b.target) continue;
        o.placement_of[b.name == wk.name() ? worker_service : wk.name()] =
            wk.placement();
      }
    }
    if (absl::Status st = ToSwarmStack(&b, o); !st.ok()) return st;
  }

  // Manifests: what the runner needs, nothing secret.
  for (Bundle& b : bundles) {
    nlohmann::json m = {
        {"pool", spec.name()}, {"bundle", b.name},
        {"role", b.role},      {"project", b.project},
        {"stack", dir},        {"composeFiles", b.compose_files}};
    if (absl::StartsWith(b.target, "swarm")) m["engine"] = "swarm";
    b.files.push_back({"poolops-bundle.json", m.dump(2) + "\n", 0644});
  }
  return bundles;
}

}  // namespace poolops::orchestrator
