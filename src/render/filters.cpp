// The standard filters, with Shopify Liquid's semantics except where
// docs/personalization.md ("Differences from Shopify Liquid") says otherwise.
#include "render/filters.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <unordered_set>
#include <vector>

namespace overture::render {
namespace {

using Args = std::span<const Value* const>;

bool IsSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
char Upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }
char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

const Value* Opt(Args args, std::size_t i) { return i < args.size() ? args[i] : nullptr; }
std::string Str(const Value& v) { return v.ToString(); }
std::string StrArg(Args args, std::size_t i, std::string_view fallback = "") {
    const Value* v = Opt(args, i);
    return v != nullptr ? v->ToString() : std::string(fallback);
}

// Byte offset of the code point number `n` (or s.size()).
std::size_t CharOffset(std::string_view s, std::size_t n) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
            if (count == n) return i;
            ++count;
        }
    }
    return s.size();
}

// Liquid's InputIterator: nil -> [], arrays flattened, anything else -> [it].
void Flatten(const Value& v, Array& out) {
    if (v.is_array()) {
        for (const Value& e : v.as_array()) Flatten(e, out);
    } else {
        out.push_back(v);
    }
}
Array Items(const Value& v) {
    Array out;
    if (v.is_nil()) return out;
    if (v.is_array()) out.reserve(v.as_array().size());
    Flatten(v, out);
    return out;
}

// item[property] for an object item, else nil.
const Value& Prop(const Value& item, const std::string& property) {
    const Value* v = item.Find(property);
    return v != nullptr ? *v : NilValue();
}

// Liquid's Utils.to_number: numbers as they are; a string "-1.5" is a float, another string
// its leading integer; anything else 0.
Value ToNumber(const Value& v) {
    if (v.is_number()) return v;
    if (v.is_string()) {
        const std::string& s = v.as_string();
        std::size_t i = 0;
        if (i < s.size() && s[i] == '-') ++i;
        std::size_t digits = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
        if (i > digits && i + 1 < s.size() && s[i] == '.') {
            std::size_t j = i + 1;
            while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
            if (j == s.size() && j > i + 1) return Value(std::strtod(s.c_str(), nullptr));
        }
        return Value(ToInteger(v));
    }
    return Value(std::int64_t{0});
}

bool Fail(FilterEnv& env, std::string message) {
    env.error = std::move(message);
    return false;
}

bool FailLimit(FilterEnv& env, const char* limit, std::string message) {
    env.limit = limit;
    return Fail(env, std::move(message));
}

// ---- strings ----

bool Upcase(Value& io, Args, FilterEnv&) {
    std::string s = Str(io);
    for (char& c : s) c = Upper(c);
    io = Value(std::move(s));
    return true;
}
bool Downcase(Value& io, Args, FilterEnv&) {
    std::string s = Str(io);
    for (char& c : s) c = Lower(c);
    io = Value(std::move(s));
    return true;
}
bool Capitalize(Value& io, Args, FilterEnv&) {
    std::string s = Str(io);
    for (std::size_t i = 0; i < s.size(); ++i) s[i] = i == 0 ? Upper(s[i]) : Lower(s[i]);
    io = Value(std::move(s));
    return true;
}
bool Strip(Value& io, Args, FilterEnv&) {
    std::string s = Str(io);
    std::size_t b = 0;
    while (b < s.size() && IsSpace(s[b])) ++b;
    std::size_t e = s.size();
    while (e > b && IsSpace(s[e - 1])) --e;
    io = Value(s.substr(b, e - b));
    return true;
}
bool Lstrip(Value& io, Args, FilterEnv&) {
    std::string s = Str(io);
    std::size_t b = 0;
    while (b < s.size() && IsSpace(s[b])) ++b;
    io = Value(s.substr(b));
    return true;
}
bool Rstrip(Value& io, Args, FilterEnv&) {
    std::string s = Str(io);
    while (!s.empty() && IsSpace(s.back())) s.pop_back();
    io = Value(std::move(s));
    return true;
}
bool StripNewlines(Value& io, Args, FilterEnv&) {
    std::string s = Str(io);
    std::string out;
    for (char c : s) {
        if (c != '\n' && c != '\r') out += c;
    }
    io = Value(std::move(out));
    return true;
}
bool NewlineToBr(Value& io, Args, FilterEnv&) {
    std::string s = Str(io);
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') continue;
        if (s[i] == '\n') {
            out += "<br />\n";
        } else {
            out += s[i];
        }
    }
    io = Value(std::move(out));
    return true;
}
bool Append(Value& io, Args args, FilterEnv&) {
    io = Value(Str(io) + StrArg(args, 0));
    return true;
}
bool Prepend(Value& io, Args args, FilterEnv&) {
    io = Value(StrArg(args, 0) + Str(io));
    return true;
}

