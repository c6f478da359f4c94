// The tracking endpoints (docs/tracking.md, "Endpoints"): the open pixel GET|HEAD /t/o/{token},
// the click redirect GET|HEAD /t/c/{token}[?u=], the unsubscribe page GET|POST /t/u/{token}, the
// mirror page GET /m/{token}, and GET|POST /api/v1/tracking/keys.
//
// Opens and clicks are answered on the I/O threads by MakeTrackingFastPath when it can do so
// without blocking (keys loaded, the delivery's links cached): a pre-built response with only
// Date and Location appended. Otherwise (links not cached, a key id this node does not know
// yet) the request falls through to the router's routes below, which load what is missing.
// Both paths answer the same bytes apart from Server/X-Request-Id headers.
//
// Pages are small self-contained HTML (inline CSS, no scripts, no external assets); everything
// from the database is HTML-escaped.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <charconv>
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.hpp"
#include "common/strings.hpp"
#include "http/api.hpp"
#include "http/auth_context.hpp"
#include "http/json.hpp"
#include "render/value.hpp"
#include "tracking/agents.hpp"

namespace overture::http {

namespace json = boost::json;
using tracking::TokenKind;

namespace {

// The 43-byte transparent 1x1 GIF.
constexpr std::array<unsigned char, 43> kGif = {
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00,
    0x00, 0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b};
std::string_view GifBytes() { return {reinterpret_cast<const char*>(kGif.data()), kGif.size()}; }

constexpr std::string_view kPixelCache = "no-store, no-cache, must-revalidate, max-age=0";
constexpr std::string_view kOpenRoute = "/t/o/{token}";
constexpr std::string_view kClickRoute = "/t/c/{token}";
constexpr std::string_view kUnsubscribeRoute = "/t/u/{token}";
constexpr std::string_view kMirrorRoute = "/m/{token}";
constexpr std::string_view kUnsubscribePrefix = "/t/u/";
constexpr std::string_view kMirrorPrefix = "/m/";

// The fast path's fixed header lines.
constexpr std::string_view kGifHead =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: image/gif\r\n"
    "Content-Length: 43\r\n"
    "Cache-Control: no-store, no-cache, must-revalidate, max-age=0\r\n"
    "Pragma: no-cache\r\n"
    "Expires: 0\r\n"
    "Server: overture\r\n";
constexpr std::string_view kRedirectHead =
    "HTTP/1.1 302 Found\r\n"
    "Cache-Control: no-store\r\n"
    "Content-Length: 0\r\n"
    "Server: overture\r\n"
    "Location: ";

// "Date: Sun, 29 Nov 2026 06:40:07 GMT\r\n", formatted once per second per thread.
std::string_view DateLine() {
    thread_local std::time_t cached = -1;
    thread_local std::array<char, 64> line{};
    thread_local std::size_t size = 0;
    const std::time_t now = std::time(nullptr);
    if (now != cached) {
        std::tm tm{};
        gmtime_r(&now, &tm);
        size = std::strftime(line.data(), line.size(), "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
        cached = now;
    }
    return {line.data(), size};
}

// HTML-escapes page text as templates do (render/value.hpp).
std::string Escape(std::string_view text) {
    std::string out;
    render::AppendEscaped(out, text);
    return out;
}

// A small self-contained page: no scripts, no external assets.
std::string Page(std::string_view title, std::string_view body_html) {
    return fmt::format(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<meta name=\"robots\" content=\"noindex\"><title>{0}</title><style>"
        "body{{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;background:#f4f5f7;"
        "color:#1f2328;margin:0;padding:2rem 1rem}}"
        "main{{max-width:32rem;margin:0 auto;background:#fff;border-radius:8px;padding:1.5rem 2rem;"
        "box-shadow:0 1px 3px rgba(0,0,0,.12)}}"
        "h1{{font-size:1.3rem;margin-top:0}}"
        "button{{font:inherit;background:#0b5cad;color:#fff;border:0;border-radius:6px;"
        "padding:.6rem 1.1rem;cursor:pointer;margin:.3rem 0}}"
        "button.secondary{{background:#fff;color:#0b5cad;border:1px solid #0b5cad}}"
        "fieldset{{border:1px solid #d0d7de;border-radius:6px;margin:1rem 0}}"
        "label{{display:block;margin:.3rem 0}}.muted{{color:#59636e;font-size:.9rem}}"
        "</style></head><body><main>{1}</main></body></html>\n",
        Escape(title), body_html);
}

constexpr std::string_view kPageSecurity =
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'";

Response HtmlPage(int status, std::string_view title, std::string_view body_html) {
    Response res;
    res.status = status;
    res.SetHeader("Content-Type", "text/html; charset=utf-8");
    res.SetHeader("Cache-Control", "no-store");
    res.SetHeader("X-Robots-Tag", "noindex");
    res.SetHeader("Content-Security-Policy", std::string(kPageSecurity));
    res.body = Page(title, body_html);
    return res;
}

std::string NotValidBody() {
    return "<h1>This link is not valid</h1><p>The address may be incomplete or was changed. "
           "Please use the link exactly as it appears in your email.</p>";
}

Response NotValidPage() { return HtmlPage(404, "This link is not valid", NotValidBody()); }

Response GonePage() {
    return HtmlPage(404, "This message is no longer available",
                    "<h1>This message is no longer available</h1>"
                    "<p>The message or the recipient it was sent to no longer exists.</p>");
}

Response TroublePage() {
    return HtmlPage(503, "Please try again later",
                    "<h1>Something went wrong</h1><p>Please try again in a few minutes.</p>");
}

// A page from a TrackingPages error: a token that does not verify is "not valid", a profile or
// delivery that is gone "no longer available"; anything else is ours and logged.
Response ErrorPage(const Error& error, const Request& req) {
    switch (error.code) {
        case ErrorCode::kInvalidArgument:
        case ErrorCode::kPermissionDenied:
            return NotValidPage();
        case ErrorCode::kNotFound:
            return GonePage();
        default:
            break;
    }
    spdlog::error("request {}: {} {} failed: {} {}", req.request_id, req.method, req.path,
                  error.message, error.detail);
    return TroublePage();
}

// application/x-www-form-urlencoded pairs; broken escapes are skipped.
std::vector<std::pair<std::string, std::string>> ParseForm(std::string_view body) {
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t start = 0;
    while (start <= body.size()) {
        const std::size_t amp = std::min(body.find('&', start), body.size());
        const std::string_view pair = body.substr(start, amp - start);
        start = amp + 1;
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        std::string key, value;
        if (!PercentDecode(pair.substr(0, eq), true, key)) continue;
        if (eq != std::string_view::npos && !PercentDecode(pair.substr(eq + 1), true, value))
            continue;
        out.emplace_back(std::move(key), std::move(value));
    }
    return out;
}

// Appends `url` for a Location header: bytes a header cannot carry (controls, space, non-ASCII)
// are percent-encoded, so no redirect target can add a header line.
void AppendLocation(std::string_view url, std::string& out) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (char ch : url) {
        const auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c >= 0x7f) {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0xf];
        } else {
            out += ch;
        }
    }
}

