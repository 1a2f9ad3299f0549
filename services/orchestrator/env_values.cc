#include "services/orchestrator/env_values.h"

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "libs/common/terminal_text.h"

namespace poolops::orchestrator {
namespace {

// Length of the UTF-8 sequence at s[i], or 0 when invalid, overlong, a
// surrogate, or a character that breaks a line or a terminal: C0/C1
// controls, DEL, U+2028/U+2029.
size_t PrintableCharAt(const std::string& s, size_t i) {
  uint32_t cp;
  size_t n = DecodeUtf8(s, i, &cp);
  if (n == 0) return 0;
  if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) return 0;
  if (cp == 0x2028 || cp == 0x2029) return 0;
  return n;
}

absl::Status CheckPrintable(const std::string& value) {
  for (size_t i = 0; i < value.size();) {
    size_t n = PrintableCharAt(value, i);
    if (n == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("has a control character or invalid UTF-8 at byte ", i,
                       " (one line of printable text only)"));
    }
    i += n;
  }
  return absl::OkStatus();
}

bool AllOf(const std::string& s, absl::string_view extra) {
  for (char c : s) {
    if (!absl::ascii_isalnum(c) && extra.find(c) == absl::string_view::npos)
      return false;
  }
  return true;
}

bool IsDnsName(absl::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  size_t label = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '.') {
      if (label == 0 || s[i - 1] == '-') return false;
      label = 0;
      continue;
    }
    if (!(absl::ascii_isalnum(c) || c == '-' || c == '_')) return false;
    if (label == 0 && c == '-') return false;
    if (++label > 63) return false;
  }
  return label > 0 && s.back() != '-';
}

bool IsPort(absl::string_view s) {
  int port = 0;
  return !s.empty() && s.size() <= 5 && AllOf(std::string(s), "") &&
         absl::SimpleAtoi(s, &port) && port >= 1 && port <= 65535;
}

// host, host:port, [v6], [v6]:port.
bool IsHostPort(absl::string_view s) {
  absl::string_view host = s, port;
  if (absl::StartsWith(s, "[")) {
    size_t close = s.find(']');
    if (close == absl::string_view::npos || close < 3) return false;
    std::string v6(s.substr(1, close - 1));
    if (!AllOf(v6, ":.") || v6.find(':') == std::string::npos) return false;
    for (char c : v6) {
      if (absl::ascii_isalpha(c) && !absl::ascii_isxdigit(c)) return false;
    }
    absl::string_view rest = s.substr(close + 1);
    if (rest.empty()) return true;
    return absl::StartsWith(rest, ":") && IsPort(rest.substr(1));
  }
  size_t colon = s.rfind(':');
  if (colon != absl::string_view::npos) {
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
    if (!IsPort(port)) return false;
  }
  return IsDnsName(host);
}

// Path (and query) characters of a URL: RFC 3986 minus ' and $ (quoting
// and interpolation), # (comments) and everything else unsafe in a shell or
// a .env file.
bool IsUrlTail(absl::string_view s) {
  return AllOf(std::string(s), "-._~%/?&=+,;:@!*()");
}

// host[:port] then an optional /path.
bool IsHostWithPath(absl::string_view s) {
  size_t slash = s.find('/');
  if (slash == absl::string_view::npos) return IsHostPort(s);
  return IsHostPort(s.substr(0, slash)) && IsUrlTail(s.substr(slash));
}

bool IsUrl(absl::string_view s) {
  for (absl::string_view scheme : {"https://", "http://"}) {
    if (absl::StartsWith(s, scheme)) {
      return IsHostWithPath(s.substr(scheme.size()));
    }
  }
  return false;
}

absl::Status Bad(const std::string& value, const char* want) {
  return absl::InvalidArgumentError(
      absl::StrCat("'", value, "' is not ", want));
}

