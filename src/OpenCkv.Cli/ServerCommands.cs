using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Trees.Paged;
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
        if (data is null || !TryNumber(args, "--max-lifetime-days", 0, out int lifetimeDays) || !TryNumber(args, "--max-ahead-s", 60, out int aheadS) ||
            !TryNumber(args, "--max-behind-s", 86_400, out int behindS) || !TryNumber(args, "--max-auditor-lag-s", 300, out int lagS) ||
            !TryNumber(args, "--monitoring-window-s", 3_600, out int windowS))
        {
            Console.Error.WriteLine("usage: ckv server init --data DIR [--auditor-key HEX|FILE] [--max-lifetime-days N] [--max-ahead-s N] [--max-behind-s N] [--max-auditor-lag-s N] [--monitoring-window-s N]");
            return 2;
        }

        byte[]? auditorKey;
        try
        {
            // The key in hex, or the public key file `ckv auditor init` wrote (hex on one line).
            auditorKey = auditor is null ? null : Convert.FromHexString(File.Exists(auditor) ? File.ReadAllText(auditor).Trim() : auditor);
            ulong? lifetime = lifetimeDays == 0 ? null : (ulong)lifetimeDays * 86_400_000UL;
            var limits = new LogTimeLimits((ulong)aheadS * 1000, (ulong)behindS * 1000, (ulong)lagS * 1000, (ulong)windowS * 1000);
            Configuration configuration = LogFolder.Create(data, auditorKey, maximumLifetimeMs: lifetime, limits: limits);
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

    public static async Task<int> RunAsync(string[] args)
    {
        string? data = Option(args, "--data");
        if (data is null || !TryNumber(args, "--batch-ms", 50, out int batchMs) || !TryNumber(args, "--max-batch", 2_000, out int maxBatch) ||
            !TryNumber(args, "--heartbeat-s", 30, out int heartbeat) || !TryNumber(args, "--searches-per-minute", 600, out int searches) ||
            !TryNumber(args, "--sensitive-per-minute", 20, out int sensitive) || !TryNumber(args, "--signed-per-minute", 300, out int signedLimit) ||
            !TryNumber(args, "--lease-s", 10, out int leaseSeconds) || !TryNumber(args, "--replica-poll-ms", 250, out int pollMs))
        {
            Console.Error.WriteLine("usage: ckv server --data DIR [--postgres CONNSTRING [--lease-s N] [--replica-poll-ms N] [--advertise URL]] [--urls URL] [--dev] [--batch-ms N] [--max-batch N] [--heartbeat-s N] [--searches-per-minute N] [--sensitive-per-minute N] [--signed-per-minute N]");
            return 2;
        }

        var options = new ServerOptions
        {
            DataFolder = data,
            Postgres = Option(args, "--postgres"),
            Urls = Option(args, "--urls") ?? "http://127.0.0.1:8480",
            Dev = args.Contains("--dev"),
            Sequencer = new Directory.Sequencing.SequencerOptions
            {
                BatchInterval = TimeSpan.FromMilliseconds(batchMs),
                MaxBatch = maxBatch,
                HeartbeatInterval = TimeSpan.FromSeconds(heartbeat),
            },
            SearchesPerMinute = searches,
            SensitivePerMinute = sensitive,
            SignedPerMinute = signedLimit,
            LeaseDuration = TimeSpan.FromSeconds(leaseSeconds),
            ReplicaPoll = TimeSpan.FromMilliseconds(pollMs),
            Advertise = Option(args, "--advertise"),
        };

        Microsoft.AspNetCore.Builder.WebApplication app;
        try
        {
            app = DirectoryServer.Build(options);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or ArgumentException or KeyTransparency.Tls.KtFormatException or System.Data.Common.DbException)
        {
            Console.Error.WriteLine($"ckv server: REFUSED: {e.Message}");
            return 1;
        }

        // SIGTERM and Ctrl-C stop the host; the sequencer finishes the entry it is building first. A server that lost
        // its sequencer lease stops itself with exit code 75, to be restarted as a replica.
        try
        {
            await app.RunAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException or InvalidOperationException)
        {
            // Kestrel could not start listening: a missing or unreadable certificate, a wrong password, a taken port.
            Console.Error.WriteLine($"ckv server: could not start: {e.Message}");
            return 1;
        }

        return Environment.ExitCode;
    }

    /// <summary>`ckv server handover --data OLD --to NEW`: signs the handover of the log in OLD to the log in NEW.</summary>
    public static int Handover(string[] args)
    {
        string? data = Option(args, "--data");
        string? to = Option(args, "--to");
        string? postgres = Option(args, "--postgres");
        if (data is null || to is null)
        {
            Console.Error.WriteLine("usage: ckv server handover --data OLD_DIR [--postgres CONNSTRING] --to NEW_DIR   (every server of the old log stopped)");
            return 2;
        }

        try
        {
            Configuration next = LogFolder.ReadConfiguration(to);
            using LogFolder folder = postgres is null
                ? LogFolder.Open(data)
                : LogFolder.Open(data, hasher => Storage.Postgres.PostgresStores.OpenLog(postgres, hasher));
            Protocol.LogHandover statement = folder.HandOver(data, next, (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            Console.WriteLine($"{data}: handed over at {statement.FinalTreeSize} entries to the log with fingerprint {LogFolder.Fingerprint(next)}");
            Console.WriteLine($"statement: {(postgres is null ? LogFolder.HandoverPath(data) : "the shared database (table log_handover)")} (served at GET /v1/log/handover); this log now takes no more changes");
            return 0;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or ArgumentException or KeyTransparency.Tls.KtFormatException or System.Data.Common.DbException)
        {
            Console.Error.WriteLine($"ckv server handover: {e.Message}");
            return 1;
        }
    }

    public static int Admin(string[] args)
    {
        if (args.Contains("erase"))
        {
            return Erase(args);
        }

        if (args.Contains("prune"))
        {
            return Prune(args);
        }

        string? data = Option(args, "--data");
        int at = Array.IndexOf(args, "managed");
        if (data is null || at < 0 || at + 2 >= args.Length || args[at + 2] is not ("on" or "off"))
        {
            Console.Error.WriteLine("usage: ckv server admin --data DIR managed HANDLE on|off");
            return 2;
        }

        try
        {
            string label = Protocol.HandleName.Normalize(args[at + 1]);
            using var store = new Storage.Sqlite.SqliteDirectoryStore(Path.Combine(data, "directory.db"));
            byte[] account = store.AccountOf(label) ?? throw new InvalidOperationException($"No account holds {label}.");
            store.SetManaged(account, args[at + 2] == "on");
            Console.WriteLine($"{label}: managed {args[at + 2]}");
            return 0;
        }
        catch (Exception e) when (e is InvalidOperationException or Protocol.InvalidHandleException or IOException or Microsoft.Data.Sqlite.SqliteException)
        {
            Console.Error.WriteLine($"ckv server admin: {e.Message}");
            return 1;
        }
    }

    /// <summary>
    /// `ckv server admin --data DIR erase HANDLE`: an erasure request for a removed handle (docs/operations.md). Only a
    /// handle whose newest record is a tombstone is erased, so what contacts last learned — that it is gone — stays
    /// provable; the server must be stopped, as it caches what it serves.
    /// </summary>
    private static int Erase(string[] args)
    {
        string? data = Option(args, "--data");
        int at = Array.IndexOf(args, "erase");
        if (data is null || at + 1 >= args.Length)
        {
            Console.Error.WriteLine("usage: ckv server admin --data DIR [--postgres CONNSTRING] erase HANDLE   (every server on the log stopped)");
            return 2;
        }

        try
        {
            string label = Protocol.HandleName.Normalize(args[at + 1]);
            byte[] labelBytes = System.Text.Encoding.UTF8.GetBytes(label);
            string? postgres = Option(args, "--postgres");
            using LogFolder folder = postgres is null
                ? LogFolder.Open(data)
                : LogFolder.Open(data, hasher => Storage.Postgres.PostgresStores.OpenLog(postgres, hasher));
            if (folder.Log.Latest(labelBytes) is not { } latest)
            {
                throw new InvalidOperationException($"The log has no record for {label}.");
            }

            if (KeyTransparency.Tls.TlsCodec.Decode<Protocol.HandleRecord>(latest.Value).State != Protocol.CkvState.Removed)
            {
                throw new InvalidOperationException($"{label} is live: only a removed handle (its newest record a tombstone) is erased.");
            }

            int erased = folder.Log.EraseHistory(labelBytes);
            Console.WriteLine($"{label}: erased the openings and values of {erased} earlier versions; the tombstone (version {latest.Version}) stays");
            return 0;
        }
        catch (Exception e) when (e is InvalidOperationException or Protocol.InvalidHandleException or IOException or KeyTransparency.Tls.KtFormatException or System.Data.Common.DbException)
        {
            Console.Error.WriteLine($"ckv server admin: {e.Message}");
            return 1;
        }
    }

    /// <summary>
    /// `ckv server admin --data DIR [--postgres CONNSTRING] prune`: deletes the values of expired versions, then the
    /// prefix-tree pages only expired entries use (KT §7.1).
    /// </summary>
    private static int Prune(string[] args)
    {
        string? data = Option(args, "--data");
        if (data is null)
        {
            Console.Error.WriteLine("usage: ckv server admin --data DIR [--postgres CONNSTRING] prune   (every server on the log stopped)");
            return 2;
        }

        try
        {
            string? postgres = Option(args, "--postgres");
            using LogFolder folder = postgres is null
                ? LogFolder.Open(data)
                : LogFolder.Open(data, hasher => Storage.Postgres.PostgresStores.OpenLog(postgres, hasher));
            if (folder.Configuration.MaximumLifetime is null)
            {
                Console.WriteLine($"{data}: the log sets no maximum lifetime, so nothing expires");
                return 0;
            }

            Console.WriteLine($"{data}: pruned the openings and values of {folder.Log.PruneExpired()} expired versions");
            PrefixSweepResult trees = folder.Log.ReclaimExpiredTrees();
            Console.WriteLine($"{data}: deleted {trees.DeletedPages} prefix-tree pages only expired entries used; {trees.KeptPages} kept");
            return 0;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or System.Data.Common.DbException)
        {
            Console.Error.WriteLine($"ckv server admin: {e.Message}");
            return 1;
        }
    }

    private static bool TryNumber(string[] args, string name, int fallback, out int value)
    {
        string? text = Option(args, name);
        value = fallback;
        return text is null || (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value) && value > 0);
    }

    private static string? Option(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
