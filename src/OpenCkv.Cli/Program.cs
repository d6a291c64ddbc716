using OpenCkv.Cli;
using OpenCkv.Cli.Commands;

// Global options may come before the command (`ckv --profile alice chat details Bob`): move them behind it.
string[] words = GlobalOptions.Reorder(args);

return words switch
{
    ["selfcheck", .. var rest] => SelfCheckCommand.Run(json: rest.Contains("--json")),
    ["demo", .. var rest] => await DemoCommand.RunAsync(rest).ConfigureAwait(false),
    ["server", "init", .. var rest] => ServerCommands.Init(rest),
    ["server", "check", .. var rest] => ServerCommands.Check(rest),
    ["server", "admin", .. var rest] => ServerCommands.Admin(rest),
    ["server", "handover", .. var rest] => ServerCommands.Handover(rest),
    ["server", .. var rest] => await ServerCommands.RunAsync(rest).ConfigureAwait(false),
    ["auditor", "init", .. var rest] => AuditorCommands.Init(rest),
    ["auditor", .. var rest] => await AuditorCommands.RunAsync(rest).ConfigureAwait(false),
    ["device", "register", .. var rest] => await DeviceCommands.RegisterAsync(rest).ConfigureAwait(false),
    ["device", "join", .. var rest] => await JoinCommands.JoinAsync(rest).ConfigureAwait(false),
    ["device", "approve", .. var rest] => await JoinCommands.ApproveAsync(rest).ConfigureAwait(false),
    ["device", "signout", .. var rest] => await DeviceCommands.SignOutAsync(rest).ConfigureAwait(false),
    ["device", "list", .. var rest] => await DeviceCommands.ListAsync(rest).ConfigureAwait(false),
    ["device", "update", .. var rest] => await DeviceCommands.UpdateAsync(rest).ConfigureAwait(false),
    ["account", "reset", .. var rest] => await JoinCommands.ResetAsync(rest).ConfigureAwait(false),
    ["account", "2fa", .. var rest] => await DeviceCommands.TwoFactorAsync(rest).ConfigureAwait(false),
    ["verification", .. var rest] => await DeviceCommands.VerificationAsync(rest).ConfigureAwait(false),
    ["sync", .. var rest] => await ContactCommands.SyncAsync(rest, monitorOnly: false).ConfigureAwait(false),
    ["monitor", .. var rest] => await ContactCommands.SyncAsync(rest, monitorOnly: true).ConfigureAwait(false),
    ["code", .. var rest] => await ContactCommands.CodeAsync(rest).ConfigureAwait(false),
    ["contacts", .. var rest] => await ContactCommands.ContactsAsync(rest).ConfigureAwait(false),
    ["chat", "details", .. var rest] => await ContactCommands.ChatDetailsAsync(rest).ConfigureAwait(false),
    ["alerts", .. var rest] => await ContactCommands.AlertsAsync(rest).ConfigureAwait(false),
    ["verify", .. var rest] => await VerifyCommand.RunAsync(rest).ConfigureAwait(false),
    ["send", .. var rest] => await MessageCommands.SendAsync(rest).ConfigureAwait(false),
    ["inbox", .. var rest] => await MessageCommands.InboxAsync(rest).ConfigureAwait(false),
    ["web", .. var rest] => await WebCommand.RunAsync(rest).ConfigureAwait(false),
    ["--version"] => Usage.Version(),
    [] or ["--help"] or ["-h"] => Usage.Print(Console.Out, exitCode: 0),
    _ => Usage.Print(Console.Error, exitCode: 2),
};