// Key ids are k1, k2, ... in creation order and keys are never deleted: a token whose key id
// is above the current key's may come from a rotation on another node that this node has not
// loaded yet. Any other unknown id is simply a bad token.
bool MaybeNewerKey(std::string_view token, const tracking::TrackingKeys& keys) {
    auto number = [](std::string_view id, std::int64_t& n) {
        if (id.size() < 2 || id.front() != 'k') return false;
        const auto* end = id.data() + id.size();
        const auto [ptr, ec] = std::from_chars(id.data() + 1, end, n);
        return ec == std::errc() && ptr == end;
    };
    const auto dot = token.find('.');
    if (dot == std::string_view::npos) return false;
    std::int64_t theirs = 0;
    std::int64_t ours = 0;
    if (!number(token.substr(0, dot), theirs)) return false;
    if (!number(keys.current(), ours)) return true;  // another naming: let the worker reload
    return theirs > ours;
}

// What both paths need.
struct Tracking {
    tracking::KeyStore* keys = nullptr;
    tracking::LinkRegistry* links = nullptr;
    tracking::Ingestor* ingestor = nullptr;
    const service::TrackingPages* pages = nullptr;

    const Clock& clock() const {
        static const SystemClock system{};
        return pages ? pages->clock() : system;
    }

    void Accept(tracking::EventKind kind, const tracking::TokenData& token, std::int32_t link_id,
                std::string_view user_agent, std::string_view remote) const {
        if (!ingestor) return;
        thread_local tracking::AgentCache agents;  // the I/O thread's
        ingestor->Accept(tracking::MakeEvent(kind, token, link_id, clock().Now(),
                                             agents.Classify(user_agent, remote), user_agent));
    }
};

