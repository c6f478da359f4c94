// overture bench smtp: see bench_smtp.hpp.
//
// Approach: a newsletter template (HTML and text parts, personalized with the recipient's name,
// city and points, a `for` over articles, an unsubscribe link) is compiled once; the number of
// articles is chosen so that the finished message is about --size bytes. Worker threads take
// recipient numbers from a shared counter and, for each one: build the profile, render both
// parts, write the MIME message (MessageWriter, built once), sign it (DkimSigner, built once
// from a key generated for the run) and submit it to one SmtpClient (a pool of --connections
// connections, one io thread, PIPELINING when the server offers it). At most 8 messages per
// connection are in flight. The clock runs from the first message built to the last reply;
// every message must be accepted (250) or the run fails.
#include "app/bench_smtp.hpp"

#include <fmt/format.h>
#include <time.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <iostream>
#include <mutex>
#include <semaphore>
#include <thread>
#include <vector>

#include "app/commands.hpp"
#include "channels/email/classify.hpp"
#include "channels/email/dkim.hpp"
#include "channels/email/message_id.hpp"
#include "channels/email/mime.hpp"
#include "channels/email/smtp_client.hpp"
#include "common/crypto.hpp"
#include "render/template.hpp"

namespace overture::app {
namespace {

constexpr std::string_view kHtml = R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>The weekly letter</title></head>
<body style="margin:0;padding:0;background:#f4f4f4;font-family:Helvetica,Arial,sans-serif">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">
<table role="presentation" width="600" style="background:#ffffff;border-radius:4px">
<tr><td style="padding:24px"><img src="https://news.example/logo.png" alt="News" width="120"></td></tr>
<tr><td style="padding:0 24px"><h1 style="font-size:22px;color:#222">Hello {{ profile.firstName }} {{ profile.lastName }},</h1>
<p style="font-size:15px;line-height:22px;color:#444">Here is your week in {{ profile.city }}. You have {{ profile.points }} points; {% if profile.points > 5000 %}that is enough for a free delivery.{% else %}collect {{ 5000 | minus: profile.points }} more for a free delivery.{% endif %}</p>
{% for a in articles %}<h2 style="font-size:18px;color:#222;margin:24px 0 8px">{{ a.title }}</h2>
<p style="font-size:15px;line-height:22px;color:#444">{{ a.summary }}</p>
<p style="font-size:15px"><a href="{{ a.url }}?utm_source=email&amp;r={{ profile.id }}" style="color:#06c">Read more</a></p>
{% endfor %}<p style="font-size:13px;color:#888">You receive this letter at {{ profile.email }}. <a href="{{ unsubscribe_url }}" style="color:#999">Unsubscribe</a></p>
</td></tr></table></td></tr></table></body></html>
)";

constexpr std::string_view kText = R"(Hello {{ profile.firstName }} {{ profile.lastName }},

Here is your week in {{ profile.city }}. You have {{ profile.points }} points.
{% for a in articles %}
{{ a.title | upcase }}
{{ a.summary }}
Read more: {{ a.url }}?utm_source=email&r={{ profile.id }}
{% endfor %}
You receive this letter at {{ profile.email }}. Unsubscribe: {{ unsubscribe_url }}
)";

constexpr std::string_view kFirst[] = {"Ada",   "Jean-Luc", "Zoë",    "Mary",  "Olivia", "Noah",
                                       "Chloé", "Liam",     "D'Arcy", "Émile", "Sofia",  "Hugo"};
constexpr std::string_view kLast[] = {"Lovelace", "O'Brien", "Müller", "Smith",    "García",
                                      "Dupont",   "Nguyen",  "Rossi",  "Kowalski", "Martin"};
constexpr std::string_view kCity[] = {"Paris",  "Berlin", "Lyon", "Madrid", "Rome",
                                      "Lisbon", "Zürich", "Köln", "Porto",  "Nantes"};

render::Value Articles(int count) {
    render::Array list;
    for (int i = 0; i < count; ++i) {
        list.emplace_back(render::Object{
            {"title",
             render::Value(fmt::format("Story {}: what changed this week in town", i + 1))},
            {"summary",
             render::Value(fmt::format(
                 "Our editors looked at {} things that happened around you: new shops, a "
                 "festival, the roadworks on the main street, and the results of the local "
                 "teams. Prices went down for some products & up for others; here is our "
                 "selection with the details you asked for, and the dates to remember.",
                 i + 3))},
            {"url", render::Value(fmt::format("https://news.example/stories/{}", 1000 + i))}});
    }
    return render::Value(std::move(list));
}

struct Recipient {
    render::Context context;
    std::string address;
    std::string unsubscribe;
};

