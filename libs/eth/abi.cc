#include "libs/eth/abi.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "absl/functional/function_ref.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/eth/keccak.h"

namespace poolops::eth::abi {
namespace {

// Type strings nest tuples and arrays; bound the recursion.
constexpr int kMaxTypeDepth = 32;
// Upper bound for a T[k] length; keeps head-size arithmetic far from overflow.
constexpr uint64_t kMaxFixedArrayLength = 1u << 20;
// Decoding may cost this many units per input byte; a value costs 32 units
// plus its payload. Every static type takes >= 32 bytes and nesting is capped
// at kMaxTypeDepth, so a canonical encoding never costs more than
// 32 * 2 * (kMaxTypeDepth + 1) units per 32-byte word, i.e. 66 per byte.
constexpr uint64_t kBudgetPerByte = 96;
// Saturation value for head sizes of absurdly large fixed arrays.
constexpr uint64_t kHugeSize = uint64_t{1} << 62;

absl::Status Bad(std::string_view what) {
  return absl::InvalidArgumentError(std::string(what));
}

// Nesting depth, counting tuples and array dimensions alike.
int TypeDepth(const Type& t) {
  int d = 0;
  for (const Type& c : t.children) d = std::max(d, TypeDepth(c));
  return d + 1;
}

// Checks a type built in code the way ParseType checks a string: bounded
// nesting and no zero-sized members (an empty tuple takes no bytes, so an
// array of them could decode to any number of values).
absl::Status CheckType(const Type& t, int depth) {
  if (depth > kMaxTypeDepth) return Bad("abi type: nested too deeply");
  if (t.kind == Type::Kind::kTuple && t.children.empty())
    return Bad("abi type: empty tuple");
  if ((t.kind == Type::Kind::kArray || t.kind == Type::Kind::kFixedArray) &&
      t.children.size() != 1)
    return Bad("abi type: array without an element type");
  if (t.kind == Type::Kind::kFixedArray &&
      (t.size < 1 || static_cast<uint64_t>(t.size) > kMaxFixedArrayLength))
    return Bad("abi type: invalid fixed array length");
  if (t.kind == Type::Kind::kFixedBytes && (t.size < 1 || t.size > 32))
    return Bad("abi type: invalid bytesN");
  if ((t.kind == Type::Kind::kUint || t.kind == Type::Kind::kInt) &&
      (t.bits < 8 || t.bits > 256 || t.bits % 8 != 0))
    return Bad("abi type: invalid integer width");
  for (const Type& c : t.children)
    if (absl::Status s = CheckType(c, depth + 1); !s.ok()) return s;
  return absl::OkStatus();
}

class TypeParser {
 public:
  explicit TypeParser(std::string_view text) : text_(text) {}

  absl::StatusOr<Type> ParseAll() {
    absl::StatusOr<Type> t = Parse(0);
    if (!t.ok()) return t;
    if (pos_ != text_.size())
      return Error(absl::StrCat("unexpected '",
                                std::string(text_.substr(pos_, 1)), "'"));
    if (TypeDepth(*t) > kMaxTypeDepth) return Error("nested too deeply");
    return t;
  }

 private:
  absl::Status Error(std::string_view why) const {
    return absl::InvalidArgumentError(
        absl::StrCat("abi type \"", std::string(text_),
                     "\": ", std::string(why), " at offset ", pos_));
  }

