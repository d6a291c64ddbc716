using System.Security.Cryptography;
using OpenCkv.Crypto;
using OpenCkv.Crypto.Signatures;
using OpenCkv.Crypto.Vrf;
using OpenCkv.KeyTransparency;
using OpenCkv.Crypto.Hashing;
using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Logs.Storage;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Storage.Sqlite;

namespace OpenCkv.Server;

/// <summary>
/// A log's data folder (issue: `ckv server init`): the fixed configuration (`configuration.bin`, its TLS encoding),
/// the signing and VRF secret keys and the signing high-water mark in `keys/` (owner-only files, outside the
/// database), and the SQLite database `log.db`. Opening checks that keys, configuration and database belong
/// together before anything is served.
/// </summary>
public sealed partial class LogFolder : IDisposable
{
    private readonly EcdsaP256PrivateKey _signing;
    private readonly VrfKeyPair _vrf;
    private readonly IDisposable _database;
    private readonly FolderLock _held;

    private LogFolder(Configuration configuration, EcdsaP256PrivateKey signing, VrfKeyPair vrf, IDisposable database, TransparencyLog log, HighWaterMarkSigner signer, FolderLock held)
    {
        _held = held;
        Configuration = configuration;
        _signing = signing;
        _vrf = vrf;
        _database = database;
        Log = log;
        Signer = signer;
    }

    /// <summary>The log's fixed configuration.</summary>
    public Configuration Configuration { get; }

    /// <summary>The log, over the folder's database, signing through the high-water mark.</summary>
    public TransparencyLog Log { get; }

    /// <summary>The signer with its mark.</summary>
    public HighWaterMarkSigner Signer { get; }

    /// <summary>
    /// DEVELOPMENT ONLY — the log's keys, for a lying server that signs a second branch of its own log (the
    /// <c>split-view</c> scenario), as an operator who ignores the high-water mark could.
    /// </summary>
    internal (EcdsaP256PrivateKey Signing, VrfKeyPair Vrf) DevKeys => (_signing, _vrf);

    /// <summary>SHA-256 of the encoded configuration: what clients pin.</summary>
    public static string Fingerprint(Configuration configuration) => Convert.ToHexStringLower(configuration.Fingerprint().Span);

