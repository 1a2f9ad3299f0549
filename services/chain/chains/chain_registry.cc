#include "services/chain/chains/chain_registry.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/common/bounded_json.h"
#include "libs/common/files.h"
#include "libs/common/terminal_text.h"
#include "libs/iexec/chain_json.h"

namespace poolops::chain {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// A libs/iexec preset as the gateway runs it: Bellecour is berlin with a
// forced gas price of 0; the Arbitrum chains take EIP-1559 transactions.
ChainConfig FromPreset(const iexec::ChainPreset& p) {
  ChainConfig c;
  c.name = p.name;
  c.chain_id = p.chain_id;
  c.rpcs = {p.rpc};
  c.hub = p.hub;
  c.native = p.native;
  c.market = p.market;
  c.fee_mode = p.native ? FeeMode::kLegacy : FeeMode::kEip1559;
  c.zero_gas_price = p.native;
  c.origin = "preset";
  return c;
}

bool HttpUrl(const std::string& url) {
  return absl::StartsWith(url, "http://") || absl::StartsWith(url, "https://");
}

absl::Status Bad(const std::string& where, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat(where, " ", why));
}

std::optional<ChainConfig> FindPreset(std::string_view name) {
  for (ChainConfig& c : PresetChains())
    if (c.name == name) return c;
  return std::nullopt;
}

// The poolops-only settings of a chain (<name>.poolops.json).
json ExtrasOf(const ChainConfig& c) {
  json extras = json::object();
  if (c.rpcs.size() > 1)
    extras["fallbackRpcs"] =
        std::vector<std::string>(c.rpcs.begin() + 1, c.rpcs.end());
  extras["confirmations"] = c.confirmations;
  extras["feeMode"] = c.fee_mode == FeeMode::kLegacy ? "legacy" : "eip1559";
  return extras;
}

absl::Status ApplyExtras(const json& extras, ChainConfig& c,
                         std::string_view source) {
  if (!extras.is_object())
    return Bad(std::string(source), "is not a JSON object");
  for (const auto& [key, value] : extras.items()) {
    std::string where = absl::StrCat(std::string(source), ": ", key);
    if (key == "fallbackRpcs") {
      if (!value.is_array()) return Bad(where, "must be a list of URLs");
      c.rpcs.resize(std::min<size_t>(c.rpcs.size(), 1));
      for (const json& u : value) {
        if (!u.is_string() || !HttpUrl(u.get<std::string>()))
          return Bad(where, "must hold http(s) URLs");
        c.rpcs.push_back(u.get<std::string>());
      }
    } else if (key == "confirmations") {
      if (!value.is_number_unsigned() || value.get<uint64_t>() > 1000)
        return Bad(where, "must be a number of blocks (0..1000)");
      c.confirmations = value.get<uint32_t>();
    } else if (key == "feeMode") {
      if (value == "legacy") {
        c.fee_mode = FeeMode::kLegacy;
      } else if (value == "eip1559") {
        c.fee_mode = FeeMode::kEip1559;
      } else {
        return Bad(where, "must be \"legacy\" or \"eip1559\"");
      }
    } else {
      return Bad(where, "is not a known setting");
    }
  }
  return absl::OkStatus();
}

std::string FeeModeText(FeeMode m) {
  return m == FeeMode::kLegacy ? "legacy" : "eip1559";
}

constexpr char kNameRule[] =
    "a-z or 0-9 first, then a-z, 0-9, '_', '-'; at most 64";

}  // namespace

bool IsValidChainName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  auto alnum = [](char c) {
    return absl::ascii_islower(c) || absl::ascii_isdigit(c);
  };
  if (!alnum(name[0])) return false;
  return std::all_of(name.begin(), name.end(),
                     [&](char c) { return alnum(c) || c == '-' || c == '_'; });
}

