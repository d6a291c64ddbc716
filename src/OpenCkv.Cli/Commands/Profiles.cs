namespace OpenCkv.Cli.Commands;

/// <summary>
/// Where device profiles live: <c>$CKV_HOME/profiles/NAME</c>, the profile named by <c>--profile</c> or
/// <c>CKV_PROFILE</c> (else "default"), and <c>CKV_HOME</c> defaulting to the user's data folder.
/// </summary>
internal static class Profiles
{
    public static string Home =>
        Environment.GetEnvironmentVariable("CKV_HOME") is { Length: > 0 } home
            ? home
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "openckv");

    public static string Name(CliArgs args) =>
        args.Option("--profile") ?? (Environment.GetEnvironmentVariable("CKV_PROFILE") is { Length: > 0 } name ? name : "default");

    public static string Folder(CliArgs args)
    {
        string name = Name(args);
        if (name.Length == 0 || name.IndexOfAny(['/', '\\', '\0']) >= 0 || name is "." or "..")
        {
            throw new UsageException($"'{name}' cannot be a profile name");
        }

        return Path.Combine(Home, "profiles", name);
    }
}
