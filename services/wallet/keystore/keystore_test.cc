#include "services/wallet/keystore/keystore.h"

#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/eth/hex.h"
#include "libs/eth/keccak.h"
#include "nlohmann/json.hpp"

namespace poolops::wallet {
namespace {

// Hands out fixed bytes per call: salt, iv, uuid in EncryptKeystore's order.
class SequenceRandom : public Random {
 public:
  explicit SequenceRandom(std::vector<uint8_t> fills)
      : fills_(std::move(fills)) {}
  absl::Status Fill(absl::Span<uint8_t> out) override {
    uint8_t v = fills_.at(next_++ % fills_.size());
    std::fill(out.begin(), out.end(), v);
    return absl::OkStatus();
  }

 private:
  std::vector<uint8_t> fills_;
  size_t next_ = 0;
};

eth::Bytes Hex(std::string_view h) { return *eth::FromHex(h); }

constexpr char kKs1Key[] =
    "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
constexpr char kKs1Address[] = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23";
// Address of the Web3 Secret Storage vectors' key 7a28b5ba...
constexpr char kWeb3Address[] = "0x008AeEda4D805471dF9b2A5B0f38A0C3bCBA786b";

// PROTOCOL §F.1 KS-2: N=1024, salt 11.., iv 22.., uuid 33.. (ethers layout).
constexpr char kKs2Json[] = R"({
  "address": "2c7536e3605d9c16a7a3d7b1898e529396a65c23",
  "id": "33333333-3333-4333-b333-333333333333",
  "version": 3,
  "Crypto": {
    "cipher": "aes-128-ctr",
    "cipherparams": {
      "iv": "22222222222222222222222222222222"
    },
    "ciphertext": "4fd7dcea66512cb9b1aa1ee8900244f0d3f750e3abf77373bc19c408fc420a82",
    "kdf": "scrypt",
    "kdfparams": {
      "salt": "1111111111111111111111111111111111111111111111111111111111111111",
      "n": 1024,
      "dklen": 32,
      "p": 1,
      "r": 8
    },
    "mac": "f558facb73beedd1fa6bf3a436ba9208bbe4780915ad693d92adeac3ba6439ad"
  }
})";

TEST(KeystoreTest, EncryptReproducesTheSdkBytesExactly) {
  SequenceRandom random({0x11, 0x22, 0x33});
  absl::StatusOr<std::string> json = EncryptKeystore(
      Hex(kKs1Key), "testpassword", &random, {.scrypt_n = 1024});
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(*json, kKs2Json);
}

TEST(KeystoreTest, DecryptsKs2) {
  absl::StatusOr<Keystore> ks = ParseKeystore(kKs2Json);
  ASSERT_TRUE(ks.ok()) << ks.status();
  absl::StatusOr<DecryptedKey> key = DecryptKeystore(*ks, "testpassword");
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(eth::ToHex(key->private_key.view(), false), kKs1Key);
  EXPECT_EQ(key->address.ToChecksum(), kKs1Address);
}

TEST(KeystoreTest, DecryptsKs1AtSdkStrength) {
  // KS-1: the same inputs at N=2^17 (what the iExec SDK writes).
  std::string json = kKs2Json;
  json.replace(
      json.find(
          "4fd7dcea66512cb9b1aa1ee8900244f0d3f750e3abf77373bc19c408fc420a82"),
      64, "4dc058436d271cd6e361e1fc321fe93ceb52111267dd282388fb2c93754ff656");
  json.replace(
      json.find(
          "f558facb73beedd1fa6bf3a436ba9208bbe4780915ad693d92adeac3ba6439ad"),
      64, "8b3ae734dbc2cf1965184d95ff557c2fa0d3f86910261b93c27a0c34f3a43a46");
  json.replace(json.find("\"n\": 1024"), 9, "\"n\": 131072");
  absl::StatusOr<Keystore> ks = ParseKeystore(json);
  ASSERT_TRUE(ks.ok()) << ks.status();
  absl::StatusOr<SecureBytes> derived = DeriveKey(ks->kdf, "testpassword");
  ASSERT_TRUE(derived.ok());
  EXPECT_EQ(eth::ToHex(derived->view(), false),
            "3976fd04f68f6b6cb1307389ce6a41cc05c4785dce8b38b9f3482431ca2dcfac");
  absl::StatusOr<DecryptedKey> key = DecryptKeystore(*ks, "testpassword");
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->address.ToChecksum(), kKs1Address);
}