std::vector<std::string> ChainChanges(const ChainConfig& before,
                                      const ChainConfig& after) {
  std::vector<std::string> out;
  auto note = [&](const char* what, const std::string& a,
                  const std::string& b) {
    if (a != b)
      out.push_back(absl::StrCat(what, ": ", a.empty() ? "(none)" : a, " -> ",
                                 b.empty() ? "(none)" : b));
  };
  auto rpc = [](const ChainConfig& c) {
    return c.rpcs.empty() ? std::string() : c.rpcs[0];
  };
  auto fallbacks = [](const ChainConfig& c) {
    return c.rpcs.size() < 2
               ? std::string()
               : absl::StrJoin(c.rpcs.begin() + 1, c.rpcs.end(), ", ");
  };
  auto yes = [](bool b) { return std::string(b ? "true" : "false"); };
  note("chain id", absl::StrCat(before.chain_id), absl::StrCat(after.chain_id));
  note("rpc", rpc(before), rpc(after));
  note("fallback rpcs", fallbacks(before), fallbacks(after));
  note("hub", before.hub.ToChecksum(), after.hub.ToChecksum());
  note("native", yes(before.native), yes(after.native));
  note("market", before.market, after.market);
  note("fee mode", FeeModeText(before.fee_mode), FeeModeText(after.fee_mode));
  note("gas price 0", yes(before.zero_gas_price), yes(after.zero_gas_price));
  note("confirmations", absl::StrCat(before.confirmations),
       absl::StrCat(after.confirmations));
  return out;
}

std::vector<ChainConfig> PresetChains() {
  std::vector<ChainConfig> out;
  for (const iexec::ChainPreset& p : iexec::ChainPresets())
    out.push_back(FromPreset(p));
  return out;
}

bool IsSdk9ChainJson(const json& doc) {
  static const auto* kTop = new std::set<std::string>{
      "default", "allowExperimentalNetworks", "chains"};
  static const auto* kEntry = new std::set<std::string>{
      "id",          "host",         "hub",     "sms",
      "ipfsGateway", "iexecGateway", "compass", "pocoSubgraph"};
  if (!doc.is_object() || !doc.contains("chains") || !doc["chains"].is_object())
    return false;
  for (const auto& [key, value] : doc.items())
    if (!kTop->count(key)) return false;
  for (const auto& [name, entry] : doc["chains"].items()) {
    if (!entry.is_object()) return false;
    for (const auto& [key, value] : entry.items())
      if (!kEntry->count(key)) return false;
  }
  return true;
}

absl::StatusOr<ChainConfig> ChainFromSdkEntry(std::string_view name,
                                              const json& entry,
                                              ChainConfig base,
                                              std::string_view source,
                                              SdkSchema schema) {
  const std::string where =
      absl::StrCat(std::string(source), ": chains.", std::string(name));
  if (!IsValidChainName(name))
    return Bad(where,
               absl::StrCat("is not a valid chain name (", kNameRule, ")"));
  absl::StatusOr<iexec::SdkChainEntry> e =
      iexec::ParseSdkChainEntry(entry, where);
  if (!e.ok()) return e.status();
  base.name = std::string(name);
  if (e->id) base.chain_id = *e->id;
  if (e->host) {
    if (base.rpcs.empty())
      base.rpcs.push_back(*e->host);
    else
      base.rpcs[0] = *e->host;
  }
  if (e->hub) base.hub = *e->hub;
  if (e->iexec_gateway) base.market = *e->iexec_gateway;
  if (e->native) base.native = *e->native;
  const bool native_set = e->native.has_value();
  const bool use_gas = e->use_gas.value_or(true);
  // As the SDK: native when said, else chain 134; gas price 0 when useGas
  // is false or on 134. SDK 9 has neither key: its chains are Arbitrum's
  // kind, token RLC with EIP-1559 fees.
  if (!native_set && base.origin != "preset")
    base.native = base.chain_id == 134;
  if (schema == SdkSchema::kSdk9 && !native_set && !e->use_gas &&
      base.origin != "preset" && base.chain_id != 134) {
    base.native = false;
    base.zero_gas_price = false;
    base.fee_mode = FeeMode::kEip1559;
  }
  if (!use_gas || base.chain_id == 134) {
    base.zero_gas_price = true;
    base.fee_mode = FeeMode::kLegacy;
  }
  if (base.chain_id == 0) return Bad(where, "needs an id");
  if (base.rpcs.empty()) return Bad(where, "needs a host (RPC URL)");
  if (base.hub.IsZero()) return Bad(where, "needs a hub address");
  return base;
}