  absl::StatusOr<Type> Parse(int depth) {
    if (depth > kMaxTypeDepth) return Error("nested too deeply");
    Type t;
    if (pos_ < text_.size() && text_[pos_] == '(') {
      ++pos_;
      t.kind = Type::Kind::kTuple;
      // Solidity has no empty structs, and a zero-sized member would let an
      // array of them decode to any number of values.
      if (pos_ < text_.size() && text_[pos_] == ')')
        return Error("empty tuple");
      while (true) {
        absl::StatusOr<Type> member = Parse(depth + 1);
        if (!member.ok()) return member;
        t.children.push_back(*std::move(member));
        if (pos_ < text_.size() && text_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (pos_ < text_.size() && text_[pos_] == ')') {
          ++pos_;
          break;
        }
        return Error("expected ',' or ')'");
      }
    } else {
      size_t start = pos_;
      while (pos_ < text_.size() &&
             ((text_[pos_] >= 'a' && text_[pos_] <= 'z') ||
              (text_[pos_] >= '0' && text_[pos_] <= '9')))
        ++pos_;
      absl::Status s = ParseElementary(text_.substr(start, pos_ - start), t);
      if (!s.ok()) return s;
    }
    int suffixes = 0;
    while (pos_ < text_.size() && text_[pos_] == '[') {
      if (depth + ++suffixes > kMaxTypeDepth) return Error("nested too deeply");
      size_t close = text_.find(']', pos_);
      if (close == std::string_view::npos) return Error("missing ']'");
      std::string_view len = text_.substr(pos_ + 1, close - pos_ - 1);
      Type array;
      array.children.push_back(std::move(t));
      if (len.empty()) {
        array.kind = Type::Kind::kArray;
      } else {
        uint64_t k = 0;
        if (len[0] == '0' || !absl::SimpleAtoi(std::string(len), &k) ||
            len.find_first_not_of("0123456789") != std::string_view::npos ||
            k == 0 || k > kMaxFixedArrayLength)
          return Error("invalid fixed array length");
        array.kind = Type::Kind::kFixedArray;
        array.size = static_cast<int>(k);
      }
      t = std::move(array);
      pos_ = close + 1;
    }
    return t;
  }

  absl::Status ParseElementary(std::string_view name, Type& t) {
    auto sized = [&](std::string_view prefix, int& out) -> bool {
      if (name.substr(0, prefix.size()) != prefix) return false;
      std::string_view digits = name.substr(prefix.size());
      if (digits.empty()) {
        out = -1;
        return true;
      }
      int n = 0;
      if (digits[0] == '0' || !absl::SimpleAtoi(std::string(digits), &n)) {
        out = 0;
        return true;
      }
      out = n;
      return true;
    };
    int n = 0;
    if (name == "address") {
      t.kind = Type::Kind::kAddress;
    } else if (name == "bool") {
      t.kind = Type::Kind::kBool;
    } else if (name == "string") {
      t.kind = Type::Kind::kString;
    } else if (name == "bytes") {
      t.kind = Type::Kind::kBytes;
    } else if (sized("bytes", n)) {
      if (n < 1 || n > 32) return Error("bytesN needs 1 <= N <= 32");
      t.kind = Type::Kind::kFixedBytes;
      t.size = n;
    } else if (sized("uint", n) || sized("int", n)) {
      t.kind = name[0] == 'u' ? Type::Kind::kUint : Type::Kind::kInt;
      if (n == -1) n = 256;
      if (n < 8 || n > 256 || n % 8 != 0)
        return Error("integer width must be a multiple of 8 in 8..256");
      t.bits = n;
    } else {
      return Error(name.empty() ? "expected a type"
                                : absl::StrCat("unknown type \"",
                                               std::string(name), "\""));
    }
    return absl::OkStatus();
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// Bytes a value of type `t` takes in the head of its enclosing tuple.
uint64_t HeadSize(const Type& t) {
  if (t.IsDynamic()) return 32;
  switch (t.kind) {
    case Type::Kind::kFixedArray: {
      uint64_t element = HeadSize(t.children[0]);
      uint64_t count = static_cast<uint64_t>(std::max(t.size, 0));
      if (count == 0) return 0;
      return element > kHugeSize / count ? kHugeSize : element * count;
    }
    case Type::Kind::kTuple: {
      uint64_t total = 0;
      for (const Type& c : t.children)
        total = std::min(kHugeSize, total + HeadSize(c));
      return total;
    }
    default:
      return 32;
  }
}

void AppendWord(Bytes& out, const Hash32& word) {
  out.insert(out.end(), word.begin(), word.end());
}

void AppendPadded(Bytes& out, ByteView data) {
  out.insert(out.end(), data.begin(), data.end());
  out.resize(out.size() + (32 - data.size() % 32) % 32, 0);
}

// Whether the two's-complement `v` is a sign-extended `bits`-wide integer.
bool FitsSigned(const U256& v, int bits) {
  if (bits == 256) return true;
  U256 high = v >> (bits - 1);  // all-zero or all-one bits above the sign
  return high.IsZero() || high == (U256::Max() >> (bits - 1));
}

const char* KindName(const Value& v) {
  switch (v.v.index()) {
    case 0:
      return "integer";
    case 1:
      return "address";
    case 2:
      return "bool";
    case 3:
      return "bytes";
    case 4:
      return "string";
    default:
      return "list";
  }
}

absl::Status EncodeSequence(absl::FunctionRef<const Type&(size_t)> type_at,
                            const std::vector<Value>& values,
                            const std::string& path, Bytes& out);

absl::Status EncodeValue(const Type& t, const Value& v, const std::string& path,
                         Bytes& out) {
  auto mismatch = [&](std::string_view expected) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": expected ", std::string(expected), " for ",
                     t.ToString(), ", got ", KindName(v)));
  };
  switch (t.kind) {
    case Type::Kind::kUint: {
      const U256* x = std::get_if<U256>(&v.v);
      if (x == nullptr) return mismatch("integer");
      if (x->BitLength() > t.bits)
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": value does not fit in ", t.ToString()));
      AppendWord(out, x->ToBytesBE());
      return absl::OkStatus();
    }
    case Type::Kind::kInt: {
      const U256* x = std::get_if<U256>(&v.v);
      if (x == nullptr) return mismatch("integer");
      if (!FitsSigned(*x, t.bits))
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": value does not fit in ", t.ToString()));
      AppendWord(out, x->ToBytesBE());
      return absl::OkStatus();
    }
    case Type::Kind::kAddress: {
      const Address* a = std::get_if<Address>(&v.v);
      if (a == nullptr) return mismatch("address");
      Hash32 word{};
      std::memcpy(word.data() + 12, a->bytes().data(), 20);
      AppendWord(out, word);
      return absl::OkStatus();
    }
    case Type::Kind::kBool: {
      const bool* b = std::get_if<bool>(&v.v);
      if (b == nullptr) return mismatch("bool");
      AppendWord(out, U256(*b ? 1 : 0).ToBytesBE());
      return absl::OkStatus();
    }
    case Type::Kind::kFixedBytes: {
      const Bytes* b = std::get_if<Bytes>(&v.v);
      if (b == nullptr) return mismatch("bytes");
      if (b->size() != static_cast<size_t>(t.size))
        return absl::InvalidArgumentError(absl::StrCat(
            path, ": expected ", t.size, " bytes, got ", b->size()));
      AppendPadded(out, *b);
      return absl::OkStatus();
    }
    case Type::Kind::kBytes:
    case Type::Kind::kString: {
      ByteView data;
      if (t.kind == Type::Kind::kBytes) {
        const Bytes* b = std::get_if<Bytes>(&v.v);
        if (b == nullptr) return mismatch("bytes");
        data = *b;
      } else {
        const std::string* s = std::get_if<std::string>(&v.v);
        if (s == nullptr) return mismatch("string");
        data = ByteView(reinterpret_cast<const uint8_t*>(s->data()), s->size());
      }
      AppendWord(out, U256(data.size()).ToBytesBE());
      AppendPadded(out, data);
      return absl::OkStatus();
    }
    case Type::Kind::kArray:
    case Type::Kind::kFixedArray:
    case Type::Kind::kTuple: {
      const auto* items = std::get_if<std::vector<Value>>(&v.v);
      if (items == nullptr) return mismatch("list");
      if (t.kind == Type::Kind::kTuple) {
        if (items->size() != t.children.size())
          return absl::InvalidArgumentError(
              absl::StrCat(path, ": expected ", t.children.size(),
                           " tuple members, got ", items->size()));
        return EncodeSequence(
            [&](size_t i) -> const Type& { return t.children[i]; }, *items,
            path, out);
      }
      if (t.kind == Type::Kind::kFixedArray &&
          items->size() != static_cast<size_t>(t.size))
        return absl::InvalidArgumentError(absl::StrCat(
            path, ": expected ", t.size, " elements, got ", items->size()));
      if (t.kind == Type::Kind::kArray)
        AppendWord(out, U256(items->size()).ToBytesBE());
      return EncodeSequence(
          [&](size_t) -> const Type& { return t.children[0]; }, *items, path,
          out);
    }
  }
  return absl::InternalError("abi: unhandled type kind");
}

