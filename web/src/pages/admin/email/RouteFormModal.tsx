// The form that creates an email route, or changes one (`route` given): kind smtp or maildir, the
// SMTP relay's settings with the timeouts and rates under "Advanced", the write-only password
// (set / change / remove). A 400 naming a field (details.field "smtp.port") shows next to it.

import {
  Alert, Checkbox, Collapse, Group, NativeSelect, NumberInput, PasswordInput, SegmentedControl, SimpleGrid, Stack, Text,
  TextInput, UnstyledButton,
} from '@mantine/core';
import { IconAlertTriangle, IconChevronDown, IconChevronRight } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';

import { routes, type Route } from '../../../api/email';
import { FormModal } from '../../../components/FormModal';
import { useInvalidate } from '../../../hooks/useInvalidate';
import {
  createRouteBody, emptyRouteForm, errorInAdvanced, fieldError, nameFromLabel, routeToForm, TLS_CHOICES, updateRouteBody,
  type NumberValue, type PasswordAction, type RouteForm, type SmtpForm,
} from './routeForm';

interface Props {
  opened: boolean;
  /** The route to change; null to create one. */
  route: Route | null;
  onClose: () => void;
  onSaved: (route: Route) => void;
}

/** Mount it with `key={route?.id ?? 'new'}` so that it starts from the right route. */
export function RouteFormModal({ opened, route, onClose, onSaved }: Props) {
  const invalidate = useInvalidate([['routes'], ['audit']]);
  const [form, setForm] = useState<RouteForm>(() => (route ? routeToForm(route) : emptyRouteForm()));
  const [nameTouched, setNameTouched] = useState(false);
  const [advancedOpen, setAdvancedOpen] = useState(false);

  const save = useMutation({
    mutationFn: (f: RouteForm) => (route ? routes.update(route.id, updateRouteBody(f, route)) : routes.create(createRouteBody(f))),
    onSuccess: (saved) => {
      invalidate();
      onSaved(saved);
    },
    onError: (err) => {
      if (errorInAdvanced(err)) setAdvancedOpen(true);
    },
  });

  const set = <K extends keyof RouteForm>(field: K, value: RouteForm[K]) => setForm((f) => ({ ...f, [field]: value }));
  const setSmtp = <K extends keyof SmtpForm>(field: K, value: SmtpForm[K]) =>
    setForm((f) => ({ ...f, smtp: { ...f.smtp, [field]: value } }));
  const err = (field: string) => fieldError(save.error, field);

  const close = () => {
    save.reset();
    onClose();
  };

  const numberField = (field: keyof SmtpForm & string, label: string, description: ReactNode, props: { min?: number; max?: number; decimalScale?: number } = {}) => (
    <NumberInput
      label={label}
      description={description}
      value={form.smtp[field] as NumberValue}
      onChange={(v) => setSmtp(field, v as never)}
      error={err(`smtp.${field}`)}
      allowNegative={false}
      allowDecimal={props.decimalScale !== undefined}
      decimalScale={props.decimalScale}
      min={props.min}
      max={props.max}
    />
  );

  const hasPassword = route?.smtp?.hasPassword ?? false;
  const smtp = form.smtp;

  return (
    <FormModal
      opened={opened}
      title={route ? `Edit route “${route.name}”` : 'New route'}
      errorTitle={route ? 'Could not save the route' : 'Could not create the route'}
      submitLabel={route ? 'Save' : 'Create route'}
      onClose={close}
      onSubmit={() => save.mutate(form)}
      pending={save.isPending}
      error={save.error}
      size="lg"
    >
      <TextInput
        label="Label"
        description="What marketers see, e.g. “Main relay”."
        data-autofocus
        value={form.label}
        error={err('label')}
        onChange={(e) => {
          const label = e.currentTarget.value;
          setForm((f) => ({ ...f, label, name: route || nameTouched ? f.name : nameFromLabel(label) }));
        }}
      />
      <TextInput
        label="Name"
        description={route ? 'The name cannot change.' : 'Lower-case letters, digits, _ and -; how the API and deliveries refer to the route.'}
        required={!route}
        disabled={!!route}
        value={form.name}
        error={err('name')}
        onChange={(e) => {
          setNameTouched(true);
          set('name', e.currentTarget.value);
        }}
      />
      {route ? null : (
        <Stack gap={4}>
          <Text size="sm" fw={500}>Kind</Text>
          <SegmentedControl
            aria-label="Kind"
            value={form.kind}
            onChange={(v) => set('kind', v as RouteForm['kind'])}
            data={[
              { value: 'smtp', label: 'SMTP relay' },
              { value: 'maildir', label: 'Maildir folder' },
            ]}
          />
          {err('kind') ? <Text size="xs" c="red">{err('kind')}</Text> : null}
        </Stack>
      )}

      {form.kind === 'maildir' ? (
        <TextInput
          label="Folder"
          description="Under the server's email.maildir_root: names separated by /, without “.” or “..”. Each message becomes a file (for tests and demos)."
          required
          value={form.folder}
          error={err('maildir.folder') ?? err('maildir')}
          onChange={(e) => set('folder', e.currentTarget.value)}
        />
      ) : (
        <>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput
              label="Host"
              description="Name or IP address of the relay."
              required
              value={smtp.host}
              error={err('smtp.host')}
              onChange={(e) => setSmtp('host', e.currentTarget.value)}
            />
            {numberField('port', 'Port', '25, 587 or 465.', { min: 1, max: 65535 })}
          </SimpleGrid>
          <NativeSelect
            label="TLS"
            data={TLS_CHOICES.map((c) => ({ value: c.value, label: c.label }))}
            value={smtp.tls}
            onChange={(e) => setSmtp('tls', e.currentTarget.value as SmtpForm['tls'])}
            description={TLS_CHOICES.find((c) => c.value === smtp.tls)?.description}
            error={err('smtp.tls')}
          />
          {smtp.tls !== 'none' ? (
            <>
              <Checkbox
                label="Verify the server's certificate"
                description="Its chain and host name. Turn off only for a relay with a self-signed certificate you trust."
                checked={smtp.verifyCertificate}
                onChange={(e) => setSmtp('verifyCertificate', e.currentTarget.checked)}
                error={err('smtp.verifyCertificate')}
              />
              <TextInput
                label="CA file"
                description="A PEM file of trusted CAs on the server; empty for the system's."
                value={smtp.caFile}
                error={err('smtp.caFile')}
                onChange={(e) => setSmtp('caFile', e.currentTarget.value)}
              />
            </>
          ) : null}
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput
              label="Username"
              description="AUTH PLAIN or LOGIN when set."
              autoComplete="off"
              value={smtp.username}
              error={err('smtp.username')}
              onChange={(e) => setSmtp('username', e.currentTarget.value)}
            />
            <PasswordField
              hasPassword={hasPassword}
              smtp={smtp}
              error={err('smtp.password')}
              onAction={(a) => setSmtp('passwordAction', a)}
              onPassword={(p) => setSmtp('password', p)}
            />
          </SimpleGrid>
          <Checkbox
            label="Allow authentication without TLS"
            checked={smtp.allowPlainAuth}
            onChange={(e) => setSmtp('allowPlainAuth', e.currentTarget.checked)}
            error={err('smtp.allowPlainAuth')}
          />
          {smtp.allowPlainAuth ? (
            <Alert color="orange" variant="light" icon={<IconAlertTriangle size={16} />} p="xs" role="note">
              The username and password then cross the network in clear text. Only for a relay on this machine
              or a network you trust, never over the internet.
            </Alert>
          ) : null}

          <UnstyledButton onClick={() => setAdvancedOpen((o) => !o)} aria-expanded={advancedOpen}>
            <Group gap={4}>
              {advancedOpen ? <IconChevronDown size={16} /> : <IconChevronRight size={16} />}
              <Text size="sm" fw={500}>Advanced</Text>
              <Text size="xs" c="dimmed">HELO name, connections, rates and timeouts</Text>
            </Group>
          </UnstyledButton>
          <Collapse in={advancedOpen}>
            <Stack>
              <TextInput
                label="HELO name"
                description="The name sent with EHLO; empty for “localhost”. Use this server's public host name."
                value={smtp.heloName}
                error={err('smtp.heloName')}
                onChange={(e) => setSmtp('heloName', e.currentTarget.value)}
              />
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                {numberField('poolSize', 'Pool size', 'Connections open at once (1 to 200).', { min: 1, max: 200 })}
                {numberField('maxMessagesPerConnection', 'Messages per connection', 'Then the connection is renewed.', { min: 1 })}
                {numberField('ratePerSecond', 'Rate (messages per second)', '0: no limit.', { min: 0, decimalScale: 3 })}
                {numberField('perDomainConcurrency', 'Per-domain concurrency', 'Transactions at once per recipient domain; 0: no limit.', { min: 0 })}
                {numberField('perDomainRate', 'Per-domain rate', 'Messages per second per recipient domain; 0: no limit.', { min: 0, decimalScale: 3 })}
              </SimpleGrid>
              <SimpleGrid cols={{ base: 1, sm: 3 }}>
                {numberField('connectTimeoutMs', 'Connect timeout (ms)', 'Default 30000.', { min: 100 })}
                {numberField('commandTimeoutMs', 'Command timeout (ms)', 'Default 60000.', { min: 100 })}
                {numberField('dataTimeoutMs', 'Data timeout (ms)', 'Default 600000.', { min: 100 })}
              </SimpleGrid>
              <SimpleGrid cols={{ base: 1, sm: 3 }}>
                {numberField('maxQueueWaitMs', 'Queue wait while down (ms)', 'A message fails after waiting this long for an unreachable relay. Default 60000.', { min: 0 })}
              </SimpleGrid>
            </Stack>
          </Collapse>
        </>
      )}

      {route ? null : (
        <Checkbox
          label="Make it the default route"
          description="Deliveries that name no route use the default. The first route always becomes the default."
          checked={form.isDefault}
          onChange={(e) => set('isDefault', e.currentTarget.checked)}
        />
      )}
    </FormModal>
  );
}

