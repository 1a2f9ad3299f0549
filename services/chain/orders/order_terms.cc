#include "services/chain/orders/order_terms.h"

#include <array>
#include <tuple>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/eth/address.h"
#include "libs/eth/hex.h"

namespace poolops::chain {
namespace {

struct TagBit {
  const char* name;
  int bit;
};
constexpr std::array<TagBit, 5> kTagBits = {
    {{"tee", 0}, {"scone", 1}, {"gramine", 2}, {"tdx", 3}, {"gpu", 8}}};
constexpr int kTee = 0;
constexpr int kScone = 1;
constexpr int kGramine = 2;
constexpr int kTdx = 3;
constexpr std::array<int, 3> kFrameworks = {kScone, kGramine, kTdx};

bool BitSet(const eth::Bytes& tag, int bit) {
  return (tag[31 - bit / 8] >> (bit % 8)) & 1;
}

absl::Status CheckTeeRules(const eth::Bytes& tag) {
  int frameworks = 0;
  for (int f : kFrameworks) frameworks += BitSet(tag, f) ? 1 : 0;
  bool tee = BitSet(tag, kTee);
  if (frameworks > 1)
    return absl::InvalidArgumentError(
        "tag: tee frameworks are exclusive (scone, gramine or tdx, not "
        "several)");
  if (tee && frameworks == 0)
    return absl::InvalidArgumentError(
        "tag: 'tee' must be used with a tee framework (scone, gramine or tdx)");
  if (!tee && frameworks == 1)
    return absl::InvalidArgumentError(
        "tag: a tee framework (scone, gramine or tdx) must be used with "
        "'tee'");
  return absl::OkStatus();
}

bool IsBytes32Hex(std::string_view s) {
  if (s.size() != 66 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
    return false;
  for (char c : s.substr(2))
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

absl::StatusOr<uint64_t> NumberField(const std::string& text,
                                     const std::string& field,
                                     uint64_t fallback, uint64_t min) {
  std::string t(absl::StripAsciiWhitespace(text));
  if (t.empty()) return fallback;
  uint64_t v = 0;
  bool digits = !t.empty() && t.size() <= 20;
  for (char c : t) digits = digits && absl::ascii_isdigit(c);
  if (!digits || !absl::SimpleAtoi(t, &v) || v > kMaxOrderNumber)
    return absl::InvalidArgumentError(
        absl::StrCat(field, " \"", t, "\" is not a whole number between ", min,
                     " and ", kMaxOrderNumber));
  if (v < min)
    return absl::InvalidArgumentError(absl::StrCat(
        field, " must be greater than or equal to ", min, " (got ", t, ")"));
  return v;
}

absl::StatusOr<eth::Address> AddressField(const std::string& text,
                                          const std::string& field,
                                          bool required) {
  std::string t(absl::StripAsciiWhitespace(text));
  if (t.empty()) {
    if (required)
      return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
    return eth::Address();
  }
  return eth::Address::Parse(t, field);
}

}  // namespace

absl::StatusOr<std::string> EncodeTag(std::string_view tag) {
  std::string text(absl::StripAsciiWhitespace(std::string(tag)));
  eth::Bytes bits(32, 0);
  if (text.empty()) return eth::ToHex(bits);
  if (IsBytes32Hex(text)) {
    bits = *eth::FromHexFixed(text, 32, "tag");
  } else if (absl::StartsWith(text, "0x") || absl::StartsWith(text, "0X")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tag \"", text, "\" is not a bytes32 hex (0x + 64 hex digits)"));
  } else {
    for (absl::string_view raw : absl::StrSplit(text, ',')) {
      std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(raw));
      if (name.empty()) continue;
      const TagBit* found = nullptr;
      for (const TagBit& b : kTagBits)
        if (name == b.name) found = &b;
      if (found == nullptr)
        return absl::InvalidArgumentError(absl::StrCat(
            "tag: unknown tag \"", name,
            "\" (known: tee, scone, gramine, tdx, gpu; or a bytes32 hex)"));
      bits[31 - found->bit / 8] |= uint8_t(1u << (found->bit % 8));
    }
  }
  if (absl::Status s = CheckTeeRules(bits); !s.ok()) return s;
  return eth::ToHex(bits);
}

std::string DescribeTag(std::string_view tag_hex) {
  absl::StatusOr<eth::Bytes> bits = eth::FromHexFixed(tag_hex, 32, "tag");
  if (!bits.ok()) return std::string(tag_hex);
  std::vector<std::string> names;
  for (int bit = 0; bit < 256; ++bit) {
    if (!BitSet(*bits, bit)) continue;
    std::string name = absl::StrCat("bit", bit);
    for (const TagBit& b : kTagBits)
      if (b.bit == bit) name = b.name;
    names.push_back(name);
  }
  return absl::StrJoin(names, ",");
}

