// TemplateService: strict validation and lenient previews of message templates.
#include "service/templates.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <string_view>
#include <utility>

#include "service/fragments.hpp"

namespace overture::service {

namespace json = boost::json;

namespace {

struct Part {
    std::string_view name;
    const std::optional<std::string>* source;
    render::Mode mode;
};

std::vector<Part> PartsOf(const TemplateParts& parts) {
    return {{"subject", &parts.subject, render::Mode::kText},
            {"html", &parts.html, render::Mode::kHtml},
            {"text", &parts.text, render::Mode::kText}};
}

Status RequireSomePart(const TemplateParts& parts) {
    if (!parts.subject && !parts.html && !parts.text) {
        return Fail(Error::InvalidArgument("give at least one of subject, html and text"));
    }
    return {};
}

int DetailInt(const Error& e, const std::string& key) {
    auto it = e.details.find(key);
    if (it == e.details.end()) return 0;
    int n = 0;
    std::from_chars(it->second.data(), it->second.data() + it->second.size(), n);
    return n;
}

std::string DetailText(const Error& e, const std::string& key) {
    auto it = e.details.find(key);
    return it == e.details.end() ? std::string() : it->second;
}

// The engine's error, tagged with the part it came from (message "html: line 1, ...", detail
// part). A limit's error already names the render::Limits member in its `limit` detail.
Error TagPart(Error e, std::string_view part) {
    e.message = fmt::format("{}: {}", part, e.message);
    e.details["part"] = std::string(part);
    return e;
}

render::Value ToValue(const json::value& v) { return render::FromJson(v); }

}  // namespace

Result<render::FragmentProvider> TemplateService::Fragments() const {
    if (!fragments_) return render::FragmentProvider();
    return fragments_->Provider();
}

Result<TemplateValidation> TemplateService::Validate(const Actor& actor,
                                                     const TemplateParts& parts) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    if (auto st = RequireSomePart(parts); !st) return Fail(st.error());
    auto fragments = Fragments();
    if (!fragments) return Fail(fragments.error());
    TemplateValidation out;
    for (const auto& part : PartsOf(parts)) {
        if (!part.source->has_value()) continue;
        auto tpl = render::Compile(
            **part.source,
            {.mode = part.mode, .strict = true, .fragments = *fragments, .limits = limits_});
        if (!tpl) {
            const Error& e = tpl.error();
            out.errors.push_back(TemplateError{std::string(part.name), DetailInt(e, "line"),
                                               DetailInt(e, "column"), e.message,
                                               DetailText(e, "excerpt")});
            continue;
        }
        const auto& info = tpl->info();
        out.fields.insert(out.fields.end(), info.profile_fields.begin(), info.profile_fields.end());
        out.whole_profile = out.whole_profile || info.whole_profile;
    }
    if (!out.errors.empty()) {
        out.fields.clear();
        out.whole_profile = false;
        return out;
    }
    std::sort(out.fields.begin(), out.fields.end());
    out.fields.erase(std::unique(out.fields.begin(), out.fields.end()), out.fields.end());
    return out;
}

Result<RenderedParts> TemplateService::Render(const Actor& actor, const TemplateParts& parts,
                                              const PreviewData& data) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    if (auto st = RequireSomePart(parts); !st) return Fail(st.error());
    int sources =
        (data.profile_id ? 1 : 0) + (data.test_profile_id ? 1 : 0) + (data.context ? 1 : 0);
    if (sources > 1) {
        return Fail(
            Error::InvalidArgument("give at most one of profileId, testProfileId and context"));
    }

    // Compile every part first (lenient, as at send time): the fields they read decide which
    // links of the profile to load.
    struct Compiled {
        std::string_view name;
        render::Template tpl;
    };
    std::vector<Compiled> compiled;
    std::vector<std::string> fields;
    bool whole_profile = false;
    auto fragments = Fragments();
    if (!fragments) return Fail(fragments.error());
    for (const auto& part : PartsOf(parts)) {
        if (!part.source->has_value()) continue;
        auto tpl = render::Compile(
            **part.source,
            {.mode = part.mode, .strict = false, .fragments = *fragments, .limits = limits_});
        if (!tpl) return Fail(TagPart(tpl.error(), part.name));
        fields.insert(fields.end(), tpl->info().profile_fields.begin(),
                      tpl->info().profile_fields.end());
        whole_profile = whole_profile || tpl->info().whole_profile;
        compiled.push_back({part.name, std::move(*tpl)});
    }

    render::Context ctx;
    ctx.unsubscribe_url = render::Value(kPreviewUnsubscribeUrl);
    ctx.mirror_url = render::Value(kPreviewMirrorUrl);
    ctx.subscription_url = render::Value(kPreviewSubscriptionUrl);
    render::RenderOptions options;
    std::optional<json::object> profile;

    // A profile's record, plus the rows of each 1-N link the template reads.
    auto load_profile = [&](std::int64_t id) -> Result<json::object> {
        auto record = records_.Get(actor, "profile", id);
        if (!record) return Fail(record.error());
        auto model = schema_.Current();
        for (const auto& link : model->ReverseLinks("profile")) {
            if (!whole_profile &&
                std::find(fields.begin(), fields.end(), link.name) == fields.end()) {
                continue;
            }
            ListQuery query;
            query.page.limit = kPreviewLinkRows;
            query.equals.emplace_back(link.link->name, std::to_string(id));
            auto rows = records_.List(actor, link.source->name, query);
            if (!rows) return Fail(rows.error());
            json::array items;
            for (auto& row : rows->items) items.emplace_back(std::move(row));
            (*record)[link.name] = std::move(items);
        }
        return record;
    };

    if (data.profile_id) {
        auto p = load_profile(*data.profile_id);
        if (!p) return Fail(p.error());
        profile = std::move(*p);
    } else if (data.test_profile_id) {
        auto t = records_.Get(actor, "testProfile", *data.test_profile_id);
        if (!t) return Fail(t.error());
        // A test profile linked to a real profile previews with that profile's data.
        if (auto it = t->find("profile"); it != t->end() && it->value().is_int64()) {
            auto p = load_profile(it->value().as_int64());
            if (!p) return Fail(p.error());
            profile = std::move(*p);
        } else {
            profile = std::move(*t);
        }
    } else if (data.context) {
        for (const auto& [key, value] : *data.context) {
            if (key == "profile") {
                if (value.is_object()) {
                    profile = value.as_object();
                } else {
                    ctx.profile = ToValue(value);
                }
            } else if (key == "event") {
                ctx.event = ToValue(value);
            } else if (key == "target") {
                ctx.target = ToValue(value);
            } else if (key == "delivery") {
                ctx.delivery = ToValue(value);
            } else {
                return Fail(Error::InvalidArgument(
                                fmt::format("context has no member '{}': use profile, event, "
                                            "target and delivery",
                                            std::string_view(key)))
                                .With("field", "context"));
            }
        }
    }
    if (profile) {
        if (auto it = profile->find("timeZone"); it != profile->end() && it->value().is_string()) {
            options.time_zone = std::string(it->value().as_string());
        }
        ctx.profile = ToValue(json::value(std::move(*profile)));
    }

    RenderedParts out;
    for (const auto& c : compiled) {
        std::string text;
        if (auto st = c.tpl.Render(ctx, options, text); !st) {
            return Fail(TagPart(st.error(), c.name));
        }
        if (c.name == "subject") {
            out.subject = std::move(text);
        } else if (c.name == "html") {
            out.html = std::move(text);
        } else {
            out.text = std::move(text);
        }
    }
    return out;
}

}  // namespace overture::service
