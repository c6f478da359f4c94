// Reader of tests/query/*.test and the *.data sets they include (see test_file.hpp and
// tests/query/README.md for the format).
#include "query/testing/test_file.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "common/strings.hpp"
#include "schema/dates.hpp"
#include "schema/model_json.hpp"

#ifndef OVERTURE_SOURCE_DIR
#error "OVERTURE_SOURCE_DIR must be defined for the query data tests"
#endif

namespace overture::query::testing {

namespace {

// One directive: its first word, the rest (continuation lines joined with '\n'), its line.
struct Directive {
    int line = 0;
    std::string word;
    std::string rest;
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string Trim(std::string_view s) {
    std::size_t b = 0, e = s.size();
    while (b < e && (IsSpace(s[b]) || s[b] == '\n')) ++b;
    while (e > b && (IsSpace(s[e - 1]) || s[e - 1] == '\n')) --e;
    return std::string(s.substr(b, e - b));
}

// `path` as messages show it: relative to the source tree when inside it.
std::string Display(const std::filesystem::path& path) {
    auto relative = path.lexically_relative(OVERTURE_SOURCE_DIR);
    return relative.empty() || relative.native().starts_with("..") ? path.string()
                                                                   : relative.string();
}

Error At(const std::string& where, const std::string& message) {
    return Error::InvalidArgument(where + ": " + message);
}

// Splits a file into directives: a line starting in column 1 begins one, indented lines
// continue it, blank lines and lines starting with '#' are skipped.
Result<std::vector<Directive>> Split(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Fail(Error::InvalidArgument(Display(path) + ": cannot open"));
    std::vector<Directive> out;
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        std::string trimmed = Trim(line);
        if (trimmed.empty() || trimmed.front() == '#') continue;
        if (IsSpace(line.front())) {
            if (out.empty()) {
                return Fail(At(Display(path) + ":" + std::to_string(number),
                               "an indented line continues nothing"));
            }
            out.back().rest += "\n" + line;
            continue;
        }
        auto space = line.find_first_of(" \t");
        Directive d;
        d.line = number;
        d.word = line.substr(0, space);
        d.rest = space == std::string::npos ? "" : line.substr(space + 1);
        out.push_back(std::move(d));
    }
    for (auto& d : out) d.rest = Trim(d.rest);
    return out;
}

// A value token of a row: a literal of the expression language or a bare word.
struct Token {
    enum Kind { kNull, kBool, kInt, kFloat, kString, kWord } kind = kNull;
    bool b = false;
    std::int64_t i = 0;
    double f = 0;
    std::string s;
};

// Reads `name=value` pairs from `text`.
Result<std::vector<std::pair<std::string, Token>>> ReadPairs(std::string_view text) {
    std::vector<std::pair<std::string, Token>> out;
    std::size_t i = 0;
    auto fail = [&](const std::string& m) {
        return Fail(Error::InvalidArgument(m + " at column " + std::to_string(i + 1) +
                                           " of the row's values"));
    };
    while (true) {
        while (i < text.size() && (IsSpace(text[i]) || text[i] == '\n')) ++i;
        if (i >= text.size()) break;
        std::size_t start = i;
        while (i < text.size() &&
               (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_')) {
            ++i;
        }
        std::string name(text.substr(start, i - start));
        if (name.empty() || i >= text.size() || text[i] != '=') {
            return fail("expected name=value");
        }
        ++i;
        Token t;
        if (i < text.size() && text[i] == '"') {
            t.kind = Token::kString;
            ++i;
            bool closed = false;
            while (i < text.size()) {
                char c = text[i++];
                if (c == '"') {
                    closed = true;
                    break;
                }
                if (c != '\\') {
                    t.s += c;
                    continue;
                }
                if (i >= text.size()) break;
                char e = text[i++];
                if (e == '"' || e == '\\') {
                    t.s += e;
                } else if (e == 'n') {
                    t.s += '\n';
                } else if (e == 't') {
                    t.s += '\t';
                } else if (e == 'u' && i + 4 <= text.size()) {
                    auto hex = [&](std::size_t at, std::uint32_t& v) {
                        auto r = std::from_chars(text.data() + at, text.data() + at + 4, v, 16);
                        return r.ec == std::errc() && r.ptr == text.data() + at + 4;
                    };
                    std::uint32_t cp = 0;
                    if (!hex(i, cp)) return fail("bad \\u escape");
                    i += 4;
                    if (cp >= 0xD800 && cp < 0xDC00 && i + 6 <= text.size() && text[i] == '\\' &&
                        text[i + 1] == 'u') {
                        std::uint32_t low = 0;
                        if (!hex(i + 2, low) || low < 0xDC00 || low > 0xDFFF) {
                            return fail("bad surrogate pair");
                        }
                        i += 6;
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    }
                    AppendUtf8(t.s, cp);
                } else {
                    return fail("unknown escape");
                }
            }
            if (!closed) return fail("unterminated string");
        } else {
            std::size_t vstart = i;
            while (i < text.size() && !IsSpace(text[i]) && text[i] != '\n') ++i;
            std::string word(text.substr(vstart, i - vstart));
            if (word.empty()) return fail("missing value");
            if (word == "null") {
                t.kind = Token::kNull;
            } else if (word == "true" || word == "false") {
                t.kind = Token::kBool;
                t.b = word == "true";
            } else if (std::isdigit(static_cast<unsigned char>(word[0])) ||
                       (word[0] == '-' && word.size() > 1)) {
                auto r = std::from_chars(word.data(), word.data() + word.size(), t.i);
                if (r.ec == std::errc() && r.ptr == word.data() + word.size()) {
                    t.kind = Token::kInt;
                } else {
                    auto rf = std::from_chars(word.data(), word.data() + word.size(), t.f);
                    if (rf.ec != std::errc() || rf.ptr != word.data() + word.size()) {
                        return fail("bad number '" + word + "'");
                    }
                    t.kind = Token::kFloat;
                }
                t.s = word;
            } else {
                t.kind = Token::kWord;
                t.s = word;
            }
        }
        out.emplace_back(std::move(name), std::move(t));
    }
    return out;
}

// A row value converted to the stored form of `field`.
Result<storage::Value> Typed(const schema::Field& field, const Token& t) {
    using schema::FieldType;
    auto wrong = [&](const char* want) {
        return Fail(Error::InvalidArgument(field.name + " takes " + want));
    };
    if (t.kind == Token::kNull) return storage::Value{};
    switch (field.type) {
        case FieldType::kString:
        case FieldType::kText:
        case FieldType::kEnum:
            if (t.kind != Token::kString) return wrong("a \"string\"");
            if (field.type == FieldType::kEnum && !field.FindValue(t.s)) {
                return wrong("one of its enum values");
            }
            return storage::Value(t.s);
        case FieldType::kInteger:
            if (t.kind != Token::kInt) return wrong("an integer");
            return storage::Value(t.i);
        case FieldType::kFloat:
            if (t.kind == Token::kInt) return storage::Value(static_cast<double>(t.i));
            if (t.kind != Token::kFloat) return wrong("a number");
            return storage::Value(t.f);
        case FieldType::kBoolean:
            if (t.kind != Token::kBool) return wrong("true or false");
            return storage::Value(t.b);
        case FieldType::kDate: {
            if (t.kind != Token::kString) return wrong("a \"YYYY-MM-DD\" date");
            auto d = schema::ParseIsoDate(t.s);
            if (!d) return Fail(std::move(d.error()));
            return storage::Value(*d);
        }
        case FieldType::kDateTime: {
            if (t.kind != Token::kString) return wrong("an ISO datetime string");
            auto d = schema::ParseIsoDateTime(t.s);
            if (!d) return Fail(std::move(d.error()));
            return storage::Value(*d);
        }
    }
    return wrong("a value");
}

// The builder of a data set from its directives.
class DatasetReader {
  public:
    explicit DatasetReader(std::string path) { data_->path = std::move(path); }

    // Whether `d` is a data set directive; applies it.
    Result<bool> Apply(const Directive& d) {
        std::string where = data_->path + ":" + std::to_string(d.line);
        if (d.word == "model") {
            if (data_->model) return Fail(At(where, "a second model"));
            boost::system::error_code ec;
            auto json = boost::json::parse(d.rest, ec);
            if (ec) return Fail(At(where, "model is not JSON: " + ec.message()));
            auto custom = schema::CustomModelFromJson(json);
            if (!custom) return Fail(At(where, custom.error().message));
            auto merged = schema::Merge(*custom);
            if (!merged) return Fail(At(where, merged.error().message));
            data_->model = std::make_shared<const schema::Model>(std::move(*merged));
            return true;
        }
        if (d.word == "set") {
            std::istringstream in(d.rest);
            std::string name;
            in >> name;
            if (name.empty()) return Fail(At(where, "set without a name"));
            auto& ids = data_->sets[name];
            for (std::string id; in >> id;) ids.insert(id);
            return true;
        }
        if (!data_->model || !data_->model->Find(d.word)) return false;
        auto row = Row(d, where);
        if (!row) return Fail(At(where, row.error().message));
        if (!row->external_id.empty()) data_->profile_ids.push_back(row->external_id);
        data_->rows.push_back(std::move(*row));
        return true;
    }

    // The finished data set: every link target and set member must be a profile row.
    Result<std::shared_ptr<const Dataset>> Finish() {
        if (!data_->model) return Fail(At(data_->path, "no model"));
        std::set<std::string> ids(data_->profile_ids.begin(), data_->profile_ids.end());
        if (ids.size() != data_->profile_ids.size()) {
            return Fail(At(data_->path, "two profile rows with the same externalId"));
        }
        for (const auto& row : data_->rows) {
            for (const auto& [link, target] : row.links) {
                if (!ids.contains(target)) {
                    return Fail(At(row.where, link + " links to an unknown profile " + target));
                }
            }
        }
        for (const auto& [name, members] : data_->sets) {
            if (ids.contains(name)) return Fail(At(data_->path, "set " + name + " is an id"));
            for (const auto& m : members) {
                if (!ids.contains(m)) {
                    return Fail(At(data_->path, "set " + name + " names unknown " + m));
                }
            }
        }
        return std::shared_ptr<const Dataset>(data_);
    }

    bool has_model() const { return data_->model != nullptr; }

  private:
    Result<DataRow> Row(const Directive& d, const std::string& where) {
        const schema::Resource& r = *data_->model->Find(d.word);
        DataRow row;
        row.where = where;
        row.resource = r.name;
        std::string_view rest = d.rest;
        if (r.name == "profile") {
            auto end = rest.find_first_of(" \t\n");
            row.external_id = std::string(rest.substr(0, end));
            if (row.external_id.empty() || row.external_id.find('=') != std::string::npos) {
                return Fail(Error::InvalidArgument("a profile row starts with its externalId"));
            }
            rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
            row.fields.emplace_back("externalId", row.external_id);
        }
        auto pairs = ReadPairs(rest);
        if (!pairs) return Fail(std::move(pairs.error()));
        std::set<std::string> seen;
        for (const auto& [name, token] : *pairs) {
            if (!seen.insert(name).second) {
                return Fail(Error::InvalidArgument(name + " given twice"));
            }
            if (const schema::Field* f = r.FindField(name)) {
                auto v = Typed(*f, token);
                if (!v) return Fail(Error::InvalidArgument(name + ": " + v.error().message));
                row.fields.emplace_back(name, std::move(*v));
            } else if (const schema::Link* l = r.FindLink(name)) {
                if (l->target != "profile") {
                    return Fail(Error::InvalidArgument("only links to profile are supported"));
                }
                if (token.kind == Token::kNull) continue;
                if (token.kind != Token::kWord && token.kind != Token::kString) {
                    return Fail(Error::InvalidArgument(name + " takes a profile's externalId"));
                }
                row.links.emplace_back(name, token.s);
            } else {
                return Fail(Error::InvalidArgument(r.name + " has no field or link " + name));
            }
        }
        // createdAt defaults to 2026-01-01, modifiedAt to createdAt.
        auto find = [&](const std::string& name) -> const storage::Value* {
            for (const auto& [n, v] : row.fields) {
                if (n == name) return &v;
            }
            return nullptr;
        };
        if (r.FindField("createdAt") && !find("createdAt")) {
            row.fields.emplace_back("createdAt", std::string("2026-01-01T00:00:00.000Z"));
        }
        if (r.FindField("modifiedAt") && !find("modifiedAt")) {
            storage::Value created = *find("createdAt");
            row.fields.emplace_back("modifiedAt", std::move(created));
        }
        return row;
    }

    std::shared_ptr<Dataset> data_ = std::make_shared<Dataset>();
};

Result<std::set<std::string>> ExpectedIds(const std::string& spec, const Dataset& data) {
    std::istringstream in(spec);
    std::vector<std::string> words;
    for (std::string w; in >> w;) words.push_back(w);
    if (words.empty()) return Fail(Error::InvalidArgument("expect needs ids, none or all"));
    std::set<std::string> all(data.profile_ids.begin(), data.profile_ids.end());
    if (words.size() == 1 && words[0] == "none") return std::set<std::string>{};
    bool except = words[0] == "all";
    if (except && words.size() == 1) return all;
    std::size_t first = 0;
    if (except) {
        if (words.size() < 3 || words[1] != "except") {
            return Fail(Error::InvalidArgument("write `all` or `all except <ids>`"));
        }
        first = 2;
    }
    std::set<std::string> listed;
    for (std::size_t i = first; i < words.size(); ++i) {
        if (auto set = data.sets.find(words[i]); set != data.sets.end()) {
            listed.insert(set->second.begin(), set->second.end());
        } else if (all.contains(words[i])) {
            if (!listed.insert(words[i]).second) {
                return Fail(Error::InvalidArgument(words[i] + " listed twice"));
            }
        } else {
            return Fail(Error::InvalidArgument("unknown profile or set " + words[i]));
        }
    }
    if (!except) return listed;
    std::set<std::string> out;
    std::set_difference(all.begin(), all.end(), listed.begin(), listed.end(),
                        std::inserter(out, out.end()));
    return out;
}

}  // namespace

std::int64_t UnixMillis(const std::string& canonical) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0;
    std::sscanf(canonical.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &y, &mo, &d, &h, &mi, &s, &ms);
    std::chrono::sys_days day{std::chrono::year(y) / std::chrono::month(static_cast<unsigned>(mo)) /
                              std::chrono::day(static_cast<unsigned>(d))};
    return static_cast<std::int64_t>(day.time_since_epoch().count()) * 86'400'000 +
           ((h * 60 + mi) * 60 + s) * std::int64_t{1000} + ms;
}

std::filesystem::path TestDir() {
    return std::filesystem::path(OVERTURE_SOURCE_DIR) / "tests" / "query";
}

Result<std::shared_ptr<const Dataset>> ReadDataset(const std::filesystem::path& path) {
    auto directives = Split(path);
    if (!directives) return Fail(std::move(directives.error()));
    DatasetReader reader(Display(path));
    for (const auto& d : *directives) {
        auto applied = reader.Apply(d);
        if (!applied) return Fail(std::move(applied.error()));
        if (!*applied) {
            return Fail(At(Display(path) + ":" + std::to_string(d.line),
                           "unknown directive or resource '" + d.word + "'"));
        }
    }
    return reader.Finish();
}

Result<TestFile> ReadTestFile(const std::filesystem::path& path,
                              std::map<std::string, std::shared_ptr<const Dataset>>* cache) {
    auto directives = Split(path);
    if (!directives) return Fail(std::move(directives.error()));
    TestFile file;
    file.path = Display(path);
    DatasetReader own(file.path);
    std::string now;
    std::optional<DataCase> open;  // a case waiting for its expect/error
    for (const auto& d : *directives) {
        std::string where = file.path + ":" + std::to_string(d.line);
        if (d.word == "include") {
            if (file.data || own.has_model()) return Fail(At(where, "a second data set"));
            auto target = path.parent_path() / d.rest;
            std::error_code ec;
            auto key = std::filesystem::weakly_canonical(target, ec).string();
            if (cache != nullptr && cache->contains(key)) {
                file.data = cache->at(key);
                continue;
            }
            auto data = ReadDataset(target);
            if (!data) return Fail(At(where, data.error().message));
            file.data = *data;
            if (cache != nullptr) (*cache)[key] = *data;
            continue;
        }
        if (d.word == "now") {
            auto t = schema::ParseIsoDateTime(d.rest);
            if (!t) return Fail(At(where, "now: " + t.error().message));
            now = *t;
            continue;
        }
        if (d.word == "case") {
            if (open) return Fail(At(open->where, "case without expect or error"));
            if (d.rest.empty()) return Fail(At(where, "case without an expression"));
            if (now.empty()) return Fail(At(where, "no `now` before the first case"));
            open = DataCase{where, d.rest, now, {}, std::nullopt};
            continue;
        }
        if (d.word == "expect" || d.word == "error") {
            if (!open) return Fail(At(where, d.word + " without a case"));
            if (!file.data) {
                auto finished = own.Finish();
                if (!finished) return Fail(std::move(finished.error()));
                file.data = *finished;
            }
            if (d.word == "error") {
                if (d.rest.empty()) return Fail(At(where, "error needs a message substring"));
                open->error = d.rest;
            } else {
                auto ids = ExpectedIds(d.rest, *file.data);
                if (!ids) return Fail(At(where, ids.error().message));
                open->expected = std::move(*ids);
            }
            file.cases.push_back(std::move(*open));
            open.reset();
            continue;
        }
        if (file.data) return Fail(At(where, "unknown directive '" + d.word + "'"));
        auto applied = own.Apply(d);
        if (!applied) return Fail(std::move(applied.error()));
        if (!*applied) return Fail(At(where, "unknown directive or resource '" + d.word + "'"));
    }
    if (open) return Fail(At(open->where, "case without expect or error"));
    if (!file.data) return Fail(At(file.path, "no data set (include or model) and no cases"));
    return file;
}

Result<std::vector<TestFile>> ReadTestFiles(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> paths;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        if (entry.path().extension() == ".test") paths.push_back(entry.path());
    }
    if (ec) return Fail(Error::InvalidArgument(dir.string() + ": " + ec.message()));
    std::sort(paths.begin(), paths.end());
    std::map<std::string, std::shared_ptr<const Dataset>> cache;
    std::vector<TestFile> out;
    for (const auto& p : paths) {
        auto file = ReadTestFile(p, &cache);
        if (!file) return Fail(std::move(file.error()));
        out.push_back(std::move(*file));
    }
    return out;
}

}  // namespace overture::query::testing
