// Shows a new API key's secret, the only time the server ever sends it.
// Closing needs an explicit click: a stray click outside must not lose the secret.

import { Alert, Button, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconCopy } from '@tabler/icons-react';
import { useEffect, useState } from 'react';

import type { CreatedApiKey } from '../../api';
import { notifyError } from '../../components/notify';

export function SecretModal({ apiKey, onClose }: { apiKey: CreatedApiKey | null; onClose: () => void }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => setCopied(false), [apiKey]);

  const copy = async () => {
    if (!apiKey) return;
    try {
      await navigator.clipboard.writeText(apiKey.secret);
      setCopied(true);
    } catch {
      notifyError('Copy failed', new Error('The browser refused the clipboard: select the secret and copy it by hand.'));
    }
  };

  return (
    <Modal
      opened={apiKey !== null}
      onClose={onClose}
      title={`API key “${apiKey?.name ?? ''}” created`}
      centered
      size="lg"
      closeOnClickOutside={false}
      closeOnEscape={false}
      withCloseButton={false}
    >
      <Stack>
        <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />} title="Copy the secret now">
          This secret will not be shown again. Store it somewhere safe; if it is lost, revoke the key and create a new one.
        </Alert>
        <Textarea
          label="Secret"
          readOnly
          autosize
          minRows={1}
          value={apiKey?.secret ?? ''}
          onFocus={(e) => e.currentTarget.select()}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', wordBreak: 'break-all', lineHeight: 1.6 } }}
        />
        <Text size="xs" c="dimmed">
          Send it as <code>Authorization: Bearer &lt;secret&gt;</code>. Scopes: {apiKey?.scopes.join(', ')}.
        </Text>
        <Group justify="space-between">
          <Button
            variant="light"
            color={copied ? 'teal' : 'indigo'}
            leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
            onClick={copy}
          >
            {copied ? 'Copied' : 'Copy secret'}
          </Button>
          <Button onClick={onClose}>I have stored it</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