// Web3 Secret Storage definition test vectors (lowercase "crypto", no address).
TEST(KeystoreTest, Web3SecretStorageVectors) {
  const char* kPbkdf2 = R"({"crypto":{"cipher":"aes-128-ctr",
    "cipherparams":{"iv":"6087dab2f9fdbbfaddc31a909735c1e6"},
    "ciphertext":"5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46",
    "kdf":"pbkdf2","kdfparams":{"c":262144,"dklen":32,"prf":"hmac-sha256",
    "salt":"ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"},
    "mac":"517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"},
    "id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3})";
  const char* kScrypt = R"({"crypto":{"cipher":"aes-128-ctr",
    "cipherparams":{"iv":"83dbcc02d8ccb40e466191a123791e0e"},
    "ciphertext":"d172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c",
    "kdf":"scrypt","kdfparams":{"dklen":32,"n":262144,"p":8,"r":1,
    "salt":"ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19"},
    "mac":"2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097"},
    "id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3})";
  for (const char* json : {kPbkdf2, kScrypt}) {
    absl::StatusOr<Keystore> ks = ParseKeystore(json);
    ASSERT_TRUE(ks.ok()) << ks.status();
    EXPECT_FALSE(ks->address.has_value());
    absl::StatusOr<DecryptedKey> key = DecryptKeystore(*ks, "testpassword");
    ASSERT_TRUE(key.ok()) << key.status();
    EXPECT_EQ(
        eth::ToHex(key->private_key.view(), false),
        "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d");
  }
}

TEST(KeystoreTest, WrongPasswordRevealsNothingElse) {
  absl::StatusOr<Keystore> ks = ParseKeystore(kKs2Json);
  ASSERT_TRUE(ks.ok());
  absl::StatusOr<DecryptedKey> key = DecryptKeystore(*ks, "testpassword2");
  EXPECT_EQ(key.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(key.status().message(), "incorrect password");
}

TEST(KeystoreTest, RoundTripWithRandomParameters) {
  eth::Bytes pk = Hex(kKs1Key);
  absl::StatusOr<std::string> a =
      EncryptKeystore(pk, "pw", Random::Secure(), {.scrypt_n = 1024});
  absl::StatusOr<std::string> b =
      EncryptKeystore(pk, "pw", Random::Secure(), {.scrypt_n = 1024});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);  // fresh salt, iv and uuid each time
  nlohmann::json doc = nlohmann::json::parse(*a);
  std::string id = doc["id"];
  EXPECT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '4');  // UUID v4
  EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos);
  absl::StatusOr<DecryptedKey> key = DecryptKeystore(*ParseKeystore(*a), "pw");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->address.ToChecksum(), kKs1Address);
}

TEST(KeystoreTest, NonAsciiPasswordsAreNfkcNormalised) {
  // U+FB01 (the "fi" ligature) is NFKC-equivalent to "fi", as in ethers.
  eth::Bytes pk = Hex(kKs1Key);
  absl::StatusOr<std::string> json = EncryptKeystore(
      pk, "\xef\xac\x81re", Random::Secure(), {.scrypt_n = 1024});
  ASSERT_TRUE(json.ok());
  EXPECT_TRUE(DecryptKeystore(*ParseKeystore(*json), "fire").ok());
}

