// libFuzzer target of the personalization language (render/template.hpp, issue 5): arbitrary
// bytes as a template, optionally preceded by a one-line JSON profile ("{...}\n"). Each input
// is compiled in HTML and text mode, strict and lenient, with fragments that include each other
// and themselves; what compiles is rendered twice with small limits. Invariants:
//   - a compile error is kInvalidArgument "line L, column C: ..." with line, column and a
//     valid UTF-8 excerpt in its details;
//   - a render succeeds with at most max_output_bytes of output, or fails the same way (the
//     output may then exceed the limit only when the error names the limit);
//   - rendering twice gives the same status and the same bytes, and so does rendering with the
//     profile's objects turned into records (render::ToRecords);
//   - in HTML mode, when neither the input nor its JSON holds `<` and the input never says
//     `raw`, the output holds no `<` either (the fixed context's strings all contain `<`, so
//     an output that skipped escaping shows).
// Run with `make fuzz` (docs/development.md, "Fuzzing").
#include <boost/json/parse.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "render/template.hpp"
#include "render/value.hpp"

namespace {

using namespace overture;

constexpr std::size_t kMaxOutput = 64 * 1024;
constexpr std::uint64_t kMaxIterations = 10'000;

void Require(bool ok, std::string_view what, std::string_view context = {}) {
    if (ok) return;
    std::fprintf(stderr, "render fuzz invariant broken: %.*s\n%.*s\n",
                 static_cast<int>(what.size()), what.data(), static_cast<int>(context.size()),
                 context.data());
    std::abort();
}

std::string Describe(const Error& e) {
    std::string s = e.message;
    for (const auto& [k, v] : e.details) s += "\n  " + k + ": " + v;
    return s;
}

// The fragments `{% include %}` finds: a plain one, one that includes another, one that
// includes itself (the include-depth limit), one with a syntax error.
std::optional<std::string> Fragment(std::string_view name) {
    if (name == "header") return std::string("Hello {{ profile.firstName }}!");
    if (name == "footer") return std::string("{% include \"header\" %} {{ delivery.subject }}");
    if (name == "self") return std::string("x{% include \"self\" %}");
    if (name == "broken") return std::string("{{ profile. }}");
    return std::nullopt;
}

const render::Value& DefaultProfile() {
    static const render::Value* const kProfile = new render::Value(render::FromJson(
        boost::json::parse(R"({"firstName": "<Ada>", "lastName": "O'Hara & <Co>", "age": 36,
            "score": 4.5, "vip": true, "nothing": null, "tags": ["<a>", "b", "c"],
            "address": {"city": "<London>", "zip": "N1"},
            "purchases": [{"name": "<Pen>", "amount": 3}, {"name": "Ink", "amount": 7.25},
                          {"name": "Pad\n<x>", "amount": -1}]})")));
    return *kProfile;
}

render::Context MakeContext(const std::optional<render::Value>& profile) {
    render::Context c;
    c.profile = profile ? *profile : DefaultProfile();
    c.delivery = render::Value(
        render::Object{{"subject", render::Value("<b>Hi</b>")}, {"label", render::Value("a<b")}});
    c.event = render::Value(render::Object{
        {"items", render::Value(render::Array{render::Value(1), render::Value("<i>")})}});
    c.unsubscribe_url = render::Value("https://x.test/u?a=1&b=<2>");
    c.mirror_url = render::Value("https://x.test/m");
    return c;
}

void CheckError(const Error& e, std::string_view what, std::string_view source) {
    Require(e.code == ErrorCode::kInvalidArgument,
            std::string(what) + " failed with a code other than invalid_argument", Describe(e));
    Require(e.message.starts_with("line ") || e.message.starts_with("fragment "),
            std::string(what) + " error without its position", Describe(e));
    Require(
        e.details.contains("line") && e.details.contains("column") && e.details.contains("excerpt"),
        std::string(what) + " error without line, column and excerpt", Describe(e));
    Require(IsValidUtf8(e.message), std::string(what) + " error message is not UTF-8", source);
    for (const auto& [key, value] : e.details) {
        Require(IsValidUtf8(value), std::string(what) + " error detail is not UTF-8", key);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    std::string_view source = input;
    std::optional<render::Value> profile;
    bool json_has_lt = false;
    if (input.starts_with('{')) {
        if (auto nl = input.find('\n'); nl != std::string_view::npos) {
            boost::system::error_code ec;
            boost::json::parse_options po;
            po.max_depth = 32;
            boost::json::value json = boost::json::parse(input.substr(0, nl), ec, {}, po);
            if (!ec && json.is_object()) {
                profile = render::FromJson(json);
                json_has_lt = profile->ToString().find('<') != std::string::npos ||
                              input.substr(0, nl).find("\\u") != std::string_view::npos;
                source = input.substr(nl + 1);
            }
        }
    }
    const render::Context context = MakeContext(profile);
    // The same data with every object turned into a record (render/value.hpp): what a sender
    // builds. It must render to the same bytes.
    render::Context as_records = context;
    as_records.profile = render::ToRecords(context.profile);
    render::RenderOptions ropts;
    ropts.now = std::chrono::sys_seconds{std::chrono::seconds{1773576000}};  // fixed: repeatable
    const bool may_emit_lt = json_has_lt || source.find('<') != std::string_view::npos ||
                             source.find("raw") != std::string_view::npos;

    for (render::Mode mode : {render::Mode::kHtml, render::Mode::kText}) {
        for (bool strict : {false, true}) {
            render::CompileOptions options;
            options.mode = mode;
            options.strict = strict;
            options.fragments = Fragment;
            options.limits.max_output_bytes = kMaxOutput;
            options.limits.max_iterations = kMaxIterations;
            auto tpl = render::Compile(source, options);
            if (!tpl) {
                CheckError(tpl.error(), "Compile", source);
                continue;
            }
            std::string first;
            std::string second;
            const Status s1 = tpl->Render(context, ropts, first);
            const Status s2 = tpl->Render(context, ropts, second);
            Require(s1.has_value() == s2.has_value(), "two renders differ in success");
            Require(first == second, "two renders give different bytes");
            std::string third;
            const Status s3 = tpl->Render(as_records, ropts, third);
            Require(s1.has_value() == s3.has_value(), "records and objects differ in success");
            Require(!s1 || first == third, "records and objects give different bytes", third);
            if (!s1) {
                CheckError(s1.error(), "Render", source);
                Require(s1.error().message == s2.error().message, "two renders fail differently");
                Require(first.size() <= kMaxOutput ||
                            s1.error().message.find("limit") != std::string::npos,
                        "a failed render exceeded the output limit without naming it",
                        s1.error().message);
                continue;
            }
            Require(first.size() <= kMaxOutput, "a render exceeded the output limit");
            if (mode == render::Mode::kHtml && !may_emit_lt) {
                Require(first.find('<') == std::string::npos,
                        "HTML output holds an unescaped '<' without raw", first);
            }
        }
    }
    return 0;
}
