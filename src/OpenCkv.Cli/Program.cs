using OpenCkv.Cli;

return args switch
{
    ["selfcheck", .. var rest] => SelfCheckCommand.Run(json: rest.Contains("--json")),
    ["server", "init", .. var rest] => ServerCommands.Init(rest),
    ["server", "check", .. var rest] => ServerCommands.Check(rest),
    ["server", "admin", .. var rest] => ServerCommands.Admin(rest),
    ["server", "handover", .. var rest] => ServerCommands.Handover(rest),
    ["server", .. var rest] => await ServerCommands.RunAsync(rest).ConfigureAwait(false),
    ["--version"] => Usage.Version(),
    [] or ["--help"] or ["-h"] => Usage.Print(Console.Out, exitCode: 0),
    _ => Usage.Print(Console.Error, exitCode: 2),
};