json ChainToSdkEntry(const ChainConfig& c) {
  iexec::SdkChainEntry e;
  e.id = c.chain_id;
  e.host = c.rpcs.empty() ? "" : c.rpcs[0];
  e.hub = c.hub;
  e.native = c.native;
  if (c.zero_gas_price) e.use_gas = false;
  if (!c.market.empty()) e.iexec_gateway = c.market;
  return iexec::SdkChainEntryToJson(e);
}

absl::StatusOr<std::string> ChainRegistry::DefaultName() {
  absl::StatusOr<std::string> text =
      files::ReadFile(home_ / "chains" / "default", 256);
  if (!text.ok()) return std::string("bellecour");
  std::string name(absl::StripAsciiWhitespace(*text));
  return name.empty() ? std::string("bellecour") : name;
}

absl::StatusOr<std::vector<ChainConfig>> ChainRegistry::List() {
  std::map<std::string, ChainConfig> chains;
  for (ChainConfig& c : PresetChains()) chains[c.name] = c;
  std::error_code ec;
  fs::path dir = home_ / "chains";
  if (fs::is_directory(dir, ec)) {
    for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
      std::string file = e.path().filename().string();
      if (!absl::EndsWith(file, ".json") ||
          absl::EndsWith(file, ".poolops.json"))
        continue;
      std::string name = file.substr(0, file.size() - 5);
      absl::StatusOr<ChainConfig> c =
          IsValidChainName(name)
              ? Get(name)
              : absl::InvalidArgumentError(
                    absl::StrCat("\"", name, "\" is not a valid chain name (",
                                 kNameRule, "): rename or remove the file"));
      if (c.ok()) {
        chains[name] = *c;
        continue;
      }
      // Listed, not fatal: names and messages made printable (they may hold
      // anything a file name can).
      ChainConfig broken;
      broken.name = SanitizeForTerminal(name);
      broken.origin = "broken";
      broken.error = SanitizeForTerminal(absl::StrCat(
          e.path().string(), ": ", std::string(c.status().message())));
      chains[broken.name] = std::move(broken);
    }
  }
  std::vector<ChainConfig> out;
  for (auto& [name, c] : chains) out.push_back(std::move(c));
  return out;
}

absl::StatusOr<ChainConfig> ChainRegistry::Get(std::string_view name_in) {
  std::string name(name_in);
  if (name.empty()) {
    absl::StatusOr<std::string> d = DefaultName();
    if (!d.ok()) return d.status();
    name = *d;
  }
  if (!IsValidChainName(name))
    return absl::InvalidArgumentError(
        absl::StrCat("\"", SanitizeForTerminal(name),
                     "\" is not a valid chain name (", kNameRule, ")"));
  fs::path file = home_ / "chains" / (name + ".json");
  std::optional<ChainConfig> preset = FindPreset(name);
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    if (preset) return *preset;
    std::vector<std::string> known;
    for (const ChainConfig& c : PresetChains()) known.push_back(c.name);
    if (fs::is_directory(home_ / "chains", ec))
      for (const auto& e : fs::directory_iterator(home_ / "chains", ec)) {
        std::string f = e.path().filename().string();
        if (absl::EndsWith(f, ".json") && !absl::EndsWith(f, ".poolops.json"))
          known.push_back(f.substr(0, f.size() - 5));
      }
    std::sort(known.begin(), known.end());
    return absl::NotFoundError(absl::StrCat(
        "chain \"", name,
        "\" is not known (known: ", absl::StrJoin(known, ", "), ")"));
  }
  absl::StatusOr<std::string> text = files::ReadFile(file, 1 << 20);
  if (!text.ok()) return text.status();
  absl::StatusOr<json> parsed = ParseBoundedJson(*text, file.string());
  if (!parsed.ok()) return parsed.status();
  const json& doc = *parsed;
  if (!doc.is_object() || !doc.contains("chains") ||
      !doc["chains"].is_object() || !doc["chains"].contains(name))
    return absl::InvalidArgumentError(absl::StrCat(
        file.string(), " is not a chain.json holding chain \"", name, "\""));
  ChainConfig base = preset.value_or(ChainConfig{});
  if (!preset) base.origin = name == "devnet" ? "devnet" : "custom";
  absl::StatusOr<ChainConfig> c =
      ChainFromSdkEntry(name, doc["chains"][name], base, file.string());
  if (!c.ok()) return c.status();
  fs::path extras = home_ / "chains" / (name + ".poolops.json");
  if (fs::exists(extras, ec)) {
    absl::StatusOr<std::string> t = files::ReadFile(extras, 1 << 20);
    if (!t.ok()) return t.status();
    absl::StatusOr<json> j = ParseBoundedJson(*t, extras.string());
    if (!j.ok()) return j.status();
    if (absl::Status s = ApplyExtras(*j, *c, extras.string()); !s.ok())
      return s;
  }
  return c;
}

