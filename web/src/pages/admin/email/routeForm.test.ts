import { describe, expect, it } from 'vitest';

import { ApiError } from '../../../api';
import type { Route } from '../../../api/email';
import {
  createRouteBody, emptyRouteForm, errorField, errorInAdvanced, fieldError, nameFromLabel, numberOf, routeDestination,
  routeToForm, updateRouteBody,
} from './routeForm';

const smtpRoute = (over: Partial<NonNullable<Route['smtp']>> = {}): Route => ({
  id: 3,
  name: 'relay',
  label: 'Main relay',
  kind: 'smtp',
  isDefault: true,
  smtp: {
    host: 'smtp.example.com', port: 587, tls: 'starttls-required', verifyCertificate: true, caFile: '', username: 'ov',
    hasPassword: true, allowPlainAuth: false, heloName: 'mail.example.com', poolSize: 4, maxMessagesPerConnection: 100,
    ratePerSecond: 2.5, perDomainConcurrency: 2, perDomainRate: 1, connectTimeoutMs: 30000, commandTimeoutMs: 60000,
    dataTimeoutMs: 600000, maxQueueWaitMs: 60000, ...over,
  },
  createdAt: '2026-11-28T10:00:00Z', createdBy: 'admin', modifiedAt: '2026-11-28T10:00:00Z', modifiedBy: 'admin',
});

const maildirRoute: Route = {
  id: 4, name: 'demo', label: 'Demo', kind: 'maildir', isDefault: false, maildir: { folder: 'demo/out' },
  createdAt: '2026-11-28T10:00:00Z', createdBy: 'admin', modifiedAt: '2026-11-28T10:00:00Z', modifiedBy: 'admin',
};

describe('route form → POST body', () => {
  it('sends a maildir route with its folder only', () => {
    const form = { ...emptyRouteForm(), name: ' demo ', label: 'Demo', kind: 'maildir' as const, folder: ' demo/out ' };
    expect(createRouteBody(form)).toEqual({ name: 'demo', label: 'Demo', kind: 'maildir', maildir: { folder: 'demo/out' } });
  });

  it('sends every smtp setting, the password when typed, isDefault only when asked', () => {
    const form = emptyRouteForm();
    form.name = 'relay';
    form.smtp.host = ' smtp.example.com ';
    form.smtp.port = 587;
    form.smtp.password = 's3cret';
    form.isDefault = true;
    const body = createRouteBody(form);
    expect(body).toMatchObject({ name: 'relay', kind: 'smtp', isDefault: true });
    expect(body.maildir).toBeUndefined();
    expect(body.smtp).toEqual({
      host: 'smtp.example.com', port: 587, tls: 'starttls', verifyCertificate: true, caFile: '', username: '',
      password: 's3cret', allowPlainAuth: false, heloName: '', poolSize: 10, maxMessagesPerConnection: 1000,
      ratePerSecond: 0, perDomainConcurrency: 0, perDomainRate: 0, connectTimeoutMs: 30000, commandTimeoutMs: 60000,
      dataTimeoutMs: 600000, maxQueueWaitMs: 60000,
    });
    expect(createRouteBody({ ...form, isDefault: false })).not.toHaveProperty('isDefault');
  });

  it('leaves out an emptied number box and an empty password', () => {
    const form = emptyRouteForm();
    form.smtp.port = '';
    form.smtp.poolSize = ' ';
    const smtp = createRouteBody(form).smtp!;
    expect(smtp).not.toHaveProperty('port');
    expect(smtp).not.toHaveProperty('poolSize');
    expect(smtp).not.toHaveProperty('password');
  });
});

describe('route form → PATCH body', () => {
  it('loads a route without its password and sends it back unchanged but for name, kind and isDefault', () => {
    const route = smtpRoute();
    const form = routeToForm(route);
    expect(form.smtp.password).toBe('');
    expect(form.smtp.passwordAction).toBe('keep');
    expect(form.smtp).not.toHaveProperty('hasPassword');
    const body = updateRouteBody(form, route);
    expect(Object.keys(body).sort()).toEqual(['label', 'smtp']);
    const { hasPassword: _, ...settings } = route.smtp!;
    expect(body.smtp).toEqual(settings);
  });

  it('keeps, changes or removes a stored password', () => {
    const route = smtpRoute();
    const form = routeToForm(route);
    form.smtp.password = 'typed but kept';
    expect(updateRouteBody(form, route).smtp).not.toHaveProperty('password');
    form.smtp.passwordAction = 'change';
    form.smtp.password = 'new';
    expect(updateRouteBody(form, route).smtp?.password).toBe('new');
    form.smtp.passwordAction = 'remove';
    expect(updateRouteBody(form, route).smtp?.password).toBeNull();
  });

  it('sets a password on a route that has none when one is typed', () => {
    const route = smtpRoute({ hasPassword: false });
    const form = routeToForm(route);
    expect(updateRouteBody(form, route).smtp).not.toHaveProperty('password');
    form.smtp.password = 'first';
    expect(updateRouteBody(form, route).smtp?.password).toBe('first');
  });

  it('sends a maildir route its label and folder', () => {
    const form = routeToForm(maildirRoute);
    form.folder = 'demo/new';
    expect(updateRouteBody(form, maildirRoute)).toEqual({ label: 'Demo', maildir: { folder: 'demo/new' } });
  });
});

describe('field errors', () => {
  const bad = (field: string) => new ApiError(400, 'invalid_argument', `${field} must be between 1 and 65535`, { field });

  it('puts the error next to the field the server names', () => {
    const err = bad('smtp.port');
    expect(errorField(err)).toBe('smtp.port');
    expect(fieldError(err, 'smtp.port')).toBe('smtp.port must be between 1 and 65535');
    expect(fieldError(err, 'smtp.host')).toBeUndefined();
  });

  it('names no field for other errors', () => {
    expect(errorField(new ApiError(409, 'already_exists', 'taken'))).toBeNull();
    expect(errorField(new Error('network'))).toBeNull();
    expect(fieldError(null, 'name')).toBeUndefined();
  });

  it('opens "Advanced" for the settings that sit there', () => {
    expect(errorInAdvanced(bad('smtp.connectTimeoutMs'))).toBe(true);
    expect(errorInAdvanced(bad('smtp.heloName'))).toBe(true);
    expect(errorInAdvanced(bad('smtp.port'))).toBe(false);
    expect(errorInAdvanced(bad('name'))).toBe(false);
  });
});

describe('helpers', () => {
  it('reads number boxes', () => {
    expect(numberOf(5)).toBe(5);
    expect(numberOf('2.5')).toBe(2.5);
    expect(numberOf('')).toBeUndefined();
    expect(numberOf('x')).toBeUndefined();
  });

  it('shows where a route sends', () => {
    expect(routeDestination(smtpRoute())).toBe('smtp.example.com:587');
    expect(routeDestination(maildirRoute)).toBe('demo/out');
  });

  it('makes a route name from a label', () => {
    expect(nameFromLabel('Main relay (EU)')).toBe('main-relay-eu');
    expect(nameFromLabel('Équipe_2')).toBe('equipe_2');
    expect(nameFromLabel('x'.repeat(80))).toHaveLength(64);
  });
});