enum class Which { kAll, kFirst, kLast };
// Ruby's gsub/sub/last-occurrence replacement. Returns false when the result would be larger
// than `limit` bytes (an empty pattern or a long replacement can multiply the size).
bool ReplaceIn(const std::string& s, const std::string& from, const std::string& to, Which which,
               std::size_t limit, std::string& out) {
    out.clear();
    if (from.empty()) {  // Ruby: the replacement goes between all characters
        if (which == Which::kFirst) {
            out = to + s;
        } else if (which == Which::kLast) {
            out = s + to;
        } else {
            if (!to.empty() && (Utf8Length(s) + 1) > limit / to.size()) return false;
            out = to;
            for (std::size_t i = 0; i < s.size(); ++i) {
                out += s[i];
                if (i + 1 == s.size() || (static_cast<unsigned char>(s[i + 1]) & 0xC0) != 0x80) {
                    out += to;
                }
            }
        }
        return out.size() <= limit;
    }
    if (which == Which::kLast) {
        std::size_t p = s.rfind(from);
        if (p == std::string::npos) {
            out = s;
        } else {
            out = s.substr(0, p) + to + s.substr(p + from.size());
        }
        return out.size() <= limit;
    }
    std::size_t pos = 0;
    while (true) {
        std::size_t p = s.find(from, pos);
        if (p == std::string::npos) break;
        out.append(s, pos, p - pos);
        out += to;
        if (out.size() > limit) return false;
        pos = p + from.size();
        if (which == Which::kFirst) break;
    }
    out.append(s, pos);
    return out.size() <= limit;
}
template <Which W, bool kRemove>
bool Replace(Value& io, Args args, FilterEnv& env) {
    std::string out;
    if (!ReplaceIn(Str(io), StrArg(args, 0), kRemove ? "" : StrArg(args, 1), W,
                   env.st.limits.max_output_bytes, out)) {
        return FailLimit(env, kLimitOutput,
                         "the result is larger than the output limit of " +
                             std::to_string(env.st.limits.max_output_bytes) + " bytes");
    }
    io = Value(std::move(out));
    return true;
}