TEST(KeystoreTest, FileNameAsTheSdkWritesIt) {
  absl::Time t =
      absl::FromUnixMillis(1795888435796);  // 2026-11-28T17:53:55.796Z
  eth::Address a =
      *eth::Address::Parse("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
  EXPECT_EQ(KeystoreFileName(t, a),
            "UTC--2026-11-28T17-53-55.796000000Z--"
            "70997970C51812dc3A010C7d01b50e0d17dc79C8");
}

TEST(KeystoreTest, ReadsNumbersAsStringsAndAddressWith0x) {
  std::string json = kKs2Json;
  json.replace(json.find("\"n\": 1024"), 9, "\"n\": \"1024\"");
  json.replace(json.find("\"2c7536e3"), 1, "\"0x");
  json.replace(json.find("\"Crypto\""), 8, "\"crypto\"");
  absl::StatusOr<Keystore> ks = ParseKeystore(json);
  ASSERT_TRUE(ks.ok()) << ks.status();
  EXPECT_TRUE(DecryptKeystore(*ks, "testpassword").ok());
}

// Built by a one-off script with python3 hashlib.pbkdf2_hmac("sha512"),
// `openssl enc -aes-128-ctr` and a pure-Python Keccak (no poolops or ethers
// code); ethers 6 decrypts it too. Same as python_pbkdf2_sha512_exp_ok.json.
TEST(KeystoreTest, DecryptsPythonPbkdf2Sha512) {
  constexpr char kJson[] = R"({
  "crypto": {
    "cipher": "aes-128-ctr",
    "cipherparams": {"iv": "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"},
    "ciphertext": "d9508bc003401561a50f636fd06edafdab9e199c7ed793ec28a7674f036f5ccb",
    "kdf": "pbkdf2",
    "kdfparams": {"c": 8192, "dklen": 32, "prf": "hmac-sha512",
      "salt": "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"},
    "mac": "09824a812cb8932d72ea2db3f222516d0630a0a07b5e707dd3d91a9ec869178a"
  },
  "id": "6f1c2b7e-3c1d-4a55-9e0b-2d6c5b1f4a10",
  "version": 3,
  "address": "70997970c51812dc3a010c7d01b50e0d17dc79c8"
})";
  absl::StatusOr<Keystore> ks = ParseKeystore(kJson);
  ASSERT_TRUE(ks.ok()) << ks.status();
  EXPECT_EQ(ks->kdf.kind, KdfParams::Kind::kPbkdf2);
  EXPECT_EQ(ks->kdf.prf, KdfParams::Prf::kSha512);
  EXPECT_EQ(ks->kdf.c, 8192u);
  absl::StatusOr<DecryptedKey> key =
      DecryptKeystore(*ks, "python pbkdf2 sha512");
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(eth::ToHex(key->private_key.view(), false),
            "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
}

TEST(KeystoreTest, NormalizePassword) {
  EXPECT_EQ(NormalizePassword("testpassword")->str(), "testpassword");
  // Fullwidth "ｐａｓｓ" and the "ﬁ" ligature fold under NFKC.
  EXPECT_EQ(
      NormalizePassword("\xef\xbd\x90\xef\xbd\x81\xef\xbd\x93\xef\xbd\x93")
          ->str(),
      "pass");
  EXPECT_EQ(NormalizePassword("\xef\xac\x81re")->str(), "fire");
  // Already NFKC: unchanged ("é" precomposed).
  EXPECT_EQ(NormalizePassword("caf\xc3\xa9")->str(), "caf\xc3\xa9");
  // Decomposed "e + U+0301" composes to the precomposed form.
  EXPECT_EQ(NormalizePassword("cafe\xcc\x81")->str(), "caf\xc3\xa9");
  // Not UTF-8: kept byte for byte, not folded into U+FFFD (which would make
  // distinct passwords equal).
  std::string latin1 = "caf\xe9";
  EXPECT_EQ(NormalizePassword(latin1)->str(), latin1);
  EXPECT_NE(NormalizePassword("\xff")->str(), NormalizePassword("\xfe")->str());
  EXPECT_TRUE(NormalizePassword("")->empty());
}

