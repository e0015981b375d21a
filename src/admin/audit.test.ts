import { describe, expect, it } from 'vitest';
import { AUDIT_ROUTE_MAX, auditRoute } from './audit.js';

describe('auditRoute', () => {
  it('keeps a short path as it is', () => {
    expect(auditRoute('/admin/api/experiments')).toEqual({ route: '/admin/api/experiments' });
  });

  it('cuts a long path to 200 characters and keeps its length', () => {
    const path = `/admin/api/${'a'.repeat(8000)}`;
    expect(auditRoute(path)).toEqual({ route: path.slice(0, AUDIT_ROUTE_MAX), routeLength: path.length });
  });

  it('escapes control and line-separator characters, so one entry stays one readable line', () => {
    expect(auditRoute('/admin/a\nb\u2028c\u0007')).toEqual({ route: '/admin/a\\u000ab\\u2028c\\u0007' });
  });
});
