import { APP_ORIGIN, isAppUrl } from '../../../main/app/app-scheme';

describe('app:// scheme', () => {
  it('knows the app origin', () => {
    expect(isAppUrl(`${APP_ORIGIN}/index.html#/x`)).toBe(true);
    expect(isAppUrl('app://grantbox/index.html#/x')).toBe(true);
    expect(isAppUrl('app://grantbox.evil/index.html')).toBe(false);
    expect(isAppUrl('app://user@grantbox:80/')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });
});