Recipient MakeRecipient(std::int64_t i, const render::Value& articles) {
    const auto n = static_cast<std::size_t>(i);
    Recipient r;
    r.address = fmt::format("user{}@mail{}.example", i, i % 50);
    r.unsubscribe = fmt::format("https://news.example/u/{}?t={:016x}", i, n * 2654435761u);
    r.context.profile = render::Value(
        render::Object{{"id", render::Value(std::int64_t{100'000} + i)},
                       {"firstName", render::Value(std::string(kFirst[n % std::size(kFirst)]))},
                       {"lastName", render::Value(std::string(kLast[(n / 7) % std::size(kLast)]))},
                       {"email", render::Value(r.address)},
                       {"city", render::Value(std::string(kCity[(n / 3) % std::size(kCity)]))},
                       {"points", render::Value(static_cast<std::int64_t>((n * 7919) % 10'000))}});
    r.context.unsubscribe_url = render::Value(r.unsubscribe);
    r.context.target = render::Value(render::Object{{"articles", articles}});
    return r;
}

// Everything built once per run, shared (read-only) by the workers.
struct Shared {
    render::Template html;
    render::Template text;
    email::MessageWriter writer;
    email::DkimSigner signer;
    render::Value articles;
};

std::int64_t ThreadCpuNanos() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// One complete message for recipient i: signature header, then the MIME message.
Status Build(const Shared& s, std::int64_t i, std::string& html, std::string& text,
             std::string& mime, std::string& signed_message, email::Envelope& envelope,
             std::int64_t& sign_nanos) {
    Recipient r = MakeRecipient(i, s.articles);
    html.clear();
    text.clear();
    mime.clear();
    if (auto st = s.html.Render(r.context, {}, html); !st) return st;
    if (auto st = s.text.Render(r.context, {}, text); !st) return st;
    email::RecipientParts parts;
    parts.to = {"", r.address};
    parts.subject = "Your week in town";
    parts.html = html;
    parts.text = text;
    parts.key = {1, i};
    parts.list_unsubscribe_url = r.unsubscribe;
    parts.date = std::chrono::system_clock::now();
    auto utf8 = s.writer.Write(parts, mime);
    if (!utf8) return Fail(utf8.error());
    signed_message.clear();
    signed_message.reserve(mime.size() + 600);
    const auto before = ThreadCpuNanos();
    if (auto st = s.signer.Sign(mime, signed_message); !st) return st;
    sign_nanos += ThreadCpuNanos() - before;
    signed_message += mime;
    envelope.mail_from = email::VerpAddress("bounces", "news.example", parts.key);
    envelope.rcpt_to = r.address;
    envelope.smtputf8 = *utf8;
    envelope.data = std::make_shared<const std::string>(std::move(signed_message));
    return {};
}

}  // namespace

int RunBenchSmtp(const BenchSmtpOptions& o) {
    InitCrypto();
    if (o.port <= 0 || o.port > 65535 || o.messages < 1 || o.connections < 1 ||
        (o.algorithm != "ed25519" && o.algorithm != "rsa")) {
        std::cerr << "overture: bench smtp needs --port, --messages >= 1, --connections >= 1 "
                     "and --algorithm ed25519|rsa\n";
        return kExitUsage;
    }
    // Templates: the articles live in `target` for the engine; rename for readability.
    std::string html_source(kHtml), text_source(kText);
    for (auto* src : {&html_source, &text_source}) {
        for (std::size_t at; (at = src->find(" in articles ")) != std::string::npos;) {
            src->replace(at, 13, " in target.articles ");
        }
    }
    auto html = render::Compile(html_source, {.mode = render::Mode::kHtml, .strict = true});
    auto text = render::Compile(text_source, {.mode = render::Mode::kText, .strict = true});
    if (!html || !text) {
        PrintError(!html ? html.error() : text.error());
        return kExitFailure;
    }
    auto key = email::GenerateDkimKey(o.algorithm == "rsa" ? email::DkimAlgorithm::kRsaSha256
                                                           : email::DkimAlgorithm::kEd25519Sha256);
    if (!key) {
        PrintError(key.error());
        return kExitFailure;
    }
    auto signer = email::DkimSigner::Create("news.example", "bench", key->private_key_pem);
    auto writer = email::MessageWriter::Create(
        {.from = {"The Weekly Letter", "letter@news.example"},
         .reply_to = email::Mailbox{"Readers' desk", "desk@news.example"},
         .message_id_domain = "news.example",
         .feedback_id = "1:weekly:overture"});
    if (!signer || !writer) {
        PrintError(!signer ? signer.error() : writer.error());
        return kExitFailure;
    }
    Shared shared{std::move(*html), std::move(*text), std::move(*writer), std::move(*signer),
                  Articles(1)};

    // Size the message: the average size over a sample of recipients with 1 and 2 articles
    // gives the size of one article; then the count whose average is closest to --size.
    auto average_with = [&](int count) -> double {
        shared.articles = Articles(count);
        std::string h, t, m, sm;
        double total = 0;
        constexpr int kSample = 32;
        for (int i = 0; i < kSample; ++i) {
            email::Envelope env;
            std::int64_t ns = 0;
            if (!Build(shared, i * 997 % std::max<std::int64_t>(o.messages, 1), h, t, m, sm, env,
                       ns)) {
                return 0;
            }
            total += static_cast<double>(env.data->size());
        }
        return total / kSample;
    };
    const double one = average_with(1), two = average_with(2);
    if (one == 0 || two <= one) {
        std::cerr << "overture: bench smtp could not build a sample message\n";
        return kExitFailure;
    }
    const int articles =
        std::max(1, static_cast<int>(std::lround((o.size - one) / (two - one))) + 1);
    shared.articles = Articles(articles);

    auto classifier = email::Classifier::Create();
    if (!classifier) {
        PrintError(classifier.error());
        return kExitFailure;
    }
    boost::asio::io_context io;
    auto guard = boost::asio::make_work_guard(io);
    email::SmtpRouteSettings settings;
    settings.host = o.host;
    settings.port = static_cast<std::uint16_t>(o.port);
    settings.tls = email::TlsMode::kNone;
    settings.helo_name = "bench.example";
    settings.pool_size = o.connections;
    settings.max_messages_per_connection = 1'000'000;
    email::SmtpClient client(io.get_executor(), settings,
                             std::make_shared<const email::Classifier>(std::move(*classifier)));
    std::thread io_thread([&] { io.run(); });

    const int workers = o.workers > 0
                            ? o.workers
                            : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    std::counting_semaphore<> slots(static_cast<std::ptrdiff_t>(o.connections) * 8);
    std::atomic<std::int64_t> next{0}, done{0}, failed{0}, bytes{0}, sign_ns{0}, build_ns{0};
    std::mutex mu;
    std::condition_variable finished;
    std::string first_failure;
    std::atomic<bool> build_error{false};

    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + std::chrono::duration<double>(o.max_seconds);
    std::vector<std::thread> threads;
    for (int w = 0; w < workers; ++w) {
        threads.emplace_back([&] {
            std::string h, t, m, sm;
            std::int64_t my_sign = 0;
            const auto cpu_start = ThreadCpuNanos();
            for (std::int64_t i; (i = next.fetch_add(1)) < o.messages;) {
                if (std::chrono::steady_clock::now() > deadline) break;
                email::Envelope env;
                if (auto st = Build(shared, i, h, t, m, sm, env, my_sign); !st) {
                    std::lock_guard lock(mu);
                    if (first_failure.empty()) first_failure = "build: " + st.error().message;
                    build_error = true;
                    break;
                }
                bytes += static_cast<std::int64_t>(env.data->size());
                slots.acquire();
                client.Submit(std::move(env), [&](email::SendResult r) {
                    if (r.outcome != email::Outcome::kSent) {
                        std::lock_guard lock(mu);
                        if (first_failure.empty()) {
                            first_failure = fmt::format("{} {}: {}", email::OutcomeName(r.outcome),
                                                        r.reason, r.reply);
                        }
                        ++failed;
                    }
                    slots.release();
                    if (++done == o.messages) {
                        std::lock_guard lock(mu);
                        finished.notify_all();
                    }
                });
            }
            sign_ns += my_sign;
            build_ns += ThreadCpuNanos() - cpu_start;
        });
    }
    for (auto& t : threads) t.join();
    const std::int64_t submitted = std::min<std::int64_t>(next.load(), o.messages);
    {
        std::unique_lock lock(mu);
        finished.wait_until(lock, deadline + std::chrono::seconds(5),
                            [&] { return done.load() >= submitted; });
    }
    const auto end = std::chrono::steady_clock::now();
    client.Shutdown();
    guard.reset();
    io.stop();
    io_thread.join();

    const double seconds = std::chrono::duration<double>(end - start).count();
    const auto sent = done.load() - failed.load();
    if (build_error || failed.load() > 0 || done.load() < o.messages) {
        std::cerr << fmt::format(
            "overture: bench smtp: {} of {} messages accepted in {:.1f} s; first failure: {}\n",
            sent, o.messages, seconds, first_failure.empty() ? "timed out" : first_failure);
        return kExitFailure;
    }
    const double rate = static_cast<double>(o.messages) / seconds;
    const double avg = static_cast<double>(bytes.load()) / static_cast<double>(o.messages);
    const double sign_cores = static_cast<double>(sign_ns.load()) / 1e9 / seconds;
    const double build_cores = static_cast<double>(build_ns.load()) / 1e9 / seconds;
    const auto line =
        fmt::format("{}\t{}\t{}\t{:.2f}\t{:.0f}\t{:.0f}\t{:.2f}\t{:.2f}", o.algorithm, o.messages,
                    o.connections, seconds, rate, avg, sign_cores, build_cores);
    std::cout << "algorithm\tmessages\tconnections\tseconds\tmessages_per_s\tavg_bytes\t"
                 "signing_cores\tbuilding_cores\n"
              << line << "\n";
    std::cerr << fmt::format(
        "bench smtp: {} messages ({} articles, {:.0f} bytes on average, DKIM {}) in {:.2f} s = "
        "{:.0f} messages/s over {} connections; signing used {:.2f} cores, rendering + MIME + "
        "signing {:.2f} cores ({} worker threads)\n",
        o.messages, articles, avg, o.algorithm, seconds, rate, o.connections, sign_cores,
        build_cores, workers);
    if (!o.out.empty()) {
        std::ofstream(o.out, std::ios::app) << line << "\n";
    }
    return kExitOk;
}

}  // namespace overture::app