/** The write-only password: typed when there is none; kept, changed or removed when there is one. */
function PasswordField({ hasPassword, smtp, error, onAction, onPassword }: {
  hasPassword: boolean;
  smtp: SmtpForm;
  error?: string;
  onAction: (action: PasswordAction) => void;
  onPassword: (password: string) => void;
}) {
  if (!hasPassword) {
    return (
      <PasswordInput
        label="Password"
        description="Stored sealed; never shown again."
        autoComplete="new-password"
        value={smtp.password}
        error={error}
        onChange={(e) => onPassword(e.currentTarget.value)}
      />
    );
  }
  return (
    <Stack gap={4}>
      <Text size="sm" fw={500}>Password</Text>
      <SegmentedControl
        aria-label="Password"
        size="xs"
        value={smtp.passwordAction}
        onChange={(v) => onAction(v as PasswordAction)}
        data={[
          { value: 'keep', label: 'Keep (set)' },
          { value: 'change', label: 'Change' },
          { value: 'remove', label: 'Remove' },
        ]}
      />
      {smtp.passwordAction === 'change' ? (
        <PasswordInput
          aria-label="New password"
          placeholder="New password"
          autoComplete="new-password"
          value={smtp.password}
          error={error}
          onChange={(e) => onPassword(e.currentTarget.value)}
        />
      ) : (
        <Text size="xs" c={error ? 'red' : 'dimmed'}>
          {error ?? (smtp.passwordAction === 'remove' ? 'The stored password will be removed.' : 'A password is stored; it is never shown.')}
        </Text>
      )}
    </Stack>
  );
}
