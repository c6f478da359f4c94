#include "http/api.hpp"

namespace overture::http {

void RegisterApi(Router& router, const ApiContext& ctx) {
    RegisterSystemRoutes(router, ctx);
    RegisterAuthRoutes(router, ctx);
    RegisterUserRoutes(router, ctx);
    RegisterApiKeyRoutes(router, ctx);
    RegisterAuditRoutes(router, ctx);
    RegisterSchemaRoutes(router, ctx);
    RegisterRecordRoutes(router, ctx);
    RegisterSubscriptionRoutes(router, ctx);
    RegisterImportRoutes(router, ctx);
    RegisterExportRoutes(router, ctx);
    RegisterQueryRoutes(router, ctx);
    RegisterAudienceRoutes(router, ctx);
    RegisterTemplateRoutes(router, ctx);
    RegisterEmailRoutes(router, ctx);
    RegisterDeliveryApiRoutes(router, ctx);
    RegisterFragmentRoutes(router, ctx);
    RegisterTrackingRoutes(router, ctx);
    RegisterReportRoutes(router, ctx);
    RegisterWorkflowRoutes(router, ctx);
    RegisterNotificationRoutes(router, ctx);
}

}  // namespace overture::http
