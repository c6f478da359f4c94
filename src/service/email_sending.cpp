#include "service/email_sending.hpp"

#include <fmt/format.h>

#include <condition_variable>
#include <future>

#include "channels/email/message_id.hpp"
#include "channels/email/mime.hpp"
#include "service/actor.hpp"

namespace overture::service {

namespace json = boost::json;

namespace {

delivery::Outcome MapOutcome(email::Outcome o) {
    switch (o) {
        case email::Outcome::kSent:
            return delivery::Outcome::kSent;
        case email::Outcome::kSoftFailure:
            return delivery::Outcome::kSoft;
        case email::Outcome::kHardFailure:
            return delivery::Outcome::kHard;
        case email::Outcome::kIgnored:
            return delivery::Outcome::kIgnored;
        case email::Outcome::kRouteFailure:
            return delivery::Outcome::kRouteFailure;
    }
    return delivery::Outcome::kRouteFailure;
}

// One delivery's email session: shared parts built once, one message per Send.
class EmailSession final : public delivery::ChannelSession {
  public:
    EmailSession(std::int64_t delivery_id, email::MessageWriter writer,
                 std::optional<email::DkimSigner> signer, std::shared_ptr<email::EmailRoute> route,
                 std::string from_domain, const Clock& clock)
        : delivery_id_(delivery_id),
          writer_(std::move(writer)),
          signer_(std::move(signer)),
          route_(std::move(route)),
          from_domain_(std::move(from_domain)),
          clock_(clock) {}

    void Send(delivery::Message m, std::function<void(delivery::SendOutcome)> done) override {
        std::string mime;
        mime.reserve(m.html.size() + m.text.size() + 2048);
        email::RecipientParts parts;
        parts.to = {"", m.address};
        parts.subject = m.subject;
        parts.html = m.html;
        parts.text = m.text;
        parts.key = {delivery_id_, m.profile_id};
        parts.list_unsubscribe_url = m.unsubscribe_url;
        parts.date = clock_.Now();
        auto utf8 = writer_.Write(parts, mime);
        if (!utf8) {
            // The recipient's data made an unusable message (an address that is not one, a
            // subject with a line break): that row fails, the address is not to blame.
            const auto field = utf8.error().details.contains("field")
                                   ? utf8.error().details.at("field")
                                   : std::string("message");
            done({delivery::Outcome::kIgnored,
                  field == "to.address" ? "address_invalid" : "message_invalid",
                  utf8.error().message});
            return;
        }
        std::string data;
        if (signer_) {
            data.reserve(mime.size() + 600);
            if (auto st = signer_->Sign(mime, data); !st) {
                done({delivery::Outcome::kRouteFailure, "dkim", st.error().message});
                return;
            }
        }
        data += mime;
        email::Envelope envelope;
        envelope.mail_from = email::VerpAddress("bounces", from_domain_, parts.key);
        envelope.rcpt_to = std::move(m.address);
        envelope.smtputf8 = *utf8;
        envelope.data = std::make_shared<const std::string>(std::move(data));
        route_->Submit(std::move(envelope), [done = std::move(done)](email::SendResult r) {
            done({MapOutcome(r.outcome), std::move(r.reason), std::move(r.reply)});
        });
    }

