// /healthz, /readyz, /metrics, /api/v1/openapi.yaml
#include <boost/json.hpp>

#include "http/api.hpp"
#include "http/auth_context.hpp"
#include "http/embedded_docs.hpp"
#include "http/error_mapping.hpp"
#include "http/json.hpp"

namespace overture::http {

void RegisterSystemRoutes(Router& router, const ApiContext& ctx) {
    router.Add("GET", "/healthz", [](Request&) {
        return JsonResponse(200, boost::json::object{{"status", "ok"}});
    });

    router.Add("GET", "/readyz", [&ctx](Request& req) {
        if (auto st = ctx.db.Ping(); !st) {
            auto e = st.error();
            e.code = ErrorCode::kUnavailable;
            e.message = "the database is not reachable";
            return ErrorResponse(e, req.request_id);
        }
        return JsonResponse(200, boost::json::object{{"status", "ready"}});
    });

    if (ctx.config.http.metrics) {
        ctx.metrics.AddSource([&ctx](std::string& out) {
            auto s = ctx.db.Stats();
            out += "# HELP overture_db_pool_connections Database connections open.\n";
            out += "# TYPE overture_db_pool_connections gauge\n";
            out += "overture_db_pool_connections " + std::to_string(s.size) + "\n";
            out += "# HELP overture_db_pool_in_use Database connections lent to transactions.\n";
            out += "# TYPE overture_db_pool_in_use gauge\n";
            out += "overture_db_pool_in_use " + std::to_string(s.in_use) + "\n";
            out += "# HELP overture_db_pool_acquired_total Transactions begun.\n";
            out += "# TYPE overture_db_pool_acquired_total counter\n";
            out += "overture_db_pool_acquired_total " + std::to_string(s.acquired) + "\n";
            out +=
                "# HELP overture_db_pool_waited_total Transactions that waited for a "
                "connection.\n";
            out += "# TYPE overture_db_pool_waited_total counter\n";
            out += "overture_db_pool_waited_total " + std::to_string(s.waited) + "\n";
            out += "# HELP overture_db_pool_timeouts_total Transactions that gave up waiting.\n";
            out += "# TYPE overture_db_pool_timeouts_total counter\n";
            out += "overture_db_pool_timeouts_total " + std::to_string(s.timeouts) + "\n";
        });
        if (ctx.ingestor != nullptr) {
            ctx.metrics.AddSource(
                [&ctx](std::string& out) { AppendIngestMetrics(out, ctx.ingestor->stats()); });
        }
        router.Add("GET", "/metrics", [&ctx](Request&) {
            Response r;
            r.status = 200;
            r.body = ctx.metrics.Render();
            r.SetHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            return r;
        });
    }

    router.Add("GET", "/api/v1/openapi.yaml", [](Request&) {
        Response r;
        r.status = 200;
        r.body = std::string(FindEmbeddedDoc("docs/openapi.yaml"));
        r.SetHeader("Content-Type", "application/yaml; charset=utf-8");
        return r;
    });
}

}  // namespace overture::http
