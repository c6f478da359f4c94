// Profiles & audiences: the title and the sub-navigation (profiles, audiences, services, test
// profiles, quarantine, imports, then one tab per custom resource of the data model).

import { Tabs } from '@mantine/core';
import { IconBan, IconDatabase, IconFileImport, IconFilter, IconFlask, IconMailbox, IconUsers } from '@tabler/icons-react';
import { Outlet, useLocation, useNavigate } from 'react-router';

import { PageHeader } from '../../components/PageHeader';
import { useSchema } from '../../records/useSchema';

const TABS = [
  { value: 'profiles', label: 'Profiles', icon: IconUsers },
  { value: 'audiences', label: 'Audiences', icon: IconFilter },
  { value: 'services', label: 'Services', icon: IconMailbox },
  { value: 'test-profiles', label: 'Test profiles', icon: IconFlask },
  { value: 'quarantine', label: 'Quarantine', icon: IconBan },
  { value: 'imports', label: 'Imports', icon: IconFileImport },
];

export function AudiencesLayout() {
  const location = useLocation();
  const navigate = useNavigate();
  const schema = useSchema();
  const parts = location.pathname.split('/');
  const current = parts[2] === 'resources' ? `resources/${parts[3] ?? ''}` : parts[2] || 'profiles';
  const custom = (schema.data?.resources ?? []).filter((r) => !r.builtin);

  return (
    <>
      <PageHeader
        title="Profiles & audiences"
        description="The people you send to, what they subscribed to, your test addresses and the addresses not to send to. Audiences select profiles with rules (the query editor) and are saved as queries or fixed lists. Import files into any of them from the Imports tab."
      />
      <Tabs value={current} onChange={(v) => v && navigate(`/audiences/${v}`)} mb="lg" keepMounted={false}>
        <Tabs.List aria-label="Profiles & audiences">
          {TABS.map((t) => (
            <Tabs.Tab key={t.value} value={t.value} leftSection={<t.icon size={16} stroke={1.5} />}>
              {t.label}
            </Tabs.Tab>
          ))}
          {custom.map((r) => (
            <Tabs.Tab key={r.name} value={`resources/${r.name}`} leftSection={<IconDatabase size={16} stroke={1.5} />}>
              {r.pluralLabel}
            </Tabs.Tab>
          ))}
        </Tabs.List>
      </Tabs>
      <Outlet />
    </>
  );
}