absl::Status EncodeSequence(absl::FunctionRef<const Type&(size_t)> type_at,
                            const std::vector<Value>& values,
                            const std::string& path, Bytes& out) {
  uint64_t head_size = 0;
  for (size_t i = 0; i < values.size(); ++i) head_size += HeadSize(type_at(i));
  Bytes head, tail;
  for (size_t i = 0; i < values.size(); ++i) {
    const Type& t = type_at(i);
    std::string child_path = absl::StrCat(path, "[", i, "]");
    if (t.IsDynamic()) {
      AppendWord(head, U256(head_size + tail.size()).ToBytesBE());
      if (absl::Status s = EncodeValue(t, values[i], child_path, tail); !s.ok())
        return s;
    } else {
      if (absl::Status s = EncodeValue(t, values[i], child_path, head); !s.ok())
        return s;
    }
  }
  out.insert(out.end(), head.begin(), head.end());
  out.insert(out.end(), tail.begin(), tail.end());
  return absl::OkStatus();
}

// Decodes hostile data: every read is bounds-checked, and `budget_` caps the
// total work so that aliased offsets cannot blow up memory.
class Decoder {
 public:
  // Sequences this short have their head sizes summed one by one.
  static constexpr uint64_t kMaxTupleHeads = 256;

  explicit Decoder(ByteView data)
      : data_(data),
        budget_(kBudgetPerByte * (static_cast<uint64_t>(data.size()) + 64)) {}

