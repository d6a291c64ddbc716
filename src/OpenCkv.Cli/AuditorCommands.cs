using OpenCkv.Auditor;

namespace OpenCkv.Cli;

/// <summary>
/// `ckv auditor init` creates a third-party auditor's key; `ckv auditor` runs the auditor against a
/// third-party-auditing log (docs/auditor.md).
/// </summary>
internal static class AuditorCommands
{
    public static int Init(string[] args)
    {
        string? data = Option(args, "--data");
        if (data is null)
        {
            Console.Error.WriteLine("usage: ckv auditor init --data DIR");
            return 2;
        }

        try
        {
            (string path, string hex) = AuditorFolder.Create(data);
            Console.WriteLine($"created an auditor key in {data}");
            Console.WriteLine($"public key file: {path}");
            Console.WriteLine($"public key (ckv server init --auditor-key): {hex}");
            return 0;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"ckv auditor init: {e.Message}");
            return 1;
        }
    }

    public static async Task<int> RunAsync(string[] args)
    {
        string? server = Option(args, "--server");
        string? data = Option(args, "--data");
        string urls = Option(args, "--urls") ?? "http://127.0.0.1:8490";
        string? pollText = Option(args, "--poll-ms");
        int poll = 1000;
        if (server is null || data is null || !Uri.TryCreate(server, UriKind.Absolute, out Uri? address) ||
            (pollText is not null && (!int.TryParse(pollText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out poll) || poll < 1)))
        {
            Console.Error.WriteLine("usage: ckv auditor --server URL --data DIR [--urls URL] [--poll-ms N]");
            return 2;
        }

        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        AuditorService service;
        try
        {
            service = await AuditorService.OpenAsync(data, http, Console.Out, Console.Error, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or InvalidDataException or Microsoft.Data.Sqlite.SqliteException or System.Text.Json.JsonException)
        {
            Console.Error.WriteLine($"ckv auditor: REFUSED: {e.Message}");
            return 1;
        }

        using (service)
        {
            Console.WriteLine($"auditing {address} on {urls}");
            try
            {
                return await AuditorHost.RunAsync(service, urls, TimeSpan.FromMilliseconds(poll)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException or InvalidOperationException)
            {
                Console.Error.WriteLine($"ckv auditor: could not start: {e.Message}");
                return 1;
            }
        }
    }

    private static string? Option(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
