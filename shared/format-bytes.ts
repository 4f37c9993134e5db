// Sizes for people, in IEC units (1 KiB = 1024 bytes), written the same way by the window, the CLI and the
// messages main sends (a grant's file-size limit reads the same everywhere). Pure TypeScript: main and renderer
// both import it.

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** "1 byte", "1023 bytes", "1.5 KiB", "10 MiB", "5 GiB"; "—" for a negative or non-finite number. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1024) return bytes === 1 ? '1 byte' : `${bytes} bytes`;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = value < 10 ? 1 : 0;
  return `${new Intl.NumberFormat(undefined, { maximumFractionDigits: digits }).format(value)} ${UNITS[unit]}`;
}