  absl::StatusOr<std::vector<Value>> DecodeSequence(
      absl::FunctionRef<const Type&(size_t)> type_at, uint64_t count,
      uint64_t start, int depth, const std::string& path) {
    if (depth > kMaxTypeDepth + 2) return Error(path, "nested too deeply");
    if (count > 0 && start > data_.size()) return Error(path, "past the end");
    // The heads must fit in the data. Tuples mix head sizes (sum them);
    // arrays repeat one type and may claim huge counts (divide instead).
    const uint64_t room = data_.size() - std::min<uint64_t>(start, data_.size());
    if (count > 0 && count <= kMaxTupleHeads) {
      uint64_t heads = 0;
      for (uint64_t i = 0; i < count; ++i) heads += HeadSize(type_at(i));
      if (heads > room) return Error(path, "sequence longer than the data");
    } else if (count > 0 && HeadSize(type_at(0)) > 0 &&
               count > room / HeadSize(type_at(0))) {
      return Error(path, "sequence longer than the data");
    }
    if (absl::Status s = Charge(count * 32, path); !s.ok()) return s;
    std::vector<Value> out;
    out.reserve(count);
    uint64_t pos = start;
    for (uint64_t i = 0; i < count; ++i) {
      const Type& t = type_at(i);
      std::string child_path = absl::StrCat(path, "[", i, "]");
      absl::StatusOr<Value> v;
      if (t.IsDynamic()) {
        absl::StatusOr<uint64_t> offset = ReadSize(pos, child_path);
        if (!offset.ok()) return offset.status();
        if (*offset > data_.size() - start)
          return Error(child_path, "offset out of range");
        v = DecodeValue(t, start + *offset, depth + 1, child_path);
        pos += 32;
      } else {
        v = DecodeValue(t, pos, depth + 1, child_path);
        pos += HeadSize(t);
      }
      if (!v.ok()) return v.status();
      out.push_back(*std::move(v));
    }
    return out;
  }

