#include "services/orchestrator/spec_limits.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"
#include "services/orchestrator/spec_text.h"

namespace poolops::orchestrator {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

class LimitChecker {
 public:
  explicit LimitChecker(const SpecLocations& loc) : loc_(loc) {}

  // PoolSpec has no recursive message types: the walk is as deep as it.
  void Walk(const Message& msg, const std::string& path) {
    const google::protobuf::Reflection* r = msg.GetReflection();
    std::vector<const FieldDescriptor*> fields;
    r->ListFields(msg, &fields);
    for (const FieldDescriptor* f : fields) {
      std::string field =
          path.empty() ? f->name() : absl::StrCat(path, ".", f->name());
      if (!f->is_repeated()) {
        Value(msg, f, field, -1);
        continue;
      }
      int n = r->FieldSize(msg, f);
      const bool workers = path.empty() && f->name() == "workers";
      const int max = workers ? kMaxSpecWorkers : kMaxSpecListItems;
      if (n > max) {
        Add(field, workers ? absl::StrCat(n, " workers; a pool has at most ",
                                          max, " (split it into pools)")
                           : absl::StrCat(n, " items; at most ", max));
        continue;  // nor each of them: one line says it
      }
      for (int i = 0; i < n; ++i) {
        Value(msg, f, absl::StrCat(field, "[", i, "]"), i);
      }
    }
  }

  std::vector<v1::Violation> Take() { return std::move(out_); }

 private:
  void Value(const Message& msg, const FieldDescriptor* f,
             const std::string& field, int index) {
    const google::protobuf::Reflection* r = msg.GetReflection();
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      Walk(index < 0 ? r->GetMessage(msg, f)
                     : r->GetRepeatedMessage(msg, f, index),
           field);
      return;
    }
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_STRING) return;
    std::string scratch;
    const std::string& s =
        index < 0 ? r->GetStringReference(msg, f, &scratch)
                  : r->GetRepeatedStringReference(msg, f, index, &scratch);
    if (s.size() > kMaxSpecValueBytes) {
      Add(field, absl::StrCat("a value of ", s.size(), " bytes; at most ",
                              kMaxSpecValueBytes));
    } else if (InvalidUtf8At(s) != std::string::npos) {
      Add(field, "not UTF-8 text");
    } else if (s.find('\0') != std::string::npos) {
      Add(field, "holds a NUL character");
    }
  }

  void Add(const std::string& field, const std::string& message) {
    v1::Violation* v = &out_.emplace_back();
    v->set_field(field);
    v->set_message(message);
    v->set_location(loc_.Of(field));
  }

  const SpecLocations& loc_;
  std::vector<v1::Violation> out_;
};

}  // namespace

std::vector<v1::Violation> CheckSpecLimits(const v1::PoolSpec& spec,
                                           const SpecLocations& locations) {
  LimitChecker c(locations);
  c.Walk(spec, "");
  return c.Take();
}

}  // namespace poolops::orchestrator