std::string Quote(char q, const std::string& name, const std::string& value) {
  return absl::StrCat(name, "=", std::string(1, q), value, std::string(1, q),
                      "\n");
}

}  // namespace

std::string UnquoteEnvValue(absl::string_view v) {
  if (v.size() >= 2 && (v.front() == '\'' || v.front() == '"') &&
      v.back() == v.front()) {
    return std::string(v.substr(1, v.size() - 2));
  }
  return std::string(v);
}

bool IsEnvName(const std::string& name) {
  if (name.empty() || name.size() > 128 || absl::ascii_isdigit(name[0])) {
    return false;
  }
  for (char c : name) {
    if (!absl::ascii_isalnum(c) && c != '_') return false;
  }
  return true;
}

absl::StatusOr<std::string> EnvLine(const std::string& name,
                                    const std::string& value) {
  if (!AllOf(name, "_") || name.empty() || absl::ascii_isdigit(name[0])) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", name, "' is not a variable name"));
  }
  if (absl::Status s = CheckPrintable(value); !s.ok()) return s;
  if (absl::StrContains(value, "${")) {
    return absl::InvalidArgumentError(
        "contains ${, which docker-compose v1 expands in .env files even "
        "inside quotes (there is no escape for it)");
  }
  if (AllOf(value, "_./:@,+=-")) return absl::StrCat(name, "=", value, "\n");
  bool quote = absl::StrContains(value, "'");
  bool backslash = absl::StrContains(value, "\\");
  if (!quote && !absl::StrContains(value, "\\\\") &&
      !absl::EndsWith(value, "\\")) {
    return Quote('\'', name, value);
  }
  if (!backslash && !absl::StrContains(value, "$") &&
      !absl::StrContains(value, "\"")) {
    return Quote('"', name, value);
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "has ", quote ? "' together with \\, $ or \"" : "\\\\ or ends with \\",
      ": no .env quoting reads back the same in docker-compose v1 and v2"));
}

absl::Status CheckValue(ValueKind kind, const std::string& value) {
  if (value.empty()) return absl::OkStatus();
  if (kind == ValueKind::kSecret || kind == ValueKind::kText) {
    absl::StatusOr<std::string> line = EnvLine("V", value);
    return line.status();
  }
  if (absl::Status s = CheckPrintable(value); !s.ok()) return s;
  switch (kind) {
    case ValueKind::kUrl:
      if (!IsUrl(value))
        return Bad(value, "an http(s)://host[:port][/path] URL");
      break;
    case ValueKind::kHost:
      if (!IsHostWithPath(value))
        return Bad(value,
                   "a host name, IPv4 or [IPv6] address (optional :port)");
      break;
    case ValueKind::kAddress:
      if (value.size() != 42 || !absl::StartsWith(value, "0x") ||
          !AllOf(value.substr(2), "") ||
          !std::all_of(value.begin() + 2, value.end(), absl::ascii_isxdigit))
        return Bad(value, "a 0x address of 40 hex digits");
      break;
    case ValueKind::kDecimal:
      if (value.size() > 78 ||
          !std::all_of(value.begin(), value.end(), absl::ascii_isdigit))
        return Bad(value, "a decimal number");
      break;
    case ValueKind::kBool:
      if (value != "true" && value != "false")
        return Bad(value, "true or false");
      break;
    case ValueKind::kName:
      if (value.size() > 253 || value[0] == '-' || !AllOf(value, "._@+-"))
        return Bad(value, "a name (letters, digits, . _ @ + -)");
      break;
    case ValueKind::kImageRef:
      if (value.size() > 255 || value[0] == '-' || !AllOf(value, "._:/-"))
        return Bad(value,
                   "an image registry or tag (letters, digits, . _ : / -)");
      break;
    case ValueKind::kEmail: {
      size_t at = value.find('@');
      if (at == std::string::npos || at == 0 ||
          !AllOf(value.substr(0, at), "._%+-") ||
          !IsDnsName(value.substr(at + 1)) ||
          value.find('.', at) == std::string::npos)
        return Bad(value, "an e-mail address");
      break;
    }
    case ValueKind::kPath:
      if (value[0] == '-' || !AllOf(value, "._/-"))
        return Bad(value, "a path (letters, digits, . _ / -)");
      break;
    default:
      break;
  }
  return absl::OkStatus();
}

