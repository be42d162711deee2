#include "gopls_sandbox/core/json.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace gsb::json {

namespace {
const std::string kEmptyString;
const Array kEmptyArray;
const Object kEmptyObject;
const Value kNull;
}  // namespace

int64_t Value::as_int(int64_t dflt) const {
  if (v_.index() == 2) return std::get<2>(v_);
  if (v_.index() == 3) return static_cast<int64_t>(std::get<3>(v_));
  return dflt;
}
double Value::as_double(double dflt) const {
  if (v_.index() == 2) return static_cast<double>(std::get<2>(v_));
  if (v_.index() == 3) return std::get<3>(v_);
  return dflt;
}
const std::string& Value::as_string() const { return is_string() ? std::get<4>(v_) : kEmptyString; }
const Array& Value::as_array() const { return is_array() ? *std::get<5>(v_) : kEmptyArray; }
const Object& Value::as_object() const { return is_object() ? *std::get<6>(v_) : kEmptyObject; }
Array& Value::array() {
  if (!is_array()) v_ = std::make_shared<Array>();
  return *std::get<5>(v_);
}
Object& Value::object() {
  if (!is_object()) v_ = std::make_shared<Object>();
  return *std::get<6>(v_);
}
const Value* Value::find(std::string_view key) const {
  if (!is_object()) return nullptr;
  for (const auto& [k, v] : *std::get<6>(v_))
    if (k == key) return &v;
  return nullptr;
}
const Value& Value::operator[](std::string_view key) const {
  const Value* v = find(key);
  return v ? *v : kNull;
}
const Value& Value::operator[](size_t i) const {
  const Array& a = as_array();
  return i < a.size() ? a[i] : kNull;
}
Value& Value::set(std::string key, Value v) {
  Object& o = object();
  for (auto& [k, old] : o)
    if (k == key) {
      old = std::move(v);
      return old;
    }
  o.emplace_back(std::move(key), std::move(v));
  return o.back().second;
}

namespace {
// End of the run of characters from i on that need no escaping in a JSON string (neither '"',
// '\\' nor a control character): such runs are copied at once by quote() and the parser.
size_t plain_run_end(std::string_view s, size_t i) {
  while (i < s.size()) {
    unsigned char u = static_cast<unsigned char>(s[i]);
    if (u == '"' || u == '\\' || u < 0x20) break;
    ++i;
  }
  return i;
}
}  // namespace

