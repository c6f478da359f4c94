#pragma once
// The /api/v1 routes and the public system endpoints, registered on a Router. Handlers are
// thin: parse the request, call service/, map the result (error_mapping.hpp). The ApiContext
// holds references to the services the composition root (app/) built; it must outlive the
// router. Thread-safe as the services are.
#include <string>

#include "config/config.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "service/api_keys.hpp"
#include "service/audiences.hpp"
#include "service/audit.hpp"
#include "service/bounces.hpp"
#include "service/deliveries.hpp"
#include "service/dkim_keys.hpp"
#include "service/exports.hpp"
#include "service/fragments.hpp"
#include "service/imports.hpp"
#include "service/records.hpp"
#include "service/routes.hpp"
#include "service/schema_service.hpp"
#include "service/sessions.hpp"
#include "service/subscriptions.hpp"
#include "service/templates.hpp"
#include "service/typologies.hpp"
#include "service/users.hpp"
#include "storage/database.hpp"

namespace overture::http {

struct ApiContext {
    storage::Database& db;
    const config::Config& config;
    Metrics& metrics;
    const service::AuditLog& audit;
    const service::UserService& users;
    const service::AuthService& auth;
    const service::ApiKeyService& api_keys;
    service::SchemaService& schema;
    const service::RecordService& records;
    const service::SubscriptionService& subscriptions;
    service::ImportService& imports;
    const service::ExportService& exports;
    const service::AudienceService& audiences;
    const service::TemplateService& templates;
    const service::RouteService& routes;
    const service::DkimKeyService& dkim_keys;
    const service::BounceService& bounces;
    // Deliveries and typologies (issue 7); the routes answer 503 while they are not set.
    const service::DeliveryService* deliveries = nullptr;
    const service::TypologyService* typologies = nullptr;
    const service::FragmentService* fragments = nullptr;  // content fragments
};

inline constexpr std::string_view kSessionCookie = "overture_session";

// Registers every route of the product on `router`.
void RegisterApi(Router& router, const ApiContext& ctx);

// Per-area registration, one file each (api_*.cpp).
void RegisterAuthRoutes(Router& router, const ApiContext& ctx);
void RegisterUserRoutes(Router& router, const ApiContext& ctx);
void RegisterApiKeyRoutes(Router& router, const ApiContext& ctx);
void RegisterAuditRoutes(Router& router, const ApiContext& ctx);
void RegisterSystemRoutes(Router& router, const ApiContext& ctx);
void RegisterSchemaRoutes(Router& router, const ApiContext& ctx);
void RegisterRecordRoutes(Router& router, const ApiContext& ctx);
void RegisterSubscriptionRoutes(Router& router, const ApiContext& ctx);
void RegisterImportRoutes(Router& router, const ApiContext& ctx);
void RegisterExportRoutes(Router& router, const ApiContext& ctx);
void RegisterQueryRoutes(Router& router, const ApiContext& ctx);
void RegisterAudienceRoutes(Router& router, const ApiContext& ctx);
void RegisterTemplateRoutes(Router& router, const ApiContext& ctx);
void RegisterEmailRoutes(Router& router, const ApiContext& ctx);
void RegisterDeliveryApiRoutes(Router& router, const ApiContext& ctx);
void RegisterFragmentRoutes(Router& router, const ApiContext& ctx);

}  // namespace overture::http
