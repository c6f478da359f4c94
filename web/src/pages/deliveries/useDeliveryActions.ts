// The delivery's transitions (prepare, confirm, pause, resume, stop) and delete: each a POST whose
// answer replaces the cached delivery; errors go to a notification with the server's message.

import { useMutation, useQueryClient } from '@tanstack/react-query';

import { notifyError, notifySuccess } from '../../components/notify';
import { DELIVERIES_KEY, deliveries, type Delivery } from '../../deliveries/api';

export type Transition = 'prepare' | 'confirm' | 'pause' | 'resume' | 'stop';

const DONE: Record<Transition, string> = {
  prepare: 'Preparation started.',
  confirm: 'Confirmed: the send is scheduled.',
  pause: 'Paused.',
  resume: 'Resumed.',
  stop: 'Stopped for good.',
};

const FAILED: Record<Transition, string> = {
  prepare: 'Could not prepare',
  confirm: 'Could not confirm',
  pause: 'Could not pause',
  resume: 'Could not resume',
  stop: 'Could not stop',
};

export const deliveryKey = (id: number) => [...DELIVERIES_KEY, id] as const;

export function useDeliveryActions(id: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (action: Transition) => deliveries.transition(id, action).then((d) => ({ d, action })),
    onSuccess: ({ d, action }: { d: Delivery; action: Transition }) => {
      client.setQueryData([...deliveryKey(id), 'one'], d);
      client.invalidateQueries({ queryKey: [...DELIVERIES_KEY, 'list'] });
      notifySuccess(DONE[action]);
    },
    onError: (e, action) => notifyError(FAILED[action], e),
  });
}
