#include "libs/eth/rlp.h"

#include "absl/strings/str_cat.h"

namespace poolops::eth::rlp {
namespace {

// Prefix for a payload of `length` bytes: `short_base` + length below 56,
// otherwise `short_base` + 55 + length-of-length followed by the length.
void AppendHeader(Bytes& out, size_t length, uint8_t short_base) {
  if (length < 56) {
    out.push_back(static_cast<uint8_t>(short_base + length));
    return;
  }
  uint8_t be[sizeof(size_t)];
  int n = 0;
  for (size_t v = length; v != 0; v >>= 8) be[n++] = static_cast<uint8_t>(v);
  out.push_back(static_cast<uint8_t>(short_base + 55 + n));
  while (n > 0) out.push_back(be[--n]);
}

absl::Status Error(size_t offset, std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("rlp: ", std::string(what), " at offset ", offset));
}

struct Decoder {
  ByteView data;
  int max_depth;

  // Decodes the item starting at `pos` that must end at or before `end`;
  // advances `pos` past it.
  absl::Status DecodeItem(size_t& pos, size_t end, int depth, Item& out) {
    if (pos >= end) return Error(pos, "truncated item");
    size_t start = pos;
    uint8_t prefix = data[pos++];
    if (prefix < 0x80) {
      out.bytes.assign(1, prefix);
      return absl::OkStatus();
    }
    bool is_list = prefix >= 0xc0;
    uint8_t base = is_list ? 0xc0 : 0x80;
    size_t length;
    if (prefix - base < 56) {
      length = prefix - base;
    } else {
      size_t len_of_len = prefix - base - 55;
      if (len_of_len > end - pos) return Error(start, "truncated length");
      if (data[pos] == 0) return Error(start, "length with leading zero");
      if (len_of_len > sizeof(size_t)) return Error(start, "length too large");
      length = 0;
      for (size_t i = 0; i < len_of_len; ++i)
        length = length << 8 | data[pos++];
      if (length < 56) return Error(start, "long form for a short length");
    }
    if (length > end - pos) return Error(start, "truncated payload");
    size_t payload_end = pos + length;
    out.is_list = is_list;
    if (!is_list) {
      if (length == 1 && data[pos] < 0x80)
        return Error(start, "single byte below 0x80 must not be prefixed");
      out.bytes.assign(data.begin() + pos, data.begin() + payload_end);
      pos = payload_end;
      return absl::OkStatus();
    }
    if (depth >= max_depth) return Error(start, "nesting too deep");
    while (pos < payload_end) {
      out.items.emplace_back();
      if (absl::Status s =
              DecodeItem(pos, payload_end, depth + 1, out.items.back());
          !s.ok())
        return s;
    }
    return absl::OkStatus();
  }
};

}  // namespace

void AppendBytes(Bytes& out, ByteView data) {
  if (data.size() == 1 && data[0] < 0x80) {
    out.push_back(data[0]);
    return;
  }
  AppendHeader(out, data.size(), 0x80);
  out.insert(out.end(), data.begin(), data.end());
}

void AppendUint(Bytes& out, const U256& value) {
  Hash32 be = value.ToBytesBE();
  size_t skip = 0;
  while (skip < be.size() && be[skip] == 0) ++skip;
  AppendBytes(out, ByteView(be.data() + skip, be.size() - skip));
}

void AppendListHeader(Bytes& out, size_t payload_size) {
  AppendHeader(out, payload_size, 0xc0);
}

Bytes EncodeBytes(ByteView data) {
  Bytes out;
  AppendBytes(out, data);
  return out;
}

Bytes EncodeUint(const U256& value) {
  Bytes out;
  AppendUint(out, value);
  return out;
}

Bytes EncodeList(const std::vector<Bytes>& encoded_items) {
  size_t total = 0;
  for (const Bytes& b : encoded_items) total += b.size();
  Bytes out;
  out.reserve(total + 9);
  AppendListHeader(out, total);
  for (const Bytes& b : encoded_items)
    out.insert(out.end(), b.begin(), b.end());
  return out;
}

Bytes Encode(const Item& item) {
  if (!item.is_list) return EncodeBytes(item.bytes);
  std::vector<Bytes> parts;
  parts.reserve(item.items.size());
  for (const Item& child : item.items) parts.push_back(Encode(child));
  return EncodeList(parts);
}

absl::StatusOr<Item> Decode(ByteView data, int max_depth) {
  Decoder decoder{data, max_depth};
  Item out;
  size_t pos = 0;
  if (absl::Status s = decoder.DecodeItem(pos, data.size(), 0, out); !s.ok())
    return s;
  if (pos != data.size()) return Error(pos, "trailing bytes");
  return out;
}

absl::StatusOr<U256> ToUint(const Item& item, std::string_view what) {
  if (item.is_list)
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(what), ": expected an integer, got a list"));
  if (!item.bytes.empty() && item.bytes[0] == 0)
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(what), ": integer with leading zero"));
  if (item.bytes.size() > 32)
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(what), ": integer longer than 32 bytes"));
  return U256::FromBytesBE(item.bytes);
}

}  // namespace poolops::eth::rlp