Tracking TrackingOf(const ApiContext& ctx) {
    return {ctx.tracking_keys, ctx.tracking_links, ctx.ingestor, ctx.tracking_pages};
}

// The redirect target of a verified click: the registered URL, or the signed `u` value; only
// http(s). Empty when there is none (unknown link, personalized link without `u`).
std::string_view ClickTarget(const tracking::DeliveryLinks& links, const tracking::TokenData& data,
                             bool has_u, std::string_view u) {
    if (data.extra < 0 || data.extra > INT32_MAX) return {};
    const auto it = links.find(static_cast<std::int32_t>(data.extra));
    if (it == links.end()) return {};
    const std::string_view target = has_u ? u : std::string_view(it->second.url);
    if (target.empty() || !tracking::IsHttpUrl(target)) return {};
    return target;
}

// --- The fast path ------------------------------------------------------------------------

void EndHead(const FastRequest& req, std::string& out) {
    out += DateLine();
    if (!req.keep_alive) out += "Connection: close\r\n";
    out += "\r\n";
}

void AppendGif(const FastRequest& req, std::string& out) {
    out += kGifHead;
    EndHead(req, out);
    if (!req.head) out += GifBytes();
}

void AppendNotValid(const FastRequest& req, std::string& out) {
    static const std::string body = Page("This link is not valid", NotValidBody());
    static const std::string head = fmt::format(
        "HTTP/1.1 404 Not Found\r\nContent-Type: text/html; charset=utf-8\r\n"
        "Cache-Control: no-store\r\nX-Robots-Tag: noindex\r\nContent-Security-Policy: {}\r\n"
        "Server: overture\r\nContent-Length: {}\r\n",
        kPageSecurity, body.size());
    out += head;
    EndHead(req, out);
    if (!req.head) out += body;
}

// The token: the rest of the path, up to the query. Tokens are [A-Za-z0-9._-]: one with an
// escape or another character fails verification anyway.
std::string_view TokenOf(std::string_view target, std::size_t prefix) {
    const std::string_view rest = target.substr(prefix);
    return rest.substr(0, rest.find('?'));
}

bool FastOpen(const Tracking& t, const FastRequest& req, std::string& out) {
    const auto keys = t.keys->Current();
    if (!keys) return false;
    const std::string_view token = TokenOf(req.target, 5);
    auto data = keys->Verify(TokenKind::kOpen, token);
    if (data) {
        t.Accept(tracking::EventKind::kOpen, *data, -1, req.user_agent, req.remote_address);
    } else if (data.error().code == ErrorCode::kPermissionDenied && MaybeNewerKey(token, *keys)) {
        return false;
    }
    out.reserve(kGifHead.size() + 64 + kGif.size());
    AppendGif(req, out);
    return true;
}

bool FastClick(const Tracking& t, const FastRequest& req, std::string& out) {
    const auto keys = t.keys->Current();
    if (!keys) return false;
    const std::string_view token = TokenOf(req.target, 5);
    bool has_u = false;
    thread_local std::string u;  // reused: no allocation per click once warm
    u.clear();
    if (const auto q = req.target.find('?'); q != std::string_view::npos) {
        std::string_view query = req.target.substr(q + 1);
        while (!query.empty()) {
            const auto amp = query.find('&');
            const std::string_view pair = query.substr(0, amp);
            query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
            if (pair.starts_with("u=") && !has_u) {
                if (!PercentDecode(pair.substr(2), true, u)) return false;  // the router: 400
                has_u = true;
            } else if (pair.find('%') != std::string_view::npos) {
                // Any broken escape is the router's 400 too, whatever the parameter.
                thread_local std::string other;
                if (!PercentDecode(pair, true, other)) return false;
            }
        }
    }
    auto data = keys->Verify(TokenKind::kClick, token, u);
    if (!data) {
        if (data.error().code == ErrorCode::kPermissionDenied && MaybeNewerKey(token, *keys)) {
            return false;
        }
        AppendNotValid(req, out);
        return true;
    }
    const auto links = t.links->Cached(data->delivery_id);
    if (!links) return false;  // the worker route loads them
    const std::string_view target = ClickTarget(*links, *data, has_u, u);
    if (target.empty()) {
        AppendNotValid(req, out);
        return true;
    }
    t.Accept(tracking::EventKind::kClick, *data, static_cast<std::int32_t>(data->extra),
             req.user_agent, req.remote_address);
    out.reserve(kRedirectHead.size() + target.size() + 64);
    out += kRedirectHead;
    AppendLocation(target, out);
    out += "\r\n";
    EndHead(req, out);
    return true;
}

