#include "services/orchestrator/spec_parser.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <exception>
#include <limits>
#include <map>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"
#include "services/orchestrator/spec_text.h"

namespace poolops::orchestrator {
namespace {

using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

std::string Normalize(std::string s) {
  s = absl::AsciiStrToLower(s);
  for (char& c : s) {
    if (c == '_' || c == '.') c = '-';
  }
  return s;
}

// Bounds the document as the walk will see it, aliases expanded: the parsed
// tree shares an anchored node among its aliases (and `&a [*a]` is a
// cycle), so its size in memory says nothing about the walk's. Iterative,
// and counts before it pushes, so an alias bomb costs kMaxSpecNodes steps.
absl::Status CheckExpansion(const YAML::Node& root, const std::string& where) {
  struct Pending {
    YAML::Node node;
    int depth;
  };
  std::vector<Pending> stack;
  size_t nodes = 0, bytes = 0;
  auto push = [&](const YAML::Node& node, int depth) -> absl::Status {
    if (++nodes > kMaxSpecNodes) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": more than ", kMaxSpecNodes,
          " values once its aliases (*name) are expanded; a pool spec needs "
          "far fewer (an alias bomb?)"));
    }
    if (depth > kMaxSpecDepth) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ":", node.Mark().line + 1, ": nested more than ",
                       kMaxSpecDepth, " levels deep"));
    }
    if (node.IsScalar()) {
      bytes += node.Scalar().size();
      if (bytes > kMaxSpecExpandedBytes) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ": more than ", kMaxSpecExpandedBytes,
            " bytes of values once its aliases (*name) are expanded"));
      }
      return absl::OkStatus();
    }
    stack.push_back({node, depth});
    return absl::OkStatus();
  };
  if (absl::Status s = push(root, 1); !s.ok()) return s;
  while (!stack.empty()) {
    Pending p = std::move(stack.back());
    stack.pop_back();
    if (p.node.IsSequence()) {
      for (const YAML::Node& item : p.node) {
        if (absl::Status s = push(item, p.depth + 1); !s.ok()) return s;
      }
    } else if (p.node.IsMap()) {
      for (auto it = p.node.begin(); it != p.node.end(); ++it) {
        if (absl::Status s = push(it->first, p.depth + 1); !s.ok()) return s;
        if (absl::Status s = push(it->second, p.depth + 1); !s.ok()) return s;
      }
    }
  }
  return absl::OkStatus();
}

class Walker {
 public:
  explicit Walker(ParsedSpec* out) : out_(out) {}

