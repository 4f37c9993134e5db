import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { App } from '../../../../renderer/app';
import { UnverifiedNotice } from '../../../../renderer/features/sign-in/unverified-notice';
import type { IdentityInfo } from '../../../../preload/contract';
import { JOHN } from '../../../helpers/fake-api';
import { fakeApi, renderWithApi } from '../../render';

const NOTE = 'This service could not confirm who these keys belong to (it does not answer GetCallerIdentity), so they were not checked yet.';
const UNVERIFIED: IdentityInfo = { arn: '', account: '', userName: 'alice', accessKeyIdLast4: 'dmin', verified: false, note: NOTE };

describe('UnverifiedNotice', () => {
  it('shows nothing for a confirmed sign-in', () => {
    const { container } = render(<UnverifiedNotice identity={JOHN} />);
    expect(container).toBeEmptyDOMElement();
  });

  it('shows the service note in a warning, and how to give an ARN when none was given', () => {
    renderWithApi(<UnverifiedNotice identity={UNVERIFIED} />);
    const notice = screen.getByRole('region', { name: 'Sign-in not confirmed' });
    expect(notice).toHaveAttribute('data-tone', 'warning');
    expect(notice).toHaveTextContent('Your sign-in could not be confirmed.');
    expect(notice).toHaveTextContent(NOTE);
    expect(notice).toHaveTextContent('Every upload place is shown, marked “The service will decide”.');
    expect(notice).toHaveTextContent('fill in “Your user ARN” under “Advanced: my company’s storage can’t confirm who I am”');
  });

  it('names the ARN in use when one was stated', () => {
    renderWithApi(<UnverifiedNotice identity={{ ...UNVERIFIED, arn: 'arn:minio:iam:::user/alice' }} />);
    const notice = screen.getByRole('region', { name: 'Sign-in not confirmed' });
    expect(notice).toHaveTextContent('Grantbox is using the ARN you entered: arn:minio:iam:::user/alice');
    expect(notice).not.toHaveTextContent('fill in “Your user ARN”');
  });

  it('has a fallback when the service gave no note', () => {
    const { note: _none, ...noNote } = UNVERIFIED;
    renderWithApi(<UnverifiedNotice identity={noNote} />);
    expect(screen.getByRole('region', { name: 'Sign-in not confirmed' })).toHaveTextContent('could not confirm who these keys belong to');
  });
});

describe('App with an unconfirmed sign-in', () => {
  it('shows the note below the top bar when already signed in unconfirmed', async () => {
    renderWithApi(<App />, fakeApi({ identity: UNVERIFIED, grants: [] }));
    expect(await screen.findByTestId('signed-in-as')).toHaveTextContent(/^Signed in as alice \(not confirmed\)$/);
    expect(await screen.findByRole('region', { name: 'Sign-in not confirmed' })).toHaveTextContent(NOTE);
  });

  it('signing in with a stated ARN lands in the workspace with the note', async () => {
    const user = userEvent.setup();
    const { api } = renderWithApi(<App />, fakeApi({ identity: null }));
    await user.click(await screen.findByLabelText('Access key ID'));
    await user.paste('minioadmin');
    await user.click(screen.getByLabelText('Secret access key'));
    await user.paste('minio-secret-value');
    await user.click(screen.getByText(/my company’s storage can’t confirm who I am/i));
    await user.click(screen.getByLabelText('Your user ARN'));
    await user.paste('arn:minio:iam:::user/john');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    const notice = await screen.findByRole('region', { name: 'Sign-in not confirmed' });
    expect(notice).toHaveTextContent('Grantbox is using the ARN you entered: arn:minio:iam:::user/john');
    expect(screen.getByTestId('signed-in-as')).toHaveTextContent('Signed in as john (not confirmed)');
    expect(api.callsOf('identity:signIn')).toEqual([{ accessKeyId: 'minioadmin', secretAccessKey: '<secret>', arn: 'arn:minio:iam:::user/john' }]);
  });

  it('a confirmed sign-in shows no such notice', async () => {
    renderWithApi(<App />);
    await screen.findByTestId('signed-in-as');
    expect(screen.queryByRole('region', { name: 'Sign-in not confirmed' })).toBeNull();
  });
});
