#pragma once
// The /api/v1 routes and the public system endpoints, registered on a Router. Handlers are
// thin: parse the request, call service/, map the result (error_mapping.hpp). The ApiContext
// holds references to the services the composition root (app/) built; it must outlive the
// router. Thread-safe as the services are.
#include <string>

#include "config/config.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "service/api_keys.hpp"
#include "service/audiences.hpp"
#include "service/audit.hpp"
#include "service/bounces.hpp"
#include "service/deliveries.hpp"
#include "service/dkim_keys.hpp"
#include "service/exports.hpp"
#include "service/fragments.hpp"
#include "service/imports.hpp"
#include "service/notifications.hpp"
#include "service/records.hpp"
#include "service/reports.hpp"
#include "service/routes.hpp"
#include "service/schema_service.hpp"
#include "service/sessions.hpp"
#include "service/subscriptions.hpp"
#include "service/templates.hpp"
#include "service/tracking_pages.hpp"
#include "service/typologies.hpp"
#include "service/users.hpp"
#include "service/workflows.hpp"
#include "storage/database.hpp"
#include "tracking/ingest.hpp"
#include "tracking/keys.hpp"
#include "tracking/links.hpp"

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
    // Tracking (issue 8): the /t/ and /m/ endpoints answer 503 while these are not set.
    tracking::KeyStore* tracking_keys = nullptr;
    tracking::LinkRegistry* tracking_links = nullptr;
    tracking::Ingestor* ingestor = nullptr;
    // Delivery reports, hot clicks, the cross-delivery report and profiles' tracking history
    // (api_reports.cpp); those routes answer 503 while it is not set.
    const service::ReportService* reports = nullptr;
    // The unsubscribe and mirror pages (/t/u, /m); they answer 503 while it is not set.
    const service::TrackingPages* tracking_pages = nullptr;
    // Workflows (issue 9; api_workflows.cpp); the routes answer 503 while it is not set.
    const service::WorkflowService* workflows = nullptr;
    // In-app notifications (api_notifications.cpp); the routes answer 503 while it is not set.
    const service::NotificationService* notifications = nullptr;
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
// /t/o, /t/c, /t/u, /m and /api/v1/tracking/keys (api_tracking.cpp).
void RegisterTrackingRoutes(Router& router, const ApiContext& ctx);
// The open pixel and click redirect on the I/O threads (ServerOptions::fast_path); empty when
// tracking is not set up in `ctx`.
FastPath MakeTrackingFastPath(const ApiContext& ctx);
// /api/v1/deliveries/{id}/report..., /api/v1/reports/..., /api/v1/profiles/{id}/tracking
// (api_reports.cpp).
void RegisterReportRoutes(Router& router, const ApiContext& ctx);
// /api/v1/workflows... (api_workflows.cpp).
void RegisterWorkflowRoutes(Router& router, const ApiContext& ctx);
// /api/v1/notifications... (api_notifications.cpp).
void RegisterNotificationRoutes(Router& router, const ApiContext& ctx);

}  // namespace overture::http
