// A small JSON value type with a strict parser and a deterministic writer. Used for `go env
// -json`, --dry-run plans, --json output of every subcommand, the denial log and LSP tests.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "gopls_sandbox/core/result.hpp"

namespace gsb::json {

class Value;
using Array = std::vector<Value>;
// Objects keep insertion order (output is meant to be read by people too).
using Object = std::vector<std::pair<std::string, Value>>;

class Value {
 public:
  Value() : v_(nullptr) {}
  Value(std::nullptr_t) : v_(nullptr) {}
  Value(bool b) : v_(b) {}
  Value(int i) : v_(static_cast<int64_t>(i)) {}
  Value(long i) : v_(static_cast<int64_t>(i)) {}
  Value(long long i) : v_(static_cast<int64_t>(i)) {}
  Value(unsigned i) : v_(static_cast<int64_t>(i)) {}
  Value(unsigned long i) : v_(static_cast<int64_t>(i)) {}
  Value(unsigned long long i) : v_(static_cast<int64_t>(i)) {}
  Value(double d) : v_(d) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(std::string_view s) : v_(std::string(s)) {}
  Value(Array a) : v_(std::make_shared<Array>(std::move(a))) {}
  Value(Object o) : v_(std::make_shared<Object>(std::move(o))) {}

  bool is_null() const { return v_.index() == 0; }
  bool is_bool() const { return v_.index() == 1; }
  bool is_int() const { return v_.index() == 2; }
  bool is_number() const { return v_.index() == 2 || v_.index() == 3; }
  bool is_string() const { return v_.index() == 4; }
  bool is_array() const { return v_.index() == 5; }
  bool is_object() const { return v_.index() == 6; }

  bool as_bool(bool dflt = false) const { return is_bool() ? std::get<1>(v_) : dflt; }
  int64_t as_int(int64_t dflt = 0) const;
  double as_double(double dflt = 0) const;
  const std::string& as_string() const;  // "" when not a string
  const Array& as_array() const;         // empty when not an array
  const Object& as_object() const;       // empty when not an object
  Array& array();                        // converts null to an empty array
  Object& object();                      // converts null to an empty object

  // Object access: nullptr / null Value when missing.
  const Value* find(std::string_view key) const;
  const Value& operator[](std::string_view key) const;
  const Value& operator[](size_t i) const;
  // Object insert-or-assign (keeps first position).
  Value& set(std::string key, Value v);
  void push(Value v) { array().push_back(std::move(v)); }

  // Compact (indent < 0) or pretty.
  std::string dump(int indent = -1) const;

 private:
  void dump_to(std::string& out, int indent, int depth) const;
  std::variant<std::nullptr_t, bool, int64_t, double, std::string, std::shared_ptr<Array>,
               std::shared_ptr<Object>>
      v_;
};

// Strict RFC 8259 parse of a whole document; errors name line:col.
Result<Value> parse(std::string_view text);
// Append `s` as a JSON string literal (with quotes) to out.
void quote(std::string& out, std::string_view s);
std::string quote(std::string_view s);

// A JSON array of strings (an empty vector gives an empty array, never null).
Value string_array(const std::vector<std::string>& v);

}  // namespace gsb::json