absl::StatusOr<ChainConfig> ChainRegistry::Add(const ChainConfig& chain,
                                               bool make_default,
                                               bool replace) {
  if (!IsValidChainName(chain.name))
    return absl::InvalidArgumentError(
        absl::StrCat("chain name \"", SanitizeForTerminal(chain.name),
                     "\" is not valid (", kNameRule, ")"));
  if (chain.chain_id == 0)
    return absl::InvalidArgumentError("chain id must be a positive number");
  if (chain.rpcs.empty())
    return absl::InvalidArgumentError("a chain needs an RPC URL (--rpc)");
  for (const std::string& u : chain.rpcs)
    if (!HttpUrl(u))
      return absl::InvalidArgumentError(
          absl::StrCat("RPC URL \"", u, "\" is not http(s)"));
  if (!chain.market.empty() && !HttpUrl(chain.market))
    return absl::InvalidArgumentError(
        absl::StrCat("market URL \"", chain.market, "\" is not http(s)"));
  if (chain.hub.IsZero())
    return absl::InvalidArgumentError("a chain needs its hub address (--hub)");
  absl::MutexLock lock(&mu_);
  fs::path dir = home_ / "chains";
  fs::path file = dir / (chain.name + ".json");
  std::vector<std::string> changes;
  if (std::optional<absl::StatusOr<ChainConfig>> now = Existing(chain.name)) {
    changes = now->ok() ? ChainChanges(**now, chain)
                        : std::vector<std::string>{absl::StrCat(
                              "replaces a broken file: ",
                              std::string(now->status().message()))};
    if (!replace) {
      std::string kind = now->ok() ? (*now)->origin : "broken";
      return absl::AlreadyExistsError(absl::StrCat(
          "chain \"", chain.name, "\" already exists (", kind, ")",
          changes.empty() ? ", unchanged"
                          : absl::StrCat("; replacing it would change ",
                                         absl::StrJoin(changes, "; ")),
          " (--replace to replace it)"));
    }
  }
  if (absl::Status s = files::EnsureDir(dir, 0700); !s.ok()) return s;
  json doc = {{"default", chain.name},
              {"chains", {{chain.name, ChainToSdkEntry(chain)}}}};
  if (absl::Status s =
          files::WriteFileAtomic(file, DumpJson(doc, 2) + "\n", 0600);
      !s.ok())
    return s;
  if (absl::Status s =
          files::WriteFileAtomic(dir / (chain.name + ".poolops.json"),
                                 DumpJson(ExtrasOf(chain), 2) + "\n", 0600);
      !s.ok())
    return s;
  if (make_default) {
    if (absl::Status s =
            files::WriteFileAtomic(dir / "default", chain.name + "\n", 0600);
        !s.ok())
      return s;
  }
  ChainConfig out = chain;
  if (out.origin.empty() || out.origin == "preset") out.origin = "custom";
  out.error.clear();
  out.changes = std::move(changes);
  return out;
}

std::optional<absl::StatusOr<ChainConfig>> ChainRegistry::Existing(
    const std::string& name) {
  std::error_code ec;
  if (!fs::exists(home_ / "chains" / (name + ".json"), ec) && !FindPreset(name))
    return std::nullopt;
  return Get(name);
}

