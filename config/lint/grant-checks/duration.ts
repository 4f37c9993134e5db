// role.duration within the range AWS allows for a session.
import { MAX_SESSION_SECONDS, MIN_SESSION_SECONDS, parseDuration } from '../../schema';
import { isRecord } from '../diagnostic';
import { rangeFor } from '../locate';
import type { GrantCheck } from './types';

export const checkDuration: GrantCheck = ({ ctx, doc, spec }) => {
  const role = isRecord(spec.role) ? spec.role : undefined;
  if (typeof role?.duration === 'string') {
    const seconds = parseDuration(role.duration);
    if (seconds !== null && (seconds < MIN_SESSION_SECONDS || seconds > MAX_SESSION_SECONDS)) {
      ctx.add(
        rangeFor(doc, ['spec', 'role', 'duration']),
        ['spec', 'role', 'duration'],
        'DURATION_OUT_OF_RANGE',
        seconds < MIN_SESSION_SECONDS
          ? `duration ${role.duration} is shorter than 15m, the shortest session AWS allows`
          : `duration ${role.duration} is longer than 12h, the longest session AWS allows (the role's MaxSessionDuration must also allow it)`,
      );
    }
  }
};
