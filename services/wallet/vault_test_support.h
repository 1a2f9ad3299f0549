// Shared by the vault's tests: a password, keystore KS-2 of PROTOCOL.md §F.1
// (N=1024, password "testpassword"), Bellecour's hub, a file's mode bits.
#pragma once

#include <sys/stat.h>

#include <filesystem>

namespace poolops::wallet::vault_testing {

inline constexpr char kPassword[] = "correct horse battery staple";
// Bellecour's hub.
inline constexpr char kHub[] = "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f";
// KS-1's key (0x4c08...2318) under N=1024.
inline constexpr char kKs2[] = R"({
  "address": "2c7536e3605d9c16a7a3d7b1898e529396a65c23",
  "id": "33333333-3333-4333-b333-333333333333",
  "version": 3,
  "Crypto": {
    "cipher": "aes-128-ctr",
    "cipherparams": { "iv": "22222222222222222222222222222222" },
    "ciphertext": "4fd7dcea66512cb9b1aa1ee8900244f0d3f750e3abf77373bc19c408fc420a82",
    "kdf": "scrypt",
    "kdfparams": {
      "salt": "1111111111111111111111111111111111111111111111111111111111111111",
      "n": 1024, "dklen": 32, "p": 1, "r": 8
    },
    "mac": "f558facb73beedd1fa6bf3a436ba9208bbe4780915ad693d92adeac3ba6439ad"
  }
})";

// Permission bits (with setuid/setgid/sticky) of `p`; 0 when it is missing.
inline mode_t ModeOf(const std::filesystem::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

}  // namespace poolops::wallet::vault_testing
