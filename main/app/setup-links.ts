// grantbox://setup links handed to the app by the OS: on Windows and Linux as a command-line argument (of the first
// instance, or of a second one that single-instance hands over), on macOS as an open-url event. Only the link text
// is passed on; the window shows what it configures and nothing is applied until the person confirms.
export const SETUP_SCHEME = 'grantbox';

/** The setup link among command-line arguments, if any (the OS passes it as one argument). */
export function setupLinkFromArgv(argv: readonly string[]): string | undefined {
  return argv.find((a) => a.toLowerCase().startsWith(`${SETUP_SCHEME}://`) && a.length <= 1_500_000);
}