  private:
    std::int64_t delivery_id_;
    email::MessageWriter writer_;
    std::optional<email::DkimSigner> signer_;
    std::shared_ptr<email::EmailRoute> route_;
    std::string from_domain_;
    const Clock& clock_;
};

}  // namespace

std::string AddressDomain(std::string_view address) {
    const auto at = address.rfind('@');
    return at == std::string_view::npos ? std::string() : std::string(address.substr(at + 1));
}

EmailChannels::EmailChannels(storage::Database& db, const Clock& clock, const RouteService& routes,
                             const DkimKeyService& dkim, const BounceService& bounces,
                             const DeliveryService& deliveries, const RecordService& records,
                             tracking::KeyStore& keys, tracking::LinkRegistry& links,
                             boost::asio::any_io_executor executor, std::string public_url)
    : db_(db),
      clock_(clock),
      routes_(routes),
      dkim_(dkim),
      bounces_(bounces),
      deliveries_(deliveries),
      records_(records),
      keys_(keys),
      links_(links),
      executor_(std::move(executor)),
      public_url_(std::move(public_url)) {
    while (!public_url_.empty() && public_url_.back() == '/') public_url_.pop_back();
}

EmailChannels::~EmailChannels() { Shutdown(); }

void EmailChannels::Shutdown() {
    std::lock_guard lock(mutex_);
    for (auto& [id, r] : open_) r.route->Shutdown();
    for (auto& r : retired_) r->Shutdown();
}

Result<std::shared_ptr<email::EmailRoute>> EmailChannels::RouteFor(
    std::optional<std::int64_t> route_id) {
    const Actor system = Actor::System();
    auto route = route_id ? routes_.Get(system, RouteId(*route_id)) : routes_.GetDefault(system);
    if (!route) {
        if (route.error().code == ErrorCode::kNotFound) {
            return Fail(Error::FailedPrecondition(
                route_id ? fmt::format("route {} no longer exists; choose another route", *route_id)
                         : std::string("there is no default route; create one under "
                                       "Administration > Routes or choose a route")));
        }
        return Fail(route.error());
    }
    const std::int64_t modified = ToUnixMillis(route->modified_at);
    std::lock_guard lock(mutex_);
    if (auto it = open_.find(route->id.value()); it != open_.end()) {
        if (it->second.modified_at == modified) return it->second.route;
        retired_.push_back(std::move(it->second.route));
        open_.erase(it);
    }
    std::shared_ptr<email::EmailRoute> opened;
    if (route->kind == RouteKind::kSmtp) {
        auto settings = routes_.SmtpSettingsOf(*route);
        if (!settings) return Fail(settings.error());
        auto classifier = bounces_.Classifier();
        if (!classifier) return Fail(classifier.error());
        opened = std::make_shared<email::SmtpRoute>(executor_, std::move(*settings),
                                                    std::move(*classifier));
    } else {
        auto maildir = email::MaildirRoute::Open(executor_, routes_.MaildirOf(*route));
        if (!maildir) return Fail(maildir.error());
        opened = std::shared_ptr<email::EmailRoute>(std::move(*maildir));
    }
    open_[route->id.value()] = {modified, opened};
    return opened;
}

Result<std::shared_ptr<delivery::ChannelSession>> EmailChannels::Open(const Delivery& d) {
    auto content = delivery::ParseContent(d.content);
    if (!content) return Fail(content.error());
    auto route = RouteFor(d.route_id);
    if (!route) return Fail(route.error());
    email::DeliveryParts parts;
    parts.from = {content->from_name, content->from_address};
    if (!content->reply_to_address.empty()) {
        parts.reply_to = email::Mailbox{content->reply_to_name, content->reply_to_address};
    }
    parts.feedback_id = fmt::format("{}:delivery:overture", d.id.value());
    auto writer = email::MessageWriter::Create(std::move(parts));
    if (!writer) return Fail(writer.error());
    const std::string domain = AddressDomain(content->from_address);
    std::optional<email::DkimSigner> signer;
    if (auto s = dkim_.SignerFor(domain)) {
        signer.emplace(std::move(*s));
    } else if (s.error().code != ErrorCode::kNotFound) {
        return Fail(s.error());
    }
    return std::shared_ptr<delivery::ChannelSession>(std::make_shared<EmailSession>(
        d.id.value(), std::move(*writer), std::move(signer), std::move(*route), domain, clock_));
}

Result<delivery::SendPlan> EmailChannels::PlanFor(
    const Delivery& d, std::shared_ptr<const schema::Model> model) const {
    auto content = delivery::ParseContent(d.content);
    if (!content) return Fail(content.error());
    delivery::SendPlan plan;
    plan.delivery_id = d.id.value();
    plan.content = std::move(*content);
    plan.model = std::move(model);
    plan.valid_until = d.valid_until.value_or(clock_.Now() + std::chrono::hours(72));
    if (const auto* v = d.settings.if_contains("retryDelaySeconds"); v && v->is_number()) {
        plan.retry_delay =
            std::chrono::seconds(std::max<std::int64_t>(1, v->to_number<std::int64_t>()));
    }
    if (const auto* v = d.settings.if_contains("throughputPerHour"); v && v->is_number()) {
        plan.max_per_second = v->to_number<double>() / 3600.0;
    }
    const std::string base = public_url_;
    const std::int64_t id = d.id.value();
    // Tracking (docs/tracking.md): signed links made with the current key; the open pixel and
    // click redirects as the delivery's settings say.
    auto keys = keys_.Current();
    auto special = std::make_shared<tracking::TrackingUrls>(
        base, keys, id, std::make_shared<const tracking::DeliveryLinks>());
    plan.links = [special](std::int64_t profile) {
        return delivery::RecipientLinks{special->Unsubscribe(profile), special->Mirror(profile)};
    };
    bool opens = true, clicks = true;
    if (const auto* t = d.settings.if_contains("tracking"); t && t->is_object()) {
        if (const auto* v = t->get_object().if_contains("opens"); v && v->is_bool()) {
            opens = v->get_bool();
        }
        if (const auto* v = t->get_object().if_contains("clicks"); v && v->is_bool()) {
            clicks = v->get_bool();
        }
    }
    tracking::LinkRegistry* registry = &links_;
    plan.tracking =
        [=](const std::vector<render::LinkInfo>& links) -> Result<delivery::MessageTracking> {
        delivery::MessageTracking t;
        if (opens) {
            t.open_url = [special](std::int64_t profile, std::int64_t rendered_at_s) {
                return special->Open(profile, rendered_at_s);
            };
        }
        if (clicks) {
            auto registered = registry->Register(id, links);
            if (!registered) return Fail(registered.error());
            auto urls =
                std::make_shared<tracking::TrackingUrls>(base, keys, id, std::move(*registered));
            t.click_url = [urls](std::int64_t profile, const render::LinkInfo& link,
                                 std::string_view url,
                                 std::string& out) { urls->Click(profile, link, url, out); };
        }
        return t;
    };
    plan.delivery_data = {{"id", id}, {"label", d.label}};
    if (fragments_) {
        auto provider = fragments_();
        if (!provider) return Fail(provider.error());
        plan.fragments = std::move(*provider);
    }
    return plan;
}

Result<std::vector<ProofRecipient>> EmailChannels::SendProofs(
    std::int64_t delivery_id, const std::vector<std::int64_t>& test_profiles, int number) {
    auto d = deliveries_.Load(DeliveryId(delivery_id));
    if (!d) return Fail(d.error());
    auto content = delivery::ParseContent(d->content);
    if (!content) return Fail(content.error());
    content->subject = fmt::format("[Proof {}] {}", number, content->subject);
    render::FragmentProvider provider;
    if (fragments_) {
        auto p = fragments_();
        if (!p) return Fail(p.error());
        provider = std::move(*p);
    }
    auto compiled = delivery::CompileContent(*content, /*strict=*/false, provider);
    if (!compiled) return Fail(compiled.error());
    auto session = Open(*d);
    if (!session) return Fail(session.error());

    struct Waiting {
        std::mutex mutex;
        std::condition_variable cv;
        int left = 0;
    };
    auto waiting = std::make_shared<Waiting>();
    std::vector<ProofRecipient> out(test_profiles.size());
    auto results = std::make_shared<std::vector<delivery::SendOutcome>>(test_profiles.size());
    const Actor system = Actor::System();
    for (std::size_t i = 0; i < test_profiles.size(); ++i) {
        out[i].test_profile_id = test_profiles[i];
        auto tp = records_.Get(system, "testProfile", test_profiles[i]);
        if (!tp) return Fail(tp.error());
        json::object data = *tp;
        if (const auto* link = tp->if_contains("profile"); link && link->is_int64()) {
            if (auto p = records_.Get(system, "profile", link->as_int64())) data = *p;
        }
        const auto* email = tp->if_contains("email");
        out[i].address = email && email->is_string() ? std::string(email->as_string()) : "";
        if (out[i].address.empty()) {
            return Fail(Error::InvalidArgument(
                            fmt::format("test profile {} has no email address", test_profiles[i]))
                            .With("field", "testProfileIds"));
        }
        render::Context ctx;
        ctx.profile = render::FromJson(json::value(std::move(data)));
        ctx.delivery =
            render::FromJson(json::value(json::object{{"id", delivery_id}, {"label", d->label}}));
        // Proofs carry links that lead nowhere: a click on them must not unsubscribe anybody.
        const std::string unsubscribe = public_url_ + "/t/u/proof";
        ctx.unsubscribe_url = render::Value(unsubscribe);
        ctx.mirror_url = render::Value(public_url_ + "/m/proof");
        delivery::Message m{.delivery_id = delivery_id,
                            // Message-IDs of proofs stay clear of real recipients' ones.
                            .profile_id = 1'000'000'000'000 + number * 1'000'000 + test_profiles[i],
                            .address = out[i].address,
                            .unsubscribe_url = unsubscribe};
        Status st = compiled->subject.Render(ctx, {}, m.subject);
        if (st && compiled->html) st = compiled->html->Render(ctx, {}, m.html);
        if (st && compiled->text) st = compiled->text->Render(ctx, {}, m.text);
        if (!st) return Fail(st.error());
        {
            std::lock_guard lock(waiting->mutex);
            ++waiting->left;
        }
        (*session)->Send(std::move(m), [waiting, results, i](delivery::SendOutcome o) {
            std::lock_guard lock(waiting->mutex);
            (*results)[i] = std::move(o);
            if (--waiting->left == 0) waiting->cv.notify_all();
        });
    }
    std::unique_lock lock(waiting->mutex);
    if (!waiting->cv.wait_for(lock, std::chrono::seconds(60), [&] { return waiting->left == 0; })) {
        return Fail(Error::Unavailable("the route did not answer for every proof within 60 s"));
    }
    for (std::size_t i = 0; i < out.size(); ++i) {
        const auto& r = (*results)[i];
        out[i].status = r.outcome == delivery::Outcome::kSent ? "sent" : "failed";
        out[i].reason = r.outcome == delivery::Outcome::kSent ? "" : r.reason + ": " + r.detail;
    }
    return out;
}

}  // namespace overture::service