 private:
  static absl::Status Error(const std::string& path, std::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("abi decode ", path, ": ", std::string(why)));
  }

  absl::Status Charge(uint64_t cost, const std::string& path) {
    if (cost > budget_)
      return Error(path, "data expands beyond the size limit");
    budget_ -= cost;
    return absl::OkStatus();
  }

  absl::StatusOr<const uint8_t*> Word(uint64_t pos, const std::string& path) {
    if (pos > data_.size() || data_.size() - pos < 32)
      return Error(path, absl::StrCat("word at offset ", pos, " past the end"));
    return data_.data() + pos;
  }

  absl::StatusOr<uint64_t> ReadSize(uint64_t pos, const std::string& path) {
    absl::StatusOr<const uint8_t*> w = Word(pos, path);
    if (!w.ok()) return w.status();
    for (int i = 0; i < 24; ++i)
      if ((*w)[i] != 0) return Error(path, "offset or length too large");
    uint64_t v = 0;
    for (int i = 24; i < 32; ++i) v = v << 8 | (*w)[i];
    if (v > data_.size()) return Error(path, "offset or length too large");
    return v;
  }

  absl::StatusOr<Value> DecodeValue(const Type& t, uint64_t pos, int depth,
                                    const std::string& path) {
    if (absl::Status s = Charge(32, path); !s.ok()) return s;
    switch (t.kind) {
      case Type::Kind::kUint:
      case Type::Kind::kInt:
      case Type::Kind::kAddress:
      case Type::Kind::kBool: {
        absl::StatusOr<const uint8_t*> w = Word(pos, path);
        if (!w.ok()) return w.status();
        U256 x = *U256::FromBytesBE(ByteView(*w, 32));
        if (t.kind == Type::Kind::kUint && x.BitLength() > t.bits)
          return Error(path,
                       absl::StrCat("dirty high bits for ", t.ToString()));
        if (t.kind == Type::Kind::kInt && !FitsSigned(x, t.bits))
          return Error(path,
                       absl::StrCat("dirty high bits for ", t.ToString()));
        if (t.kind == Type::Kind::kAddress) {
          if (x.BitLength() > 160)
            return Error(path, "dirty high bits for address");
          return Value::Addr(*Address::FromBytes(ByteView(*w + 12, 20)));
        }
        if (t.kind == Type::Kind::kBool) {
          if (x.BitLength() > 1) return Error(path, "bool must be 0 or 1");
          return Value::Bool(!x.IsZero());
        }
        return Value::Uint(x);
      }
      case Type::Kind::kFixedBytes: {
        absl::StatusOr<const uint8_t*> w = Word(pos, path);
        if (!w.ok()) return w.status();
        for (int i = t.size; i < 32; ++i)
          if ((*w)[i] != 0) return Error(path, "non-zero padding");
        return Value::Blob(Bytes(*w, *w + t.size));
      }
      case Type::Kind::kBytes:
      case Type::Kind::kString: {
        absl::StatusOr<uint64_t> len = ReadSize(pos, path);
        if (!len.ok()) return len.status();
        uint64_t padded = (*len + 31) / 32 * 32;
        uint64_t begin = pos + 32;
        if (padded > data_.size() - begin)
          return Error(path, "length past the end of the data");
        if (absl::Status s = Charge(*len, path); !s.ok()) return s;
        for (uint64_t i = begin + *len; i < begin + padded; ++i)
          if (data_[i] != 0) return Error(path, "non-zero padding");
        const uint8_t* p = data_.data() + begin;
        if (t.kind == Type::Kind::kBytes)
          return Value::Blob(Bytes(p, p + *len));
        return Value::Str(std::string(reinterpret_cast<const char*>(p), *len));
      }
      case Type::Kind::kArray: {
        absl::StatusOr<uint64_t> len = ReadSize(pos, path);
        if (!len.ok()) return len.status();
        absl::StatusOr<std::vector<Value>> items =
            DecodeSequence([&](size_t) -> const Type& { return t.children[0]; },
                           *len, pos + 32, depth, path);
        if (!items.ok()) return items.status();
        return Value::List(*std::move(items));
      }
      case Type::Kind::kFixedArray:
      case Type::Kind::kTuple: {
        bool tuple = t.kind == Type::Kind::kTuple;
        absl::StatusOr<std::vector<Value>> items = DecodeSequence(
            [&](size_t i) -> const Type& {
              return tuple ? t.children[i] : t.children[0];
            },
            tuple ? t.children.size() : static_cast<uint64_t>(t.size), pos,
            depth, path);
        if (!items.ok()) return items.status();
        return Value::List(*std::move(items));
      }
    }
    return absl::InternalError("abi: unhandled type kind");
  }

  ByteView data_;
  uint64_t budget_;
};

}  // namespace