// A keystore as geth writes it for a password NFKC would change: geth uses
// the raw bytes, so those are tried after the normalised form fails.
TEST(KeystoreTest, OpensGethKeystoreWithUnnormalisedPassword) {
  const std::string raw = "\xef\xbd\x90\xef\xbd\x81\xef\xbd\x93\xef\xbd\x93";
  Keystore ks;
  ks.kdf.kind = KdfParams::Kind::kScrypt;
  ks.kdf.n = 1024;
  ks.kdf.r = 8;
  ks.kdf.p = 1;
  ks.kdf.salt = eth::Bytes(32, 0x11);
  ks.iv = eth::Bytes(16, 0x22);
  absl::StatusOr<SecureBytes> derived = DeriveKey(ks.kdf, raw);
  ASSERT_TRUE(derived.ok()) << derived.status();
  // AES-CTR is its own inverse: encrypt the key with the raw-password key.
  eth::Bytes pk = Hex(kKs1Key);
  ks.ciphertext.resize(32);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int len = 0;
  ASSERT_EQ(EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), nullptr, derived->data(),
                               ks.iv.data()),
            1);
  ASSERT_EQ(EVP_EncryptUpdate(ctx, ks.ciphertext.data(), &len, pk.data(), 32),
            1);
  EVP_CIPHER_CTX_free(ctx);
  eth::Keccak256 h;
  h.Update(eth::ByteView(derived->data() + 16, 16));
  h.Update(ks.ciphertext);
  eth::Hash32 mac = h.Finish();
  ks.mac.assign(mac.begin(), mac.end());

  absl::StatusOr<DecryptedKey> key = DecryptKeystore(ks, raw);
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->address.ToChecksum(), kKs1Address);
  // The normalised spelling is a different password for geth's file.
  EXPECT_EQ(DecryptKeystore(ks, "pass").status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(KeystoreTest, HandBuiltKeystoreIsCheckedNotTrusted) {
  absl::StatusOr<Keystore> parsed = ParseKeystore(kKs2Json);
  ASSERT_TRUE(parsed.ok());
  auto expect_invalid = [](const Keystore& ks, const std::string& field) {
    absl::Status s = DecryptKeystore(ks, "testpassword").status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_TRUE(absl::StrContains(s.message(), field)) << s;
  };
  Keystore ks = *parsed;
  ks.iv.clear();
  expect_invalid(ks, "iv");
  ks = *parsed;
  ks.ciphertext.resize(31);
  expect_invalid(ks, "ciphertext");
  ks = *parsed;
  ks.mac.resize(64);
  expect_invalid(ks, "mac");
  ks = *parsed;
  ks.kdf.dklen = 16;
  expect_invalid(ks, "dklen");
  ks = *parsed;
  ks.kdf.n = uint64_t{1} << 40;  // 128 TiB: refused before any allocation
  expect_invalid(ks, "kdfparams.n");
  ks = *parsed;
  ks.kdf.r = 0xffffffff;
  ks.kdf.p = 0xffffffff;
  ks.kdf.n = uint64_t{1} << 63;  // overflow bait for the cost check
  expect_invalid(ks, "kdfparams.n");
  ks = *parsed;
  ks.kdf.salt.clear();
  expect_invalid(ks, "salt");
  ks = *parsed;
  ks.kdf.kind = KdfParams::Kind::kPbkdf2;
  ks.kdf.c = 20'000'000;
  expect_invalid(ks, "kdfparams.c");
  EXPECT_EQ(DeriveKey(ks.kdf, "pw").status().code(),
            absl::StatusCode::kInvalidArgument);
}

// One key derivation costs at most ~1 s and 256 MiB: what the SDK, geth and
// the Web3 spec write passes, one step beyond is refused naming the field.
TEST(KeystoreTest, KdfCostIsBoundedNamingTheParameter) {
  auto with = [](nlohmann::json params) {
    nlohmann::json j = nlohmann::json::parse(kKs2Json);
    nlohmann::json& crypto = j.contains("crypto") ? j["crypto"] : j["Crypto"];
    if (params.contains("c")) {
      crypto["kdf"] = "pbkdf2";
      params["prf"] = "hmac-sha256";
    }
    params["dklen"] = 32;
    params["salt"] = crypto["kdfparams"]["salt"];
    crypto["kdfparams"] = params;
    return ParseKeystore(j.dump()).status();
  };
  auto refused = [&](nlohmann::json params, const std::string& field,
                     const std::string& detail) {
    absl::Status s = with(params);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << params;
    EXPECT_TRUE(absl::StrContains(s.message(), field)) << s;
    EXPECT_TRUE(absl::StrContains(s.message(), detail)) << s;
  };
  EXPECT_TRUE(with({{"n", 1 << 17}, {"r", 8}, {"p", 1}}).ok());  // iExec SDK
  EXPECT_TRUE(with({{"n", 1 << 18}, {"r", 8}, {"p", 1}}).ok());  // geth
  EXPECT_TRUE(with({{"n", 1 << 12}, {"r", 8}, {"p", 6}}).ok());  // geth light
  EXPECT_TRUE(with({{"n", 1 << 18}, {"r", 1}, {"p", 8}}).ok());  // Web3 spec
  EXPECT_TRUE(with({{"c", 2'000'000}}).ok());
  refused({{"n", 1 << 19}, {"r", 8}, {"p", 1}}, "crypto.kdfparams.n",
          "512 MiB");
  refused({{"n", 1 << 18}, {"r", 16}, {"p", 1}}, "crypto.kdfparams.n",
          "at most 256 MiB");
  refused({{"n", 1 << 18}, {"r", 8}, {"p", 2}}, "crypto.kdfparams.p",
          "256 MiB");
  refused({{"n", 1 << 18}, {"r", 1}, {"p", 9}}, "crypto.kdfparams.p",
          "9 passes");
  refused({{"c", 2'000'001}}, "crypto.kdfparams.c", "2000000");
}

TEST(KeystoreTest, EncryptRefusesBadInput) {
  SequenceRandom random({0x11, 0x22, 0x33});
  EXPECT_EQ(EncryptKeystore(Hex(kKs1Key), "pw", &random, {.scrypt_n = 1000})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(
      EncryptKeystore(eth::Bytes(32, 0), "pw", &random, {.scrypt_n = 1024})
          .ok());  // zero is not a secp256k1 key
  EXPECT_FALSE(
      EncryptKeystore(eth::Bytes(31, 1), "pw", &random, {.scrypt_n = 1024})
          .ok());
}

TEST(KeystoreTest, VersionAsNumberStringOrFloat) {
  for (const char* version : {"3", "\"3\"", "3.0"}) {
    std::string json = kKs2Json;
    json.replace(json.find("\"version\": 3"), 12,
                 absl::StrCat("\"version\": ", version));
    EXPECT_TRUE(ParseKeystore(json).ok()) << version;
  }
  for (const char* version : {"4", "\"v3\"", "null", "3.5", "-3"}) {
    std::string json = kKs2Json;
    json.replace(json.find("\"version\": 3"), 12,
                 absl::StrCat("\"version\": ", version));
    absl::Status s = ParseKeystore(json).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << version;
    EXPECT_TRUE(absl::StrContains(s.message(), "version")) << s;
  }
}

TEST(KeystoreTest, AddressIsOptionalAndReadWithOrWithout0x) {
  std::string json = kKs2Json;
  size_t from = json.find("  \"address\"");
  json.erase(from, json.find("  \"id\"") - from);
  absl::StatusOr<Keystore> ks = ParseKeystore(json);
  ASSERT_TRUE(ks.ok()) << ks.status() << json;
  EXPECT_FALSE(ks->address.has_value());
  absl::StatusOr<DecryptedKey> key = DecryptKeystore(*ks, "testpassword");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->address.ToChecksum(), kKs1Address);
  ks = ParseKeystore(kKs2Json);
  ASSERT_TRUE(ks.ok() && ks->address.has_value());
  EXPECT_EQ(ks->address->ToChecksum(), kKs1Address);
  EXPECT_EQ(ks->id, "33333333-3333-4333-b333-333333333333");
}

TEST(KeystoreTest, UnsupportedValuesAreQuotedShort) {
  std::string json = kKs2Json;
  json.replace(json.find("\"aes-128-ctr\""), 13,
               absl::StrCat("\"", std::string(5000, 'x'), "\\n\""));
  absl::Status s = ParseKeystore(json).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(s.message(), "crypto.cipher")) << s;
  EXPECT_LT(s.message().size(), 120u) << s;
}

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct OkFixture {
  const char* password;
  const char* address;
};