bool Truncate(Value& io, Args args, FilterEnv&) {
    if (io.is_nil()) return true;
    std::string s = Str(io);
    std::int64_t length = Opt(args, 0) != nullptr ? ToInteger(*args[0]) : 50;
    std::string ellipsis = StrArg(args, 1, "...");
    auto l = length - static_cast<std::int64_t>(Utf8Length(ellipsis));
    if (l < 0) l = 0;
    if (static_cast<std::int64_t>(Utf8Length(s)) <= length) {
        io = Value(std::move(s));
        return true;
    }
    io = Value(s.substr(0, CharOffset(s, static_cast<std::size_t>(l))) + ellipsis);
    return true;
}
bool TruncateWords(Value& io, Args args, FilterEnv&) {
    if (io.is_nil()) return true;
    std::string s = Str(io);
    std::int64_t words = Opt(args, 0) != nullptr ? ToInteger(*args[0]) : 15;
    if (words <= 0) words = 1;
    std::string ellipsis = StrArg(args, 1, "...");
    std::vector<std::string_view> list;
    std::string_view v = s;
    std::size_t i = 0;
    while (i < v.size()) {
        while (i < v.size() && IsSpace(v[i])) ++i;
        if (i >= v.size()) break;
        std::size_t b = i;
        while (i < v.size() && !IsSpace(v[i])) ++i;
        list.push_back(v.substr(b, i - b));
        if (static_cast<std::int64_t>(list.size()) > words) break;
    }
    if (static_cast<std::int64_t>(list.size()) <= words) {
        io = Value(std::move(s));
        return true;
    }
    std::string out;
    for (std::int64_t k = 0; k < words; ++k) {
        if (k > 0) out += ' ';
        out += list[static_cast<std::size_t>(k)];
    }
    io = Value(out + ellipsis);
    return true;
}

bool Split(Value& io, Args args, FilterEnv& env) {
    std::string s = Str(io);
    std::string sep = StrArg(args, 0);
    Array out;
    if (sep == " ") {  // Ruby's awk-style split on runs of whitespace
        std::size_t i = 0;
        while (i < s.size()) {
            while (i < s.size() && IsSpace(s[i])) ++i;
            if (i >= s.size()) break;
            std::size_t b = i;
            while (i < s.size() && !IsSpace(s[i])) ++i;
            out.emplace_back(s.substr(b, i - b));
        }
    } else if (sep.empty()) {
        for (std::size_t i = 0; i < s.size();) {
            std::size_t e = CharOffset(std::string_view(s).substr(i), 1) + i;
            out.emplace_back(s.substr(i, e - i));
            i = e;
        }
    } else {
        std::size_t pos = 0;
        while (true) {
            std::size_t p = s.find(sep, pos);
            if (p == std::string::npos) break;
            out.emplace_back(s.substr(pos, p - pos));
            pos = p + sep.size();
        }
        out.emplace_back(s.substr(pos));
        while (!out.empty() && out.back().as_string().empty()) out.pop_back();
    }
    if (out.size() > env.st.limits.max_iterations) {
        return FailLimit(
            env, kLimitIterations,
            "split: more than " + std::to_string(env.st.limits.max_iterations) + " items");
    }
    io = Value(std::move(out));
    return true;
}

bool Escape(Value& io, Args, FilterEnv&) {
    if (io.is_nil()) return true;
    std::string out;
    AppendEscaped(out, Str(io));
    io = Value(std::move(out));
    return true;
}
// Escapes, leaving entities that are already escaped alone: named (&amp;) and decimal
// (&#39;) ones, as Liquid's HTML_ESCAPE_ONCE_REGEXP does (not hexadecimal ones).
bool EscapeOnce(Value& io, Args, FilterEnv&) {
    if (io.is_nil()) return true;
    std::string s = Str(io);
    std::string out;
    auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '&') {
            std::size_t j = i + 1;
            if (j < s.size() && s[j] == '#') {
                ++j;
                while (j < s.size() && digit(s[j])) ++j;
                if (j == i + 2) j = i + 1;  // "&#;" is not an entity
            } else {
                while (j < s.size() && alpha(s[j])) ++j;
            }
            if (j > i + 1 && j < s.size() && s[j] == ';') {
                out.append(s, i, j - i + 1);
                i = j;
                continue;
            }
        }
        AppendEscaped(out, std::string_view(&s[i], 1));
    }
    io = Value(std::move(out));
    return true;
}
bool UrlEncode(Value& io, Args, FilterEnv&) {
    if (io.is_nil()) return true;
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string s = Str(io);
    std::string out;
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (alnum || c == '-' || c == '_' || c == '.' || c == '~') {
            out += ch;
        } else if (c == ' ') {
            out += '+';
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0xF];
        }
    }
    io = Value(std::move(out));
    return true;
}
bool UrlDecode(Value& io, Args, FilterEnv&) {
    if (io.is_nil()) return true;
    std::string s = Str(io);
    std::string out;
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
            out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    io = Value(std::move(out));
    return true;
}

