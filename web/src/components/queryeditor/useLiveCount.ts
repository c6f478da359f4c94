// The query editor's live count: asks POST /query/count ~400 ms after the rules stop changing,
// aborts the request still running when they change again (AbortController), and keeps the
// last count on screen while the next one loads. No expression counts every record.

import { useEffect, useState } from 'react';

import { ApiError, query, records, type ExpressionInput } from '../../api';

export const COUNT_DEBOUNCE_MS = 400;

export type LiveCount =
  | { status: 'idle' }
  | { status: 'loading'; previous: number | null }
  | { status: 'done'; count: number }
  | { status: 'error'; error: ApiError | Error };

/**
 * `input` null with `blocked` false: the whole resource; `blocked`: the rules are incomplete,
 * nothing is asked. The request is keyed on the JSON text of `input`, so equal inputs built
 * anew on each render do not restart it.
 */
export function useLiveCount(resource: string, input: ExpressionInput | null, blocked: boolean): LiveCount {
  const [state, setState] = useState<LiveCount>({ status: 'idle' });
  const key = blocked ? null : JSON.stringify(input);

  useEffect(() => {
    if (key === null) {
      setState({ status: 'idle' });
      return undefined;
    }
    setState((s) => ({ status: 'loading', previous: s.status === 'done' ? s.count : s.status === 'loading' ? s.previous : null }));
    const controller = new AbortController();
    const timer = setTimeout(() => {
      const parsed = JSON.parse(key) as ExpressionInput | null;
      const request = parsed ? query.count(resource, parsed, controller.signal) : records.count(resource, {}, controller.signal);
      request.then(
        (r) => setState({ status: 'done', count: r.count }),
        (err: unknown) => {
          if (controller.signal.aborted) return;
          setState({ status: 'error', error: err instanceof Error ? err : new Error(String(err)) });
        },
      );
    }, COUNT_DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [resource, key]);

  return state;
}
