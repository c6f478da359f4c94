// Runs the data-driven cases of tests/render/*.test (format: tests/render/README.md): each
// case compiles a template with a JSON context and checks the output or the error position.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "render/template.hpp"

namespace overture::render {
namespace {

struct Case {
    std::string file;
    int line = 0;
    std::string name;
    std::map<std::string, std::string> fields;
    std::map<std::string, std::string> fragments;
};

// Parses one .test file: a header of defaults, then cases that start with "=== name".
std::vector<Case> ReadCases(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) {
        if (!l.empty() && l.back() == '\r') l.pop_back();
        lines.push_back(l);
    }
    std::vector<Case> cases;
    Case defaults;
    Case* cur = &defaults;
    auto set = [&](Case* c, const std::string& key, std::string value) {
        if (key.starts_with("fragment ")) {
            c->fragments[key.substr(9)] = std::move(value);
        } else {
            c->fields[key] = std::move(value);
        }
    };
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string& l = lines[i];
        if (l.starts_with("=== ")) {
            Case c = defaults;
            c.file = path.filename().string();
            c.line = static_cast<int>(i + 1);
            c.name = l.substr(4);
            cases.push_back(std::move(c));
            cur = &cases.back();
            continue;
        }
        if (l.starts_with("--- ")) {
            std::string key = l.substr(4);
            std::string body;
            bool first = true;
            while (i + 1 < lines.size() && !lines[i + 1].starts_with("---") &&
                   !lines[i + 1].starts_with("=== ")) {
                if (!first) body += '\n';
                body += lines[++i];
                first = false;
            }
            if (i + 1 < lines.size() && lines[i + 1] == "---") ++i;  // a bare closing line
            set(cur, key, std::move(body));
            continue;
        }
        if (l.empty() || l.starts_with("#")) continue;
        std::size_t colon = l.find(':');
        if (colon == std::string::npos) {
            ADD_FAILURE() << path << ":" << i + 1 << ": cannot read line: " << l;
            continue;
        }
        std::string value = l.substr(colon + 1);
        if (!value.empty() && value[0] == ' ') value.erase(0, 1);
        set(cur, l.substr(0, colon), std::move(value));
    }
    return cases;
}

std::filesystem::path TestDir() {
    return std::filesystem::path(OVERTURE_SOURCE_DIR) / "tests" / "render";
}

std::vector<Case> AllCases() {
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(TestDir())) {
        if (e.path().extension() == ".test") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    std::vector<Case> all;
    for (const auto& f : files) {
        auto cases = ReadCases(f);
        all.insert(all.end(), cases.begin(), cases.end());
    }
    return all;
}

std::string Get(const Case& c, const std::string& key, const std::string& fallback = "") {
    auto it = c.fields.find(key);
    return it == c.fields.end() ? fallback : it->second;
}

