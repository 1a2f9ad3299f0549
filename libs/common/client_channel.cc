#include "libs/common/client_channel.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <sys/stat.h>

#include <cstdlib>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "libs/common/files.h"
#include "libs/common/suite.h"
#include "yaml-cpp/yaml.h"

namespace poolops {
namespace {

namespace fs = std::filesystem;

// One setting's value and the name to blame when it is wrong.
struct Setting {
  std::string value;
  std::string name;
};

std::optional<std::string> Env(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

// The parts of config.yaml read here; absent file = empty config.
struct Config {
  fs::path file;
  YAML::Node root;
};

absl::StatusOr<Config> LoadConfig(const fs::path& home) {
  Config config;
  config.file = home / "config.yaml";
  std::error_code ec;
  if (!fs::exists(config.file, ec)) return config;
  absl::StatusOr<std::string> text = files::ReadFile(config.file, 1 << 20);
  if (!text.ok()) return text.status();
  try {
    config.root = YAML::Load(*text);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(config.file.string(), ":", e.mark.line + 1, ": ", e.msg));
  }
  return config;
}

// The node at `keys[i..]` under `node`; nullopt when absent. Recursion, as a
// YAML::Node cannot be re-pointed (operator= writes through to the tree).
std::optional<YAML::Node> Find(const YAML::Node& node,
                               const std::vector<std::string>& keys, size_t i) {
  if (i == keys.size()) return node;
  if (!node.IsMap()) return std::nullopt;
  const YAML::Node child = node[keys[i]];
  if (!child.IsDefined() || child.IsNull()) return std::nullopt;
  return Find(child, keys, i + 1);
}

// config.yaml <section>.<key>[.<field>] as a string; nullopt when absent.
absl::StatusOr<std::optional<Setting>> ConfigString(
    const Config& config, const std::vector<std::string>& keys) {
  std::string name =
      absl::StrCat(config.file.string(), " ", absl::StrJoin(keys, "."));
  std::optional<YAML::Node> node = Find(config.root, keys, 0);
  if (!node.has_value()) return std::optional<Setting>();
  if (!node->IsScalar() || node->Scalar().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": want a non-empty string"));
  }
  return std::optional<Setting>(Setting{node->Scalar(), name});
}

// Env first, then config.yaml; relative config paths are from the home.
absl::StatusOr<std::optional<Setting>> TlsFileSetting(const fs::path& home,
                                                      const Config& config,
                                                      const std::string& env,
                                                      const std::string& key) {
  if (std::optional<std::string> v = Env(env)) {
    return std::optional<Setting>(Setting{*v, env});
  }
  absl::StatusOr<std::optional<Setting>> s = ConfigString(config, {"tls", key});
  if (!s.ok() || !s->has_value()) return s;
  if (fs::path((*s)->value).is_relative()) {
    (*s)->value = (home / (*s)->value).string();
  }
  return s;
}

absl::StatusOr<std::string> ReadSetting(const Setting& setting) {
  absl::StatusOr<std::string> text = files::ReadFile(setting.value, 1 << 20);
  if (!text.ok()) {
    return absl::Status(
        text.status().code(),
        absl::StrCat(setting.name, ": ", text.status().message()));
  }
  return text;
}

// Like ssh: a private key others can read is refused, not used.
absl::StatusOr<std::string> ReadKeySetting(const Setting& setting) {
  struct stat st;
  if (::stat(setting.value.c_str(), &st) == 0 && (st.st_mode & 0007) != 0) {
    return absl::PermissionDeniedError(
        absl::StrCat(setting.name, ": ", setting.value,
                     " is accessible to other users; chmod 600 it"));
  }
  return ReadSetting(setting);
}

absl::Status CheckAddress(std::string_view address, std::string_view source) {
  if (address.rfind("unix:", 0) == 0) {
    if (fs::path(address.substr(5)).is_absolute()) return absl::OkStatus();
  } else {
    size_t colon = address.rfind(':');
    int port = 0;
    if (colon != std::string_view::npos && colon > 0 &&
        absl::SimpleAtoi(std::string(address.substr(colon + 1)), &port) &&
        port > 0 && port < 65536) {
      return absl::OkStatus();
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat(std::string(source), " ", std::string(address),
                   ": want unix:/absolute/path.sock or HOST:PORT"));
}

}  // namespace

std::string SuiteAddressEnv(std::string_view service) {
  return absl::StrCat("POOLOPS_",
                      absl::AsciiStrToUpper(absl::StrReplaceAll(
                          std::string(service), {{"-", "_"}})),
                      "_ADDRESS");
}

