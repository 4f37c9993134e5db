// Where each effective setting came from, as plain lines for doctor, `grants status` and the app's Settings view:
// "aws.region: eu-west-1 — set by your IT team (/etc/grantbox/settings.yaml)". Values pass through the redaction
// guard (a git URL may carry user:token) before they are shown anywhere.
import { redactString } from '../audit/redact';
import type { SettingValue } from '../../../preload/contract';
import type { EffectiveSettings, ValueOrigin } from './effective';

export type { SettingValue };

function leaves(value: unknown, prefix: string, out: Array<{ key: string; value: string }>): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    out.push({ key: prefix, value: value.map((v) => (typeof v === 'string' && v.includes('BEGIN PGP') ? '(a public key)' : String(v))).join(', ') });
    return;
  }
  if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) leaves(v, prefix ? `${prefix}.${k}` : k, out);
    return;
  }
  out.push({ key: prefix, value: String(value) });
}

export function describeSettings(effective: EffectiveSettings): SettingValue[] {
  const out: SettingValue[] = [];
  for (const [section, origin] of Object.entries(effective.origins) as Array<[keyof typeof effective.origins, ValueOrigin]>) {
    const value = effective.settings[section];
    if (value === undefined) continue;
    const flat: Array<{ key: string; value: string }> = [];
    if (typeof value === 'object' && value !== null) leaves(value, section, flat);
    else flat.push({ key: section, value: String(value) });
    for (const leaf of flat) {
      out.push({
        key: leaf.key,
        value: redactString(leaf.value),
        origin: origin.kind,
        ...(origin.kind !== 'default' ? { file: origin.file } : {}),
        locked: origin.kind === 'managed',
      });
    }
  }
  return out;
}

/** "set by your IT team (FILE)" / "from your settings (FILE)" / "default". */
export function originText(v: Pick<SettingValue, 'origin' | 'file'>): string {
  if (v.origin === 'managed') return `set by your IT team (${v.file})`;
  if (v.origin === 'personal') return `from your settings (${v.file})`;
  return 'default';
}

/** The provenance lines doctor and `grants status` print. */
export function formatProvenance(effective: EffectiveSettings): string[] {
  const lines = describeSettings(effective).map((v) => `${v.key}: ${v.value} — ${originText(v)}`);
  if (effective.managed) {
    if (!effective.managed.setupLinks) lines.push(`setup links: refused — set by your IT team (${effective.managed.path})`);
    if (!effective.managed.allowUserSettings) lines.push(`personal settings: ignored — set by your IT team (${effective.managed.path})`);
  }
  return lines;
}
