#include "libs/common/secure_bytes.h"

#include <openssl/crypto.h>
#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <new>

namespace poolops {
namespace {

// Keys are tiny; page-granular mmap keeps them off the heap, lets mlock work
// on whole pages and makes MADV_DONTDUMP apply to nothing else.
uint8_t* Allocate(size_t size) {
  if (size == 0) return nullptr;
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  // Best effort: RLIMIT_MEMLOCK may be low; the wipe on free still holds.
  (void)mlock(p, size);
  (void)madvise(p, size, MADV_DONTDUMP);
  return static_cast<uint8_t*>(p);
}

void Release(uint8_t* p, size_t size) {
  if (p == nullptr) return;
  OPENSSL_cleanse(p, size);
  (void)munlock(p, size);
  munmap(p, size);
}

}  // namespace

SecureBytes::SecureBytes(size_t size) : data_(Allocate(size)), size_(size) {}

SecureBytes::SecureBytes(absl::Span<const uint8_t> data)
    : SecureBytes(data.size()) {
  if (!data.empty()) std::memcpy(data_, data.data(), data.size());
}

SecureBytes SecureBytes::FromString(std::string_view s) {
  return SecureBytes(absl::Span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

SecureBytes::~SecureBytes() { Wipe(); }

SecureBytes::SecureBytes(SecureBytes&& other) noexcept
    : data_(other.data_), size_(other.size_) {
  other.data_ = nullptr;
  other.size_ = 0;
}

SecureBytes& SecureBytes::operator=(SecureBytes&& other) noexcept {
  if (this != &other) {
    Wipe();
    data_ = other.data_;
    size_ = other.size_;
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

void SecureBytes::Wipe() {
  Release(data_, size_);
  data_ = nullptr;
  size_ = 0;
}

void WipeString(std::string* s) {
  if (s == nullptr) return;
  // The whole capacity: bytes past size() may hold an older, longer value.
  s->resize(s->capacity());
  OPENSSL_cleanse(s->data(), s->size());
  s->clear();
}

}  // namespace poolops