namespace {

const std::map<std::string, ValueKind>& VariableKinds() {
  using K = ValueKind;
  static const auto* kinds = new std::map<std::string, ValueKind>{
      {"ACME_COMPANION_TAG", K::kImageRef},
      {"BLOCKCHAIN_ADAPTER_MONGO_EXPRESS_TAG", K::kImageRef},
      {"BLOCKCHAIN_ADAPTER_MONGO_TAG", K::kImageRef},
      {"BLOCKCHAIN_ADAPTER_TAG", K::kImageRef},
      {"CHAIN", K::kName},
      // Seconds up to v8.3, ISO-8601 (PT0.25S) from v9.3.
      {"CHAIN_BLOCK_TIME", K::kName},
      {"CONFIG_SERVER_URL", K::kUrl},
      {"CORE_URL", K::kUrl},
      {"RESULT_URL", K::kUrl},
      {"PROD_CONFIG_SERVER_HOST", K::kHost},
      {"CHAIN_HUB_ADDRESS", K::kAddress},
      {"CHAIN_ID", K::kDecimal},
      {"CHAIN_IS_SIDECHAIN", K::kBool},
      {"CHAIN_LAST_BLOCK", K::kDecimal},
      {"CHAIN_URL", K::kUrl},
      {"CORE_GRAFANA_PROXY", K::kImageRef},
      {"CORE_GRAFANA_TAG", K::kImageRef},
      {"CORE_MONGO_EXPRESS_TAG", K::kImageRef},
      {"CORE_MONGO_TAG", K::kImageRef},
      {"CORE_TAG", K::kImageRef},
      {"DOCKER_REGISTRY", K::kImageRef},
      {"GAS_PRICE_CAP", K::kDecimal},
      {"GAS_PRICE_MULTIPLIER", K::kName},
      {"GRAFANA_HOME_NAME", K::kText},
      {"GRAFANA_TAG", K::kImageRef},
      {"LETSENCRYPT_ADMIN_EMAIL", K::kEmail},
      {"MARKET_API_HOST", K::kHost},
      {"MAX_ORDER_NUMBER", K::kDecimal},
      {"NGINX_PROXY_TAG", K::kImageRef},
      {"NGINX_STANDALONE_TAG", K::kImageRef},
      {"ORDER_PUBLISHER_REQUESTER_RESTRICT", K::kAddress},
      {"ORDER_PUBLISHER_TAG", K::kImageRef},
      {"PLATFORM_REGISTRY_TAG", K::kImageRef},
      {"PROD_CHAIN_ADAPTER_HOST", K::kHost},
      {"PROD_CHAIN_ADAPTER_PASSWORD", K::kSecret},
      {"PROD_CORE_HOST", K::kHost},
      {"PROD_CORE_WALLET_PASSWORD", K::kSecret},
      {"PROD_GRAFANA_ADMIN_PASSWORD", K::kSecret},
      {"PROD_GRAFANA_HOST", K::kHost},
      {"PROD_MONGO_PASSWORD", K::kSecret},
      {"PROD_PLATFORM_REGISTRY_HOST", K::kHost},
      {"PROD_POOL_ADDRESS", K::kAddress},
      {"PROD_SMS_HOST", K::kHost},
      {"PROD_WALLET_PASSWORD", K::kSecret},
      {"PUBLIC_CHAIN_URL", K::kUrl},
      {"REGISTRY_ADDRESS", K::kHost},
      {"REGISTRY_PASSWORD", K::kSecret},
      {"REGISTRY_USERNAME", K::kName},
      {"RESULT_HOST", K::kHost},
      {"RESULTS_DIR", K::kPath},
      {"SCONTAIN_REGISTRY_PASSWORD", K::kSecret},
      {"SCONTAIN_REGISTRY_USERNAME", K::kName},
      {"WALLET", K::kPath},
      {"WORKER_AVAILABLE_CPU", K::kDecimal},
      {"WORKER_ID", K::kName},
      {"WORKER_NAME", K::kName},
      {"WORKER_TAG", K::kImageRef},
      {"WORKERPOOL_DESCRIPTION", K::kText},
      {"WORKERPOOL_PRICE", K::kDecimal},
  };
  return *kinds;
}

}  // namespace

