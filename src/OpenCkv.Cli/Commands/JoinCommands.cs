using OpenCkv.Client;

namespace OpenCkv.Cli.Commands;

/// <summary>`ckv device join` on a new device and `ckv device approve` on a trusted one (DESIGN §5, §9).</summary>
internal static class JoinCommands
{
    private const string JoinUsage =
        "device join --server URL --handle HANDLE --name NAME --platform phone|tablet|watch|desktop|headset --os-version V [--code CODE] [--totp CODE] [--no-passcode] [--no-keychain] [--log-config SHA256] [--timeout SECONDS]";

    private const string ApproveUsage = "device approve [REQUEST-ID] [--yes|--no] [--timeout SECONDS]";

    public static Task<int> JoinAsync(IReadOnlyList<string> args) => DeviceRunner.RunAsync("device join", JoinUsage, args, async a =>
    {
        if (a.Option("--server") is not { } server || a.Option("--handle") is not { } handle || a.Option("--name") is not { } name ||
            a.Option("--platform") is not { } platform || a.Option("--os-version") is not { } osVersion ||
            !Uri.TryCreate(server, UriKind.Absolute, out Uri? serverUri) || a.UnknownFlags("--no-passcode", "--no-keychain").Any() || a.Positionals.Count > 0)
        {
            return Output.Usage(JoinUsage);
        }

        var setup = new DeviceSetup(serverUri, handle, name, platform, osVersion, !a.Flag("--no-passcode"), !a.Flag("--no-keychain"), a.Option("--code"), a.Option("--log-config"));
        using CkvDevice device = await CkvDevice.JoinAsync(
            Profiles.Folder(a),
            setup,
            a.Option("--totp"),
            code =>
            {
                Console.WriteLine($"join code: {code}");
                Console.WriteLine("confirm on your other device that it shows the same code");
            },
            Timeout(a)).ConfigureAwait(false);
        Console.WriteLine($"joined: {device.DeviceName} ({DeviceCommands.Hex(device.DeviceId)}) has the account's keychain; {device.Contacts().Count} contacts synced");
        return 0;
    });

    public static Task<int> ApproveAsync(IReadOnlyList<string> args) => DeviceRunner.RunAsync("device approve", ApproveUsage, args, a => DeviceRunner.WithDeviceAsync(a, async device =>
    {
        if (a.Flag("--yes") && a.Flag("--no"))
        {
            throw new UsageException("say --yes or --no, not both");
        }

        ApprovedJoin approved = await device.ApproveAsync(
            a.Positionals.Count == 1 ? a.Positionals[0] : null,
            code =>
            {
                Console.WriteLine($"join code: {code}");
                if (a.Flag("--yes") || a.Flag("--no"))
                {
                    return a.Flag("--yes");
                }

                Console.Write("Does the joining device show the same code? [y/N] ");
                return Console.ReadLine()?.Trim().ToLowerInvariant() is "y" or "yes";
            },
            Timeout(a)).ConfigureAwait(false);
        Console.WriteLine($"approved {approved.DeviceName} ({approved.DeviceId}); the record with it is log entry {approved.Position}, the keychain is on its way");
        return 0;
    }, words => words.Count <= 1));

    private const string ResetUsage =
        "account reset --server URL --handle HANDLE --name NAME --platform phone|tablet|watch|desktop|headset --os-version V [--code CODE] [--totp CODE] [--no-passcode] [--no-keychain] [--log-config SHA256]";

    public static Task<int> ResetAsync(IReadOnlyList<string> args) => DeviceRunner.RunAsync("account reset", ResetUsage, args, async a =>
    {
        if (a.Option("--server") is not { } server || a.Option("--handle") is not { } handle || a.Option("--name") is not { } name ||
            a.Option("--platform") is not { } platform || a.Option("--os-version") is not { } osVersion ||
            !Uri.TryCreate(server, UriKind.Absolute, out Uri? serverUri) || a.UnknownFlags("--no-passcode", "--no-keychain").Any() || a.Positionals.Count > 0)
        {
            return Output.Usage(ResetUsage);
        }

        var setup = new DeviceSetup(serverUri, handle, name, platform, osVersion, !a.Flag("--no-passcode"), !a.Flag("--no-keychain"), a.Option("--code"), a.Option("--log-config"));
        using CkvDevice device = await CkvDevice.ResetAsync(Profiles.Folder(a), setup, a.Option("--totp")).ConfigureAwait(false);
        Console.WriteLine($"reset: {device.DeviceName} holds a new account key for {device.Label}; the old devices are signed out.");
        Console.WriteLine("Contacts who saw Contact Key Verification on will see a warning until they verify you again: share your new code (`ckv code show`).");
        return 0;
    });

    private static TimeSpan Timeout(CliArgs args)
    {
        string? text = args.Option("--timeout");
        if (text is null)
        {
            return TimeSpan.FromMinutes(2);
        }

        return int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out int seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : throw new UsageException("--timeout takes a number of seconds");
    }
}
