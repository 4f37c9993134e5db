import { act, renderHook, waitFor } from '@testing-library/react';
import { createElement, type ReactNode } from 'react';
import { ApiProvider } from '../../../../renderer/api';
import { useGrants } from '../../../../renderer/features/grants/use-grants';
import { createFakeApi, HR_GRANT } from '../../../helpers/fake-api';

describe('useGrants', () => {
  it('loads the grants and status, then follows grants:changed, which clears an earlier error', async () => {
    const api = createFakeApi();
    api.failNext('grants:list', { code: 'GRANTS_UNREADABLE', message: 'Grantbox could not read the grants.' });
    const wrapper = ({ children }: { children?: ReactNode }) => createElement(ApiProvider, { api }, children);
    const { result } = renderHook(() => useGrants(), { wrapper });
    await waitFor(() => expect(result.current.error?.code).toBe('GRANTS_UNREADABLE'));
    expect(result.current.grants).toBeNull();
    await waitFor(() => expect(result.current.status?.revision).toBe('3f2a9c1d0e'));

    const status = { ...api.state.status, revision: 'abc1234' };
    act(() => api.emit('grants:changed', { status, grants: [HR_GRANT] }));
    expect(result.current).toMatchObject({ grants: [HR_GRANT], error: null, status: { revision: 'abc1234' } });
  });
});