// Case-insensitive search for an ASCII needle.
std::size_t FindNoCase(const std::string& s, std::string_view needle, std::size_t from) {
    if (needle.size() > s.size()) return std::string::npos;
    for (std::size_t i = from; i + needle.size() <= s.size(); ++i) {
        bool ok = true;
        for (std::size_t k = 0; k < needle.size() && ok; ++k) ok = Lower(s[i + k]) == needle[k];
        if (ok) return i;
    }
    return std::string::npos;
}

bool StripHtml(Value& io, Args, FilterEnv&) {
    std::string s = Str(io);
    // Like Liquid: drop <script>, <style> and comments with their content, then every tag.
    auto drop_blocks = [](const std::string& in, std::string_view open, std::string_view close) {
        std::string out;
        std::size_t pos = 0;
        while (true) {
            std::size_t b = FindNoCase(in, open, pos);
            if (b == std::string::npos) break;
            std::size_t e = FindNoCase(in, close, b + open.size());
            if (e == std::string::npos) break;
            out.append(in, pos, b - pos);
            pos = e + close.size();
        }
        out.append(in, pos);
        return out;
    };
    s = drop_blocks(s, "<script", "</script>");
    s = drop_blocks(s, "<!--", "-->");
    s = drop_blocks(s, "<style", "</style>");
    std::string out;
    std::size_t pos = 0;
    while (true) {
        std::size_t b = s.find('<', pos);
        if (b == std::string::npos) break;
        std::size_t e = s.find('>', b + 1);
        if (e == std::string::npos) break;
        out.append(s, pos, b - pos);
        pos = e + 1;
    }
    out.append(s, pos);
    io = Value(std::move(out));
    return true;
}

// ---- arrays ----

bool Size(Value& io, Args, FilterEnv&) {
    std::int64_t n = 0;
    if (io.is_string()) n = static_cast<std::int64_t>(Utf8Length(io.as_string()));
    if (io.is_array()) n = static_cast<std::int64_t>(io.as_array().size());
    if (io.is_object()) n = static_cast<std::int64_t>(io.object_size());
    io = Value(n);
    return true;
}
bool First(Value& io, Args, FilterEnv&) {
    if (io.is_array() && !io.as_array().empty()) {
        Value v = io.as_array().front();
        io = std::move(v);
    } else {
        io = Value();
    }
    return true;
}
bool Last(Value& io, Args, FilterEnv&) {
    if (io.is_array() && !io.as_array().empty()) {
        Value v = io.as_array().back();
        io = std::move(v);
    } else {
        io = Value();
    }
    return true;
}
bool Join(Value& io, Args args, FilterEnv& env) {
    std::string glue = StrArg(args, 0, " ");
    std::string out;
    bool first = true;
    for (const Value& v : Items(io)) {
        if (!first) out += glue;
        first = false;
        v.AppendTo(out);
        if (out.size() > env.st.limits.max_output_bytes) {
            return FailLimit(env, kLimitOutput,
                             "join: the result is larger than the output limit of " +
                                 std::to_string(env.st.limits.max_output_bytes) + " bytes");
        }
    }
    io = Value(std::move(out));
    return true;
}
bool Reverse(Value& io, Args, FilterEnv&) {
    Array a = Items(io);
    std::reverse(a.begin(), a.end());
    io = Value(std::move(a));
    return true;
}
bool Concat(Value& io, Args args, FilterEnv& env) {
    const Value* other = Opt(args, 0);
    if (other == nullptr || !other->is_array()) {
        return Fail(env, "concat filter requires an array argument");
    }
    Array a = Items(io);
    Flatten(*other, a);
    if (a.size() > env.st.limits.max_iterations) {
        return FailLimit(env, kLimitIterations,
                         "concat: the array has more than " +
                             std::to_string(env.st.limits.max_iterations) + " items");
    }
    io = Value(std::move(a));
    return true;
}