void quote(std::string& out, std::string_view s) {
  out.push_back('"');
  for (size_t i = 0; i < s.size();) {
    size_t run = plain_run_end(s, i);
    if (run != i) {
      out.append(s.data() + i, run - i);
      i = run;
      continue;
    }
    unsigned char c = static_cast<unsigned char>(s[i++]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}
Value string_array(const std::vector<std::string>& v) {
  Array a;
  a.reserve(v.size());
  for (const auto& s : v) a.emplace_back(s);
  return Value(std::move(a));
}

std::string quote(std::string_view s) {
  std::string out;
  quote(out, s);
  return out;
}

void Value::dump_to(std::string& out, int indent, int depth) const {
  auto newline = [&](int d) {
    if (indent < 0) return;
    out.push_back('\n');
    out.append(static_cast<size_t>(indent * d), ' ');
  };
  switch (v_.index()) {
    case 0: out += "null"; break;
    case 1: out += std::get<1>(v_) ? "true" : "false"; break;
    case 2: out += std::to_string(std::get<2>(v_)); break;
    case 3: {
      double d = std::get<3>(v_);
      if (!std::isfinite(d)) {
        out += "null";
        break;
      }
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, d);
      out.append(buf, r.ptr);
      break;
    }
    case 4: quote(out, std::get<4>(v_)); break;
    case 5: {
      const Array& a = *std::get<5>(v_);
      out.push_back('[');
      for (size_t i = 0; i < a.size(); ++i) {
        if (i) out.push_back(',');
        newline(depth + 1);
        a[i].dump_to(out, indent, depth + 1);
      }
      if (!a.empty()) newline(depth);
      out.push_back(']');
      break;
    }
    case 6: {
      const Object& o = *std::get<6>(v_);
      out.push_back('{');
      for (size_t i = 0; i < o.size(); ++i) {
        if (i) out.push_back(',');
        newline(depth + 1);
        quote(out, o[i].first);
        out.push_back(':');
        if (indent >= 0) out.push_back(' ');
        o[i].second.dump_to(out, indent, depth + 1);
      }
      if (!o.empty()) newline(depth);
      out.push_back('}');
      break;
    }
  }
}

std::string Value::dump(int indent) const {
  std::string out;
  dump_to(out, indent, 0);
  return out;
}

namespace {

class Parser {
 public:
  explicit Parser(std::string_view t) : t_(t) {}

  Result<Value> document() {
    skip_ws();
    Value v;
    if (!value(v, 0)) return fail();
    skip_ws();
    if (p_ != t_.size()) {
      err_ = "trailing characters after the JSON value";
      return fail();
    }
    return v;
  }

 private:
  Error fail() {
    size_t line = 1, col = 1;
    for (size_t i = 0; i < p_ && i < t_.size(); ++i) {
      if (t_[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    return Error::usage("JSON " + std::to_string(line) + ":" + std::to_string(col) + ": " + err_);
  }
  void skip_ws() {
    while (p_ < t_.size() && (t_[p_] == ' ' || t_[p_] == '\t' || t_[p_] == '\n' || t_[p_] == '\r')) ++p_;
  }
  bool lit(std::string_view w) {
    if (t_.substr(p_, w.size()) == w) {
      p_ += w.size();
      return true;
    }
    err_ = "invalid literal";
    return false;
  }
  bool value(Value& out, int depth) {
    if (depth > 512) {
      err_ = "nesting too deep";
      return false;
    }
    if (p_ >= t_.size()) {
      err_ = "unexpected end of input";
      return false;
    }
    char c = t_[p_];
    switch (c) {
      case 'n': out = nullptr; return lit("null");
      case 't': out = true; return lit("true");
      case 'f': out = false; return lit("false");
      case '"': {
        std::string s;
        if (!string(s)) return false;
        out = std::move(s);
        return true;
      }
      case '[': {
        ++p_;
        Array a;
        skip_ws();
        if (p_ < t_.size() && t_[p_] == ']') {
          ++p_;
          out = std::move(a);
          return true;
        }
        for (;;) {
          skip_ws();
          Value v;
          if (!value(v, depth + 1)) return false;
          a.push_back(std::move(v));
          skip_ws();
          if (p_ < t_.size() && t_[p_] == ',') {
            ++p_;
            continue;
          }
          if (p_ < t_.size() && t_[p_] == ']') {
            ++p_;
            out = std::move(a);
            return true;
          }
          err_ = "expected ',' or ']'";
          return false;
        }
      }
      case '{': {
        ++p_;
        Object o;
        skip_ws();
        if (p_ < t_.size() && t_[p_] == '}') {
          ++p_;
          out = std::move(o);
          return true;
        }
        for (;;) {
          skip_ws();
          if (p_ >= t_.size() || t_[p_] != '"') {
            err_ = "expected a string key";
            return false;
          }
          std::string k;
          if (!string(k)) return false;
          skip_ws();
          if (p_ >= t_.size() || t_[p_] != ':') {
            err_ = "expected ':'";
            return false;
          }
          ++p_;
          skip_ws();
          Value v;
          if (!value(v, depth + 1)) return false;
          o.emplace_back(std::move(k), std::move(v));
          skip_ws();
          if (p_ < t_.size() && t_[p_] == ',') {
            ++p_;
            continue;
          }
          if (p_ < t_.size() && t_[p_] == '}') {
            ++p_;
            out = std::move(o);
            return true;
          }
          err_ = "expected ',' or '}'";
          return false;
        }
      }
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return number(out);
        err_ = "unexpected character";
        return false;
    }
  }
  static void utf8(std::string& s, uint32_t cp) {
    if (cp < 0x80) {
      s.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      s.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      s.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      s.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  bool hex4(uint32_t& v) {
    if (p_ + 4 > t_.size()) {
      err_ = "short \\u escape";
      return false;
    }
    v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = t_[p_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<uint32_t>(c - 'A' + 10);
      else {
        err_ = "bad hex digit in \\u escape";
        return false;
      }
    }
    return true;
  }
  bool string(std::string& s) {
    ++p_;  // opening quote
    for (;;) {
      if (p_ >= t_.size()) {
        err_ = "unterminated string";
        return false;
      }
      size_t run = plain_run_end(t_, p_);  // long strings dominate parse time otherwise
      if (run != p_) {
        s.append(t_.data() + p_, run - p_);
        p_ = run;
        continue;
      }
      char c = t_[p_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) {
        --p_;
        err_ = "control character in string";
        return false;
      }
      if (p_ >= t_.size()) {
        err_ = "unterminated escape";
        return false;
      }
      char e = t_[p_++];
      switch (e) {
        case '"': s.push_back('"'); break;
        case '\\': s.push_back('\\'); break;
        case '/': s.push_back('/'); break;
        case 'b': s.push_back('\b'); break;
        case 'f': s.push_back('\f'); break;
        case 'n': s.push_back('\n'); break;
        case 'r': s.push_back('\r'); break;
        case 't': s.push_back('\t'); break;
        case 'u': {
          uint32_t cp;
          if (!hex4(cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00 && t_.substr(p_, 2) == "\\u") {
            p_ += 2;
            uint32_t lo;
            if (!hex4(lo)) return false;
            if (lo >= 0xDC00 && lo < 0xE000) cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            else cp = 0xFFFD;
          } else if (cp >= 0xD800 && cp < 0xE000) {
            cp = 0xFFFD;
          }
          utf8(s, cp);
          break;
        }
        default:
          --p_;
          err_ = "invalid escape";
          return false;
      }
    }
  }
  bool number(Value& out) {
    size_t start = p_;
    if (t_[p_] == '-') ++p_;
    auto digits = [&] {
      size_t d = p_;
      while (p_ < t_.size() && t_[p_] >= '0' && t_[p_] <= '9') ++p_;
      return p_ - d;
    };
    if (p_ < t_.size() && t_[p_] == '0') ++p_;
    else if (digits() == 0) {
      err_ = "invalid number";
      return false;
    }
    bool integral = true;
    if (p_ < t_.size() && t_[p_] == '.') {
      ++p_;
      integral = false;
      if (digits() == 0) {
        err_ = "invalid number";
        return false;
      }
    }
    if (p_ < t_.size() && (t_[p_] == 'e' || t_[p_] == 'E')) {
      ++p_;
      integral = false;
      if (p_ < t_.size() && (t_[p_] == '+' || t_[p_] == '-')) ++p_;
      if (digits() == 0) {
        err_ = "invalid number";
        return false;
      }
    }
    std::string_view num = t_.substr(start, p_ - start);
    if (integral) {
      int64_t v = 0;
      auto r = std::from_chars(num.data(), num.data() + num.size(), v);
      if (r.ec == std::errc() && r.ptr == num.data() + num.size()) {
        out = v;
        return true;
      }
    }
    std::string tmp(num);
    out = std::strtod(tmp.c_str(), nullptr);
    return true;
  }

  std::string_view t_;
  size_t p_ = 0;
  std::string err_;
};

}  // namespace

Result<Value> parse(std::string_view text) { return Parser(text).document(); }

}  // namespace gsb::json
