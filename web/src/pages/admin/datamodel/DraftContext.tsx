// The data model editor's state: the published model (GET /schema), the local draft edited on
// top of it (kept in sessionStorage so that moving between pages does not lose it), and whether
// the draft differs from what is published.

import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

import type { ResourceDef } from '../../../api';
import { useCurrentUser } from '../../../auth';
import { isDirty, type Draft } from '../../../records/draft';
import { canManageSchema } from '../../../records/permissions';
import { useSchema } from '../../../records/useSchema';

const STORAGE_KEY = 'overture.datamodel.draft';

interface DraftState {
  published: Draft;
  draft: Draft;
  dirty: boolean;
  /** True for administrators and data managers. */
  canEdit: boolean;
  setDraft: (next: Draft) => void;
  /** Drops the local changes (also after a publish). */
  discard: () => void;
  schema: ReturnType<typeof useSchema>;
}

const Ctx = createContext<DraftState | null>(null);

function readStored(): Draft | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as ResourceDef[]) : null;
  } catch {
    return null;
  }
}

export function DraftProvider({ children }: { children: ReactNode }) {
  const schema = useSchema();
  const user = useCurrentUser();
  const [edited, setEdited] = useState<Draft | null>(readStored);
  const published = schema.data?.resources ?? [];
  const canEdit = canManageSchema(user.role);

  useEffect(() => {
    try {
      if (edited) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(edited));
      else sessionStorage.removeItem(STORAGE_KEY);
    } catch {
      // No storage: the draft lives as long as the page.
    }
  }, [edited]);

  const value = useMemo<DraftState>(() => {
    const draft = canEdit && edited ? edited : published;
    return {
      published,
      draft,
      dirty: canEdit && edited !== null && schema.data !== undefined && isDirty(published, edited),
      canEdit,
      setDraft: (next) => setEdited(next),
      discard: () => setEdited(null),
      schema,
    };
  }, [edited, published, canEdit, schema]);

  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useDraft(): DraftState {
  const v = useContext(Ctx);
  if (!v) throw new Error('useDraft outside DraftProvider');
  return v;
}