// Runs one case; returns "" on success, else what went wrong.
// `records`: every object of the context is given in record form (Value::ToRecords), which
// must render the same bytes.
std::string RunCase(const Case& c, bool records = false) {
    static const std::set<std::string> kKnown = {"template", "context",       "mode",  "strict",
                                                 "output",   "error",         "tz",    "now",
                                                 "fields",   "whole_profile", "links", "rewrite"};
    for (const auto& [k, v] : c.fields) {
        if (!kKnown.contains(k)) return "unknown field '" + k + "'";
    }
    if (!c.fields.contains("template")) return "no template";
    if (!c.fields.contains("output") && !c.fields.contains("error")) return "no output or error";

    CompileOptions options;
    std::string mode = Get(c, "mode", "html");
    if (mode != "html" && mode != "text") return "bad mode '" + mode + "'";
    options.mode = mode == "html" ? Mode::kHtml : Mode::kText;
    options.strict = Get(c, "strict", "false") == "true";
    auto fragments = c.fragments;
    options.fragments = [fragments](std::string_view name) -> std::optional<std::string> {
        auto it = fragments.find(std::string(name));
        if (it == fragments.end()) return std::nullopt;
        return it->second;
    };
    Context ctx;
    std::string json = Get(c, "context", "{}");
    boost::system::error_code ec;
    boost::json::value doc = boost::json::parse(json, ec);
    if (ec || !doc.is_object()) return "context is not a JSON object: " + json;
    for (const auto& kv : doc.as_object()) {
        Value v = FromJson(kv.value());
        if (records) v = ToRecords(v);
        std::string_view k = kv.key();
        if (k == "profile")
            ctx.profile = v;
        else if (k == "delivery")
            ctx.delivery = v;
        else if (k == "event")
            ctx.event = v;
        else if (k == "target")
            ctx.target = v;
        else if (k == "unsubscribe_url")
            ctx.unsubscribe_url = v;
        else if (k == "mirror_url")
            ctx.mirror_url = v;
        else if (k == "subscription_url")
            ctx.subscription_url = v;
        else
            return "unknown context root '" + std::string(k) + "'";
    }
    RenderOptions ro;
    ro.time_zone = Get(c, "tz");
    ro.now = std::chrono::sys_seconds{std::chrono::seconds{std::stoll(Get(c, "now", "0"))}};

    // `rewrite: true`: each tracked link becomes "https://t.example/c/<id>?u=<rendered URL>".
    if (Get(c, "rewrite", "false") == "true") {
        ro.rewrite_link = [](const LinkInfo& link, std::string_view url, std::string& out) {
            out += "https://t.example/c/" + std::to_string(link.id) + "?u=";
            out += url;
        };
    }

    auto tpl = Compile(Get(c, "template"), options);
    Result<std::string> out = tpl ? tpl->Render(ctx, ro) : Fail(tpl.error());
    if (c.fields.contains("error")) {
        if (out) return "expected an error, got output:\n" + *out;
        std::string want = Get(c, "error");
        std::string pos = want.substr(0, want.find(' '));
        std::string text =
            want.find(' ') == std::string::npos ? "" : want.substr(want.find(' ') + 1);
        const Error& e = out.error();
        auto detail = [&](const char* k) {
            auto it = e.details.find(k);
            return it == e.details.end() ? std::string("?") : it->second;
        };
        std::string got = detail("line") + ":" + detail("column");
        if (got != pos || e.message.find(text) == std::string::npos) {
            return "expected error " + want + "\n     got " + got + " " + e.message;
        }
        return "";
    }
    if (!out) return "unexpected error: " + out.error().message;
    std::string want = Get(c, "output");
    if (*out != want) return "expected:\n[" + want + "]\n     got:\n[" + *out + "]";
    if (c.fields.contains("fields")) {
        std::string got;
        for (const auto& f : tpl->info().profile_fields) got += (got.empty() ? "" : ", ") + f;
        if (got != Get(c, "fields"))
            return "expected fields [" + Get(c, "fields") + "], got [" + got + "]";
    }
    if (c.fields.contains("links")) {
        // One line per link: id | category | tracked | label | source.
        std::string got;
        for (const LinkInfo& l : tpl->links()) {
            if (!got.empty()) got += '\n';
            got += std::to_string(l.id) + " | " + l.category + " | " +
                   (l.tracked ? "true" : "false") + " | " + l.label + " | " + l.source;
        }
        if (got != Get(c, "links"))
            return "expected links:\n[" + Get(c, "links") + "]\n     got:\n[" + got + "]";
    }
    if (c.fields.contains("whole_profile")) {
        bool want_whole = Get(c, "whole_profile") == "true";
        if (tpl->info().whole_profile != want_whole) return "whole_profile differs";
    }
    return "";
}

TEST(RenderData, AllCasesPass) {
    auto cases = AllCases();
    int failures = 0;
    for (const Case& c : cases) {
        std::string problem = RunCase(c);
        if (!problem.empty()) {
            ++failures;
            ADD_FAILURE() << c.file << ":" << c.line << ": " << c.name << "\n  " << problem;
        }
    }
    std::cout << cases.size() << " render cases, " << failures << " failed\n";
}

TEST(RenderData, AllCasesPassWithRecords) {
    auto cases = AllCases();
    for (const Case& c : cases) {
        std::string problem = RunCase(c, /*records=*/true);
        if (!problem.empty()) {
            ADD_FAILURE() << c.file << ":" << c.line << ": " << c.name << " (records)\n  "
                          << problem;
        }
    }
}

TEST(RenderData, AtLeast300Cases) { EXPECT_GE(AllCases().size(), 300u); }

}  // namespace
}  // namespace overture::render
