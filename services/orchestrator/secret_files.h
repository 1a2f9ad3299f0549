// The spec's secret files (`*_file` fields) and who reads them. The client
// (poolctl) reads them on its side and sends their secrets with the spec
// (SpecSource.secret_files); the orchestrator never opens a path a spec
// names, so a caller cannot make it read /etc/shadow or another pool's
// files, nor probe which paths exist on its host.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "poolops/orchestrator/v1/orchestrator.pb.h"

namespace poolops::orchestrator {

namespace v1 = ::poolops::orchestrator::v1;

struct SecretFileRef {
  std::string field;  // "core.mongo_password_file"
  std::string path;   // as written in the spec
  // The pool's secret store key: the .env variable ("PROD_MONGO_PASSWORD")
  // or "wallet:<name>" for a wallet's keystore password.
  std::string key;
  std::string wallet;  // the wallet's name for wallet passwords, else ""
};

// Every non-empty *_file field of `spec`, in spec order.
std::vector<SecretFileRef> SecretFileRefs(const v1::PoolSpec& spec);

// The secrets a request carries, by path as written in the spec (the last
// entry of a path wins).
std::map<std::string, std::string> SuppliedSecrets(
    const v1::SpecSource& source);

// Client side: parses the spec of `source` and adds the secret of each of
// its *_file fields (relative paths from the folder of source.path) to
// source.secret_files. A spec that does not parse is left as it is (the
// orchestrator reports why); an unreadable file is InvalidArgument naming
// the field.
absl::Status AttachSecretFiles(v1::SpecSource* source);

}  // namespace poolops::orchestrator
