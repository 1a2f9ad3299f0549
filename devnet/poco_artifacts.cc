#include "devnet/poco_artifacts.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "libs/common/files.h"
#include "libs/eth/hex.h"

namespace poolops::devnet {
namespace fs = std::filesystem;
namespace {

// Only in the truffle build: the ERC1538 trio and the RLC token.
constexpr std::string_view kErc1538[] = {
    "ERC1538Proxy", "ERC1538UpdateDelegate", "ERC1538QueryDelegate", "RLC"};
// Link placeholder of contracts/libs/IexecLibOrders_v5.sol:IexecLibOrders_v5.
constexpr char kOrdersPlaceholder[] =
    "__$9d824026d0515d8abd681f0f0f4707f16a$__";

absl::StatusOr<fs::path> FindArtifact(const fs::path& root,
                                      std::string_view name) {
  std::string file = absl::StrCat(std::string(name), ".json");
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->is_regular_file() && it->path().filename() == file &&
        it->path().parent_path().filename() ==
            absl::StrCat(std::string(name), ".sol"))
      return it->path();
  }
  return absl::NotFoundError(absl::StrCat("PoCo artifact ", std::string(name),
                                          " not found under ", root.string()));
}

absl::StatusOr<std::string> CanonicalType(const nlohmann::json& param) {
  if (!param.is_object() || !param.contains("type") ||
      !param["type"].is_string())
    return absl::InvalidArgumentError("ABI parameter without a type");
  std::string type = param["type"];
  if (type.rfind("tuple", 0) != 0) return type;
  std::vector<std::string> members;
  for (const nlohmann::json& c :
       param.value("components", nlohmann::json::array())) {
    absl::StatusOr<std::string> t = CanonicalType(c);
    if (!t.ok()) return t.status();
    members.push_back(*t);
  }
  return absl::StrCat("(", absl::StrJoin(members, ","), ")", type.substr(5));
}

}  // namespace

fs::path NpmDir() {
  if (const char* dir = std::getenv("POOLOPS_NPM_DIR"); dir != nullptr && *dir)
    return dir;
  return POOLOPS_DEFAULT_NPM_DIR;
}

absl::StatusOr<PocoArtifacts> PocoArtifacts::Open(fs::path package_dir) {
  if (!fs::exists(package_dir / "artifacts") ||
      !fs::exists(package_dir / "build" / "contracts"))
    return absl::NotFoundError(absl::StrCat(
        "@iexec/poco 5.5.0 is not installed at ", package_dir.string(),
        " (run scripts/test, or npm install in tests/interop, or set "
        "POOLOPS_NPM_DIR to a node_modules folder that has it)"));
  return PocoArtifacts(std::move(package_dir));
}

absl::StatusOr<Contract> PocoArtifacts::Load(
    std::string_view name, const eth::Address* orders_library) const {
  bool truffle = false;
  for (std::string_view n : kErc1538) truffle |= n == name;
  absl::StatusOr<fs::path> path =
      truffle
          ? absl::StatusOr<fs::path>(dir_ / "build" / "contracts" /
                                     absl::StrCat(std::string(name), ".json"))
          : FindArtifact(dir_ / "artifacts" / "contracts", name);
  if (!path.ok()) return path.status();
  absl::StatusOr<std::string> text = files::ReadFile(*path, 64 << 20);
  if (!text.ok()) return text.status();
  nlohmann::json doc = nlohmann::json::parse(*text, nullptr, false);
  if (doc.is_discarded() || !doc.contains("bytecode") ||
      !doc["bytecode"].is_string())
    return absl::DataLossError(
        absl::StrCat("PoCo artifact ", path->string(), " has no bytecode"));
  std::string code = doc["bytecode"];
  if (orders_library != nullptr)
    code = absl::StrReplaceAll(
        code, {{kOrdersPlaceholder, orders_library->ToLowerHex(false)}});
  if (code.find("__") != std::string::npos)
    return absl::FailedPreconditionError(absl::StrCat(
        "PoCo artifact ", std::string(name), " has unlinked libraries"));
  absl::StatusOr<eth::Bytes> bytes = eth::FromHex(code, path->string());
  if (!bytes.ok()) return bytes.status();
  return Contract{std::string(name), std::move(*bytes), doc["abi"]};
}

absl::StatusOr<std::string> FunctionSignatures(const nlohmann::json& abi) {
  if (!abi.is_array())
    return absl::InvalidArgumentError("ABI must be an array");
  std::string out;
  for (const nlohmann::json& e : abi)
    if (e.value("type", "") == "receive") out += "receive;";
  for (const nlohmann::json& e : abi)
    if (e.value("type", "") == "fallback") out += "fallback;";
  for (const nlohmann::json& e : abi) {
    if (e.value("type", "") != "function") continue;
    std::vector<std::string> inputs;
    for (const nlohmann::json& p : e.value("inputs", nlohmann::json::array())) {
      absl::StatusOr<std::string> t = CanonicalType(p);
      if (!t.ok()) return t.status();
      inputs.push_back(*t);
    }
    absl::StrAppend(&out, e.value("name", ""), "(", absl::StrJoin(inputs, ","),
                    ");");
  }
  return out;
}

}  // namespace poolops::devnet
