// Unit tests of link tracking (links.hpp) that the data files (tests/render/links.test) cannot
// express: ids stable across compiles, the order and arguments of rewrite_link calls, output
// byte-identical without a callback, errors inside an href, and sharing between threads.
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "render/template.hpp"

namespace overture::render {
namespace {

constexpr std::string_view kEmail = R"(<html><body>
<!-- <a href="https://commented.example/">no</a> -->
<p>Hello {{ profile.firstName }}, see <a href="{{ profile.site }}/p?id={{ profile.id }}&amp;s=1">your page</a>.</p>
{% for p in profile.purchases %}<a class="item" href='{{ profile.site }}/i/{{ p.sku }}'><b>{{ p.name }}</b></a>
{% endfor %}{% if profile.vip %}<A HREF=https://vip.example/{{ profile.id }}>VIP</A>{% endif %}
<a href="mailto:help@example.com">Help</a> <a href="#top">Top</a>
<a href="{{ mirror_url }}">View online</a> <a href="{{ unsubscribe_url }}">Unsubscribe</a>
</body></html>)";

Context MakeContext(int i) {
    Context ctx;
    Array purchases;
    for (int k = 0; k < 2; ++k) {
        purchases.push_back(Value(Object{{"sku", Value("S" + std::to_string(k))},
                                         {"name", Value("Item " + std::to_string(k))}}));
    }
    ctx.profile = Value(Object{{"firstName", Value("Ada")},
                               {"id", Value(static_cast<std::int64_t>(i))},
                               {"site", Value("https://shop.example")},
                               {"vip", Value(true)},
                               {"purchases", Value(std::move(purchases))}});
    ctx.mirror_url = Value("https://o.example/m/" + std::to_string(i));
    ctx.unsubscribe_url = Value("https://o.example/u/" + std::to_string(i));
    return ctx;
}

TEST(Links, FoundWithStableIdsAcrossCompiles) {
    auto a = Compile(kEmail);
    auto b = Compile(kEmail);
    ASSERT_TRUE(a && b);
    ASSERT_EQ(a->links().size(), 7u);
    ASSERT_EQ(a->links().size(), b->links().size());
    for (std::size_t i = 0; i < a->links().size(); ++i) {
        const LinkInfo& x = a->links()[i];
        const LinkInfo& y = b->links()[i];
        EXPECT_EQ(x.id, i);
        EXPECT_EQ(x.id, y.id);
        EXPECT_EQ(x.label, y.label);
        EXPECT_EQ(x.category, y.category);
        EXPECT_EQ(x.source, y.source);
        EXPECT_EQ(x.tracked, y.tracked);
    }
    const auto& l = a->links();
    EXPECT_EQ(l[0].source, "{{ profile.site }}/p?id={{ profile.id }}&amp;s=1");
    EXPECT_EQ(l[0].label, "your page");
    EXPECT_EQ(l[1].label, "{{ p.name }}");
    EXPECT_EQ(l[2].source, "https://vip.example/{{ profile.id }}");
    EXPECT_EQ(l[3].category, "mailto");
    EXPECT_EQ(l[4].category, "anchor");
    EXPECT_EQ(l[5].category, "mirror");
    EXPECT_EQ(l[6].category, "unsubscribe");
    EXPECT_TRUE(l[0].tracked && l[1].tracked && l[2].tracked);
    EXPECT_FALSE(l[3].tracked || l[4].tracked || l[5].tracked || l[6].tracked);
}

TEST(Links, RewriteReceivesRenderedUrlsInOrder) {
    auto tpl = Compile(kEmail);
    ASSERT_TRUE(tpl);
    std::vector<std::pair<std::uint32_t, std::string>> calls;
    RenderOptions ro;
    ro.rewrite_link = [&](const LinkInfo& link, std::string_view url, std::string& out) {
        calls.emplace_back(link.id, std::string(url));
        out += "https://t.example/c/" + std::to_string(link.id) + "?\"x\"&y";
    };
    auto out = tpl->Render(MakeContext(7), ro);
    ASSERT_TRUE(out) << out.error().message;
    std::vector<std::pair<std::uint32_t, std::string>> want = {
        {0, "https://shop.example/p?id=7&s=1"},
        {1, "https://shop.example/i/S0"},
        {1, "https://shop.example/i/S1"},
        {2, "https://vip.example/7"},
    };
    EXPECT_EQ(calls, want);
    // What the callback writes is escaped into the attribute.
    EXPECT_NE(out->find(R"(href="https://t.example/c/0?&quot;x&quot;&amp;y">your page)"),
              std::string::npos)
        << *out;
    EXPECT_NE(out->find("<A HREF=https://t.example/c/2?&quot;x&quot;&amp;y>VIP</A>"),
              std::string::npos)
        << *out;
    EXPECT_NE(out->find(R"(<a href="https://o.example/u/7">Unsubscribe</a>)"), std::string::npos);
    EXPECT_NE(out->find(R"(<a href="mailto:help@example.com">Help</a>)"), std::string::npos);
    EXPECT_NE(out->find(R"(<a href="https://commented.example/">)"), std::string::npos);
}

TEST(Links, WithoutCallbackOutputIsByteIdentical) {
    // Text mode has no link pass and, with values that need no escaping, renders what the
    // HTML template rendered before links were found.
    auto html = Compile(kEmail, {.mode = Mode::kHtml});
    auto text = Compile(kEmail, {.mode = Mode::kText});
    ASSERT_TRUE(html && text);
    EXPECT_TRUE(text->links().empty());
    for (int i = 0; i < 3; ++i) {
        auto a = html->Render(MakeContext(i));
        auto b = text->Render(MakeContext(i));
        ASSERT_TRUE(a && b);
        EXPECT_EQ(*a, *b);
    }
    // And the callback's absence differs from a callback that writes the URL back only where
    // the URL held escaped characters.
    RenderOptions ro;
    ro.rewrite_link = [](const LinkInfo&, std::string_view url, std::string& out) { out += url; };
    auto same = html->Render(MakeContext(1), ro);
    auto plain = html->Render(MakeContext(1));
    ASSERT_TRUE(same && plain);
    EXPECT_EQ(*same, *plain);
}

TEST(Links, AppendsToTheCallersBuffer) {
    auto tpl = Compile(R"(<a href="https://e.example/{{ profile.id }}">x</a>)");
    ASSERT_TRUE(tpl);
    RenderOptions ro;
    ro.rewrite_link = [](const LinkInfo&, std::string_view url, std::string& out) {
        EXPECT_TRUE(out.empty());
        out += "T:";
        out += url;
    };
    std::string out = "before|";
    ASSERT_TRUE(tpl->Render(MakeContext(3), ro, out));
    EXPECT_EQ(out, R"(before|<a href="T:https://e.example/3">x</a>)");
}

TEST(Links, RewrittenUrlIsEscapedWhereNeeded) {
    // What the callback returns is checked eight bytes at a time: every special character at
    // every position of short and long URLs is escaped, and look-alike bytes are not.
    auto tpl = Compile(R"(<a href="https://e.example/">x</a>)");
    ASSERT_TRUE(tpl);
    std::string written;
    RenderOptions ro;
    ro.rewrite_link = [&written](const LinkInfo&, std::string_view, std::string& out) {
        out += written;
    };
    auto expect = [&](const std::string& url) {
        written = url;
        std::string escaped;
        AppendEscaped(escaped, url);
        EXPECT_EQ(*tpl->Render({}, ro), "<a href=\"" + escaped + "\">x</a>") << url;
    };
    expect("");
    expect("https://t.example/c/0/100000?a=%25(1)=!#~\xc3\xa9\xa6\xa7\xbc\xbe\xa2");
    for (std::size_t len = 1; len <= 24; ++len) {
        for (std::size_t at = 0; at < len; ++at) {
            for (char c : std::string_view("&<>\"'")) {
                std::string url(len, 'u');
                url[at] = c;
                expect(url);
            }
        }
    }
}

TEST(Links, LimitInsideAnHrefFails) {
    CompileOptions co;
    co.limits.max_output_bytes = 64;
    auto tpl = Compile(R"(<a href="https://e.example/{{ profile.long }}">x</a>)", co);
    ASSERT_TRUE(tpl);
    Context ctx;
    ctx.profile = Value(Object{{"long", Value(std::string(200, 'z'))}});
    RenderOptions ro;
    ro.rewrite_link = [](const LinkInfo&, std::string_view url, std::string& out) { out += url; };
    EXPECT_FALSE(tpl->Render(ctx, ro));
    EXPECT_FALSE(tpl->Render(ctx));
}

TEST(Links, RewritingFromEightThreads) {
    auto tpl = Compile(kEmail);
    ASSERT_TRUE(tpl);
    RenderOptions ro;
    ro.rewrite_link = [](const LinkInfo& link, std::string_view url, std::string& out) {
        out += std::to_string(link.id) + ":";
        out += url;
    };
    std::vector<std::string> expected(50);
    for (int i = 0; i < 50; ++i) expected[i] = *tpl->Render(MakeContext(i), ro);
    std::vector<int> mismatches(8, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 50; ++i) {
                auto out = tpl->Render(MakeContext(i), ro);
                if (!out || *out != expected[i]) ++mismatches[t];
            }
        });
    }
    for (auto& th : threads) th.join();
    for (int m : mismatches) EXPECT_EQ(m, 0);
}

// Templates assembled from pieces of links, tags and quotes: compiling and rendering (with and
// without a callback) never crashes, and without a callback HTML and text mode agree.
TEST(Links, RandomMarkupIsHandled) {
    constexpr std::string_view kPieces[] = {"<a",
                                            "<A ",
                                            "<a ",
                                            " href=",
                                            "HREF = ",
                                            "\"",
                                            "'",
                                            ">",
                                            "</a>",
                                            "<!--",
                                            "-->",
                                            "{{ profile.site }}",
                                            "{{ unsubscribe_url }}",
                                            "x",
                                            " ",
                                            "data-no-track",
                                            " data-label=",
                                            "mailto:",
                                            "#",
                                            "{% if true %}",
                                            "{% endif %}",
                                            "{% raw %}<a href=r>{% endraw %}",
                                            "<b>",
                                            "&amp;",
                                            "/",
                                            "="};
    std::uint32_t seed = 12345;
    auto next = [&] {
        seed = seed * 1103515245u + 12345u;
        return (seed >> 16) & 0x7fff;
    };
    Context ctx = MakeContext(1);
    RenderOptions ro;
    ro.rewrite_link = [](const LinkInfo&, std::string_view url, std::string& out) { out += url; };
    int compiled = 0;
    for (int n = 0; n < 3000; ++n) {
        std::string src;
        int len = 1 + static_cast<int>(next() % 24);
        for (int k = 0; k < len; ++k) src += kPieces[next() % std::size(kPieces)];
        auto html = Compile(src);
        if (!html) continue;
        ++compiled;
        auto a = html->Render(ctx);
        auto b = html->Render(ctx, ro);
        ASSERT_TRUE(a && b) << src;
        auto text = Compile(src, {.mode = Mode::kText});
        ASSERT_TRUE(text) << src;
        auto c = text->Render(ctx);
        ASSERT_TRUE(c) << src;
        // Removed data-* attributes are the one difference.
        if (src.find("data-") == std::string::npos) {
            EXPECT_EQ(*a, *c) << src;
        }
    }
    EXPECT_GT(compiled, 1000);
}

}  // namespace
}  // namespace overture::render
