import { describe, expect, it } from 'vitest';
import { uploadSecondsLeft } from '../../../../renderer/features/uploads/use-queue';
import type { UploadItem } from '../../../../preload/contract';

const base = { batchId: 'b', relativePath: 'x', key: 'k' };
const items: UploadItem[] = [
  { ...base, id: '1', grant: 'hr-upload', size: 100, bytesSent: 40, state: 'uploading', rate: 2 },
  { ...base, id: '2', grant: 'hr-upload', size: 60, bytesSent: 0, state: 'queued' },
  { ...base, id: '3', grant: 'hr-upload', size: 500, bytesSent: 500, state: 'done' },
  { ...base, id: '4', grant: 'other', size: 1000, bytesSent: 0, state: 'uploading', rate: 100 },
];

describe('uploadSecondsLeft', () => {
  it('counts the unfinished bytes of one grant at its current speed', () => {
    expect(uploadSecondsLeft({ items, batches: [], bytesTotal: 0, bytesSent: 0, rate: 0 }, 'hr-upload')).toBe(60);
  });
  it('has no estimate when nothing moves or nothing is left', () => {
    expect(uploadSecondsLeft({ items: items.slice(1, 3), batches: [], bytesTotal: 0, bytesSent: 0, rate: 0 }, 'hr-upload')).toBeUndefined();
    expect(uploadSecondsLeft({ items: [], batches: [], bytesTotal: 0, bytesSent: 0, rate: 0 }, 'hr-upload')).toBeUndefined();
  });
});
