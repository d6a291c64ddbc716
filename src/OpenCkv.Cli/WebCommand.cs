using Microsoft.Extensions.Hosting;
using OpenCkv.Cli.Commands;
using OpenCkv.Web;

namespace OpenCkv.Cli;

/// <summary>`ckv web [--urls URL]`: the device screens and the log explorer in a browser, over the CLI's profiles.</summary>
internal static class WebCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        CliArgs? parsed = CliArgs.Parse(args);
        if (parsed is null || parsed.Positionals.Count > 0)
        {
            Console.Error.WriteLine("usage: ckv web [--urls URL]");
            return 2;
        }

        string urls = parsed.Option("--urls") ?? "http://127.0.0.1:5080";
        if (!LoopbackOnly(urls))
        {
            // The app acts for every profile of this CKV home with no sign-in of its own: it never leaves the machine.
            Console.Error.WriteLine($"ckv web: {urls} is not a loopback address (127.0.0.0/8, [::1] or localhost)");
            return 2;
        }

        await using Microsoft.AspNetCore.Builder.WebApplication app = WebApp.Build(new WebOptions { Home = Profiles.Home, Urls = urls });
        await app.StartAsync().ConfigureAwait(false);
        Console.WriteLine($"ckv web: the device screens of {Profiles.Home} at {string.Join(", ", app.Urls)}; Ctrl+C stops");
        await app.WaitForShutdownAsync().ConfigureAwait(false);
        return 0;
    }

    private static bool LoopbackOnly(string urls) => urls.Split(';', StringSplitOptions.RemoveEmptyEntries).All(url =>
        Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) && WebApp.IsLoopbackHost(uri.Host));
}
