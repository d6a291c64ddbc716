using OpenCkv.Cli;

return args switch
{
    ["selfcheck", .. var rest] => SelfCheckCommand.Run(json: rest.Contains("--json")),
    ["--version"] => Usage.Version(),
    [] or ["--help"] or ["-h"] => Usage.Print(Console.Out, exitCode: 0),
    _ => Usage.Print(Console.Error, exitCode: 2),
};