// --- The router's routes ------------------------------------------------------------------

Result<tracking::TokenData> VerifySlow(const Tracking& t, TokenKind kind, std::string_view token,
                                       std::string_view url = {}) {
    if (t.pages) return t.pages->Verify(kind, token, url);
    const auto keys = t.keys->Current();
    if (!keys) return Fail(Error::Unavailable("the tracking keys are not loaded"));
    return keys->Verify(kind, token, url);
}

Response GifResponse() {
    Response res;
    res.SetHeader("Content-Type", "image/gif");
    res.SetHeader("Cache-Control", std::string(kPixelCache));
    res.SetHeader("Pragma", "no-cache");
    res.SetHeader("Expires", "0");
    res.body = std::string(GifBytes());
    return res;
}

Response SlowOpen(const Tracking& t, Request& req) {
    if (!t.keys) return GifResponse();
    const std::string token(req.PathParam("token"));
    if (auto data = VerifySlow(t, TokenKind::kOpen, token)) {
        t.Accept(tracking::EventKind::kOpen, *data, -1, req.Header("User-Agent"),
                 req.remote_address);
    }
    return GifResponse();
}

Response SlowClick(const Tracking& t, Request& req) {
    if (!t.keys || !t.links) return TroublePage();
    const std::string token(req.PathParam("token"));
    const bool has_u = req.HasQueryParam("u");
    const std::string u(req.QueryParam("u"));
    auto data = VerifySlow(t, TokenKind::kClick, token, u);
    if (!data) {
        if (data.error().code == ErrorCode::kUnavailable) return ErrorPage(data.error(), req);
        return NotValidPage();
    }
    auto links = t.links->Get(data->delivery_id);
    if (!links) return ErrorPage(links.error(), req);
    const std::string_view target = ClickTarget(**links, *data, has_u, u);
    if (target.empty()) return NotValidPage();
    t.Accept(tracking::EventKind::kClick, *data, static_cast<std::int32_t>(data->extra),
             req.Header("User-Agent"), req.remote_address);
    Response res;
    res.status = 302;
    std::string location;
    AppendLocation(target, location);
    res.SetHeader("Location", std::move(location));
    res.SetHeader("Cache-Control", "no-store");
    return res;
}

std::string ProofBody() {
    return "<h1>This link works in real messages only</h1><p>You received a proof: its "
           "unsubscribe and online-version links lead here and change nothing.</p>";
}

std::string UnsubscribeForm(const service::UnsubscribeView& view) {
    std::string html = fmt::format(
        "<h1>Unsubscribe</h1><p>Unsubscribe <strong>{}</strong> from <strong>{}</strong>?</p>"
        "<form method=\"post\"><input type=\"hidden\" name=\"scope\" value=\"all\">"
        "<button type=\"submit\">Unsubscribe from all emails</button></form>",
        Escape(view.masked_address), Escape(view.sender));
    if (!view.services.empty()) {
        html +=
            "<form method=\"post\"><fieldset><legend>Or leave only these subscriptions</legend>"
            "<input type=\"hidden\" name=\"scope\" value=\"services\">";
        for (const auto& s : view.services) {
            html += fmt::format(
                "<label><input type=\"checkbox\" name=\"service\" value=\"{}\"> {}</label>",
                Escape(s.name), Escape(s.label));
        }
        html +=
            "<button class=\"secondary\" type=\"submit\">Leave the selected subscriptions"
            "</button></fieldset></form>";
    }
    html += "<p class=\"muted\">You can change your mind at any time by contacting us.</p>";
    return html;
}

Response AlreadyPage(const std::string& masked, const std::string& sender) {
    return HtmlPage(200, "Already unsubscribed",
                    fmt::format("<h1>You are already unsubscribed</h1><p><strong>{}</strong> no "
                                "longer receives emails from <strong>{}</strong>. Nothing "
                                "changed.</p>",
                                Escape(masked), Escape(sender)));
}

