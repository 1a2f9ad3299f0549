#include "devnet/simulators/host_resolver.h"

#include <arpa/inet.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace poolops::sim {

absl::StatusOr<in_addr> ResolveIpv4(const std::string& host,
                                    const std::string& hosts_file_content) {
  in_addr addr{};
  if (inet_pton(AF_INET, host.c_str(), &addr) == 1) return addr;
  std::string lower = absl::AsciiStrToLower(host);
  if (lower == "localhost") {
    inet_pton(AF_INET, "127.0.0.1", &addr);
    return addr;
  }
  for (absl::string_view line : absl::StrSplit(hosts_file_content, '\n')) {
    line = line.substr(0, line.find('#'));
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (fields.size() < 2) continue;
    std::string ip(fields[0]);
    if (inet_pton(AF_INET, ip.c_str(), &addr) != 1) continue;
    for (size_t i = 1; i < fields.size(); ++i) {
      if (absl::AsciiStrToLower(std::string(fields[i])) == lower) return addr;
    }
  }
  return absl::NotFoundError(absl::StrCat(
      "cannot resolve host '", host,
      "' (simulators resolve IPv4 literals, localhost and /etc/hosts only)"));
}

absl::StatusOr<in_addr> ResolveIpv4(const std::string& host) {
  std::ifstream in("/etc/hosts");
  std::stringstream content;
  if (in) content << in.rdbuf();
  return ResolveIpv4(host, content.str());
}

}  // namespace poolops::sim
