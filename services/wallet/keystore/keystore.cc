#include "services/wallet/keystore/keystore.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sodium/crypto_pwhash_scryptsalsa208sha256.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <cstring>
#include <memory>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/common/terminal_text.h"
#include "libs/eth/hex.h"
#include "libs/eth/keccak.h"
#include "libs/eth/secp256k1.h"
#include "nlohmann/json.hpp"

namespace poolops::wallet {
namespace {

using nlohmann::json;

// One key derivation: at most ~1 s and 256 MiB (keystore.h).
constexpr uint64_t kMaxScryptBytes = 256ull << 20;  // 128*r*N, and *p
constexpr uint64_t kMaxPbkdf2Iterations = 2'000'000;
constexpr size_t kMaxSaltBytes = 1024;

absl::Status Invalid(std::string_view field, std::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(
      "keystore: ", std::string(field), " ", std::string(problem)));
}

// A value from the file, for an error message: escaped and cut short so a
// hostile file cannot fill the logs.
std::string Quoted(std::string_view value) {
  constexpr size_t kMax = 32;
  std::string shown = absl::CHexEscape(std::string(value.substr(0, kMax)));
  return absl::StrCat("\"", shown, value.size() > kMax ? "...\"" : "\"");
}

// Finds `key` case-insensitively, as ethers' reader does for "Crypto".
const json* Member(const json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  if (auto it = object.find(std::string(key)); it != object.end()) return &*it;
  for (auto it = object.begin(); it != object.end(); ++it)
    if (absl::EqualsIgnoreCase(it.key(), std::string(key))) return &*it;
  return nullptr;
}

absl::StatusOr<std::string> StringField(const json& object,
                                        std::string_view path,
                                        std::string_view key) {
  const json* v = Member(object, key);
  std::string name = absl::StrCat(std::string(path), std::string(key));
  if (v == nullptr) return Invalid(name, "is missing");
  if (!v->is_string()) return Invalid(name, "must be a string");
  return v->get<std::string>();
}

absl::StatusOr<eth::Bytes> HexField(const json& object, std::string_view path,
                                    std::string_view key, size_t exact_size,
                                    size_t max_size = 0) {
  absl::StatusOr<std::string> text = StringField(object, path, key);
  if (!text.ok()) return text.status();
  std::string name = absl::StrCat(std::string(path), std::string(key));
  absl::StatusOr<eth::Bytes> bytes =
      eth::FromHex(*text, absl::StrCat("keystore: ", name));
  if (!bytes.ok()) return bytes.status();
  if (exact_size != 0 && bytes->size() != exact_size)
    return Invalid(name, absl::StrCat("must be ", exact_size, " bytes, got ",
                                      bytes->size()));
  if (max_size != 0 && (bytes->empty() || bytes->size() > max_size))
    return Invalid(name, absl::StrCat("must be 1 to ", max_size, " bytes"));
  return bytes;
}

// Numbers may be JSON numbers or decimal strings (ethers' ":int" spelunk).
absl::StatusOr<uint64_t> NumberField(const json& object, std::string_view path,
                                     std::string_view key) {
  const json* v = Member(object, key);
  std::string name = absl::StrCat(std::string(path), std::string(key));
  if (v == nullptr) return Invalid(name, "is missing");
  uint64_t out = 0;
  if (v->is_number_unsigned()) return v->get<uint64_t>();
  if (v->is_number_integer()) return Invalid(name, "must not be negative");
  if (v->is_string()) {
    std::string s = v->get<std::string>();
    if (!s.empty() && absl::c_all_of(s, absl::ascii_isdigit) &&
        absl::SimpleAtoi(s, &out))
      return out;
    return Invalid(name, "must be a decimal integer");
  }
  return Invalid(name, "must be a non-negative integer");
}

// The DoS limits of keystore.h, shared by the parser and DeriveKey so that a
// hand-built KdfParams cannot bypass them either.
absl::Status ValidateKdf(const KdfParams& kdf) {
  if (kdf.dklen != 32) return Invalid("crypto.kdfparams.dklen", "must be 32");
  if (kdf.salt.empty() || kdf.salt.size() > kMaxSaltBytes)
    return Invalid("crypto.kdfparams.salt",
                   absl::StrCat("must be 1 to ", kMaxSaltBytes, " bytes"));
  if (kdf.kind == KdfParams::Kind::kPbkdf2) {
    if (kdf.c == 0 || kdf.c > kMaxPbkdf2Iterations)
      return Invalid(
          "crypto.kdfparams.c",
          absl::StrCat(kdf.c, " is outside 1 to ", kMaxPbkdf2Iterations,
                       " (more would take over a second to derive)"));
    return absl::OkStatus();
  }
  if (kdf.n < 2 || (kdf.n & (kdf.n - 1)) != 0)
    return Invalid("crypto.kdfparams.n",
                   "must be a power of two greater than 1");
  if (kdf.r == 0) return Invalid("crypto.kdfparams.r", "must be 1 to 1024");
  if (kdf.p == 0) return Invalid("crypto.kdfparams.p", "must be 1 to 1024");
  // 128*r*N bytes of memory per pass, p passes one after the other: memory
  // and time are bounded together (geth's standard n=2^18, r=8, p=1 is the
  // most allowed). Checked in two steps so that not even 128 bits overflow.
  constexpr uint64_t kMiB = 1 << 20;
  unsigned __int128 memory =
      static_cast<unsigned __int128>(128) * kdf.r * kdf.n;
  if (memory > kMaxScryptBytes)
    return Invalid("crypto.kdfparams.n",
                   absl::StrCat(kdf.n, " with r ", kdf.r, " needs ",
                                static_cast<uint64_t>(memory / kMiB),
                                " MiB of scrypt memory (128*r*n); at most ",
                                kMaxScryptBytes / kMiB, " MiB"));
  if (memory * kdf.p > kMaxScryptBytes)
    return Invalid(
        "crypto.kdfparams.p",
        absl::StrCat(kdf.p, " passes of ", static_cast<uint64_t>(memory / kMiB),
                     " MiB (n ", kdf.n, ", r ", kdf.r,
                     ") are more scrypt work than ", kMaxScryptBytes / kMiB,
                     " MiB (128*r*n*p, about a second)"));
  return absl::OkStatus();
}

absl::StatusOr<KdfParams> ParseKdf(const json& crypto) {
  absl::StatusOr<std::string> kdf_name = StringField(crypto, "crypto.", "kdf");
  if (!kdf_name.ok()) return kdf_name.status();
  const json* params = Member(crypto, "kdfparams");
  if (params == nullptr || !params->is_object())
    return Invalid("crypto.kdfparams", "must be an object");
  constexpr std::string_view kPath = "crypto.kdfparams.";
  KdfParams kdf;
  absl::StatusOr<eth::Bytes> salt =
      HexField(*params, kPath, "salt", 0, kMaxSaltBytes);
  if (!salt.ok()) return salt.status();
  kdf.salt = std::move(*salt);
  absl::StatusOr<uint64_t> dklen = NumberField(*params, kPath, "dklen");
  if (!dklen.ok()) return dklen.status();
  if (*dklen != 32) return Invalid("crypto.kdfparams.dklen", "must be 32");
  kdf.dklen = 32;

  std::string name = absl::AsciiStrToLower(*kdf_name);
  if (name == "scrypt") {
    kdf.kind = KdfParams::Kind::kScrypt;
    absl::StatusOr<uint64_t> n = NumberField(*params, kPath, "n");
    absl::StatusOr<uint64_t> r = NumberField(*params, kPath, "r");
    absl::StatusOr<uint64_t> p = NumberField(*params, kPath, "p");
    if (!n.ok()) return n.status();
    if (!r.ok()) return r.status();
    if (!p.ok()) return p.status();
    if (*r > 1024) return Invalid("crypto.kdfparams.r", "must be 1 to 1024");
    if (*p > 1024) return Invalid("crypto.kdfparams.p", "must be 1 to 1024");
    kdf.n = *n;
    kdf.r = static_cast<uint32_t>(*r);
    kdf.p = static_cast<uint32_t>(*p);
    if (absl::Status s = ValidateKdf(kdf); !s.ok()) return s;
    return kdf;
  }
  if (name == "pbkdf2") {
    kdf.kind = KdfParams::Kind::kPbkdf2;
    absl::StatusOr<uint64_t> c = NumberField(*params, kPath, "c");
    if (!c.ok()) return c.status();
    if (*c > kMaxPbkdf2Iterations)
      return Invalid(
          "crypto.kdfparams.c",
          absl::StrCat(*c, " is outside 1 to ", kMaxPbkdf2Iterations,
                       " (more would take over a second to derive)"));
    kdf.c = static_cast<uint32_t>(*c);
    absl::StatusOr<std::string> prf = StringField(*params, kPath, "prf");
    if (!prf.ok()) return prf.status();
    if (*prf == "hmac-sha256") {
      kdf.prf = KdfParams::Prf::kSha256;
    } else if (*prf == "hmac-sha512") {
      kdf.prf = KdfParams::Prf::kSha512;
    } else {
      return Invalid(
          "crypto.kdfparams.prf",
          absl::StrCat(Quoted(*prf),
                       " is not supported (hmac-sha256, hmac-sha512)"));
    }
    if (absl::Status s = ValidateKdf(kdf); !s.ok()) return s;
    return kdf;
  }
  return Invalid(
      "crypto.kdf",
      absl::StrCat(Quoted(*kdf_name), " is not supported (scrypt, pbkdf2)"));
}

// AES-128-CTR with the 16-byte IV as the initial counter block.
absl::Status AesCtr(eth::ByteView key16, eth::ByteView iv, eth::ByteView in,
                    uint8_t* out) {
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(
      EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0, tail = 0;
  if (!ctx ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_ctr(), nullptr, key16.data(),
                         iv.data()) != 1 ||
      EVP_EncryptUpdate(ctx.get(), out, &len, in.data(),
                        static_cast<int>(in.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), out + len, &tail) != 1)
    return absl::InternalError("AES-128-CTR failed");
  return absl::OkStatus();
}

eth::Hash32 Mac(const SecureBytes& derived, eth::ByteView ciphertext) {
  eth::Keccak256 h;
  h.Update(eth::ByteView(derived.data() + 16, 16));
  h.Update(ciphertext);
  return h.Finish();
}

bool MacMatches(const SecureBytes& derived, const Keystore& keystore) {
  eth::Hash32 mac = Mac(derived, keystore.ciphertext);
  return keystore.mac.size() == mac.size() &&
         CRYPTO_memcmp(mac.data(), keystore.mac.data(), mac.size()) == 0;
}

absl::StatusOr<Keystore> ParseKeystoreJson(std::string_view text) {
  if (text.size() > kMaxKeystoreBytes)
    return absl::InvalidArgumentError(
        absl::StrCat("keystore: file is ", text.size(), " bytes; at most ",
                     kMaxKeystoreBytes, " are accepted"));
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Invalid("file", "is not valid JSON");
  if (!doc.is_object()) return Invalid("file", "must hold a JSON object");

  const json* version = Member(doc, "version");
  // ethers: parseInt(version) === 3, so 3, 3.0 and "3" all qualify.
  bool v3 = version != nullptr &&
            ((version->is_number() && version->get<double>() == 3.0) ||
             (version->is_string() && version->get<std::string>() == "3"));
  if (!v3) return Invalid("version", "must be 3");

  const json* crypto = Member(doc, "crypto");
  if (crypto == nullptr || !crypto->is_object())
    return Invalid("crypto", "is missing (neither \"crypto\" nor \"Crypto\")");

  Keystore ks;
  if (const json* address = Member(doc, "address");
      address != nullptr && !address->is_null()) {
    if (!address->is_string()) return Invalid("address", "must be a string");
    std::string a = address->get<std::string>();
    // Keystores store lowercase hex; checksum case is not meaningful here.
    absl::StatusOr<eth::Address> parsed =
        eth::Address::Parse(absl::AsciiStrToLower(a), "keystore: address");
    if (!parsed.ok()) return parsed.status();
    ks.address = *parsed;
  }
  if (const json* id = Member(doc, "id"); id != nullptr && id->is_string())
    ks.id = id->get<std::string>();

  absl::StatusOr<std::string> cipher =
      StringField(*crypto, "crypto.", "cipher");
  if (!cipher.ok()) return cipher.status();
  if (absl::AsciiStrToLower(*cipher) != "aes-128-ctr")
    return Invalid(
        "crypto.cipher",
        absl::StrCat(Quoted(*cipher), " is not supported (aes-128-ctr)"));
  const json* cipherparams = Member(*crypto, "cipherparams");
  if (cipherparams == nullptr || !cipherparams->is_object())
    return Invalid("crypto.cipherparams", "must be an object");
  absl::StatusOr<eth::Bytes> iv =
      HexField(*cipherparams, "crypto.cipherparams.", "iv", 16);
  if (!iv.ok()) return iv.status();
  absl::StatusOr<eth::Bytes> ciphertext =
      HexField(*crypto, "crypto.", "ciphertext", 32);
  if (!ciphertext.ok()) return ciphertext.status();
  absl::StatusOr<eth::Bytes> mac = HexField(*crypto, "crypto.", "mac", 32);
  if (!mac.ok()) return mac.status();
  absl::StatusOr<KdfParams> kdf = ParseKdf(*crypto);
  if (!kdf.ok()) return kdf.status();

  ks.iv = std::move(*iv);
  ks.ciphertext = std::move(*ciphertext);
  ks.mac = std::move(*mac);
  ks.kdf = std::move(*kdf);
  return ks;
}

absl::StatusOr<SecureBytes> DeriveKeyUnchecked(const KdfParams& kdf,
                                               std::string_view password) {
  SecureBytes key(kdf.dklen);
  if (kdf.kind == KdfParams::Kind::kScrypt) {
    // OpenSSL enforces RFC 7914's N < 2^(16r), which geth and ethers do not
    // (the Web3 Secret Storage vector itself has r=1, N=2^18): libsodium's
    // low-level scrypt computes those.
    if (16 * kdf.r < 64 && kdf.n >= (uint64_t{1} << (16 * kdf.r))) {
      if (crypto_pwhash_scryptsalsa208sha256_ll(
              reinterpret_cast<const uint8_t*>(password.data()),
              password.size(), kdf.salt.data(), kdf.salt.size(), kdf.n, kdf.r,
              kdf.p, key.data(), key.size()) != 0)
        return absl::ResourceExhaustedError(
            "keystore: scrypt failed (not enough memory for its parameters?)");
      return key;
    }
    // OpenSSL's default maxmem (32 MiB) refuses keystore settings.
    uint64_t maxmem = 128ull * kdf.r * (kdf.n + kdf.p + 2) + (1 << 20);
    if (EVP_PBE_scrypt(password.data(), password.size(), kdf.salt.data(),
                       kdf.salt.size(), kdf.n, kdf.r, kdf.p, maxmem, key.data(),
                       key.size()) != 1)
      return absl::ResourceExhaustedError(
          "keystore: scrypt failed (not enough memory for its parameters?)");
    return key;
  }
  const EVP_MD* md =
      kdf.prf == KdfParams::Prf::kSha512 ? EVP_sha512() : EVP_sha256();
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        kdf.salt.data(), static_cast<int>(kdf.salt.size()),
                        static_cast<int>(kdf.c), md,
                        static_cast<int>(key.size()), key.data()) != 1)
    return absl::InternalError("keystore: pbkdf2 failed");
  return key;
}