Response UnsubscribeGet(const Tracking& t, Request& req) {
    if (!t.pages) return TroublePage();
    auto view = t.pages->ViewUnsubscribe(req.PathParam("token"));
    if (!view) return ErrorPage(view.error(), req);
    if (view->proof) return HtmlPage(200, "Proof", ProofBody());
    if (view->already) return AlreadyPage(view->masked_address, view->sender);
    return HtmlPage(200, "Unsubscribe", UnsubscribeForm(*view));
}

Response TextResponse(int status, std::string body) {
    Response res;
    res.status = status;
    res.SetHeader("Content-Type", "text/plain; charset=utf-8");
    res.SetHeader("Cache-Control", "no-store");
    res.body = std::move(body);
    return res;
}

Response UnsubscribePost(const Tracking& t, Request& req) {
    const auto form = ParseForm(req.body);
    bool one_click = false;
    std::string scope;
    service::UnsubscribeChoice choice;
    for (const auto& [key, value] : form) {
        if (key == "List-Unsubscribe" && value == "One-Click") one_click = true;
        if (key == "scope") scope = value;
        if (key == "service") choice.services.push_back(value);
    }
    // RFC 8058 allows the one-click body as multipart/form-data too.
    if (req.Header("Content-Type").starts_with("multipart/form-data") &&
        req.body.find("name=\"List-Unsubscribe\"") != std::string::npos &&
        req.body.find("One-Click") != std::string::npos) {
        one_click = true;
    }
    choice.user_agent = std::string(req.Header("User-Agent"));
    choice.remote_address = req.remote_address;
    const std::string_view token = req.PathParam("token");
    if (one_click) {
        // RFC 8058: the mail client posts on the recipient's behalf; it reads the status only.
        if (!t.pages) return TextResponse(503, "Please try again later.\n");
        choice.all = true;
        auto out = t.pages->Unsubscribe(token, choice);
        if (!out) {
            const Response page = ErrorPage(out.error(), req);
            return TextResponse(page.status, page.status == 404 ? "This link is not valid.\n"
                                                                : "Please try again later.\n");
        }
        if (out->proof) return TextResponse(200, "This is a proof: nothing was changed.\n");
        return TextResponse(
            200, out->already ? "You were already unsubscribed.\n" : "You are unsubscribed.\n");
    }
    if (!t.pages) return TroublePage();
    if (scope != "all" && scope != "services") {
        return HtmlPage(400, "Nothing was chosen",
                        "<h1>Nothing was chosen</h1><p>Please go back and choose what to "
                        "unsubscribe from.</p>");
    }
    choice.all = scope == "all";
    if (!choice.all && choice.services.empty()) {
        return HtmlPage(400, "Nothing was chosen",
                        "<h1>Nothing was chosen</h1><p>Please go back and tick the "
                        "subscriptions to leave, or unsubscribe from all emails.</p>");
    }
    auto out = t.pages->Unsubscribe(token, choice);
    if (!out) return ErrorPage(out.error(), req);
    if (out->proof) return HtmlPage(200, "Proof", ProofBody());
    if (out->already) return AlreadyPage(out->masked_address, out->sender);
    if (out->unchanged) {
        return HtmlPage(200, "Nothing changed",
                        fmt::format("<h1>Nothing changed</h1><p><strong>{}</strong> had already "
                                    "left the chosen subscriptions.</p>",
                                    Escape(out->masked_address)));
    }
    std::string html = "<h1>You are unsubscribed</h1>";
    if (out->blocked_email) {
        html += fmt::format(
            "<p><strong>{}</strong> will no longer receive emails from <strong>{}</strong>.</p>",
            Escape(out->masked_address), Escape(out->sender));
    } else {
        html += fmt::format("<p><strong>{}</strong> left:</p><ul>", Escape(out->masked_address));
        for (const auto& s : out->left) html += "<li>" + Escape(s.label) + "</li>";
        html += "</ul>";
    }
    return HtmlPage(200, "You are unsubscribed", html);
}

Response MirrorGet(const Tracking& t, Request& req) {
    const std::string_view token = req.PathParam("token");
    // A proof has no message to mirror: the explanation, as a 404 (nothing is there).
    if (token == service::TrackingPages::kProofToken) return HtmlPage(404, "Proof", ProofBody());
    if (!t.pages) return TroublePage();
    auto html = t.pages->Mirror(token, req.Header("User-Agent"), req.remote_address);
    if (!html) return ErrorPage(html.error(), req);
    Response res;
    res.SetHeader("Content-Type", "text/html; charset=utf-8");
    res.SetHeader("X-Robots-Tag", "noindex");
    res.SetHeader("Cache-Control", "private, no-store");
    res.SetHeader("Referrer-Policy", "no-referrer");
    res.body = std::move(*html);
    return res;
}

