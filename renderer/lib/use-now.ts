// useNow: the wall clock, re-read every `intervalMs` — countdowns are computed from expiresAt and this clock,
// never from counting events, so a sleeping laptop or a throttled timer cannot make them drift.
import { useEffect, useState } from 'react';

export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}