absl::StatusOr<SuiteEndpoint> ResolveSuiteEndpoint(const fs::path& home,
                                                   std::string_view service) {
  if (FindSuiteService(service) == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown service ", std::string(service)));
  }
  absl::StatusOr<Config> config = LoadConfig(home);
  if (!config.ok()) return config.status();
  std::string name(service);
  absl::StatusOr<std::optional<Setting>> metrics =
      ConfigString(*config, {"services", name, "metrics"});
  if (!metrics.ok()) return metrics.status();
  absl::StatusOr<std::optional<Setting>> dashboard =
      ConfigString(*config, {"services", name, "dashboard"});
  if (!dashboard.ok()) return dashboard.status();

  SuiteEndpoint endpoint;
  if (std::optional<std::string> env = Env(SuiteAddressEnv(service))) {
    endpoint = {*env, SuiteAddressEnv(service), true};
  } else {
    // `monitor: HOST:PORT` is short for `monitor: {address: HOST:PORT}`.
    std::vector<std::string> key = {"services", name, "address"};
    if (std::optional<YAML::Node> entry =
            Find(config->root, {"services", name}, 0);
        entry.has_value() && entry->IsScalar()) {
      key.pop_back();
    }
    absl::StatusOr<std::optional<Setting>> address = ConfigString(*config, key);
    if (!address.ok()) return address.status();
    if (address->has_value()) {
      endpoint = {(*address)->value, (*address)->name, true};
    } else if (absl::StatusOr<RunInfo> info =
                   ReadRunInfo(home / "run", service);
               info.ok()) {
      endpoint = {info->address, RunInfoPath(home / "run", service).string(),
                  false, info->metrics, info->dashboard};
    } else {
      endpoint = {
          absl::StrCat("unix:",
                       (home / "run" / absl::StrCat(name, ".sock")).string()),
          "default", false};
    }
  }
  if (metrics->has_value()) endpoint.metrics = (*metrics)->value;
  if (dashboard->has_value()) endpoint.dashboard = (*dashboard)->value;
  if (absl::Status s = CheckAddress(endpoint.address, endpoint.source);
      !s.ok()) {
    return s;
  }
  return endpoint;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> EndpointChannel(
    const fs::path& home, const SuiteEndpoint& endpoint) {
  if (!endpoint.tls()) {
    return grpc::CreateChannel(endpoint.address,
                               grpc::InsecureChannelCredentials());
  }
  absl::StatusOr<Config> config = LoadConfig(home);
  if (!config.ok()) return config.status();
  auto ca = TlsFileSetting(home, *config, "POOLOPS_TLS_CA", "ca");
  if (!ca.ok()) return ca.status();
  auto cert = TlsFileSetting(home, *config, "POOLOPS_TLS_CERT", "cert");
  if (!cert.ok()) return cert.status();
  auto key = TlsFileSetting(home, *config, "POOLOPS_TLS_KEY", "key");
  if (!key.ok()) return key.status();

  if (!ca->has_value()) {
    return absl::FailedPreconditionError(absl::StrCat(
        endpoint.source, " ", endpoint.address,
        " is TCP, which is always TLS: set POOLOPS_TLS_CA (or tls.ca in ",
        config->file.string(), ") to the PEM CA that signed its certificate"));
  }
  grpc::SslCredentialsOptions ssl;
  absl::StatusOr<std::string> ca_pem = ReadSetting(**ca);
  if (!ca_pem.ok()) return ca_pem.status();
  ssl.pem_root_certs = *std::move(ca_pem);
  // Every TCP listener of the suite requires a client certificate (mutual
  // TLS): without one nothing is sent, and the settings are named.
  if (!cert->has_value() || !key->has_value()) {
    const char* missing = cert->has_value()  ? "POOLOPS_TLS_KEY (tls.key)"
                          : key->has_value() ? "POOLOPS_TLS_CERT (tls.cert)"
                                             : nullptr;
    if (missing != nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(cert->has_value() ? (*cert)->name : (*key)->name,
                       " is set but ", missing,
                       " is not: a client certificate needs its key and vice "
                       "versa"));
    }
    return absl::FailedPreconditionError(absl::StrCat(
        endpoint.source, " ", endpoint.address,
        " is TCP, which is always mutual TLS: set POOLOPS_TLS_CERT and "
        "POOLOPS_TLS_KEY (or tls.cert and tls.key in ",
        config->file.string(),
        ") to a client certificate the suite's CA signed and its key"));
  }
  absl::StatusOr<std::string> cert_pem = ReadSetting(**cert);
  if (!cert_pem.ok()) return cert_pem.status();
  absl::StatusOr<std::string> key_pem = ReadKeySetting(**key);
  if (!key_pem.ok()) return key_pem.status();
  ssl.pem_cert_chain = *std::move(cert_pem);
  ssl.pem_private_key = *std::move(key_pem);
  return grpc::CreateChannel(endpoint.address, grpc::SslCredentials(ssl));
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> SuiteChannel(
    const fs::path& home, std::string_view service) {
  absl::StatusOr<SuiteEndpoint> endpoint = ResolveSuiteEndpoint(home, service);
  if (!endpoint.ok()) return endpoint.status();
  return EndpointChannel(home, *endpoint);
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> RunningSuiteChannel(
    const fs::path& home, std::string_view service) {
  // The address set in env or config.yaml (TCP + TLS, e.g. in containers)
  // wins over the run file of a local service.
  absl::StatusOr<SuiteEndpoint> endpoint = ResolveSuiteEndpoint(home, service);
  if (!endpoint.ok()) return endpoint.status();
  if (!endpoint->explicit_setting) {
    absl::StatusOr<RunInfo> info = ReadRunInfo(home / "run", service);
    if (!info.ok()) {
      return absl::UnavailableError(absl::StrCat(
          std::string(service),
          " is not running (poolctl services up): ", info.status().message()));
    }
  }
  return EndpointChannel(home, *endpoint);
}

}  // namespace poolops
