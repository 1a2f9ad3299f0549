#include "devnet/simulators/wallet_address.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace poolops::sim {

absl::StatusOr<std::string> WalletAddressFromKeystore(const std::string& text) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("wallet file is not JSON: ", e.what()));
  }
  auto it = json.is_object() ? json.find("address") : json.end();
  if (it == json.end() || !it->is_string()) {
    return absl::InvalidArgumentError("wallet file has no \"address\" string");
  }
  std::string address = absl::AsciiStrToLower(it->get<std::string>());
  if (absl::StartsWith(address, "0x")) address = address.substr(2);
  if (address.size() != 40) {
    return absl::InvalidArgumentError("wallet address is not 20 bytes");
  }
  for (char c : address) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError("wallet address is not hex");
    }
  }
  return absl::StrCat("0x", address);
}

absl::StatusOr<std::string> ReadWalletAddress(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return absl::NotFoundError(absl::StrCat("cannot read wallet ", path));
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<std::string> address = WalletAddressFromKeystore(text.str());
  if (!address.ok()) {
    return absl::Status(address.status().code(),
                        absl::StrCat(path, ": ", address.status().message()));
  }
  return address;
}

}  // namespace poolops::sim