  void Message(const YAML::Node& node, google::protobuf::Message* msg,
               const std::string& path) {
    const google::protobuf::Descriptor* d = msg->GetDescriptor();
    // yaml-cpp keeps every pair of a mapping, duplicates included: the
    // first key of each field, to refuse a second one.
    std::map<std::string, YAML::Mark> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
      // Copies: `it->` yields a proxy that dies with the statement.
      const YAML::Node key_node = it->first;
      const YAML::Node value = it->second;
      if (!key_node.IsScalar()) {
        Violation(path, "keys must be plain names", key_node);
        continue;
      }
      std::string key = key_node.Scalar();
      const FieldDescriptor* f = d->FindFieldByName(key);
      if (f == nullptr) f = d->FindFieldByCamelcaseName(key);
      const std::string& name = f ? f->name() : key;
      std::string field_path =
          path.empty() ? name : absl::StrCat(path, ".", name);
      if (!FirstKey(&seen, name, key, field_path, key_node)) continue;
      if (f == nullptr) {
        std::string known;
        for (int i = 0; i < d->field_count(); ++i) {
          absl::StrAppend(&known, i ? ", " : "", d->field(i)->name());
        }
        Violation(field_path, absl::StrCat("unknown field; known: ", known),
                  key_node);
        continue;
      }
      out_->locations.Set(field_path, key_node.Mark().line + 1);
      if (value.IsNull()) continue;  // `key:` with nothing: leave the default
      if (f->is_map()) {
        MapField(value, msg, f, field_path);
      } else if (f->is_repeated()) {
        if (!value.IsSequence()) {
          Violation(field_path, "expected a list", value);
          continue;
        }
        for (size_t i = 0; i < value.size(); ++i) {
          std::string item_path = absl::StrCat(field_path, "[", i, "]");
          out_->locations.Set(item_path, value[i].Mark().line + 1);
          Field(value[i], msg, f, item_path, /*repeated=*/true);
        }
      } else {
        Field(value, msg, f, field_path, /*repeated=*/false);
      }
    }
  }

  // map<string, string> (override_env): NAME: value pairs, each located so
  // that validation names its line ("override_env.core.NAME").
  void MapField(const YAML::Node& value, google::protobuf::Message* msg,
                const FieldDescriptor* f, const std::string& path) {
    if (!value.IsMap()) {
      Violation(path, "expected a mapping of NAME: value", value);
      return;
    }
    const Reflection* r = msg->GetReflection();
    std::map<std::string, YAML::Mark> seen;
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (!it->first.IsScalar() || !it->second.IsScalar()) {
        Violation(path, "expected NAME: value pairs of single values",
                  it->first);
        continue;
      }
      const std::string key = it->first.Scalar();
      std::string entry_path = absl::StrCat(path, ".", key);
      if (!FirstKey(&seen, key, key, entry_path, it->first)) continue;
      if (!ValueFits(key, entry_path, it->first) ||
          !ValueFits(it->second.Scalar(), entry_path, it->second)) {
        continue;
      }
      out_->locations.Set(entry_path, it->first.Mark().line + 1);
      google::protobuf::Message* entry = r->AddMessage(msg, f);
      const google::protobuf::Descriptor* d = entry->GetDescriptor();
      entry->GetReflection()->SetString(entry, d->map_key(), key);
      entry->GetReflection()->SetString(entry, d->map_value(),
                                        it->second.Scalar());
    }
  }

  // The count of what Violation left out, as one more violation.
  void Finish() {
    if (dropped_ == 0) return;
    v1::Violation* v = &out_->violations.emplace_back();
    v->set_message(absl::StrCat("and ", dropped_, " more problems"));
    v->set_location(out_->locations.file());
  }

 private:
  void Field(const YAML::Node& value, google::protobuf::Message* msg,
             const FieldDescriptor* f, const std::string& path, bool repeated) {
    const Reflection* r = msg->GetReflection();
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (!value.IsMap()) {
        Violation(path, "expected a mapping", value);
        return;
      }
      google::protobuf::Message* sub =
          repeated ? r->AddMessage(msg, f) : r->MutableMessage(msg, f);
      Message(value, sub, path);
      return;
    }
    if (!value.IsScalar()) {
      Violation(path, "expected a single value", value);
      return;
    }
    const std::string& text = value.Scalar();
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        if (!ValueFits(text, path, value)) return;
        repeated ? r->AddString(msg, f, text) : r->SetString(msg, f, text);
        return;
      case FieldDescriptor::CPPTYPE_BOOL: {
        std::string t = absl::AsciiStrToLower(text);
        bool b;
        if (t == "true" || t == "yes" || t == "on") {
          b = true;
        } else if (t == "false" || t == "no" || t == "off") {
          b = false;
        } else {
          Violation(path,
                    absl::StrCat("expected true or false, got '",
                                 PrintableText(text, 100), "'"),
                    value);
          return;
        }
        repeated ? r->AddBool(msg, f, b) : r->SetBool(msg, f, b);
        return;
      }
      case FieldDescriptor::CPPTYPE_UINT32: {
        uint32_t n;
        if (!absl::SimpleAtoi(text, &n)) {
          Violation(path,
                    absl::StrCat("expected a whole number >= 0, got '",
                                 PrintableText(text, 100), "'"),
                    value);
          return;
        }
        repeated ? r->AddUInt32(msg, f, n) : r->SetUInt32(msg, f, n);
        return;
      }
      case FieldDescriptor::CPPTYPE_ENUM: {
        const google::protobuf::EnumDescriptor* e = f->enum_type();
        std::string want = Normalize(text);
        std::string names;
        for (int i = 0; i < e->value_count(); ++i) {
          const EnumValueDescriptor* v = e->value(i);
          if (v->number() == 0) continue;
          std::string shortname = EnumShortName(v);
          if (Normalize(shortname) == want ||
              Normalize(shortname) == Normalize("v" + text) ||
              v->name() == text) {
            repeated ? r->AddEnumValue(msg, f, v->number())
                     : r->SetEnumValue(msg, f, v->number());
            return;
          }
          absl::StrAppend(&names, names.empty() ? "" : ", ", shortname);
        }
        Violation(path,
                  absl::StrCat("unknown value '", PrintableText(text, 100),
                               "'; expected one of: ", names),
                  value);
        return;
      }
      default:
        Violation(path, "unsupported field type", value);
    }
  }

  // False (a violation naming both lines) when `name` was a key of this
  // mapping already; JSON objects are read here too.
  bool FirstKey(std::map<std::string, YAML::Mark>* seen,
                const std::string& name, const std::string& key,
                const std::string& path, const YAML::Node& key_node) {
    auto [it, added] = seen->emplace(name, key_node.Mark());
    if (added) return true;
    const YAML::Mark& first = it->second;
    const YAML::Mark& again = key_node.Mark();
    std::string where =
        first.line == again.line
            ? absl::StrCat("line ", first.line + 1, " (columns ",
                           first.column + 1, " and ", again.column + 1, ")")
            : absl::StrCat("lines ", first.line + 1, " and ", again.line + 1);
    Violation(path,
              absl::StrCat("duplicate key '", key, "' at ", where,
                           ": write each field once"),
              key_node);
    return false;
  }

  // A string value: bounded, UTF-8 (YAML escapes such as \ud800 are not),
  // no NUL (\0 is a valid YAML escape).
  bool ValueFits(const std::string& text, const std::string& path,
                 const YAML::Node& value) {
    if (text.size() > kMaxSpecValueBytes) {
      Violation(path,
                absl::StrCat("a value of ", text.size(), " bytes; at most ",
                             kMaxSpecValueBytes),
                value);
      return false;
    }
    if (InvalidUtf8At(text) != std::string::npos) {
      Violation(path, "not UTF-8 text (check its \\u escapes)", value);
      return false;
    }
    if (text.find('\0') != std::string::npos) {
      Violation(path, "holds a NUL character", value);
      return false;
    }
    return true;
  }

  // After the first kMaxViolations, only a count: a spec of 100,000
  // unknown keys must not make a reply larger than gRPC carries.
  static constexpr size_t kMaxViolations = 200;

  void Violation(const std::string& path, const std::string& message,
                 const YAML::Node& node) {
    if (out_->violations.size() >= kMaxViolations) {
      ++dropped_;
      return;
    }
    v1::Violation* v = &out_->violations.emplace_back();
    // Keys and values of the spec are echoed: keep the reply valid UTF-8
    // (a proto3 string) and free of terminal control sequences.
    v->set_field(PrintableText(path, 512));
    v->set_message(PrintableText(message, 4096));
    const std::string& file = out_->locations.file();
    v->set_location(
        absl::StrCat(file.empty() ? "spec" : file, ":", node.Mark().line + 1));
  }

  ParsedSpec* out_;
  size_t dropped_ = 0;
};

}  // namespace

