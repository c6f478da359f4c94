// overture bench render: the personalization engine against a hand-written C++ function that
// builds the same email (bench_render.hpp).
//
// Approach: the profiles are generated up front from the seed, twice over the same random
// draws: as render::Value records (what the sender gives the engine: one Shape per set of
// loaded columns, a Record per recipient) and as plain structs
// (what a hand-written sender would read). The template is compiled once. A round renders every
// profile with the engine, then every profile with the hand-written function, each into one
// reused buffer (cleared per profile, as a sender reuses its buffer), and adds up the output
// sizes so that nothing is optimized away. Before timing, a sample of profiles is rendered both
// ways and must give the same bytes. Medians over the rounds.
#include "app/bench_render.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <fstream>
#include <iostream>
#include <random>
#include <string_view>
#include <vector>

#include "app/bench_util.hpp"
#include "app/commands.hpp"
#include "render/template.hpp"
#include "render/value.hpp"

namespace overture::app {
namespace {

using Steady = std::chrono::steady_clock;

// About 2 KB once rendered: ten profile fields, one `if`, one `for` over the purchases, five
// tracked links (rewritten per recipient through RenderOptions::rewrite_link, as the tracking
// issue will) and the unsubscribe link (a special URL, not rewritten), HTML-escaped outputs.
constexpr std::string_view kTemplate = R"(<!DOCTYPE html>
<html lang="{{ profile.language }}"><head><meta charset="utf-8"><title>Your monthly summary</title></head>
<body style="margin:0;padding:0;background:#f4f4f4;font-family:Helvetica,Arial,sans-serif">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">
<table role="presentation" width="600" style="background:#ffffff;border-radius:4px">
<tr><td style="padding:24px"><a href="https://shop.example/?utm_source=email"><img src="https://shop.example/logo.png" alt="Shop" width="120"></a></td></tr>
<tr><td style="padding:0 24px">
<h1 style="font-size:22px;color:#222">Hello {{ profile.firstName }} {{ profile.lastName }},</h1>
<p style="font-size:15px;line-height:22px;color:#444">Here is what happened on your account {{ profile.email }} this month. You have {{ profile.points }} loyalty points and your tier is {{ profile.tier }}.</p>
{% if profile.vip %}<p style="font-size:15px;color:#0a7">As a VIP member in {{ profile.city }}, you get free express delivery on every order.</p>{% else %}<p style="font-size:15px;color:#444">Earn more points to unlock free express delivery in {{ profile.city }}.</p>{% endif %}
<h2 style="font-size:17px;color:#222">Your recent purchases</h2>
<table role="presentation" width="100%" style="font-size:14px;color:#444">
{% for p in profile.purchases %}<tr><td style="padding:4px 0">{{ p.name }}</td><td align="right">{{ p.quantity }} x {{ p.price }} EUR</td></tr>
{% endfor %}</table>
<p style="font-size:15px"><a href="https://shop.example/account/{{ profile.id }}?utm_source=email" style="color:#06c">View your account</a> or <a href="https://shop.example/orders?utm_source=email" style="color:#06c">track your orders</a>.</p>
<p style="font-size:13px;color:#888">We will call {{ profile.phone }} only about deliveries to {{ profile.country }}.</p>
</td></tr>
<tr><td style="padding:24px;font-size:12px;color:#999">
<a href="https://shop.example/preferences/{{ profile.id }}" style="color:#999">Preferences</a> |
<a href="https://shop.example/help" style="color:#999">Help</a> |
<a href="{{ unsubscribe_url }}" style="color:#999">Unsubscribe</a><br>
Shop Example SA, 1 rue de la Paix, 75002 Paris, France. You receive this email because you have an account with us.
</td></tr></table>
</td></tr></table>
</body></html>
)";

struct Purchase {
    std::string name;
    std::int64_t quantity = 0;
    double price = 0;
};

// What the hand-written function reads.
struct Plain {
    std::int64_t id = 0;
    std::string first_name, last_name, email, city, country, phone, tier, language;
    std::int64_t points = 0;
    bool vip = false;
    std::vector<Purchase> purchases;
    std::string unsubscribe_url;
};

struct Profiles {
    std::vector<render::Context> contexts;
    std::vector<Plain> plain;
};

// Names with characters that HTML escaping changes, as real data has.
constexpr std::string_view kFirst[] = {"Ada",    "Jean-Luc", "Zoë",   "Mary & Bob",
                                       "Olivia", "Noah",     "Chloé", "Liam",
                                       "D'Arcy", "Émile",    "Sofia", "Hugo"};
constexpr std::string_view kLast[] = {"Lovelace", "O'Brien",  "Müller", "Smith",    "García",
                                      "Dupont",   "<Nguyen>", "Rossi",  "Kowalski", "Martin"};
constexpr std::string_view kCity[] = {"Paris",  "Berlin", "Lyon", "Madrid", "Rome",
                                      "Lisbon", "Zürich", "Köln", "Porto",  "Nantes"};
constexpr std::string_view kCountry[] = {"FR", "DE", "ES", "IT", "PT", "CH"};
constexpr std::string_view kTier[] = {"bronze", "silver", "gold", "platinum"};
constexpr std::string_view kLanguage[] = {"fr", "de", "es", "it", "en"};
constexpr std::string_view kItem[] = {
    "Notebook A5", "Fountain pen \"Classic\"", "Ink (blue)", "Desk lamp", "Paper & envelopes",
    "Stapler",     "Backpack <15 L>",          "Mug"};

template <std::size_t N>
std::string_view Pick(std::mt19937_64& rng, const std::string_view (&list)[N]) {
    return list[rng() % N];
}

Profiles Generate(std::int64_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    Profiles out;
    out.contexts.reserve(static_cast<std::size_t>(n));
    out.plain.reserve(static_cast<std::size_t>(n));
    // Records, as the sender builds them: one Shape per loaded set of columns, shared by all
    // the recipients, and one value per column in each recipient's record.
    const auto profile_shape = std::make_shared<const render::Shape>(
        std::vector<std::string>{"id", "firstName", "lastName", "email", "city", "country", "phone",
                                 "tier", "language", "points", "vip", "purchases"});
    const auto purchase_shape = std::make_shared<const render::Shape>(
        std::vector<std::string>{"name", "quantity", "price"});
    for (std::int64_t i = 0; i < n; ++i) {
        Plain p;
        p.id = 100'000 + i;
        p.first_name = Pick(rng, kFirst);
        p.last_name = Pick(rng, kLast);
        p.email = fmt::format("user{}@mail{}.example", i, rng() % 50);
        p.city = Pick(rng, kCity);
        p.country = Pick(rng, kCountry);
        p.phone = fmt::format("+33 6 {:02} {:02} {:02} {:02}", rng() % 100, rng() % 100,
                              rng() % 100, rng() % 100);
        p.tier = Pick(rng, kTier);
        p.language = Pick(rng, kLanguage);
        p.points = static_cast<std::int64_t>(rng() % 20'000);
        p.vip = rng() % 4 == 0;
        for (int k = 0; k < 3; ++k) {
            p.purchases.push_back({std::string(Pick(rng, kItem)),
                                   static_cast<std::int64_t>(1 + rng() % 5),
                                   static_cast<double>(rng() % 10'000) / 100.0});
        }
        p.unsubscribe_url = fmt::format("https://shop.example/u/{}?t={:016x}", p.id, rng());

        render::Array purchases;
        for (const Purchase& b : p.purchases) {
            purchases.emplace_back(render::Value(
                purchase_shape,
                {render::Value(b.name), render::Value(b.quantity), render::Value(b.price)}));
        }
        render::Context c;
        c.profile = render::Value(
            profile_shape,
            {render::Value(p.id), render::Value(p.first_name), render::Value(p.last_name),
             render::Value(p.email), render::Value(p.city), render::Value(p.country),
             render::Value(p.phone), render::Value(p.tier), render::Value(p.language),
             render::Value(p.points), render::Value(p.vip), render::Value(std::move(purchases))});
        c.unsubscribe_url = render::Value(p.unsubscribe_url);
        out.contexts.push_back(std::move(c));
        out.plain.push_back(std::move(p));
    }
    return out;
}

void Int(std::string& out, std::int64_t v) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, end);
}

// The same bytes as kTemplate, by hand. Floats print as Ruby does (render::AppendFloat), the
// one piece of the engine a hand-written sender would have to copy.
// A tracked link as the tracking issue will write it (a redirect per delivery, recipient and
// link); both sides write the same stand-in, without the signature.
void Tracked(std::string& out, std::uint32_t link, std::int64_t recipient) {
    out += "https://t.example/c/";
    Int(out, link);
    out += '/';
    Int(out, recipient);
}

void HandWritten(const Plain& p, std::string& out) {
    out += "<!DOCTYPE html>\n<html lang=\"";
    render::AppendEscaped(out, p.language);
    out +=
        "\"><head><meta charset=\"utf-8\"><title>Your monthly summary</title></head>\n"
        "<body style=\"margin:0;padding:0;background:#f4f4f4;font-family:Helvetica,Arial,"
        "sans-serif\">\n"
        "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\"><tr>"
        "<td align=\"center\">\n"
        "<table role=\"presentation\" width=\"600\" style=\"background:#ffffff;border-radius:"
        "4px\">\n"
        "<tr><td style=\"padding:24px\"><a href=\"";
    Tracked(out, 0, p.id);
    out +=
        "\">"
        "<img src=\"https://shop.example/logo.png\" alt=\"Shop\" width=\"120\"></a></td></tr>\n"
        "<tr><td style=\"padding:0 24px\">\n"
        "<h1 style=\"font-size:22px;color:#222\">Hello ";
    render::AppendEscaped(out, p.first_name);
    out += ' ';
    render::AppendEscaped(out, p.last_name);
    out +=
        ",</h1>\n<p style=\"font-size:15px;line-height:22px;color:#444\">Here is what "
        "happened on your account ";
    render::AppendEscaped(out, p.email);
    out += " this month. You have ";
    Int(out, p.points);
    out += " loyalty points and your tier is ";
    render::AppendEscaped(out, p.tier);
    out += ".</p>\n";
    if (p.vip) {
        out += "<p style=\"font-size:15px;color:#0a7\">As a VIP member in ";
        render::AppendEscaped(out, p.city);
        out += ", you get free express delivery on every order.</p>";
    } else {
        out +=
            "<p style=\"font-size:15px;color:#444\">Earn more points to unlock free express "
            "delivery in ";
        render::AppendEscaped(out, p.city);
        out += ".</p>";
    }
    out +=
        "\n<h2 style=\"font-size:17px;color:#222\">Your recent purchases</h2>\n"
        "<table role=\"presentation\" width=\"100%\" style=\"font-size:14px;color:#444\">\n";
    for (const Purchase& b : p.purchases) {
        out += "<tr><td style=\"padding:4px 0\">";
        render::AppendEscaped(out, b.name);
        out += "</td><td align=\"right\">";
        Int(out, b.quantity);
        out += " x ";
        render::AppendFloat(out, b.price);
        out += " EUR</td></tr>\n";
    }
    out += "</table>\n<p style=\"font-size:15px\"><a href=\"";
    Tracked(out, 1, p.id);
    out += "\" style=\"color:#06c\">View your account</a> or <a href=\"";
    Tracked(out, 2, p.id);
    out +=
        "\" style=\"color:#06c\">track "
        "your orders</a>.</p>\n<p style=\"font-size:13px;color:#888\">We will call ";
    render::AppendEscaped(out, p.phone);
    out += " only about deliveries to ";
    render::AppendEscaped(out, p.country);
    out +=
        ".</p>\n</td></tr>\n<tr><td style=\"padding:24px;font-size:12px;color:#999\">\n"
        "<a href=\"";
    Tracked(out, 3, p.id);
    out += "\" style=\"color:#999\">Preferences</a> |\n<a href=\"";
    Tracked(out, 4, p.id);
    out += "\" style=\"color:#999\">Help</a> |\n<a href=\"";
    render::AppendEscaped(out, p.unsubscribe_url);
    out +=
        "\" style=\"color:#999\">Unsubscribe</a><br>\nShop Example SA, 1 rue de la Paix, "
        "75002 Paris, France. You receive this email because you have an account with us.\n"
        "</td></tr></table>\n</td></tr></table>\n</body></html>\n";
}

}  // namespace

int RunBenchRender(const BenchRenderOptions& options) {
    if (options.profiles < 1 || options.rounds < 1) {
        std::cerr << "overture: --profiles and --rounds must be at least 1\n";
        return kExitUsage;
    }
    auto tpl = render::Compile(kTemplate, {.mode = render::Mode::kHtml, .strict = true});
    if (!tpl) {
        std::cerr << "overture: the benchmark template does not compile: " << tpl.error().message
                  << "\n";
        return kExitFailure;
    }
    const auto t0 = Steady::now();
    const Profiles data = Generate(options.profiles, options.seed);
    const auto n = static_cast<std::size_t>(options.profiles);
    std::cerr << fmt::format("generated {} profiles in {:.1f} s\n", n,
                             std::chrono::duration<double>(Steady::now() - t0).count());

    // Every tracked link goes through the rewrite hook, as at send time (the unsubscribe link is
    // a special URL and is not rewritten).
    const Plain* current = nullptr;
    render::RenderOptions render_options;
    render_options.rewrite_link = [&current](const render::LinkInfo& link, std::string_view,
                                             std::string& out) {
        Tracked(out, link.id, current->id);
    };

    // Same bytes on a sample (every profile up to 1,000, then evenly spread).
    std::string ours;
    std::string hand;
    const std::size_t step = std::max<std::size_t>(1, n / 1000);
    std::size_t sample_bytes = 0;
    std::size_t samples = 0;
    for (std::size_t i = 0; i < n; i += step) {
        ours.clear();
        hand.clear();
        current = &data.plain[i];
        if (auto st = tpl->Render(data.contexts[i], render_options, ours); !st) {
            std::cerr << "overture: render failed: " << st.error().message << "\n";
            return kExitFailure;
        }
        HandWritten(data.plain[i], hand);
        if (ours != hand) {
            auto at = std::mismatch(ours.begin(), ours.end(), hand.begin(), hand.end());
            const auto off = static_cast<std::size_t>(at.first - ours.begin());
            std::cerr << fmt::format(
                "overture: profile {}: the template and the hand-written function differ at "
                "byte {}:\n  ours: {}\n  hand: {}\n",
                i, off, ours.substr(off, 80), hand.substr(off, 80));
            return kExitFailure;
        }
        sample_bytes += ours.size();
        ++samples;
    }
    std::cerr << fmt::format("{} samples identical, {} bytes per email on average\n", samples,
                             sample_bytes / samples);

    std::vector<double> ours_rate;
    std::vector<double> hand_rate;
    std::size_t checksum = 0;
    const auto start = Steady::now();
    for (int r = 0; r < options.rounds; ++r) {
        if (r > 0 &&
            std::chrono::duration<double>(Steady::now() - start).count() > options.max_seconds) {
            std::cerr << fmt::format("stopping after {} rounds (--max-seconds)\n", r);
            break;
        }
        auto t = Steady::now();
        for (std::size_t i = 0; i < n; ++i) {
            ours.clear();
            current = &data.plain[i];
            if (auto st = tpl->Render(data.contexts[i], render_options, ours); !st) {
                return kExitFailure;
            }
            checksum += ours.size();
        }
        const double ours_s = std::chrono::duration<double>(Steady::now() - t).count();
        t = Steady::now();
        for (std::size_t i = 0; i < n; ++i) {
            hand.clear();
            HandWritten(data.plain[i], hand);
            checksum += hand.size();
        }
        const double hand_s = std::chrono::duration<double>(Steady::now() - t).count();
        ours_rate.push_back(static_cast<double>(n) / ours_s);
        hand_rate.push_back(static_cast<double>(n) / hand_s);
        std::cerr << fmt::format("round {}: ours {:.0f}/s, hand-written {:.0f}/s\n", r + 1,
                                 ours_rate.back(), hand_rate.back());
    }
    const double o = Median(ours_rate);
    const double h = Median(hand_rate);
    std::cout << fmt::format("profiles\trounds\tours_per_s\thand_per_s\tratio\tbytes\n");
    const std::string line = fmt::format("{}\t{}\t{:.0f}\t{:.0f}\t{:.2f}\t{}\n", n,
                                         ours_rate.size(), o, h, o / h, sample_bytes / samples);
    std::cout << line;
    std::cerr << fmt::format("(checksum {})\n", checksum);
    if (!options.out.empty()) std::ofstream(options.out, std::ios::app) << line;
    return kExitOk;
}

}  // namespace overture::app