// Every fixture in tests/data/keystore: *_exp_ok import, *_exp_fail refused
// with a message naming the problem.
TEST(KeystoreTest, Fixtures) {
  const std::map<std::string, OkFixture> ok = {
      {"ks2_n1024_exp_ok.json", {"testpassword", kKs1Address}},
      {"ethers_scrypt_exp_ok.json",
       {"ethers-password", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"}},
      {"geth_scrypt_n262144_exp_ok.json",
       {"geth password", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"}},
      {"pbkdf2_sha256_exp_ok.json",
       {"pbkdf2 password", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"}},
      {"pbkdf2_sha512_exp_ok.json",
       {"pbkdf2 password", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"}},
      {"python_pbkdf2_sha512_exp_ok.json",
       {"python pbkdf2 sha512", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"}},
      {"ks2_numbers_as_strings_exp_ok.json", {"testpassword", kKs1Address}},
      {"ks2_no_address_lowercase_crypto_exp_ok.json",
       {"testpassword", kKs1Address}},
      {"ks2_address_0x_checksum_exp_ok.json", {"testpassword", kKs1Address}},
      {"web3_spec_pbkdf2_exp_ok.json", {"testpassword", kWeb3Address}},
      {"web3_spec_scrypt_exp_ok.json", {"testpassword", kWeb3Address}},
  };
  const std::map<std::string, std::string> fail_mentions = {
      {"truncated_exp_fail.json", "JSON"},
      {"garbage_exp_fail.json", "JSON"},
      {"not_object_exp_fail.json", "object"},
      {"version_2_exp_fail.json", "version"},
      {"missing_crypto_exp_fail.json", "crypto"},
      {"wrong_mac_exp_fail.json", "incorrect password"},
      {"cipher_aes_128_cbc_exp_fail.json", "aes-128-cbc"},
      {"kdf_argon2_exp_fail.json", "argon2id"},
      {"scrypt_n_not_power_of_two_exp_fail.json", "power of two"},
      {"scrypt_n_1_exp_fail.json", "power of two"},
      {"scrypt_n_negative_exp_fail.json", "negative"},
      {"scrypt_huge_n_exp_fail.json", "at most 256 MiB"},
      {"scrypt_dklen_64_exp_fail.json", "dklen"},
      {"scrypt_r_0_exp_fail.json", "kdfparams.r"},
      {"address_mismatch_exp_fail.json", "mismatch"},
      {"bad_hex_salt_exp_fail.json", "salt"},
      {"iv_short_exp_fail.json", "iv"},
      {"ciphertext_short_exp_fail.json", "ciphertext"},
      {"oversized_exp_fail.json", "at most"},
      {"pbkdf2_huge_c_exp_fail.json", "kdfparams.c"},
      {"pbkdf2_prf_md5_exp_fail.json", "hmac-md5"},
      {"bad_hex_iv_exp_fail.json", "cipherparams.iv"},
      {"bad_hex_ciphertext_exp_fail.json", "crypto.ciphertext"},
      {"mac_short_exp_fail.json", "crypto.mac"},
      {"salt_empty_exp_fail.json", "kdfparams.salt"},
      {"salt_too_long_exp_fail.json", "kdfparams.salt"},
      {"scrypt_p_0_exp_fail.json", "kdfparams.p"},
      {"scrypt_n_float_exp_fail.json", "kdfparams.n"},
      {"address_not_hex_exp_fail.json", "address"},
      {"cipherparams_missing_exp_fail.json", "cipherparams"},
  };
  std::filesystem::path dir =
      std::filesystem::path(POOLOPS_TEST_DATA_DIR) / "keystore";
  int seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::string name = entry.path().filename();
    if (entry.path().extension() != ".json") continue;
    ++seen;
    std::string text = ReadAll(entry.path());
    absl::StatusOr<Keystore> ks = ParseKeystore(text);
    if (absl::EndsWith(name, "_exp_ok.json")) {
      ASSERT_TRUE(ok.count(name)) << "fixture without expectation: " << name;
      ASSERT_TRUE(ks.ok()) << name << ": " << ks.status();
      absl::StatusOr<DecryptedKey> key =
          DecryptKeystore(*ks, ok.at(name).password);
      ASSERT_TRUE(key.ok()) << name << ": " << key.status();
      EXPECT_EQ(key->address.ToChecksum(), ok.at(name).address) << name;
      continue;
    }
    ASSERT_TRUE(absl::EndsWith(name, "_exp_fail.json")) << name;
    ASSERT_TRUE(fail_mentions.count(name))
        << "fixture without expectation: " << name;
    absl::Status status = ks.status();
    if (ks.ok()) status = DecryptKeystore(*ks, "testpassword").status();
    EXPECT_FALSE(status.ok()) << name;
    // Only a MAC mismatch is "incorrect password"; all else is bad input.
    EXPECT_EQ(status.code(), name == "wrong_mac_exp_fail.json"
                                 ? absl::StatusCode::kPermissionDenied
                                 : absl::StatusCode::kInvalidArgument)
        << name << ": " << status;
    EXPECT_TRUE(absl::StrContains(status.message(), fail_mentions.at(name)))
        << name << ": " << status;
  }
  EXPECT_EQ(seen, static_cast<int>(ok.size() + fail_mentions.size()));
}

}  // namespace
}  // namespace poolops::wallet
