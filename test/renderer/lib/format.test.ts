import { describe, expect, it } from 'vitest';
import { formatAbout, formatBytes, formatCountdown, formatRate } from '../../../renderer/lib/format';

describe('format', () => {
  it.each([
    [0, '0 bytes'],
    [1, '1 byte'],
    [1023, '1023 bytes'],
    [1536, '1.5 KiB'],
    [10 * 1024 * 1024, '10 MiB'],
    [5 * 1024 ** 3, '5 GiB'],
  ])('formatBytes(%s) = %s', (n, text) => expect(formatBytes(n)).toBe(text));

  it.each([
    [754, '12:34'],
    [60, '1:00'],
    [5, '0:05'],
    [3723, '1:02:03'],
    [-4, '0:00'],
  ])('formatCountdown(%s) = %s', (s, text) => expect(formatCountdown(s)).toBe(text));

  it.each([
    [30, 'less than a minute'],
    [60, 'about 1 minute'],
    [1200, 'about 20 minutes'],
    [3600, 'about 1 hour'],
    [5400, 'about 1.5 hours'],
  ])('formatAbout(%s) = %s', (s, text) => expect(formatAbout(s)).toBe(text));

  it('formats speeds and hides a zero speed', () => {
    expect(formatRate(2 * 1024 * 1024)).toBe('2 MiB/s');
    expect(formatRate(0)).toBe('');
    expect(formatRate(undefined)).toBe('');
  });
});
