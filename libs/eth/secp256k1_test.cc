#include "libs/eth/secp256k1.h"

#include "gtest/gtest.h"
#include "libs/eth/hex.h"
#include "libs/eth/keccak.h"

namespace poolops::eth {
namespace {

Bytes Key(std::string_view hex) { return *FromHexFixed(hex, 32); }

TEST(Secp256k1Test, PrivateKeyOneAddress) {
  Bytes one(32, 0);
  one[31] = 1;
  EXPECT_EQ(AddressOf(one)->ToChecksum(),
            "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf");
  Bytes pub = *PublicKeyOf(one);
  // The generator point G.
  EXPECT_EQ(ToHex(pub, false),
            "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
            "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8");
  EXPECT_EQ(AddressOfPublicKey(pub), *AddressOf(one));
}

TEST(Secp256k1Test, KnownAddresses) {
  EXPECT_EQ(AddressOf(Key("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412"
                          "f4603b6b78690d"))
                ->ToChecksum(),
            "0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
  EXPECT_EQ(AddressOf(Key("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae4"
                          "68d01a3f362318"))
                ->ToChecksum(),
            "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");
}

TEST(Secp256k1Test, InvalidKeysRejected) {
  EXPECT_FALSE(ValidatePrivateKey(Bytes(32, 0)).ok());
  EXPECT_FALSE(ValidatePrivateKey(Bytes(31, 1)).ok());
  EXPECT_FALSE(ValidatePrivateKey(Bytes(32, 0xff)).ok());  // >= n
  EXPECT_FALSE(ValidatePrivateKey(Key("fffffffffffffffffffffffffffffffebaaedce6"
                                      "af48a03bbfd25e8cd0364141"))
                   .ok());  // exactly n
  EXPECT_TRUE(ValidatePrivateKey(Key("fffffffffffffffffffffffffffffffebaaedce6a"
                                     "f48a03bbfd25e8cd0364140"))
                  .ok());
  EXPECT_FALSE(SignDigest(Bytes(32, 0), Hash32{}).ok());
  EXPECT_FALSE(AddressOf(Bytes(3, 1)).ok());
}

TEST(Secp256k1Test, SignRecoverRoundTripAndLowS) {
  Bytes key =
      Key("0x4646464646464646464646464646464646464646464646464646464646464646");
  Address signer = *AddressOf(key);
  for (int i = 0; i < 20; ++i) {
    Hash32 digest = Keccak(std::string(i, 'x'));
    RecoverableSignature sig = *SignDigest(key, digest);
    EXPECT_LT(sig.s[0], 0x80);  // low-s
    Bytes rsv = sig.ToRsv();
    ASSERT_EQ(rsv.size(), 65u);
    EXPECT_TRUE(rsv[64] == 27 || rsv[64] == 28);
    EXPECT_EQ(*RecoverAddress(digest, rsv), signer);
    rsv[64] -= 27;  // v in {0, 1} also accepted
    EXPECT_EQ(*RecoverAddress(digest, rsv), signer);
    // Deterministic (RFC 6979).
    EXPECT_EQ(SignDigest(key, digest)->ToRsv(), sig.ToRsv());
  }
}

TEST(Secp256k1Test, RecoverRejectsMalformedSignatures) {
  Hash32 digest = Keccak(std::string_view("x"));
  Bytes key(32, 7);
  Bytes rsv = SignDigest(key, digest)->ToRsv();
  EXPECT_FALSE(RecoverAddress(digest, Bytes(64)).ok());
  Bytes bad_v = rsv;
  bad_v[64] = 29;
  EXPECT_FALSE(RecoverAddress(digest, bad_v).ok());
  Bytes zero(65, 0);
  zero[64] = 27;
  EXPECT_FALSE(RecoverAddress(digest, zero).ok());
  Bytes overflow(65, 0xff);
  overflow[64] = 27;
  EXPECT_FALSE(RecoverAddress(digest, overflow).ok());
  // A different digest recovers a different (valid) address, never the signer.
  EXPECT_NE(*RecoverAddress(Keccak(std::string_view("y")), rsv),
            *AddressOf(key));
}

}  // namespace
}  // namespace poolops::eth