absl::StatusOr<std::vector<ChainConfig>> ChainRegistry::Import(
    const json& doc, std::string_view source, bool replace) {
  if (!doc.is_object())
    return absl::InvalidArgumentError(absl::StrCat(
        std::string(source), ": a chain.json must be a JSON object"));
  for (const auto& [key, value] : doc.items()) {
    if (key != "default" && key != "chains" && key != "providers" &&
        key != "allowExperimentalNetworks")
      return Bad(absl::StrCat(std::string(source), ": ", key),
                 "is not a chain.json key (Unknown key)");
  }
  if (!doc.contains("chains") || !doc["chains"].is_object())
    return Bad(std::string(source), "has no \"chains\" object");
  const SdkSchema schema =
      IsSdk9ChainJson(doc) ? SdkSchema::kSdk9 : SdkSchema::kSdk8;
  // Every entry is checked (and compared with what exists) before anything
  // is written: a refused import changes nothing.
  struct Entry {
    ChainConfig chain;
    bool write = true;
  };
  std::vector<Entry> parsed;
  std::vector<std::string> refused;
  for (const auto& [name, entry] : doc["chains"].items()) {
    std::optional<ChainConfig> preset = FindPreset(name);
    // Chains the SDK knows but poolops does not (mainnet...) with an empty
    // entry carry nothing to import.
    if (!preset && entry.is_object() && entry.empty()) continue;
    if (!IsValidChainName(name))
      return Bad(absl::StrCat(std::string(source), ": chains.",
                              SanitizeForTerminal(name)),
                 absl::StrCat("is not a valid chain name (", kNameRule, ")"));
    std::optional<absl::StatusOr<ChainConfig>> now = Existing(name);
    // Over the chain as it is (its poolops-only settings kept).
    ChainConfig base =
        now && now->ok() ? **now : preset.value_or(ChainConfig{});
    if (!now) base.origin = "custom";
    absl::StatusOr<ChainConfig> c =
        ChainFromSdkEntry(name, entry, base, source, schema);
    if (!c.ok()) return c.status();
    Entry e{*c};
    if (now) {
      c->changes = now->ok() ? ChainChanges(**now, *c)
                             : std::vector<std::string>{absl::StrCat(
                                   "replaces a broken file: ",
                                   std::string(now->status().message()))};
      e.chain.changes = c->changes;
      e.write = !c->changes.empty();
      if (e.write && !replace)
        refused.push_back(
            absl::StrCat("chain \"", name, "\" (",
                         now->ok() ? (**now).origin : std::string("broken"),
                         ") would change: ", absl::StrJoin(c->changes, "; ")));
    }
    parsed.push_back(std::move(e));
  }
  if (!refused.empty())
    return absl::AlreadyExistsError(
        absl::StrCat(std::string(source), ": ", absl::StrJoin(refused, "; "),
                     " (--replace to replace them; nothing was imported)"));
  std::string def;
  if (doc.contains("default")) {
    if (!doc["default"].is_string())
      return Bad(absl::StrCat(std::string(source), ": default"),
                 "must be a chain name");
    def = doc["default"].get<std::string>();
  }
  std::vector<ChainConfig> out;
  for (const Entry& e : parsed) {
    // An unchanged chain (a preset's empty entry) needs no file.
    if (!e.write) {
      out.push_back(e.chain);
      continue;
    }
    absl::StatusOr<ChainConfig> added = Add(e.chain, false, /*replace=*/true);
    if (!added.ok()) return added.status();
    out.push_back(*added);
  }
  if (!def.empty()) {
    absl::StatusOr<ChainConfig> d = Get(def);
    if (!d.ok())
      return Bad(absl::StrCat(std::string(source), ": default"),
                 absl::StrCat("names \"", def, "\", which is not a chain"));
    absl::MutexLock lock(&mu_);
    if (absl::Status s = files::EnsureDir(home_ / "chains", 0700); !s.ok())
      return s;
    if (absl::Status s = files::WriteFileAtomic(home_ / "chains" / "default",
                                                def + "\n", 0600);
        !s.ok())
      return s;
  }
  return out;
}

}  // namespace poolops::chain