// --- /api/v1/tracking/keys ----------------------------------------------------------------

Result<json::array> ListKeys(const ApiContext& ctx) {
    auto keys = ctx.tracking_keys->List();
    if (!keys) return Fail(keys.error());
    json::array items;
    for (const auto& k : *keys) {
        items.push_back(json::object{
            {"id", k.id},
            {"createdAt", TimeJson(k.created_at)},
            {"retiredAt", k.retired_at ? TimeJson(*k.retired_at) : json::value(nullptr)},
            {"current", k.current}});
    }
    return items;
}

Status RequireKeys(const ApiContext& ctx, const service::Actor& actor) {
    if (auto st = service::Require(actor, service::Permission::kManageChannels); !st) return st;
    if (!ctx.tracking_keys) return Fail(Error::Unavailable("tracking is not available"));
    return {};
}

}  // namespace

FastPath MakeTrackingFastPath(const ApiContext& ctx) {
    if (!ctx.tracking_keys || !ctx.tracking_links || !ctx.ingestor) return {};
    const Tracking t = TrackingOf(ctx);
    return [t](const FastRequest& req, std::string& out, std::string_view& route) -> bool {
        if (req.target.starts_with("/t/o/")) {
            route = kOpenRoute;
            return FastOpen(t, req, out);
        }
        if (req.target.starts_with("/t/c/")) {
            route = kClickRoute;
            return FastClick(t, req, out);
        }
        // A cut link ("/m/", "/t/u/") matches no route and would get the web UI: say it is
        // not valid instead.
        for (const std::string_view prefix : {kMirrorPrefix, kUnsubscribePrefix}) {
            if (req.target.starts_with(prefix) && TokenOf(req.target, prefix.size()).empty()) {
                route = prefix == kMirrorPrefix ? kMirrorRoute : kUnsubscribeRoute;
                AppendNotValid(req, out);
                return true;
            }
        }
        return false;
    };
}

void RegisterTrackingRoutes(Router& router, const ApiContext& ctx) {
    router.Add("GET", std::string(kOpenRoute),
               [&ctx](Request& req) { return SlowOpen(TrackingOf(ctx), req); });
    router.Add("GET", std::string(kClickRoute),
               [&ctx](Request& req) { return SlowClick(TrackingOf(ctx), req); });
    router.Add("GET", std::string(kUnsubscribeRoute),
               [&ctx](Request& req) { return UnsubscribeGet(TrackingOf(ctx), req); });
    router.Add("POST", std::string(kUnsubscribeRoute),
               [&ctx](Request& req) { return UnsubscribePost(TrackingOf(ctx), req); });
    router.Add("GET", std::string(kMirrorRoute),
               [&ctx](Request& req) { return MirrorGet(TrackingOf(ctx), req); });

    router.Add("GET", "/api/v1/tracking/keys",
               Authed(ctx, [&ctx](Request&, const service::Actor& actor) -> Result<Response> {
                   if (auto st = RequireKeys(ctx, actor); !st) return Fail(st.error());
                   auto items = ListKeys(ctx);
                   if (!items) return Fail(items.error());
                   return JsonResponse(200, json::object{{"items", std::move(*items)}});
               }));
    router.Add("POST", "/api/v1/tracking/keys",
               Authed(ctx, [&ctx](Request&, const service::Actor& actor) -> Result<Response> {
                   if (auto st = RequireKeys(ctx, actor); !st) return Fail(st.error());
                   auto id = ctx.tracking_keys->Rotate();
                   if (!id) return Fail(id.error());
                   auto audited = storage::WithWrite(ctx.db, [&](storage::Transaction& tx) {
                       return ctx.audit.Record(tx, actor, "tracking_key.rotate", "tracking_key",
                                               *id);
                   });
                   if (!audited) return Fail(audited.error());
                   auto items = ListKeys(ctx);
                   if (!items) return Fail(items.error());
                   for (const auto& item : *items) {
                       if (item.as_object().at("id").as_string() == *id) {
                           return JsonResponse(201, item);
                       }
                   }
                   return Fail(Error::Internal("the new tracking key " + *id + " was not found"));
               }));
}

}  // namespace overture::http