ValueKind KindOfVariable(const std::string& name) {
  auto it = VariableKinds().find(name);
  return it == VariableKinds().end() ? ValueKind::kText : it->second;
}

bool IsKnownVariable(const std::string& name) {
  return VariableKinds().count(name) > 0;
}

std::vector<v1::Violation> ValidateRenderedValues(const v1::PoolSpec& spec,
                                                  const SpecLocations& loc) {
  std::vector<v1::Violation> out;
  auto check = [&](const char* field, ValueKind kind, const std::string& v) {
    absl::Status s = CheckValue(kind, v);
    if (s.ok()) return;
    v1::Violation* violation = &out.emplace_back();
    violation->set_field(field);
    violation->set_message(std::string(s.message()));
    violation->set_location(loc.Of(field));
  };
  const auto& cp = spec.chain_params();
  check("chain_params.rpc", ValueKind::kUrl, cp.rpc());
  check("chain_params.public_rpc", ValueKind::kUrl, cp.public_rpc());
  check("chain_params.sms_scone_url", ValueKind::kUrl, cp.sms_scone_url());
  check("chain_params.sms_gramine_url", ValueKind::kUrl, cp.sms_gramine_url());
  check("chain_params.market_api_host", ValueKind::kHost, cp.market_api_host());
  check("chain_params.sms_host", ValueKind::kHost, cp.sms_host());
  check("chain_params.result_host", ValueKind::kHost, cp.result_host());
  const auto& reg = spec.images().private_registry();
  check("images.private_registry.address", ValueKind::kHost, reg.address());
  check("images.private_registry.username", ValueKind::kName, reg.username());
  check("core.tee.scontain_username", ValueKind::kName,
        spec.core().tee().scontain_username());
  check("workerpool.description", ValueKind::kText,
        spec.workerpool().description());
  check("core.grafana_home_name", ValueKind::kText,
        spec.core().grafana_home_name());
  return out;
}

absl::Status CheckChainInfo(const ChainInfo& c) {
  struct Item {
    const char* key;
    ValueKind kind;
    const std::string& value;
  };
  for (const Item& i :
       {Item{"name", ValueKind::kName, c.name},
        Item{"id", ValueKind::kDecimal, c.chain_id},
        Item{"rpc", ValueKind::kUrl, c.rpc},
        Item{"public rpc", ValueKind::kUrl, c.public_rpc},
        Item{"hub", ValueKind::kAddress, c.hub},
        Item{"market api host", ValueKind::kHost, c.market_api_host},
        Item{"sms host", ValueKind::kHost, c.sms_host},
        Item{"result host", ValueKind::kHost, c.result_host},
        Item{"start block", ValueKind::kDecimal, c.start_block},
        Item{"sms scone url", ValueKind::kUrl, c.sms_scone_url},
        Item{"sms gramine url", ValueKind::kUrl, c.sms_gramine_url},
        Item{"sms tdx url", ValueKind::kUrl, c.sms_tdx_url}}) {
    if (absl::Status s = CheckValue(i.kind, i.value); !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("chain '", c.name, "' ", i.key, ": ", s.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace poolops::orchestrator
