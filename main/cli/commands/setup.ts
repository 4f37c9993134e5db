// `grantbox setup LINK [--yes]`: applies IT's setup link (grantbox://setup?url=… or ?settings=…) after showing exactly
// what it configures and asking y/N — on the terminal, or one line from piped stdin; --yes for scripts. Every refusal
// (managed settings forbid it or already set those sections, not https, damaged, failing validation, answered no)
// exits non-zero and writes nothing. `--make-link FILE` prints the inline link for a settings file (for IT).
import readline from 'node:readline';
import type { Command } from 'commander';
import { AppError } from '../../services/errors';
import { action } from '../support';

/** One answer line: typed at the terminal, or the first line of piped stdin (none → no). */
async function askYesNo(question: string): Promise<boolean> {
  const input = process.stdin;
  if (!input.isTTY) {
    process.stderr.write(question);
    let text = '';
    for await (const chunk of input) {
      text += String(chunk);
      if (text.includes('\n')) break;
    }
    const answer = text.split(/\r?\n/)[0]!.trim();
    process.stderr.write(`${answer}\n`);
    return /^(y|yes)$/i.test(answer);
  }
  const rl = readline.createInterface({ input, output: process.stderr, terminal: true });
  try {
    const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
    return /^(y|yes)$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

export function register(program: Command): void {
  program
    .command('setup')
    .description('Set Grantbox up from your IT team’s setup link (grantbox://setup?…): shows what it configures and asks first')
    .argument('[link]', 'the setup link')
    .option('--yes', 'apply without asking (for scripts)')
    .option('--make-link <file>', 'print the setup link that carries this settings file (for IT)')
    .action(action(async (link: string | undefined, opts: { yes?: boolean; makeLink?: string }) => {
      const settings = await import('../../services/settings');
      if (opts.makeLink) {
        const { readSettingsFile } = settings;
        const { PersonalSettingsSchema } = await import('../../../config/schema');
        const r = await readSettingsFile(opts.makeLink, PersonalSettingsSchema);
        process.stdout.write(`${settings.makeSetupLink(r!.text)}\n`);
        return 0;
      }
      if (!link) throw new AppError('SETUP_LINK_INVALID', 'Give the setup link from your IT team.', { details: { hint: 'grantbox setup "grantbox://setup?url=https://…"' } });
      const { createNetwork } = await import('../../services/network');
      const managedFile = await settings.loadManagedSettings();
      const managed = settings.managedInfo(managedFile);
      // The settings file is fetched with the same proxy and CA rules as everything else (IT's network section).
      const network = await createNetwork({ ...(managedFile?.settings.network ? { settings: managedFile.settings.network } : {}) });
      try {
        const plan = await settings.prepareSetup(link, { fetch: network.fetch, managed });
        process.stdout.write(`This setup link configures Grantbox on this computer:\n${settings.formatSetupSummary(plan.summary).map((l) => `  ${l}`).join('\n')}\n`);
        const yes = opts.yes || (await askYesNo('Apply these settings? [y/N] '));
        if (!yes) throw new AppError('SETUP_DECLINED', 'Nothing was changed.', { details: { hint: 'Run the command again and answer y to apply the settings, or pass --yes.' } });
        const written = await settings.applySetup(plan);
        process.stdout.write(`Settings written to ${written}. Run \`grantbox doctor\` to check them.\n`);
        return 0;
      } finally {
        await network.close();
      }
    }));
}
