import { Navigate, Route, Routes, useParams } from 'react-router';

import { RequireAuth } from './auth';
import { AppFrame } from './components/AppFrame';
import { SECTIONS } from './sections';
import { HomePage } from './pages/HomePage';
import { LoginPage } from './pages/LoginPage';
import { NotBuiltPage } from './pages/NotBuiltPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { AdminLayout } from './pages/admin/AdminLayout';
import { ApiKeysPage } from './pages/admin/ApiKeysPage';
import { AuditPage } from './pages/admin/AuditPage';
import { UsersPage } from './pages/admin/UsersPage';
import { DataModelLayout } from './pages/admin/datamodel/DataModelLayout';
import { BouncesPage } from './pages/admin/email/BouncesPage';
import { DkimKeysPage } from './pages/admin/email/DkimKeysPage';
import { RoutesPage } from './pages/admin/email/RoutesPage';
import { DataModelPage } from './pages/admin/datamodel/DataModelPage';
import { ResourceModelPage } from './pages/admin/datamodel/ResourceModelPage';
import { AudiencePage } from './pages/audiences/AudiencePage';
import { AudiencesLayout } from './pages/audiences/AudiencesLayout';
import { AudiencesPage } from './pages/audiences/AudiencesPage';
import { CustomRecordPage } from './pages/audiences/CustomRecordPage';
import { CustomRecordsPage } from './pages/audiences/CustomRecordsPage';
import { NewAudiencePage } from './pages/audiences/NewAudiencePage';
import { ProfilePage } from './pages/audiences/ProfilePage';
import { ProfilesPage } from './pages/audiences/ProfilesPage';
import { QuarantinePage } from './pages/audiences/QuarantinePage';
import { ServicePage } from './pages/audiences/ServicePage';
import { ServicesPage } from './pages/audiences/ServicesPage';
import { TestProfilesPage } from './pages/audiences/TestProfilesPage';
import { ImportDetailPage } from './pages/audiences/imports/ImportDetailPage';
import { ImportsPage } from './pages/audiences/imports/ImportsPage';
import { ImportWizardPage } from './pages/audiences/imports/ImportWizardPage';
import { DeliveriesPage } from './pages/deliveries/DeliveriesPage';
import { DeliveryPage } from './pages/deliveries/DeliveryPage';
import { FragmentsPage } from './pages/fragments/FragmentsPage';
import { DeliveryReportPage } from './pages/reports/DeliveryReportPage';
import { ReportsPage } from './pages/reports/ReportsPage';
import { WorkflowPage } from './pages/workflows/WorkflowPage';
import { WorkflowsPage } from './pages/workflows/WorkflowsPage';

/** /deliveries/:id/report, the report's name in docs/reports.md, is /messages/:id/report in the UI. */
function DeliveryReportRedirect() {
  const { id = '' } = useParams();
  return <Navigate to={`/messages/${encodeURIComponent(id)}/report`} replace />;
}

export function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route
        element={
          <RequireAuth>
            <AppFrame />
          </RequireAuth>
        }
      >
        <Route index element={<HomePage />} />
        {SECTIONS.filter((s) => s.arrivesWith).map((s) => (
          <Route key={s.path} path={s.path} element={<NotBuiltPage section={s} />} />
        ))}
        <Route path="/audiences" element={<AudiencesLayout />}>
          <Route index element={<Navigate to="profiles" replace />} />
          <Route path="profiles" element={<ProfilesPage />} />
          <Route path="services" element={<ServicesPage />} />
          <Route path="services/:id" element={<ServicePage />} />
          <Route path="test-profiles" element={<TestProfilesPage />} />
          <Route path="quarantine" element={<QuarantinePage />} />
          <Route path="imports" element={<ImportsPage />} />
          <Route path="imports/new" element={<ImportWizardPage />} />
          <Route path="imports/:id" element={<ImportDetailPage />} />
          <Route path="audiences" element={<AudiencesPage />} />
          <Route path="audiences/new" element={<NewAudiencePage />} />
          <Route path="audiences/:id" element={<AudiencePage />} />
          <Route path="resources/:name" element={<CustomRecordsPage />} />
          <Route path="resources/:name/:id" element={<CustomRecordPage />} />
        </Route>
        <Route path="/profiles" element={<Navigate to="/audiences/profiles" replace />} />
        <Route path="/profiles/:id" element={<ProfilePage />} />
        <Route path="/workflows" element={<WorkflowsPage />} />
        <Route path="/workflows/:id" element={<WorkflowPage />} />
        <Route path="/messages" element={<DeliveriesPage />} />
        <Route path="/messages/fragments" element={<FragmentsPage />} />
        <Route path="/messages/:id" element={<DeliveryPage />} />
        <Route path="/messages/:id/report" element={<DeliveryReportPage />} />
        <Route path="/deliveries/:id/report" element={<DeliveryReportRedirect />} />
        <Route path="/reports" element={<ReportsPage />} />
        <Route path="/admin" element={<AdminLayout />}>
          <Route index element={<Navigate to="users" replace />} />
          <Route path="users" element={<UsersPage />} />
          <Route path="api-keys" element={<ApiKeysPage />} />
          <Route path="audit" element={<AuditPage />} />
          <Route path="routes" element={<RoutesPage />} />
          <Route path="dkim-keys" element={<DkimKeysPage />} />
          <Route path="bounces" element={<BouncesPage />} />
          <Route path="data-model" element={<DataModelLayout />}>
            <Route index element={<DataModelPage />} />
            <Route path=":name" element={<ResourceModelPage />} />
          </Route>
        </Route>
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
