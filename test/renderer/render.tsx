// Test helper (not a test): renders UI inside the same providers main.tsx uses, with an in-memory api.
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { ApiProvider } from '../../renderer/api';
import { ToastProvider } from '../../renderer/components/toast';
import { createFakeApi, type FakeApi, type FakeState } from '../helpers/fake-api';

export function renderWithApi(ui: ReactElement, api: FakeApi = createFakeApi()) {
  const result = render(
    <ApiProvider api={api}>
      <ToastProvider>{ui}</ToastProvider>
    </ApiProvider>,
  );
  return { ...result, api };
}

export function fakeApi(state: Partial<FakeState> = {}, clock?: () => number) {
  return createFakeApi(state, clock);
}
