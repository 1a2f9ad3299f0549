#include "devnet/poco6_artifacts.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "devnet/poco_artifacts.h"
#include "libs/common/files.h"
#include "libs/eth/abi.h"
#include "libs/eth/hex.h"

namespace poolops::devnet {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr char kHowToInstall[] =
    " (run scripts/test or scripts/demo, which unpack it, or set "
    "POOLOPS_NPM_DIR to a node_modules folder that has iexec-poco6)";

absl::StatusOr<json> ReadJson(const fs::path& file) {
  absl::StatusOr<std::string> text = files::ReadFile(file, 16 << 20);
  if (!text.ok()) return text.status();
  json doc = json::parse(*text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return absl::DataLossError(absl::StrCat(file.string(), " is not JSON"));
  return doc;
}

}  // namespace

fs::path Poco6Artifacts::DefaultDir() { return NpmDir() / "iexec-poco6"; }

absl::StatusOr<Poco6Artifacts> Poco6Artifacts::Open(fs::path package_dir) {
  const fs::path manifest = package_dir / "package.json";
  if (!fs::exists(manifest) ||
      !fs::exists(package_dir / "deployments" / "arbitrum"))
    return absl::NotFoundError(
        absl::StrCat("@iexec/poco ", kPoco6Version, " is not unpacked at ",
                     package_dir.string(), kHowToInstall));
  absl::StatusOr<json> doc = ReadJson(manifest);
  if (!doc.ok()) return doc.status();
  if (doc->value("name", "") != "@iexec/poco" ||
      doc->value("version", "") != std::string(kPoco6Version))
    return absl::FailedPreconditionError(
        absl::StrCat(package_dir.string(), " holds ", doc->value("name", "?"),
                     " ", doc->value("version", "?"), ", not @iexec/poco ",
                     kPoco6Version, kHowToInstall));
  return Poco6Artifacts(std::move(package_dir));
}

absl::StatusOr<DeployedContract> Poco6Artifacts::Load(
    std::string_view name) const {
  const fs::path file = dir_ / "deployments" / "arbitrum" /
                        absl::StrCat(std::string(name), ".json");
  absl::StatusOr<json> doc = ReadJson(file);
  if (!doc.ok()) return doc.status();
  const json& d = *doc;
  if (!d.contains("address") || !d["address"].is_string() ||
      !d.contains("bytecode") || !d["bytecode"].is_string())
    return absl::DataLossError(
        absl::StrCat(file.string(), " has no address or bytecode"));
  absl::StatusOr<eth::Address> address =
      eth::Address::Parse(d["address"].get<std::string>(), "address");
  if (!address.ok()) return address.status();
  const std::string code = d["bytecode"];
  if (code.find("__") != std::string::npos)
    return absl::DataLossError(
        absl::StrCat(file.string(), " has unlinked libraries"));
  absl::StatusOr<eth::Bytes> init = eth::FromHex(code, file.string());
  if (!init.ok()) return init.status();
  json abi = d.value("abi", json::array());
  const fs::path compiled = dir_ / "artifacts" / "contracts" / "facets" /
                            absl::StrCat(std::string(name), ".sol") /
                            absl::StrCat(std::string(name), ".json");
  if (fs::exists(compiled)) {
    absl::StatusOr<json> artifact = ReadJson(compiled);
    if (!artifact.ok()) return artifact.status();
    abi = artifact->value("abi", json::array());
  }
  return DeployedContract{std::string(name), *address, std::move(*init),
                          std::move(abi)};
}

absl::StatusOr<std::vector<Selector>> FacetSelectors(const json& abi) {
  absl::StatusOr<std::string> signatures = FunctionSignatures(abi);
  if (!signatures.ok()) return signatures.status();
  std::vector<Selector> out;
  for (absl::string_view piece : absl::StrSplit(*signatures, ';')) {
    const std::string s(piece);
    if (s.empty()) continue;
    if (s == "receive") {
      out.push_back({0, 0, 0, 0});
    } else if (s == "fallback") {
      out.push_back({0xff, 0xff, 0xff, 0xff});
    } else {
      out.push_back(eth::abi::Selector(s));
    }
  }
  return out;
}

}  // namespace poolops::devnet
