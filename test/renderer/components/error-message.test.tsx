import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UiError } from '../../../renderer/api';
import { ErrorMessage, helpdeskText } from '../../../renderer/components/error-message';

const SECRET = 'iqhGcv6Lp3Y4wUgmIiRiRHhS4KinLURta92SW5V';
const TOKEN = 'IQoJb3JpZ2luX2VjE/////////WwECAa';

function denied() {
  return new UiError(
    {
      code: 'ASSUME_DENIED',
      message: 'You are not allowed to upload to HR documents.',
      details: {
        hint: 'Ask the HR IT team to add you to this grant.',
        contact: 'hr-it@company1.example',
        requestId: 'c0ffee-123',
        httpStatus: 403,
        awsCode: 'AccessDenied',
        // Anything unexpected in details must never reach the clipboard.
        secretAccessKey: SECRET,
        sessionToken: TOKEN,
      },
    },
    new Date('2026-11-27T10:15:00Z'),
  );
}

describe('ErrorMessage', () => {
  afterEach(() => vi.restoreAllMocks());

  it('shows the plain message, what to do and who to ask, assertively', () => {
    render(<ErrorMessage error={denied()} />);
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('You are not allowed to upload to HR documents.');
    expect(alert).toHaveTextContent('Ask the HR IT team to add you to this grant.');
    expect(alert).toHaveTextContent('Who can help: hr-it@company1.example');
    expect(alert).not.toHaveTextContent(SECRET);
  });

  it('copies code, request id and time for the helpdesk, never secrets', async () => {
    const user = userEvent.setup();
    const writeText = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue();
    render(<ErrorMessage error={denied()} context="starting upload access to HR documents" />);
    await user.click(screen.getByRole('button', { name: 'Copy details for helpdesk' }));
    expect(writeText).toHaveBeenCalledTimes(1);
    const text = writeText.mock.calls[0]![0];
    expect(text).toContain('Code: ASSUME_DENIED');
    expect(text).toContain('Request id: c0ffee-123');
    expect(text).toContain('Time: 2026-11-27T10:15:00.000Z');
    expect(text).toContain('HTTP status: 403');
    expect(text).toContain('While: starting upload access to HR documents');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(TOKEN);
    expect(screen.getByText('Copied. Paste it into your message to the helpdesk.')).toBeInTheDocument();
  });

  it('offers the text to copy by hand when the clipboard refuses', async () => {
    const user = userEvent.setup();
    vi.spyOn(navigator.clipboard, 'writeText').mockRejectedValue(new Error('denied'));
    render(<ErrorMessage error={denied()} />);
    await user.click(screen.getByRole('button', { name: 'Copy details for helpdesk' }));
    const box = screen.getByRole('textbox', { name: /Select this text and copy it/ });
    expect((box as HTMLTextAreaElement).value).toBe(helpdeskText(denied()));
  });

  it('is not announced when listed among many (live=false)', () => {
    render(<ErrorMessage error={denied()} live={false} />);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByText('You are not allowed to upload to HR documents.')).toBeInTheDocument();
  });
});
