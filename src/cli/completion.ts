// kubectl expose-sts completion: how to install shell completion, or the script itself. kubectl (≥ 1.26) completes a
// plugin's arguments through an executable kubectl_complete-<plugin> on PATH, which answers through __complete
// (tab-completion.ts); krew installs only the plugin, so that script is the user's one-time step.
import type { FlagSpecs } from '../options/flags.ts';
import type { LocalCommand } from './command.ts';

const completionFlags = {
  script: {
    type: 'boolean',
    default: false,
    describe: 'Print the kubectl_complete-expose_sts script instead of the instructions',
  },
} as const satisfies FlagSpecs;

export const completionCommand: LocalCommand<typeof completionFlags, { script: boolean }> = {
  name: 'completion',
  summary: 'How to install shell completion for this plugin',
  description: [
    'How to install shell completion for this plugin.',
    " kubectl 1.26 or newer completes a plugin's arguments through an executable named kubectl_complete-expose_sts on PATH. This prints how to install it, or with --script the script itself.",
  ],
  usage: '',
  statefulSetArg: false,
  examples: [
    ['How to install completion', 'kubectl expose-sts completion'],
    [
      'Install it next to a plugin installed by krew',
      'kubectl expose-sts completion --script > ~/.krew/bin/kubectl_complete-expose_sts',
    ],
  ],
  flags: completionFlags,
  validate: ({ script }) => ({ script }),
  connects: false,
  run: ({ script }, io) => {
    const system = process.platform === 'win32' ? 'win32' : 'posix';
    io.out(script ? completionScripts[system] : completionHelp[system]);
    return 0;
  },
};

/** How to install it, for the shells of each kind of system. */
const completionHelp = {
  posix: `Shell completion for kubectl expose-sts (kubectl 1.26 or newer completes plugins through an executable
named kubectl_complete-expose_sts on PATH). The release archives contain it; krew installs only the plugin
itself, so put the script next to it once:

  SCRIPT="\${KREW_ROOT:-$HOME/.krew}/bin/kubectl_complete-expose_sts"
  kubectl expose-sts completion --script > "$SCRIPT" && chmod +x "$SCRIPT"

Without krew, put it beside kubectl-expose_sts instead:

  SCRIPT="$(dirname "$(command -v kubectl-expose_sts)")/kubectl_complete-expose_sts"
  kubectl expose-sts completion --script > "$SCRIPT" && chmod +x "$SCRIPT"

Then kubectl's own completion (source <(kubectl completion bash), or zsh/fish) completes
kubectl expose-sts subcommands, flags, flag values and StatefulSet names.
`,
  win32: `Shell completion for kubectl expose-sts (kubectl 1.26 or newer completes plugins through an executable
named kubectl_complete-expose_sts on PATH). The release archive contains it as kubectl_complete-expose_sts.cmd;
krew installs only the plugin itself, so put the script next to it once (PowerShell):

  $dir = if ($env:KREW_ROOT) { $env:KREW_ROOT } else { "$env:USERPROFILE\\.krew" }
  kubectl expose-sts completion --script | Out-File -Encoding ascii "$dir\\bin\\kubectl_complete-expose_sts.cmd"

Without krew, put it beside kubectl-expose_sts.exe instead. Then kubectl's own completion
(kubectl completion powershell | Out-String | Invoke-Expression) completes kubectl expose-sts subcommands,
flags, flag values and StatefulSet names.
`,
};

/** The kubectl_complete-expose_sts script kubectl runs: a shell script, or on Windows a batch file (.cmd). */
export const completionScripts = {
  posix: `#!/bin/sh
# kubectl runs this for \`kubectl expose-sts <TAB>\`; the plugin answers in cobra's __complete protocol.
exec kubectl-expose_sts __complete "$@"
`,
  win32: '@kubectl-expose_sts.exe __complete %*\r\n',
};
