using OpenCkv.Client;

namespace OpenCkv.Cli.Commands;

/// <summary>`ckv verify NAME [--yes|--no] [--timeout SECONDS]`: the on-device comparison (DESIGN §1, §9).</summary>
internal static class VerifyCommand
{
    private const string VerifyUsage = "verify NAME [--yes|--no] [--timeout SECONDS]";

    public static Task<int> RunAsync(IReadOnlyList<string> args) => DeviceRunner.RunAsync("verify", VerifyUsage, args, a => DeviceRunner.WithDeviceAsync(a, async device =>
    {
        if (a.Flag("--yes") && a.Flag("--no"))
        {
            throw new UsageException("say --yes or --no, not both");
        }

        string name = a.Positionals[0];
        TimeSpan timeout = TimeSpan.FromSeconds(a.Option("--timeout") is { } text
            ? int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out int seconds) && seconds > 0 ? seconds : throw new UsageException("--timeout takes a number of seconds")
            : 60);
        Console.WriteLine($"Waiting for {name} to open Verify Contact too…");
        ComparisonResult result = await device.CompareAsync(
            name,
            code =>
            {
                Console.WriteLine($"code: {code}");
                if (a.Flag("--yes") || a.Flag("--no"))
                {
                    return a.Flag("--yes");
                }

                Console.Write($"Does {name}'s screen show the same code? Mark as Verified? [y/N] ");
                return Console.ReadLine()?.Trim().ToLowerInvariant() is "y" or "yes";
            },
            timeout).ConfigureAwait(false);
        if (result.MarkedVerified)
        {
            Console.WriteLine($"{name} is marked as verified: the verification code is saved in the contact card");
            return 0;
        }

        Console.Error.WriteLine($"Not marked. If the codes differ, you may not be talking to {name}: hold off on anything sensitive until you verify again in person.");
        return 1;
    }, words => words.Count == 1));
}
