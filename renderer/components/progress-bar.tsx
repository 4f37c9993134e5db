// ProgressBar: native <progress> (built-in progressbar role, no inline styles, so it works under a strict CSP).
export function ProgressBar({ value, max, label, tone = 'normal' }: { value?: number; max: number; label: string; tone?: 'normal' | 'done' | 'error' }) {
  const safeMax = max > 0 ? max : 1;
  return (
    <progress
      className={`progress progress--${tone}`}
      value={value === undefined ? undefined : Math.min(Math.max(value, 0), safeMax)}
      max={safeMax}
      aria-label={label}
    />
  );
}
