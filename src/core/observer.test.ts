import { describe, expect, it } from 'vitest';
import { rejectionReason, routeLabel } from './observer.js';

describe('routeLabel', () => {
  it('keeps labels bounded: fixed routes by name, ids folded, anything else is a page', () => {
    const label = (path: string) => routeLabel(`http://shop.test${path}`, '/product/');
    expect(label('/')).toBe('/');
    expect(label('/collect?x=1')).toBe('/collect');
    expect(label('/product/p-123')).toBe('/product/:id');
    expect(label('/category/running#top')).toBe('/category/:id');
    expect(label('/admin/api/experiments/x/promote')).toBe('/admin/api');
    expect(label('/admin')).toBe('/admin');
    expect(label('/administrator')).toBe('page');
    expect(label('/wp-login.php')).toBe('page');
    expect(label('/metrics')).toBe('/metrics');
  });
});

describe('rejectionReason', () => {
  it('names the field at fault, or invalid', () => {
    expect(rejectionReason('ts is in the future')).toBe('ts');
    expect(rejectionReason('ts must be a number (epoch ms)')).toBe('ts');
    expect(rejectionReason('view events need an item')).toBe('item');
    expect(rejectionReason('props.quantity must be an integer from 1 to 99')).toBe('props');
    expect(rejectionReason('consent events need props.personalization (boolean)')).toBe('props');
    expect(rejectionReason('type must be one of view, click')).toBe('type');
    expect(rejectionReason('Invalid key: Expected never but received "x"')).toBe('invalid');
  });
});
