#include "http/router.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace overture::http {
namespace {

Handler Named(std::string name) {
    return [name](Request& req) {
        std::string body = name;
        for (const auto& [k, v] : req.path_params) body += " " + k + "=" + v;
        return Response::Json(200, body);
    };
}

Request Make(std::string method, std::string path) {
    Request req;
    req.method = std::move(method);
    req.path = std::move(path);
    req.target = req.path;
    return req;
}

class RouterTest : public ::testing::Test {
  protected:
    void SetUp() override {
        router_.Add("GET", "/api/v1/users", Named("list"));
        router_.Add("POST", "/api/v1/users", Named("create"));
        router_.Add("GET", "/api/v1/users/{id}", Named("get"));
        router_.Add("DELETE", "/api/v1/users/{id}", Named("delete"));
        router_.Add("GET", "/api/v1/users/me", Named("me"));
        router_.Add("GET", "/api/v1/users/{id}/keys/{key}", Named("key"));
    }
    Router router_;
};

TEST_F(RouterTest, MatchesLiteralRoutes) {
    auto req = Make("GET", "/api/v1/users");
    auto res = router_.Dispatch(req);
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.body, "list");
    EXPECT_EQ(req.route, "/api/v1/users");
    req = Make("POST", "/api/v1/users");
    EXPECT_EQ(router_.Dispatch(req).body, "create");
}

TEST_F(RouterTest, ExtractsParams) {
    auto req = Make("GET", "/api/v1/users/42/keys/abc");
    auto res = router_.Dispatch(req);
    EXPECT_EQ(res.body, "key id=42 key=abc");
    EXPECT_EQ(req.PathParam("id"), "42");
    EXPECT_EQ(req.route, "/api/v1/users/{id}/keys/{key}");
}

TEST_F(RouterTest, LiteralBeatsParam) {
    auto req = Make("GET", "/api/v1/users/me");
    EXPECT_EQ(router_.Dispatch(req).body, "me");
    EXPECT_EQ(req.route, "/api/v1/users/me");
    req = Make("GET", "/api/v1/users/mee");
    EXPECT_EQ(router_.Dispatch(req).body, "get id=mee");
    // The literal route has no DELETE, so the parameter route takes it.
    req = Make("DELETE", "/api/v1/users/me");
    EXPECT_EQ(router_.Dispatch(req).body, "delete id=me");
}

TEST_F(RouterTest, LiteralBeatsParamRegardlessOfOrder) {
    Router router;
    router.Add("GET", "/a/{x}/c", Named("param"));
    router.Add("GET", "/a/b/{y}", Named("literal"));
    auto req = Make("GET", "/a/b/c");
    EXPECT_EQ(router.Dispatch(req).body, "literal y=c");
}

TEST_F(RouterTest, ParamNeedsNonEmptySegment) {
    auto req = Make("GET", "/api/v1/users/");
    EXPECT_EQ(router_.Dispatch(req).status, 404);
}

TEST_F(RouterTest, UnknownPathIs404Json) {
    auto req = Make("GET", "/api/v1/nothing");
    req.request_id = "rid";
    auto res = router_.Dispatch(req);
    EXPECT_EQ(res.status, 404);
    EXPECT_EQ(res.Header("Content-Type"), "application/json");
    EXPECT_EQ(res.body,
              R"({"error":{"code":"not_found","message":"no route for GET /api/v1/nothing"}})");
    EXPECT_TRUE(req.route.empty());
}

TEST_F(RouterTest, WrongMethodIs405WithAllow) {
    auto req = Make("PUT", "/api/v1/users/7");
    auto res = router_.Dispatch(req);
    EXPECT_EQ(res.status, 405);
    EXPECT_EQ(res.Header("Allow"), "DELETE, GET, HEAD");
    EXPECT_NE(res.body.find(R"("error":{"code":"method_not_allowed")"), std::string::npos);
}

TEST_F(RouterTest, HeadUsesGet) {
    auto req = Make("HEAD", "/api/v1/users");
    EXPECT_EQ(router_.Dispatch(req).body, "list");
}

TEST_F(RouterTest, FallbackOnlyForNonApiGet) {
    router_.SetFallback([](Request&) { return Response::Json(200, "static"); });
    auto req = Make("GET", "/profiles/12");
    EXPECT_EQ(router_.Dispatch(req).body, "static");
    EXPECT_EQ(req.route, Router::kFallbackRoute);
    req = Make("HEAD", "/");
    EXPECT_EQ(router_.Dispatch(req).body, "static");
    req = Make("GET", "/api/v2/x");
    EXPECT_EQ(router_.Dispatch(req).status, 404);
    req = Make("POST", "/profiles");
    EXPECT_EQ(router_.Dispatch(req).status, 404);
}

TEST_F(RouterTest, RoutesListsRegistrations) {
    auto routes = router_.Routes();
    ASSERT_EQ(routes.size(), 6u);
    EXPECT_EQ(routes[0], (std::pair<std::string, std::string>("GET", "/api/v1/users")));
    EXPECT_EQ(routes[3], (std::pair<std::string, std::string>("DELETE", "/api/v1/users/{id}")));
}

TEST_F(RouterTest, RejectsBadPatterns) {
    EXPECT_THROW(router_.Add("GET", "no-slash", Named("x")), std::invalid_argument);
    EXPECT_THROW(router_.Add("GET", "/a{b}", Named("x")), std::invalid_argument);
    EXPECT_THROW(router_.Add("GET", "/api/v1/users", Named("x")), std::invalid_argument);
}

}  // namespace
}  // namespace overture::http
