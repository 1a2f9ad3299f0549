// Host name to IPv4 without getaddrinfo (which a static glibc binary cannot
// use in a FROM scratch image): numeric addresses, "localhost", then the
// hosts file (Docker writes /etc/hosts into every container).
#pragma once

#include <netinet/in.h>

#include <string>

#include "absl/status/statusor.h"

namespace poolops::sim {

// hosts_file_content is the text of /etc/hosts (tests pass their own).
absl::StatusOr<in_addr> ResolveIpv4(const std::string& host,
                                    const std::string& hosts_file_content);
// Same, reading /etc/hosts if it exists.
absl::StatusOr<in_addr> ResolveIpv4(const std::string& host);

}  // namespace poolops::sim
