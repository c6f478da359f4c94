// Unit tests of the render API that do not fit the data files: sharing a compiled template
// between threads, the fields report, limits, error details and buffers.
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "render/template.hpp"

namespace overture::render {
namespace {

Value Profile(int i) {
    Array purchases;
    for (int k = 0; k < 3; ++k) {
        purchases.push_back(Value(Object{{"name", Value("item " + std::to_string(k))},
                                         {"amount", Value(10.5 * (k + 1) + i)}}));
    }
    return Value(Object{{"firstName", Value("Ada" + std::to_string(i))},
                        {"lastName", Value("<Lovelace & co>")},
                        {"vip", Value(i % 2 == 0)},
                        {"purchases", Value(std::move(purchases))},
                        {"createdAt", Value("2024-03-05T10:00:00Z")}});
}

constexpr std::string_view kEmail =
    R"(<p>Hello {{ profile.firstName | default: "there" }} {{ profile.lastName }},</p>
{% if profile.vip %}<p>Thank you for being a VIP.</p>{% else %}<p>Join us.</p>{% endif %}
<ul>{% for p in profile.purchases %}<li>{{ forloop.index }}. {{ p.name | upcase }}: {{ p.amount | round: 2 }}</li>{% endfor %}</ul>
{% assign total = profile.purchases | map: "amount" | sum %}<p>Total {{ total }}</p>
<p>Since {{ profile.createdAt | date: "%d %B %Y %H:%M %Z" }}</p>
<a href="{{ unsubscribe_url }}">Unsubscribe</a>)";

TEST(Render, SameTemplateFromEightThreadsIsByteIdentical) {
    auto tpl = Compile(kEmail, {.mode = Mode::kHtml, .strict = true});
    ASSERT_TRUE(tpl) << tpl.error().message;
    constexpr int kProfiles = 200;
    std::vector<Context> contexts(kProfiles);
    for (int i = 0; i < kProfiles; ++i) {
        contexts[i].profile = Profile(i);
        contexts[i].unsubscribe_url = Value("https://example.com/u?a=1&b=" + std::to_string(i));
    }
    RenderOptions ro;
    ro.time_zone = "Europe/Paris";
    std::vector<std::string> expected(kProfiles);
    for (int i = 0; i < kProfiles; ++i) {
        auto out = tpl->Render(contexts[i], ro);
        ASSERT_TRUE(out) << out.error().message;
        expected[i] = *out;
    }
    EXPECT_NE(expected[0].find("Ada0 &lt;Lovelace &amp; co&gt;"), std::string::npos) << expected[0];
    EXPECT_NE(expected[0].find("05 March 2024 11:00 CET"), std::string::npos) << expected[0];
    EXPECT_NE(expected[1].find("Join us"), std::string::npos);

    std::vector<std::vector<std::string>> results(8);
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            for (int round = 0; round < 5; ++round) {
                for (int i = 0; i < kProfiles; ++i) {
                    std::string out;
                    if (tpl->Render(contexts[i], ro, out)) results[t].push_back(std::move(out));
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    for (int t = 0; t < 8; ++t) {
        ASSERT_EQ(results[t].size(), static_cast<std::size_t>(5 * kProfiles));
        for (std::size_t k = 0; k < results[t].size(); ++k) {
            ASSERT_EQ(results[t][k], expected[k % kProfiles]) << "thread " << t;
        }
    }
}

TEST(Render, ReportsProfileFields) {
    auto tpl = Compile(
        "{{ profile.lastName }}{{ profile.firstName | upcase }}{% for p in profile.purchases %}"
        "{{ p.amount }}{% endfor %}{{ profile['email'] }}{{ event.x }}");
    ASSERT_TRUE(tpl);
    EXPECT_EQ(tpl->info().profile_fields,
              (std::vector<std::string>{"email", "firstName", "lastName", "purchases"}));
    EXPECT_FALSE(tpl->info().whole_profile);
    auto whole = Compile("{{ profile | json }}");
    ASSERT_TRUE(whole);
    EXPECT_TRUE(whole->info().whole_profile);
}

TEST(Render, RecordsBehaveAsObjects) {
    const Value object = Profile(3);
    const Value record = ToRecords(object);
    ASSERT_TRUE(record.is_record());
    EXPECT_TRUE(record.is_object());
    EXPECT_FALSE(object.is_record());
    // The three purchases share one shape.
    const Array& items = record.Find("purchases")->as_array();
    ASSERT_TRUE(items[0].is_record());
    EXPECT_EQ(items[0].as_record().shape_ptr(), items[2].as_record().shape_ptr());
    EXPECT_TRUE(Equal(object, record));
    EXPECT_TRUE(Equal(record, object));
    EXPECT_FALSE(Equal(record, ToRecords(Profile(4))));
    EXPECT_EQ(record.object_size(), 5u);
    EXPECT_EQ(record.key_at(1), "lastName");
    EXPECT_EQ(record.ToString(), object.ToString());
    EXPECT_EQ(record.Find("nope"), nullptr);

    // The same template, objects and records in turn (the lookup hints are shared).
    auto tpl = Compile(std::string(kEmail) +
                           "{{ profile | json }}{{ profile.size }}{% for kv in profile %}"
                           "{{ kv[0] }}={{ kv[1] }};{% endfor %}{{ profile['vip'] }}"
                           "{{ profile.purchases | where: 'name', 'item 1' | map: 'amount' }}",
                       {.mode = Mode::kHtml});
    ASSERT_TRUE(tpl) << tpl.error().message;
    RenderOptions ro;
    ro.time_zone = "Europe/Paris";
    for (int i = 0; i < 6; ++i) {
        Context a;
        a.profile = Profile(i);
        Context b;
        b.profile = ToRecords(a.profile);
        auto from_object = tpl->Render(a, ro);
        auto from_record = tpl->Render(b, ro);
        ASSERT_TRUE(from_object && from_record);
        EXPECT_EQ(*from_record, *from_object) << i;
    }
}

TEST(Render, RecordShapesInAnyOrderAreFound) {
    auto tpl = Compile("{{ profile.b }}{{ profile.a }}{{ profile.c }}");
    ASSERT_TRUE(tpl);
    const auto ab = std::make_shared<const Shape>(std::vector<std::string>{"a", "b"});
    const auto xba = std::make_shared<const Shape>(std::vector<std::string>{"x", "b", "a"});
    for (int round = 0; round < 3; ++round) {
        Context ctx;
        ctx.profile = Value(ab, {Value(1), Value(2)});
        EXPECT_EQ(*tpl->Render(ctx), "21");
        ctx.profile = Value(xba, {Value(0), Value(2), Value(1)});
        EXPECT_EQ(*tpl->Render(ctx), "21");
        ctx.profile = Value(Object{{"b", Value(2)}, {"a", Value(1)}, {"c", Value(3)}});
        EXPECT_EQ(*tpl->Render(ctx), "213");
    }
    // One value per slot: a missing value is nil, an extra one is dropped.
    EXPECT_EQ(Value(ab, {Value(1)}).object_size(), 2u);
    EXPECT_TRUE(Value(ab, {Value(1)}).Find("b")->is_nil());
    EXPECT_EQ(Value(ab, {Value(1), Value(2), Value(3)}).ToString(), R"({"a":1,"b":2})");
}

TEST(Render, ProfileLaidOutInFieldOrderIsFound) {
    auto tpl = Compile("{{ profile.b }}{{ profile.a }}");
    ASSERT_TRUE(tpl);
    Context ctx;
    // Fields in the order of info().profile_fields: each lookup hits its hint.
    ctx.profile = Value(Object{{"a", Value(1)}, {"b", Value(2)}});
    EXPECT_EQ(*tpl->Render(ctx), "21");
    // Any other order still works.
    ctx.profile = Value(Object{{"b", Value(2)}, {"x", Value(0)}, {"a", Value(1)}});
    EXPECT_EQ(*tpl->Render(ctx), "21");
}

TEST(Render, LookupsFollowEachLayoutFromRenderToRender) {
    // Each lookup remembers where it found its member last time; objects laid out otherwise,
    // or missing the member, must still give the right value.
    auto tpl = Compile(
        "{{ profile.a }}{{ profile.b }}{% for p in profile.items %}[{{ p.x }}{{ p.y }}]{% endfor "
        "%}");
    ASSERT_TRUE(tpl);
    auto item = [](bool flip) {
        return flip ? Value(Object{{"y", Value(2)}, {"z", Value(0)}, {"x", Value(1)}})
                    : Value(Object{{"x", Value(1)}, {"y", Value(2)}});
    };
    const Value layouts[] = {
        Value(Object{{"a", Value("A")}, {"b", Value("B")}, {"items", Value(Array{item(false)})}}),
        Value(Object{{"items", Value(Array{item(true), item(false)})},
                     {"b", Value("B")},
                     {"a", Value("A")}}),
        Value(Object{{"b", Value("B")}, {"items", Value(Array{Value(Object{{"y", Value(2)}})})}}),
    };
    const char* expected[] = {"AB[12]", "AB[12][12]", "B[2]"};
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 3; ++i) {
            Context ctx;
            ctx.profile = layouts[i];
            EXPECT_EQ(*tpl->Render(ctx), expected[i]) << "round " << round << ", layout " << i;
        }
    }
}

TEST(Render, ManyVariablesAndLoops) {
    // More variables and loops than a render keeps on its stack.
    std::string src;
    std::string expected;
    for (int i = 0; i < 12; ++i) {
        src += "{% assign v" + std::to_string(i) + " = " + std::to_string(i) + " %}";
    }
    for (int i = 0; i < 12; ++i) {
        src +=
            "{% for x in (1..2) %}{{ v" + std::to_string(i) + " }}{{ forloop.index }}{% endfor %}";
        expected += std::to_string(i) + "1" + std::to_string(i) + "2";
    }
    auto tpl = Compile(src, {.mode = Mode::kText, .strict = true});
    ASSERT_TRUE(tpl) << tpl.error().message;
    EXPECT_EQ(*tpl->Render({}), expected);
}

TEST(Render, AppendsToTheCallersBuffer) {
    auto tpl = Compile("b{{ 1 | plus: 1 }}", {.mode = Mode::kText});
    ASSERT_TRUE(tpl);
    std::string out = "a";
    ASSERT_TRUE(tpl->Render({}, {}, out));
    EXPECT_EQ(out, "ab2");
}

TEST(Render, CompileErrorHasLineColumnAndExcerpt) {
    auto tpl = Compile("Hello\n  {{ profile.x | nope }}", {.strict = true});
    ASSERT_FALSE(tpl);
    EXPECT_EQ(tpl.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(tpl.error().message, "line 2, column 18: unknown filter 'nope'");
    EXPECT_EQ(tpl.error().details.at("excerpt"), "  {{ profile.x | nope }}\n                 ^");
}

TEST(Render, ErrorInAFragmentNamesTheFragment) {
    CompileOptions o;
    o.strict = true;
    o.fragments = [](std::string_view name) -> std::optional<std::string> {
        if (name == "footer") return std::string("ok\n{% if %}");
        return std::nullopt;
    };
    auto tpl = Compile("{% include 'footer' %}", o);
    ASSERT_FALSE(tpl);
    EXPECT_EQ(tpl.error().details.at("fragment"), "footer");
    EXPECT_EQ(tpl.error().details.at("line"), "2");
    EXPECT_NE(tpl.error().message.find("fragment \"footer\""), std::string::npos);
}

TEST(Render, LimitsStopRunawayTemplates) {
    CompileOptions o;
    o.limits.max_iterations = 1000;
    o.limits.max_output_bytes = 10'000;
    auto loops =
        Compile("{% for i in (1..100) %}{% for j in (1..100) %}x{% endfor %}{% endfor %}", o);
    ASSERT_TRUE(loops);
    auto r = loops->Render({});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("loop iterations"), std::string::npos);
    EXPECT_EQ(r.error().details.at("limit"), "maxIterations");

    auto big = Compile("{% for i in (1..900) %}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{% endfor %}", o);
    ASSERT_TRUE(big);
    auto r2 = big->Render({});
    ASSERT_FALSE(r2);
    EXPECT_NE(r2.error().message.find("output is larger"), std::string::npos);
    EXPECT_EQ(r2.error().details.at("limit"), "maxOutputBytes");

    auto doubling = Compile(
        "{% assign s = 'xx' %}{% for i in (1..100) %}{% assign s = s | append: s %}{% endfor %}",
        o);
    ASSERT_TRUE(doubling);
    auto r3 = doubling->Render({});
    ASSERT_FALSE(r3);
    EXPECT_NE(r3.error().message.find("larger than the output limit"), std::string::npos);
    EXPECT_EQ(r3.error().details.at("limit"), "maxOutputBytes");

    auto self = [](std::string_view) -> std::optional<std::string> {
        return std::string("{% include 'me' %}");
    };
    auto rec = Compile("{% include 'me' %}", {.fragments = self});
    ASSERT_FALSE(rec);
    EXPECT_NE(rec.error().message.find("included more than"), std::string::npos);
    EXPECT_EQ(rec.error().details.at("limit"), "maxIncludeDepth");

    // Filters that multiply sizes stop at the output limit instead of allocating it all.
    const char* multipliers[] = {
        "{% assign s = 'xxxxxxxxxx' %}{% for i in (1..9) %}{% assign s = s | append: s %}"
        "{% endfor %}{{ s | replace: '', s }}",
        "{% assign s = 'xxxxxxxxxx' %}{% for i in (1..9) %}{% assign s = s | append: s %}"
        "{% endfor %}{% assign a = s | split: '' %}{{ a | join: s }}",
        "{% assign s = 'xxxxxxxxxx' %}{% for i in (1..9) %}{% assign s = s | append: s %}"
        "{% endfor %}{% assign a = s | split: ',' %}{% for i in (1..20) %}"
        "{% assign a = a | concat: a %}{% endfor %}",
    };
    for (const char* text : multipliers) {
        auto t = Compile(text, o);
        ASSERT_TRUE(t) << t.error().message;
        auto r4 = t->Render({});
        ASSERT_FALSE(r4) << text;
        const std::string& m = r4.error().message;
        EXPECT_TRUE(m.find("larger than") != std::string::npos ||
                    m.find("more than") != std::string::npos)
            << m;
        // Every limit names itself in the `limit` detail, for callers (the templates API).
        ASSERT_TRUE(r4.error().details.contains("limit")) << m;
        EXPECT_TRUE(r4.error().details.at("limit") == "maxOutputBytes" ||
                    r4.error().details.at("limit") == "maxIterations")
            << m;
    }

    // Fragments that include fragments ten times over stop at the compiled-size limit.
    auto fan_out = [](std::string_view name) -> std::optional<std::string> {
        if (name.size() >= 6) return std::string(1000, 'x');  // 10^5 leaves at depth 5
        std::string next(name);
        std::string body;
        for (int i = 0; i < 10; ++i) body += "{% include '" + next + "x' %}";
        return body;
    };
    CompileOptions fo;
    fo.fragments = fan_out;
    fo.limits.max_source_bytes = 64 * 1024;
    auto fan = Compile("{% include 'f' %}", fo);
    ASSERT_FALSE(fan);
    EXPECT_NE(fan.error().message.find("with its fragments"), std::string::npos)
        << fan.error().message;
    EXPECT_EQ(fan.error().details.at("limit"), "maxSourceBytes");

    std::string deep;
    for (int i = 0; i < 100; ++i) deep += "{% if true %}";
    auto nested = Compile(deep);
    ASSERT_FALSE(nested);
    EXPECT_NE(nested.error().message.find("nested more than"), std::string::npos);
    EXPECT_EQ(nested.error().details.at("limit"), "maxNesting");
}

TEST(Render, TimeZoneComesFromTheOptions) {
    auto tpl = Compile("{{ '2024-07-01T12:00:00Z' | date: '%H:%M %Z %z' }}");
    ASSERT_TRUE(tpl);
    RenderOptions ro;
    ro.time_zone = "America/New_York";
    EXPECT_EQ(*tpl->Render({}, ro), "08:00 EDT -0400");
    ro.time_zone = "";
    EXPECT_EQ(*tpl->Render({}, ro), "12:00 UTC +0000");
    ro.time_zone = "Not/AZone";
    EXPECT_EQ(*tpl->Render({}, ro), "12:00 UTC +0000");
}

}  // namespace
}  // namespace overture::render
