// Helpers shared by the libs/common tests.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace poolops::test {

// A fresh folder under /tmp (short: unix socket paths are limited to 107
// bytes), removed when the object goes.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = "/tmp/poolops-t-XXXXXX";
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace poolops::test
