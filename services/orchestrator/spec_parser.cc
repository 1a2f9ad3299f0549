#include "services/orchestrator/spec_parser.h"

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"

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

class Walker {
 public:
  explicit Walker(ParsedSpec* out) : out_(out) {}

  void Message(const YAML::Node& node, google::protobuf::Message* msg,
               const std::string& path) {
    const google::protobuf::Descriptor* d = msg->GetDescriptor();
    for (auto it = node.begin(); it != node.end(); ++it) {
      const YAML::Node& key_node = it->first;
      const YAML::Node& value = it->second;
      if (!key_node.IsScalar()) {
        Violation(path, "keys must be plain names", key_node);
        continue;
      }
      std::string key = key_node.Scalar();
      const FieldDescriptor* f = d->FindFieldByName(key);
      if (f == nullptr) f = d->FindFieldByCamelcaseName(key);
      std::string field_path = path.empty() ? key : absl::StrCat(path, ".", key);
      if (f == nullptr) {
        std::string known;
        for (int i = 0; i < d->field_count(); ++i) {
          absl::StrAppend(&known, i ? ", " : "", d->field(i)->name());
        }
        Violation(field_path, absl::StrCat("unknown field; known: ", known),
                  key_node);
        continue;
      }
      field_path = path.empty() ? f->name() : absl::StrCat(path, ".", f->name());
      out_->locations.Set(field_path, key_node.Mark().line + 1);
      if (value.IsNull()) continue;  // `key:` with nothing: leave the default
      if (f->is_repeated()) {
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
          Violation(path, absl::StrCat("expected true or false, got '", text, "'"),
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
                    absl::StrCat("expected a whole number >= 0, got '", text, "'"),
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
                  absl::StrCat("unknown value '", text, "'; expected one of: ",
                               names),
                  value);
        return;
      }
      default:
        Violation(path, "unsupported field type", value);
    }
  }

  void Violation(const std::string& path, const std::string& message,
                 const YAML::Node& node) {
    v1::Violation* v = &out_->violations.emplace_back();
    v->set_field(path);
    v->set_message(message);
    const std::string& file = out_->locations.file();
    v->set_location(absl::StrCat(file.empty() ? "spec" : file, ":",
                                 node.Mark().line + 1));
  }

  ParsedSpec* out_;
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
  std::string where = file.empty() ? "spec" : file;
  if (text.size() > (4 << 20)) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": larger than 4 MiB"));
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ":", e.mark.line + 1, ": not YAML/JSON: ", e.msg));
  }
  if (!root.IsMap()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": expected a mapping of pool spec fields"));
  }
  try {
    Walker(&out).Message(root, &out.spec, "");
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ":", e.mark.line + 1, ": ", e.msg));
  }
  return out;
}

}  // namespace poolops::orchestrator
