// Memory for keys and passwords: mlock'ed so it is never swapped, excluded
// from core dumps (MADV_DONTDUMP), and wiped with OPENSSL_cleanse when freed.
// Move-only. Not thread-safe by itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/types/span.h"

namespace poolops {

class SecureBytes {
 public:
  SecureBytes() = default;
  explicit SecureBytes(size_t size);              // zero-filled
  explicit SecureBytes(absl::Span<const uint8_t> data);
  static SecureBytes FromString(std::string_view s);
  ~SecureBytes();
  SecureBytes(SecureBytes&& other) noexcept;
  SecureBytes& operator=(SecureBytes&& other) noexcept;
  SecureBytes(const SecureBytes&) = delete;
  SecureBytes& operator=(const SecureBytes&) = delete;

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  absl::Span<const uint8_t> view() const { return {data_, size_}; }
  std::string_view str() const {
    return {reinterpret_cast<const char*>(data_), size_};
  }
  void Wipe();  // zero and release now

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// Zeroes a string's bytes in place (OPENSSL_cleanse, not optimised away) and
// empties it, keeping its buffer: for secrets that arrive in std::string,
// such as a password field of a gRPC request, once they have been used.
void WipeString(std::string* s);

// Wipes the string it watches when it goes out of scope.
class ScopedWipe {
 public:
  explicit ScopedWipe(std::string* s) : s_(s) {}
  ~ScopedWipe() { WipeString(s_); }
  ScopedWipe(const ScopedWipe&) = delete;
  ScopedWipe& operator=(const ScopedWipe&) = delete;

 private:
  std::string* s_;
};

}  // namespace poolops