std::string SpecLocations::Of(const std::string& field) const {
  std::string f = field;
  while (!f.empty()) {
    auto it = lines_.find(f);
    if (it != lines_.end()) {
      return absl::StrCat(file_.empty() ? "spec" : file_, ":", it->second);
    }
    size_t cut = f.find_last_of(".[");
    if (cut == std::string::npos) break;
    f.resize(cut);
  }
  return file_;
}

std::string EnumShortName(const EnumValueDescriptor* value) {
  // Strip the enum's prefix (the part of the zero value before UNSPECIFIED).
  std::string zero = value->type()->value(0)->name();
  std::string prefix = zero.substr(0, zero.rfind("UNSPECIFIED"));
  std::string name = value->name();
  if (name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());
  name = absl::AsciiStrToLower(name);
  // Stack versions read "v7.1"; everything else "rev-proxy-http".
  if (value->type()->name() == "StackVersion") {
    return absl::StrReplaceAll(name, {{"_", "."}});
  }
  return absl::StrReplaceAll(name, {{"_", "-"}});
}

absl::StatusOr<ParsedSpec> ParseSpec(std::string_view text,
                                     const std::string& file) {
  ParsedSpec out;
  out.locations = SpecLocations(file);
  // Every message below starts with it: escaped once, here.
  std::string where = file.empty() ? "spec" : PrintableText(file, 512);
  if (absl::Status s = CheckSpecText(text, where); !s.ok()) return s;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::DeepRecursion& e) {
    // Its own message reads "bad file" in this yaml-cpp, and its mark is
    // where the scanner had got to, past the nesting.
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": nested more than ", e.depth(), " levels deep"));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ":", e.mark.line + 1,
                     ": not YAML/JSON: ", PrintableText(e.msg)));
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": not YAML/JSON: ", PrintableText(e.what())));
  }
  if (!root.IsMap()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": expected a mapping of pool spec fields"));
  }
  if (absl::Status s = CheckExpansion(root, where); !s.ok()) return s;
  try {
    Walker walker(&out);
    walker.Message(root, &out.spec, "");
    walker.Finish();
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ":", e.mark.line + 1, ": ", PrintableText(e.msg)));
  }
  return out;
}

}  // namespace poolops::orchestrator
