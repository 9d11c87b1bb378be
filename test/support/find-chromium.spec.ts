import { CHROMIUM_CANDIDATES, findChromium } from './find-chromium';

describe('findChromium', () => {
  const only =
    (...present: string[]) =>
    (path: string) =>
      present.includes(path);

  it('takes CHROMIUM_PATH first', () => {
    expect(findChromium({ CHROMIUM_PATH: '/opt/chrome/chrome' }, only('/opt/chrome/chrome', '/usr/bin/chromium'))).toEqual({
      path: '/opt/chrome/chrome',
    });
  });

  it('refuses a CHROMIUM_PATH that does not exist rather than skipping', () => {
    expect(() => findChromium({ CHROMIUM_PATH: '/nope/chrome' }, only('/usr/bin/chromium'))).toThrow(
      'CHROMIUM_PATH=/nope/chrome does not exist',
    );
  });

  it('falls back to the Debian, then the Ubuntu, then Google names', () => {
    expect(findChromium({}, only('/usr/bin/chromium-browser', '/usr/bin/google-chrome'))).toEqual({ path: '/usr/bin/chromium-browser' });
    expect(findChromium({}, only('/usr/bin/google-chrome'))).toEqual({ path: '/usr/bin/google-chrome' });
  });

  it('says where it looked and how to install one when there is none', () => {
    const lookup = findChromium({ CHROMIUM_PATH: '' }, only());
    expect(lookup.path).toBeUndefined();
    expect(lookup.reason).toContain(CHROMIUM_CANDIDATES[0]);
    expect(lookup.reason).toContain('CHROMIUM_PATH');
  });
});
