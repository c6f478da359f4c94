// docs/openapi.yaml and the router agree: every route the server registers is documented, and
// every documented operation exists. The document is the one embedded in the binary.
#include <gtest/gtest.h>

#include <set>

#include "common/clock.hpp"
#include "common/random.hpp"
#include "http/api.hpp"
#include "http/embedded_docs.hpp"
#include "storage/testing/databases.hpp"

namespace overture::http {
namespace {

using Operation = std::pair<std::string, std::string>;  // (METHOD, path pattern)

// Reads the operations under `paths:`: a path is a line indented by two spaces ending in ':',
// an operation a line indented by four spaces naming an HTTP method.
std::set<Operation> DocumentedOperations(std::string_view yaml) {
    std::set<Operation> out;
    bool in_paths = false;
    std::string path;
    std::size_t start = 0;
    while (start < yaml.size()) {
        auto end = yaml.find('\n', start);
        if (end == std::string_view::npos) end = yaml.size();
        std::string_view line = yaml.substr(start, end - start);
        start = end + 1;
        if (!line.empty() && line[0] != ' ' && line[0] != '#') {
            in_paths = line.starts_with("paths:");
            continue;
        }
        if (!in_paths) continue;
        if (line.starts_with("  /") && line.ends_with(":")) {
            path = std::string(line.substr(2, line.size() - 3));
        } else if (line.starts_with("    ") && line[4] != ' ' && line.ends_with(":")) {
            std::string method(line.substr(4, line.size() - 5));
            static const std::set<std::string> kMethods = {"get",    "post",    "put", "patch",
                                                           "delete", "options", "head"};
            if (kMethods.contains(method)) {
                for (auto& c : method) c = static_cast<char>(std::toupper(c));
                out.emplace(method, path);
            }
        }
    }
    return out;
}

TEST(OpenApi, RouterAndDocumentAgree) {
    auto fresh = storage::testing::MakeFresh("sqlite");
    ASSERT_TRUE(fresh) << fresh.error().message;
    config::Config cfg;
    Metrics metrics;
    SystemClock clock;
    SecureRandom random;
    service::AuditLog audit(*fresh->db, clock);
    service::UserService users(*fresh->db, clock, audit);
    service::AuthService auth(*fresh->db, clock, random, {});
    service::ApiKeyService keys(*fresh->db, clock, random, audit);
    service::SchemaService schema(*fresh->db, clock, audit);
    service::RecordService records(*fresh->db, clock, schema);
    service::SubscriptionService subscriptions(*fresh->db, clock, records);
    service::ImportService imports(*fresh->db, clock, random, schema, ::testing::TempDir());
    service::ExportService exports(records, schema);
    service::AudienceService audiences(*fresh->db, clock, audit, schema, records, exports);
    service::TemplateService templates(records, schema);
    auto secrets = SecretBox::FromKey(std::string(32, 's'));
    ASSERT_TRUE(secrets);
    service::RouteService routes(*fresh->db, clock, audit, *secrets, ::testing::TempDir());
    service::DkimKeyService dkim_keys(*fresh->db, clock, audit, *secrets);
    service::BounceService bounces(*fresh->db, clock, audit);
    ApiContext ctx{*fresh->db, cfg,       metrics, audit,         users,   auth,
                   keys,       schema,    records, subscriptions, imports, exports,
                   audiences,  templates, routes,  dkim_keys,     bounces};
    Router router;
    RegisterApi(router, ctx);

    std::set<Operation> routed;
    for (const auto& [method, pattern] : router.Routes()) routed.emplace(method, pattern);
    auto documented = DocumentedOperations(FindEmbeddedDoc("docs/openapi.yaml"));
    ASSERT_FALSE(documented.empty()) << "docs/openapi.yaml has no operations under paths:";

    for (const auto& op : routed) {
        EXPECT_TRUE(documented.contains(op))
            << op.first << " " << op.second << " is routed but not in docs/openapi.yaml";
    }
    for (const auto& op : documented) {
        EXPECT_TRUE(routed.contains(op))
            << op.first << " " << op.second << " is documented but the server has no such route";
    }
}

TEST(OpenApi, ParserReadsOperations) {
    auto ops = DocumentedOperations(
        "openapi: 3.0.3\npaths:\n  /a/{id}:\n    get:\n      summary: x\n    delete:\n"
        "      responses: {}\n  /b:\n    post:\n      x: y\ncomponents:\n  /c:\n    get:\n");
    std::set<Operation> want = {{"GET", "/a/{id}"}, {"DELETE", "/a/{id}"}, {"POST", "/b"}};
    EXPECT_EQ(ops, want);
}

}  // namespace
}  // namespace overture::http