absl::StatusOr<std::string> EncryptKeystoreJson(eth::ByteView private_key,
                                                std::string_view password,
                                                Random* random,
                                                const EncryptOptions& options) {
  absl::StatusOr<eth::Address> address = eth::AddressOf(private_key);
  if (!address.ok()) return address.status();
  absl::StatusOr<SecureBytes> normalized = NormalizePassword(password);
  if (!normalized.ok()) return normalized.status();

  KdfParams kdf;
  kdf.kind = KdfParams::Kind::kScrypt;
  kdf.n = options.scrypt_n;
  kdf.r = options.scrypt_r;
  kdf.p = options.scrypt_p;
  kdf.salt.resize(32);
  eth::Bytes iv(16), uuid(16);
  for (eth::Bytes* b : {&kdf.salt, &iv, &uuid})
    if (absl::Status s = random->Fill(absl::MakeSpan(*b)); !s.ok()) return s;

  absl::StatusOr<SecureBytes> derived = DeriveKey(kdf, normalized->str());
  if (!derived.ok()) return derived.status();
  eth::Bytes ciphertext(private_key.size());
  if (absl::Status s = AesCtr(eth::ByteView(derived->data(), 16), iv,
                              private_key, ciphertext.data());
      !s.ok())
    return s;
  eth::Hash32 mac = Mac(*derived, ciphertext);

  // UUID v4 from random bytes, as ethers' uuidV4.
  uuid[6] = (uuid[6] & 0x0f) | 0x40;
  uuid[8] = (uuid[8] & 0x3f) | 0x80;
  std::string u = eth::ToHex(uuid, false);
  std::string id =
      absl::StrCat(u.substr(0, 8), "-", u.substr(8, 4), "-", u.substr(12, 4),
                   "-", u.substr(16, 4), "-", u.substr(20));

  nlohmann::ordered_json doc;
  doc["address"] = address->ToLowerHex(/*prefix=*/false);
  doc["id"] = id;
  doc["version"] = 3;
  auto& crypto = doc["Crypto"];
  crypto["cipher"] = "aes-128-ctr";
  crypto["cipherparams"]["iv"] = eth::ToHex(iv, false);
  crypto["ciphertext"] = eth::ToHex(ciphertext, false);
  crypto["kdf"] = "scrypt";
  auto& params = crypto["kdfparams"];
  params["salt"] = eth::ToHex(kdf.salt, false);
  params["n"] = kdf.n;
  params["dklen"] = 32;
  params["p"] = kdf.p;
  params["r"] = kdf.r;
  crypto["mac"] = eth::ToHex(mac, false);
  return doc.dump(2);
}

}  // namespace