// Sorting order: Compare where it applies, nil last, otherwise by kind (stable).
bool SortLess(const Value& a, const Value& b, bool natural) {
    if (a.is_nil() || b.is_nil()) return !a.is_nil() && b.is_nil();
    if (natural && a.is_string() && b.is_string()) {
        const std::string& x = a.as_string();
        const std::string& y = b.as_string();
        return std::lexicographical_compare(x.begin(), x.end(), y.begin(), y.end(),
                                            [](char p, char q) { return Lower(p) < Lower(q); });
    }
    if (a.is_number() && b.is_number()) {  // NaN after every other number: a strict order
        bool an = std::isnan(a.as_number());
        bool bn = std::isnan(b.as_number());
        if (an || bn) return !an && bn;
    }
    int c = Compare(a, b);
    if (c == kIncomparable) return static_cast<int>(a.kind()) < static_cast<int>(b.kind());
    return c < 0;
}
template <bool kNatural>
bool Sort(Value& io, Args args, FilterEnv&) {
    Array a = Items(io);
    const Value* prop = Opt(args, 0);
    if (prop == nullptr || prop->is_nil()) {
        std::stable_sort(a.begin(), a.end(),
                         [](const Value& x, const Value& y) { return SortLess(x, y, kNatural); });
    } else {
        std::string p = prop->ToString();
        std::stable_sort(a.begin(), a.end(), [&p](const Value& x, const Value& y) {
            return SortLess(Prop(x, p), Prop(y, p), kNatural);
        });
    }
    io = Value(std::move(a));
    return true;
}
// A text key with the same equality as Equal() for scalars (1 and 1.0 share a key), so
// `uniq` runs in linear time.
std::string UniqKey(const Value& v) {
    std::string key;
    if (v.is_number()) {
        double d = v.as_number();
        if (v.is_int()) {
            key = "n" + std::to_string(v.as_int());
        } else if (d == std::trunc(d) && d > -9.2e18 && d < 9.2e18) {
            key = "n" + std::to_string(static_cast<std::int64_t>(d));
        } else {
            key = "n";
            AppendFloat(key, d);
        }
        return key;
    }
    key = static_cast<char>('a' + static_cast<int>(v.kind()));
    if (v.is_string()) return key + v.as_string();
    v.AppendJson(key);
    return key;
}
bool Uniq(Value& io, Args args, FilterEnv&) {
    Array a = Items(io);
    const Value* prop = Opt(args, 0);
    bool by_prop = prop != nullptr && !prop->is_nil();
    std::string p = by_prop ? prop->ToString() : "";
    std::unordered_set<std::string> seen;
    Array out;
    for (const Value& v : a) {
        if (seen.insert(UniqKey(by_prop ? Prop(v, p) : v)).second) out.push_back(v);
    }
    io = Value(std::move(out));
    return true;
}
bool Compact(Value& io, Args args, FilterEnv&) {
    Array a = Items(io);
    const Value* prop = Opt(args, 0);
    Array out;
    for (const Value& v : a) {
        bool nil =
            prop != nullptr && !prop->is_nil() ? Prop(v, prop->ToString()).is_nil() : v.is_nil();
        if (!nil) out.push_back(v);
    }
    io = Value(std::move(out));
    return true;
}
bool Map(Value& io, Args args, FilterEnv&) {
    Array a = Items(io);
    std::string p = StrArg(args, 0);
    Array out;
    out.reserve(a.size());
    for (const Value& v : a) out.push_back(Prop(v, p));
    io = Value(std::move(out));
    return true;
}
bool Where(Value& io, Args args, FilterEnv&) {
    Array a = Items(io);
    std::string p = StrArg(args, 0);
    const Value* target = Opt(args, 1);
    Array out;
    for (const Value& v : a) {
        const Value& x = Prop(v, p);
        bool keep = target == nullptr || target->is_nil() ? x.truthy() : Equal(x, *target);
        if (keep) out.push_back(v);
    }
    io = Value(std::move(out));
    return true;
}
// Ruby's slice(start, length) on a sequence of n items: the [begin, end) to keep, or false
// for nil (start out of range, negative length).
bool SliceRange(std::int64_t n, std::int64_t start, std::int64_t length, std::int64_t& b,
                std::int64_t& e) {
    if (start < 0) start += n;
    if (start < 0 || start > n || length < 0) return false;
    b = start;
    e = length > n - start ? n : start + length;
    return true;
}
bool Slice(Value& io, Args args, FilterEnv&) {
    std::int64_t start = ToInteger(*args[0]);
    std::int64_t length = Opt(args, 1) != nullptr ? ToInteger(*args[1]) : 1;
    std::int64_t b = 0;
    std::int64_t e = 0;
    if (io.is_array()) {
        const Array& a = io.as_array();
        Array out;
        if (SliceRange(static_cast<std::int64_t>(a.size()), start, length, b, e)) {
            out.assign(a.begin() + b, a.begin() + e);
        }
        io = Value(std::move(out));
        return true;
    }
    std::string s = Str(io);
    std::string out;
    if (SliceRange(static_cast<std::int64_t>(Utf8Length(s)), start, length, b, e)) {
        std::size_t from = CharOffset(s, static_cast<std::size_t>(b));
        std::size_t to = CharOffset(s, static_cast<std::size_t>(e));
        out = s.substr(from, to - from);
    }
    io = Value(std::move(out));
    return true;
}

