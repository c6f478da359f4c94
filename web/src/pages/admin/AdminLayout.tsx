// Administration: a title and the sub-navigation (Users, API keys, Audit trail, Data model, and the
// email channel's Routes, DKIM keys and Bounces).

import { Tabs } from '@mantine/core';
import { IconDatabase, IconHistory, IconKey, IconMailCancel, IconRoute, IconSignature, IconUsers } from '@tabler/icons-react';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { PageHeader } from '../../components/PageHeader';

const TABS = [
  { value: 'users', label: 'Users', icon: IconUsers },
  { value: 'api-keys', label: 'API keys', icon: IconKey },
  { value: 'audit', label: 'Audit trail', icon: IconHistory },
  { value: 'data-model', label: 'Data model', icon: IconDatabase },
  { value: 'routes', label: 'Routes', icon: IconRoute },
  { value: 'dkim-keys', label: 'DKIM keys', icon: IconSignature },
  { value: 'bounces', label: 'Bounces', icon: IconMailCancel },
];

export function AdminLayout() {
  const location = useLocation();
  const navigate = useNavigate();
  const current = location.pathname.split('/')[2] ?? 'users';

  return (
    <>
      <PageHeader title="Administration" description="Accounts, access keys, the record of changes, the data model and how email is sent." />
      <Tabs value={current} onChange={(v) => v && navigate(`/admin/${v}`)} mb="lg" keepMounted={false}>
        <Tabs.List aria-label="Administration">
          {TABS.map((t) => (
            <Tabs.Tab key={t.value} value={t.value} leftSection={<t.icon size={16} stroke={1.5} />}>
              {t.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
      </Tabs>
      <Outlet />
    </>
  );
}