bool Type::IsDynamic() const {
  switch (kind) {
    case Kind::kBytes:
    case Kind::kString:
    case Kind::kArray:
      return true;
    case Kind::kFixedArray:
    case Kind::kTuple:
      for (const Type& c : children)
        if (c.IsDynamic()) return true;
      return false;
    default:
      return false;
  }
}

std::string Type::ToString() const {
  switch (kind) {
    case Kind::kUint:
      return absl::StrCat("uint", bits);
    case Kind::kInt:
      return absl::StrCat("int", bits);
    case Kind::kAddress:
      return "address";
    case Kind::kBool:
      return "bool";
    case Kind::kFixedBytes:
      return absl::StrCat("bytes", size);
    case Kind::kBytes:
      return "bytes";
    case Kind::kString:
      return "string";
    case Kind::kArray:
      return absl::StrCat(children[0].ToString(), "[]");
    case Kind::kFixedArray:
      return absl::StrCat(children[0].ToString(), "[", size, "]");
    case Kind::kTuple: {
      std::vector<std::string> parts;
      for (const Type& c : children) parts.push_back(c.ToString());
      return absl::StrCat("(", absl::StrJoin(parts, ","), ")");
    }
  }
  return "";
}

absl::StatusOr<Type> ParseType(std::string_view text) {
  return TypeParser(text).ParseAll();
}

absl::StatusOr<Bytes> Encode(const std::vector<Type>& types,
                             const std::vector<Value>& values) {
  if (types.size() != values.size())
    return absl::InvalidArgumentError(absl::StrCat(
        "abi encode: ", types.size(), " types but ", values.size(), " values"));
  for (const Type& t : types)
    if (absl::Status s = CheckType(t, 1); !s.ok()) return s;
  Bytes out;
  if (absl::Status s =
          EncodeSequence([&](size_t i) -> const Type& { return types[i]; },
                         values, "argument", out);
      !s.ok())
    return s;
  return out;
}

absl::StatusOr<std::vector<Value>> Decode(const std::vector<Type>& types,
                                          ByteView data) {
  for (const Type& t : types)
    if (absl::Status s = CheckType(t, 1); !s.ok()) return s;
  return Decoder(data).DecodeSequence(
      [&](size_t i) -> const Type& { return types[i]; }, types.size(), 0, 0,
      "argument");
}

std::array<uint8_t, 4> Selector(std::string_view signature) {
  Hash32 h = Keccak(signature);
  return {h[0], h[1], h[2], h[3]};
}

absl::StatusOr<Bytes> EncodeCall(std::string_view signature,
                                 const std::vector<Value>& values) {
  size_t paren = signature.find('(');
  if (paren == 0 || paren == std::string_view::npos)
    return absl::InvalidArgumentError(absl::StrCat("abi signature \"",
                                                   std::string(signature),
                                                   "\": expected name(types)"));
  std::string_view name = signature.substr(0, paren);
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'))
      return absl::InvalidArgumentError(
          absl::StrCat("abi signature \"", std::string(signature),
                       "\": invalid function name"));
  std::string_view arg_text = signature.substr(paren);
  // "f()" has no arguments; ParseType refuses empty tuples as values.
  Type no_args;
  no_args.kind = Type::Kind::kTuple;
  absl::StatusOr<Type> args = arg_text == "()" ? no_args : ParseType(arg_text);
  if (!args.ok()) return args.status();
  if (args->kind != Type::Kind::kTuple)
    return absl::InvalidArgumentError(absl::StrCat("abi signature \"",
                                                   std::string(signature),
                                                   "\": expected name(types)"));
  // The selector hashes the canonical form ("uint" -> "uint256").
  std::array<uint8_t, 4> selector =
      Selector(absl::StrCat(std::string(name), args->ToString()));
  absl::StatusOr<Bytes> body = Encode(args->children, values);
  if (!body.ok()) return body.status();
  Bytes out(selector.begin(), selector.end());
  out.insert(out.end(), body->begin(), body->end());
  return out;
}

}  // namespace poolops::eth::abi