// ---- numbers ----

enum class Op { kPlus, kMinus, kTimes };
template <Op O>
bool Arith(Value& io, Args args, FilterEnv&) {
    Value a = ToNumber(io);
    Value b = ToNumber(*args[0]);
    if (a.is_int() && b.is_int()) {
        std::int64_t r = 0;
        bool overflow = O == Op::kPlus    ? __builtin_add_overflow(a.as_int(), b.as_int(), &r)
                        : O == Op::kMinus ? __builtin_sub_overflow(a.as_int(), b.as_int(), &r)
                                          : __builtin_mul_overflow(a.as_int(), b.as_int(), &r);
        if (!overflow) {
            io = Value(r);
            return true;
        }
    }
    double x = a.as_number();
    double y = b.as_number();
    io = Value(O == Op::kPlus ? x + y : O == Op::kMinus ? x - y : x * y);
    return true;
}
bool DividedBy(Value& io, Args args, FilterEnv& env) {
    Value a = ToNumber(io);
    Value b = ToNumber(*args[0]);
    if (a.is_int() && b.is_int()) {
        std::int64_t x = a.as_int();
        std::int64_t y = b.as_int();
        if (y == 0) return Fail(env, "divided by 0");
        if (x == INT64_MIN && y == -1) {
            io = Value(-static_cast<double>(x));
            return true;
        }
        std::int64_t q = x / y;
        if ((x % y != 0) && ((x < 0) != (y < 0))) --q;  // Ruby floors
        io = Value(q);
        return true;
    }
    io = Value(a.as_number() / b.as_number());
    return true;
}
bool Modulo(Value& io, Args args, FilterEnv& env) {
    Value a = ToNumber(io);
    Value b = ToNumber(*args[0]);
    if (a.is_int() && b.is_int()) {
        std::int64_t x = a.as_int();
        std::int64_t y = b.as_int();
        if (y == 0) return Fail(env, "divided by 0");
        if (y == -1) {
            io = Value(std::int64_t{0});
            return true;
        }
        std::int64_t r = x % y;
        if (r != 0 && ((r < 0) != (y < 0))) r += y;  // Ruby: the sign of the divisor
        io = Value(r);
        return true;
    }
    double x = a.as_number();
    double y = b.as_number();
    double r = std::fmod(x, y);
    if (r != 0 && ((r < 0) != (y < 0))) r += y;
    io = Value(r);
    return true;
}
Value FromDouble(double d) {
    if (d > -9.2e18 && d < 9.2e18) return Value(static_cast<std::int64_t>(d));
    return Value(d);
}
bool Round(Value& io, Args args, FilterEnv&) {
    Value a = ToNumber(io);
    std::int64_t n = Opt(args, 0) != nullptr ? ToInteger(ToNumber(*args[0])) : 0;
    if (a.is_int()) {
        if (n < 0) {
            if (n < -18) {
                io = Value(std::int64_t{0});
                return true;
            }
            double p = std::pow(10.0, static_cast<double>(-n));
            io = FromDouble(std::round(static_cast<double>(a.as_int()) / p) * p);
        } else {
            io = a;
        }
        return true;
    }
    double x = a.as_float();
    if (n == 0) {
        io = std::isfinite(x) ? FromDouble(std::round(x)) : Value(x);
        return true;
    }
    if (n > 15) {
        io = Value(x);
        return true;
    }
    double p = std::pow(10.0, static_cast<double>(n));
    double r = std::round(x * p) / p;
    io = n > 0 ? Value(r) : FromDouble(r);
    return true;
}
template <bool kCeil>
bool CeilFloor(Value& io, Args, FilterEnv&) {
    Value a = ToNumber(io);
    if (a.is_int()) {
        io = a;
        return true;
    }
    double x = kCeil ? std::ceil(a.as_float()) : std::floor(a.as_float());
    io = std::isfinite(x) ? FromDouble(x) : Value(x);
    return true;
}
bool Abs(Value& io, Args, FilterEnv&) {
    Value a = ToNumber(io);
    if (a.is_int()) {
        io = a.as_int() == INT64_MIN ? Value(-static_cast<double>(a.as_int()))
                                     : Value(a.as_int() < 0 ? -a.as_int() : a.as_int());
    } else {
        io = Value(std::fabs(a.as_float()));
    }
    return true;
}
template <bool kLeast>
bool Bound(Value& io, Args args, FilterEnv&) {
    Value a = ToNumber(io);
    Value b = ToNumber(*args[0]);
    int c = Compare(a, b);
    io = kLeast ? (c < 0 ? b : a) : (c > 0 ? b : a);
    return true;
}
bool Sum(Value& io, Args args, FilterEnv& env) {
    Array a = Items(io);
    const Value* prop = Opt(args, 0);
    Value total(std::int64_t{0});
    for (const Value& v : a) {
        Value x = ToNumber(prop != nullptr && !prop->is_nil() ? Prop(v, prop->ToString()) : v);
        const Value* arg[] = {&x};
        if (!Arith<Op::kPlus>(total, Args(arg, 1), env)) return false;
    }
    io = std::move(total);
    return true;
}

