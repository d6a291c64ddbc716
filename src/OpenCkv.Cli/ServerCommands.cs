using OpenCkv.KeyTransparency;
using OpenCkv.Server;

namespace OpenCkv.Cli;

/// <summary>
/// `ckv server init` and `ckv server check`: create a log's data folder (keys, fixed configuration, database)
/// and check that an existing one's parts belong together. Both print the configuration fingerprint clients pin.
/// </summary>
internal static class ServerCommands
{
    public static int Init(string[] args)
    {
        string? data = Option(args, "--data");
        string? auditor = Option(args, "--auditor-key");
        if (data is null)
        {
            Console.Error.WriteLine("usage: ckv server init --data DIR [--auditor-key HEX]");
            return 2;
        }

        byte[]? auditorKey;
        try
        {
            auditorKey = auditor is null ? null : Convert.FromHexString(auditor);
            Configuration configuration = LogFolder.Create(data, auditorKey);
            Console.WriteLine($"created a {configuration.Mode} log in {data}");
            Console.WriteLine($"configuration fingerprint (clients pin this): {LogFolder.Fingerprint(configuration)}");
            return 0;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException or IOException)
        {
            Console.Error.WriteLine($"ckv server init: {e.Message}");
            return 1;
        }
    }

    public static int Check(string[] args)
    {
        string? data = Option(args, "--data");
        if (data is null)
        {
            Console.Error.WriteLine("usage: ckv server check --data DIR");
            return 2;
        }

        try
        {
            using LogFolder folder = LogFolder.Open(data);
            Console.WriteLine($"{data}: a {folder.Configuration.Mode} log of {folder.Log.Size} entries; keys, configuration and database belong together");
            Console.WriteLine($"configuration fingerprint: {LogFolder.Fingerprint(folder.Configuration)}");
            Console.WriteLine($"signing high-water mark: {folder.Signer.Mark}");
            return 0;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or KeyTransparency.Tls.KtFormatException)
        {
            Console.Error.WriteLine($"ckv server check: REFUSED: {e.Message}");
            return 1;
        }
    }

    private static string? Option(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