absl::StatusOr<SecureBytes> NormalizePassword(std::string_view password) {
  bool ascii = absl::c_all_of(
      password, [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii || !IsValidUtf8(password)) {
    // Not text (ICU would map every bad sequence to U+FFFD, so distinct
    // passwords would collide): use the bytes as they are, as ethers does for
    // byte passwords and geth for all.
    return SecureBytes::FromString(password);
  }
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
  if (U_FAILURE(status)) return absl::InternalError("ICU NFKC unavailable");
  icu::UnicodeString in = icu::UnicodeString::fromUTF8(
      icu::StringPiece(password.data(), static_cast<int32_t>(password.size())));
  icu::UnicodeString normalized = nfkc->normalize(in, status);
  if (U_FAILURE(status))
    return absl::InternalError("password NFKC normalisation failed");
  std::string utf8;
  normalized.toUTF8String(utf8);
  SecureBytes out = SecureBytes::FromString(utf8);
  OPENSSL_cleanse(utf8.data(), utf8.size());
  // The UTF-16 copies too: their whole buffers, in place (getBuffer with the
  // current capacity does not reallocate).
  for (icu::UnicodeString* s : {&in, &normalized}) {
    int32_t capacity = s->getCapacity();
    char16_t* buffer = s->getBuffer(capacity);
    if (buffer != nullptr) {
      OPENSSL_cleanse(buffer, static_cast<size_t>(capacity) * sizeof(char16_t));
    }
    s->releaseBuffer(0);
  }
  return out;
}

absl::StatusOr<Keystore> ParseKeystore(std::string_view text) {
  // nlohmann is used without exceptions here; the catch is the boundary
  // guarantee that none escapes if a call below ever throws.
  try {
    return ParseKeystoreJson(text);
  } catch (const std::exception&) {
    return Invalid("file", "could not be read as a keystore");
  }
}

absl::StatusOr<SecureBytes> DeriveKey(const KdfParams& kdf,
                                      std::string_view password) {
  if (absl::Status s = ValidateKdf(kdf); !s.ok()) return s;
  return DeriveKeyUnchecked(kdf, password);
}

absl::StatusOr<DecryptedKey> DecryptKeystore(const Keystore& keystore,
                                             std::string_view password) {
  // ParseKeystore guarantees these; a hand-built Keystore must too, or the
  // MAC and AES below would read out of bounds.
  if (keystore.iv.size() != 16)
    return Invalid("crypto.cipherparams.iv", "must be 16 bytes");
  if (keystore.ciphertext.size() != 32)
    return Invalid("crypto.ciphertext", "must be 32 bytes");
  if (keystore.mac.size() != 32)
    return Invalid("crypto.mac", "must be 32 bytes");
  if (absl::Status s = ValidateKdf(keystore.kdf); !s.ok()) return s;

  absl::StatusOr<SecureBytes> normalized = NormalizePassword(password);
  if (!normalized.ok()) return normalized.status();
  absl::StatusOr<SecureBytes> derived =
      DeriveKeyUnchecked(keystore.kdf, normalized->str());
  if (!derived.ok()) return derived.status();
  if (!MacMatches(*derived, keystore) && normalized->str() != password) {
    // geth does not normalise: a geth keystore whose password NFKC changes
    // opens only with the raw bytes.
    derived = DeriveKeyUnchecked(keystore.kdf, password);
    if (!derived.ok()) return derived.status();
  }
  if (!MacMatches(*derived, keystore))
    return absl::PermissionDeniedError("incorrect password");

  DecryptedKey out;
  out.private_key = SecureBytes(keystore.ciphertext.size());
  if (absl::Status s = AesCtr(eth::ByteView(derived->data(), 16), keystore.iv,
                              keystore.ciphertext, out.private_key.data());
      !s.ok())
    return s;
  absl::StatusOr<eth::Address> address = eth::AddressOf(out.private_key.view());
  if (!address.ok())
    return absl::InvalidArgumentError(
        "keystore: decrypted private key is not a valid secp256k1 key");
  if (keystore.address.has_value() && *keystore.address != *address)
    return absl::InvalidArgumentError(
        absl::StrCat("keystore address/private key mismatch: the file says ",
                     keystore.address->ToChecksum(), ", the key is ",
                     address->ToChecksum()));
  out.address = *address;
  return out;
}

absl::StatusOr<std::string> EncryptKeystore(eth::ByteView private_key,
                                            std::string_view password,
                                            Random* random,
                                            const EncryptOptions& options) {
  try {
    return EncryptKeystoreJson(private_key, password, random, options);
  } catch (const std::exception&) {
    return absl::InternalError("keystore: could not serialise the keystore");
  }
}

std::string KeystoreFileName(absl::Time time, const eth::Address& address) {
  std::string stamp =
      absl::FormatTime("%Y-%m-%dT%H-%M-%S", time, absl::UTCTimeZone());
  int64_t millis = absl::ToUnixMillis(time) % 1000;
  if (millis < 0) millis += 1000;
  return absl::StrFormat("UTC--%s.%03d000000Z--%s", stamp, millis,
                         address.ToChecksum().substr(2));
}

}  // namespace poolops::wallet