bool TagHasTeeBits(std::string_view tag_hex) {
  absl::StatusOr<eth::Bytes> bits = eth::FromHexFixed(tag_hex, 32, "tag");
  // Not a bytes32: the order's own validation says so, not this rule.
  return bits.ok() && ((*bits)[31] & 0x0f) != 0;
}

absl::Status CheckTagOnChain(std::string_view tag_hex, uint64_t trust,
                             PocoGeneration generation,
                             const eth::Address& hub) {
  if (generation != PocoGeneration::kPoco6) return absl::OkStatus();
  absl::StatusOr<eth::Bytes> bits = eth::FromHexFixed(tag_hex, 32, "tag");
  if (!bits.ok()) return bits.status();
  const std::string chain =
      absl::StrCat("iExec v9 / PoCo 6 chains (hub ", hub.ToChecksum(),
                   " is a PoCo 6 Diamond)");
  if (BitSet(*bits, kScone) || BitSet(*bits, kGramine))
    return absl::InvalidArgumentError(absl::StrCat(
        "tag ", DescribeTag(tag_hex), ": SGX (scone, gramine) is gone from ",
        chain, "; use tee,tdx (", kTdxTag,
        ") for TDX or no tag for standard orders"));
  if (BitSet(*bits, kTdx) && trust == 0)
    return absl::InvalidArgumentError(
        absl::StrCat("tag ", DescribeTag(tag_hex),
                     " with trust 0: TDX orders need trust >= 1 on ", chain,
                     "; set trust to 1 or more"));
  return absl::OkStatus();
}

absl::StatusOr<std::string> NewSalt(Random* random) {
  std::array<uint8_t, 32> salt{};
  if (absl::Status s = random->Fill(absl::MakeSpan(salt)); !s.ok()) return s;
  return eth::ToHex(salt);
}

absl::StatusOr<iexec::WorkerpoolOrder> BuildWorkerpoolOrder(
    const OrderTermsInput& terms, Random* random) {
  iexec::WorkerpoolOrder order;
  absl::StatusOr<eth::Address> workerpool =
      AddressField(terms.workerpool, "workerpool", true);
  if (!workerpool.ok()) return workerpool.status();
  order.workerpool = *workerpool;

  std::string price(absl::StripAsciiWhitespace(terms.price));
  if (!price.empty()) {
    absl::StatusOr<eth::U256> nrlc =
        eth::ParseAmount(price, terms.price_unit, eth::Unit::kNRlc);
    if (!nrlc.ok())
      return absl::InvalidArgumentError(absl::StrCat(
          "workerpoolprice \"", price, " ", eth::UnitName(terms.price_unit),
          "\": ", nrlc.status().message()));
    if (!nrlc->FitsUint64() || nrlc->low64() > kMaxOrderNumber)
      return absl::InvalidArgumentError(absl::StrCat(
          "workerpoolprice ", nrlc->ToDecimal(), " nRLC is above the market's ",
          kMaxOrderNumber, " nRLC"));
    order.workerpoolprice = nrlc->low64();
  }
  absl::StatusOr<uint64_t> volume = NumberField(terms.volume, "volume", 1, 1);
  if (!volume.ok()) return volume.status();
  order.volume = *volume;
  absl::StatusOr<uint64_t> category =
      NumberField(terms.category, "category", 0, 0);
  if (!category.ok()) return category.status();
  order.category = *category;
  absl::StatusOr<uint64_t> trust = NumberField(terms.trust, "trust", 0, 0);
  if (!trust.ok()) return trust.status();
  order.trust = *trust;
  absl::StatusOr<std::string> tag = EncodeTag(terms.tag);
  if (!tag.ok()) return tag.status();
  order.tag = *tag;
  for (auto [text, field, to] :
       {std::tuple{&terms.app_restrict, "apprestrict", &order.apprestrict},
        std::tuple{&terms.dataset_restrict, "datasetrestrict",
                   &order.datasetrestrict},
        std::tuple{&terms.requester_restrict, "requesterrestrict",
                   &order.requesterrestrict}}) {
    absl::StatusOr<eth::Address> a = AddressField(*text, field, false);
    if (!a.ok()) return a.status();
    *to = *a;
  }
  absl::StatusOr<std::string> salt = NewSalt(random);
  if (!salt.ok()) return salt.status();
  order.salt = *salt;
  return order;
}

eth::U256 StakePerTask(uint64_t workerpoolprice) {
  return eth::U256(workerpoolprice) * eth::U256(30) / eth::U256(100);
}

}  // namespace poolops::chain