    /// <summary>
    /// Creates a new log in an empty (or absent) folder: fresh keys, the configuration — contact monitoring, or
    /// third-party auditing when <paramref name="auditorPublicKey"/> is given — and an empty database.
    /// </summary>
    /// <exception cref="InvalidOperationException">The folder already holds a log.</exception>
    /// <param name="folder">The data folder.</param>
    /// <param name="auditorPublicKey">The auditor's public key for a third-party-audited log, or null.</param>
    /// <param name="sqlite">Whether the log lives in the folder's SQLite file (false: in a database named at open).</param>
    /// <param name="maximumLifetimeMs">The maximum lifetime of log entries (KT §7.1), or null for none: fixed with the log.</param>
    /// <param name="limits">How far a head may be ahead of or behind a client's clock, the auditor behind the log, and the monitoring window; the defaults when null.</param>
    public static Configuration Create(string folder, byte[]? auditorPublicKey = null, bool sqlite = true, ulong? maximumLifetimeMs = null, LogTimeLimits? limits = null)
    {
        limits ??= new LogTimeLimits();
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (File.Exists(Path.Combine(folder, "configuration.bin")) || File.Exists(Path.Combine(folder, "log.db")))
        {
            throw new InvalidOperationException($"{folder} already holds a log; a log's configuration never changes.");
        }

        System.IO.Directory.CreateDirectory(folder);
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(Path.Combine(folder, "keys"));
        }
        else
        {
            System.IO.Directory.CreateDirectory(Path.Combine(folder, "keys"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        using var signing = EcdsaP256PrivateKey.Generate();
        using VrfKeyPair vrf = CryptoSuite.Fastest.Vrf.GenerateKeyPair();
        var configuration = new Configuration
        {
            Mode = auditorPublicKey is null ? DeploymentMode.ContactMonitoring : DeploymentMode.ThirdPartyAuditing,
            SignaturePublicKey = signing.PublicKey.Encoded.ToArray(),
            VrfPublicKey = vrf.PublicKey.ToArray(),
            AuditorPublicKey = auditorPublicKey,
            MaxAuditorLag = auditorPublicKey is null ? 0UL : limits.MaxAuditorLagMs,
            MaxAhead = limits.MaxAheadMs,
            MaxBehind = limits.MaxBehindMs,
            ReasonableMonitoringWindow = limits.MonitoringWindowMs,
            MaximumLifetime = maximumLifetimeMs,
        }.Validated();

        HighWaterMarkSigner.Initialize(Path.Combine(folder, "keys", "signing.hwm"));
        OpenCkv.Shared.SecretFile.WriteNew(Path.Combine(folder, "keys", "signing.key"), signing.Export());
        OpenCkv.Shared.SecretFile.WriteNew(Path.Combine(folder, "keys", "vrf.key"), vrf.ExportSecretKey());
        File.WriteAllBytes(Path.Combine(folder, "configuration.bin"), TlsCodec.Encode(configuration));
        if (sqlite)
        {
            using (new SqliteLogDatabase(Path.Combine(folder, "log.db")))
            {
                // creates the schema
            }
        }

        return configuration;
    }

    /// <summary>
    /// Opens a folder's log after taking the folder (one process at a time: <see cref="FolderLock"/>) and checking
    /// that its keys are the ones its configuration names, that its database holds a log that configuration signed,
    /// and that the high-water mark is not below the database's size.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another process holds the folder, or any of those checks failed:
    /// the folder must not be served.</exception>
    /// <param name="folder">The data folder.</param>
    /// <param name="openStore">Where the log lives, when not in the folder's SQLite file: opens the store (which is
    /// also disposed with the folder). The same checks apply: a database behind the key's mark, or holding another
    /// log, is refused.</param>
    public static LogFolder Open(string folder, Func<TreeHasher, ILogStore>? openStore = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        FolderLock held = FolderLock.Take(folder);
        try
        {
            return OpenHeld(folder, openStore, held);
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    private static LogFolder OpenHeld(string folder, Func<TreeHasher, ILogStore>? openStore, FolderLock held)
    {
        CryptoSuite suite = CryptoSuite.Fastest;
        Configuration configuration = TlsCodec.Decode<Configuration>(File.ReadAllBytes(Path.Combine(folder, "configuration.bin")));
        var signing = EcdsaP256PrivateKey.Import(File.ReadAllBytes(Path.Combine(folder, "keys", "signing.key")));
        VrfKeyPair vrf = suite.Vrf.ImportSecretKey(File.ReadAllBytes(Path.Combine(folder, "keys", "vrf.key")));
        HighWaterMarkSigner signer;
        try
        {
            signer = new HighWaterMarkSigner(signing, Path.Combine(folder, "keys", "signing.hwm"));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidOperationException(e.Message, e);
        }

        if (openStore is null && !File.Exists(Path.Combine(folder, "log.db")))
        {
            throw new InvalidOperationException($"{folder} has no database: a log is never recreated under the same keys.");
        }

        IDisposable database;
        ILogStore store;
        if (openStore is null)
        {
            var sqlite = new SqliteLogDatabase(Path.Combine(folder, "log.db"));
            database = sqlite;
            store = new SqliteLogStore(sqlite, suite.TreeHashes);
        }
        else
        {
            store = openStore(suite.TreeHashes);
            database = store as IDisposable ?? new Nothing();
        }

        try
        {
            RequireMarkCovered(signer, store.Size);

            // A crash after the head was stored but before the mark heard of it.
            if (signer.Mark == store.SignedSize && store.SignedSize > 0)
            {
                signer.Committed(store.SignedSize);
            }

            TransparencyLog log = TransparencyLog.Open(suite, configuration, signer, vrf, store);
            if (openStore is null)
            {
                // The folder's own database has one writer, this process: a head left unsigned by a crash is its to sign.
                // A shared database's head is completed by whichever server takes the sequencer lease.
                log.Refresh(completeHead: true);
            }

            return new LogFolder(configuration, signing, vrf, database, log, signer, held);
        }
        catch (ArgumentException e)
        {
            database.Dispose();
            throw new InvalidOperationException($"The folder's keys, configuration and database do not belong together: {e.Message}", e);
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Heads are signed only after their entry committed, so a mark above the committed entries means the database
    /// lost entries it once held: a restored backup (or another log's keys), which must not be served, written or
    /// declared final. Checked when a folder opens, when a server takes a shared log's lease, and before a handover.
    /// </summary>
    /// <exception cref="InvalidOperationException">The database holds fewer entries than the mark.</exception>
    internal static void RequireMarkCovered(HighWaterMarkSigner signer, ulong storedEntries)
    {
        if (signer.Mark > storedEntries)
        {
            throw new InvalidOperationException(
                $"The database holds {storedEntries} entries but the key's high-water mark is {signer.Mark}: a restored backup or another log's keys; move clients to a new log.");
        }
    }

    /// <summary>Why a handed-over log's sequencer takes no changes (<see cref="Directory.Sequencing.Sequencer.Retire"/>).</summary>
    internal const string HandedOverReason = "This log was handed over to a new log (GET /v1/log/handover) and takes no more changes.";

    private sealed class Nothing : IDisposable
    {
        public void Dispose()
        {
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _database.Dispose();
        _signing.Dispose();
        _vrf.Dispose();
        _held.Dispose();
    }
}