// ---- other ----

bool Default(Value& io, Args args, FilterEnv&) {
    bool allow_false = Opt(args, 1) != nullptr && args[1]->truthy();
    bool use_default = allow_false ? io.is_nil() : !io.truthy();
    if (use_default || io.empty()) io = Opt(args, 0) != nullptr ? *args[0] : Value("");
    return true;
}
bool Json(Value& io, Args, FilterEnv&) {
    std::string out;
    io.AppendJson(out);
    io = Value(std::move(out));
    return true;
}
bool Raw(Value&, Args, FilterEnv&) { return true; }

constexpr std::string_view kDefaultKeywords[] = {"allow_false"};

const FilterSpec kFilters[] = {
    {"abs", Abs, 0, 0, {}},
    {"append", Append, 1, 1, {}},
    {"at_least", Bound<true>, 1, 1, {}},
    {"at_most", Bound<false>, 1, 1, {}},
    {"capitalize", Capitalize, 0, 0, {}},
    {"ceil", CeilFloor<true>, 0, 0, {}},
    {"compact", Compact, 0, 1, {}},
    {"concat", Concat, 1, 1, {}},
    {"date", DateFilter, 1, 2, {}},
    {"default", Default, 0, 1, kDefaultKeywords},
    {"divided_by", DividedBy, 1, 1, {}},
    {"downcase", Downcase, 0, 0, {}},
    {"escape", Escape, 0, 0, {}},
    {"escape_once", EscapeOnce, 0, 0, {}},
    {"first", First, 0, 0, {}},
    {"floor", CeilFloor<false>, 0, 0, {}},
    {"h", Escape, 0, 0, {}},
    {"join", Join, 0, 1, {}},
    {"json", Json, 0, 0, {}},
    {"last", Last, 0, 0, {}},
    {"lstrip", Lstrip, 0, 0, {}},
    {"map", Map, 1, 1, {}},
    {"minus", Arith<Op::kMinus>, 1, 1, {}},
    {"modulo", Modulo, 1, 1, {}},
    {"newline_to_br", NewlineToBr, 0, 0, {}},
    {"plus", Arith<Op::kPlus>, 1, 1, {}},
    {"prepend", Prepend, 1, 1, {}},
    {"raw", Raw, 0, 0, {}},
    {"remove", Replace<Which::kAll, true>, 1, 1, {}},
    {"remove_first", Replace<Which::kFirst, true>, 1, 1, {}},
    {"remove_last", Replace<Which::kLast, true>, 1, 1, {}},
    {"replace", Replace<Which::kAll, false>, 1, 2, {}},
    {"replace_first", Replace<Which::kFirst, false>, 1, 2, {}},
    {"replace_last", Replace<Which::kLast, false>, 1, 2, {}},
    {"reverse", Reverse, 0, 0, {}},
    {"round", Round, 0, 1, {}},
    {"rstrip", Rstrip, 0, 0, {}},
    {"size", Size, 0, 0, {}},
    {"slice", Slice, 1, 2, {}},
    {"sort", Sort<false>, 0, 1, {}},
    {"sort_natural", Sort<true>, 0, 1, {}},
    {"split", Split, 1, 1, {}},
    {"strip", Strip, 0, 0, {}},
    {"strip_html", StripHtml, 0, 0, {}},
    {"strip_newlines", StripNewlines, 0, 0, {}},
    {"sum", Sum, 0, 1, {}},
    {"times", Arith<Op::kTimes>, 1, 1, {}},
    {"truncate", Truncate, 0, 2, {}},
    {"truncatewords", TruncateWords, 0, 2, {}},
    {"uniq", Uniq, 0, 1, {}},
    {"upcase", Upcase, 0, 0, {}},
    {"url_decode", UrlDecode, 0, 0, {}},
    {"url_encode", UrlEncode, 0, 0, {}},
    {"where", Where, 1, 2, {}},
};

}  // namespace

const FilterSpec* FindFilter(std::string_view name) {
    for (const FilterSpec& f : kFilters) {
        if (f.name == name) return &f;
    }
    return nullptr;
}

void AppendEscaped(std::string& out, std::string_view s) {
    std::size_t run = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char* rep = nullptr;
        switch (s[i]) {
            case '&':
                rep = "&amp;";
                break;
            case '<':
                rep = "&lt;";
                break;
            case '>':
                rep = "&gt;";
                break;
            case '"':
                rep = "&quot;";
                break;
            case '\'':
                rep = "&#39;";
                break;
            default:
                continue;
        }
        out.append(s.data() + run, i - run);
        out += rep;
        run = i + 1;
    }
    out.append(s.data() + run, s.size() - run);
}

}  // namespace overture::render
