import { Navigate, Route, Routes } from 'react-router';

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
        <Route path="/admin" element={<AdminLayout />}>
          <Route index element={<Navigate to="users" replace />} />
          <Route path="users" element={<UsersPage />} />
          <Route path="api-keys" element={<ApiKeysPage />} />
          <Route path="audit" element={<AuditPage />} />
        </Route>
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
