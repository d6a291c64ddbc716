using System.Security.Cryptography;
using System.Text;
using OpenCkv.Client.Alerts;
using OpenCkv.Client.Http;
using OpenCkv.Client.Profiles;
using OpenCkv.Client.Records;
using OpenCkv.Client.Secrets;
using OpenCkv.Crypto;
using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Protocol;

namespace OpenCkv.Client;

/// <summary>
/// One device with contact key verification: its keys, its profile (what it verified and pinned, its contacts,
/// alerts and messages) and its server. The SDK's entry point; the `ckv` command line is a thin shell over it.
/// A profile lives in one folder: <c>profile.db</c> (state) and the secrets beside it (<see cref="ISecretStore"/>).
/// </summary>
public sealed partial class CkvDevice : IDisposable
{
    private const string DatabaseFile = "profile.db";

    private readonly ProfileDatabase _db;
    private readonly ISecretStore _secrets;
    private readonly HttpClient _http;
    private readonly DirectoryClient _api;
    private readonly TimeProvider _time;
    private readonly DeviceKeys _keys;
    private readonly CryptoSuite _suite = CryptoSuite.Fastest;
    private Configuration? _configuration;

    private CkvDevice(ProfileDatabase db, ISecretStore secrets, HttpClient http, TimeProvider time, CkvOptions options)
    {
        _db = db;
        _secrets = secrets;
        _http = http;
        _time = time;
        Options = options;
        _api = new DirectoryClient(http, time);
        AccountId = db.Setting(Keys.AccountId) ?? throw new CkvException("not-registered", "This profile has no device yet: register it first.");
        byte[] deviceId = db.Setting(Keys.DeviceId)!;
        _keys = DeviceKeys.Import(deviceId, Secret(Keys.SigningSecret), Secret(Keys.EncryptionSecret), Secret(Keys.RequestSecret));
    }

    /// <summary>The SDK settings.</summary>
    public CkvOptions Options { get; }

    /// <summary>The account's id.</summary>
    public byte[] AccountId { get; }

    /// <summary>This device's id.</summary>
    public byte[] DeviceId => _keys.DeviceId;

    /// <summary>The handle this device registered or joined with (its label).</summary>
    public string Label => _db.TextSetting(Keys.Label)!;

    /// <summary>The name the person gave this device.</summary>
    public string DeviceName => _db.TextSetting(Keys.DeviceName)!;

    /// <summary>The server's base address.</summary>
    public Uri Server => new(_db.TextSetting(Keys.Server)!);

    /// <summary>The SHA-256 of the pinned log configuration, hex (what <c>--log-config</c> takes).</summary>
    public string ConfigurationFingerprint => Convert.ToHexStringLower(SHA256.HashData(_db.Setting(Keys.Configuration)!));

    /// <summary>The pinned log configuration.</summary>
    public Configuration Configuration => _configuration ??= TlsCodec.Decode<Configuration>(_db.Setting(Keys.Configuration)!);

    /// <summary>The profile's database (contacts, pins, alerts, messages).</summary>
    internal ProfileDatabase Database => _db;

    private DeviceCredentials Credentials => new(AccountId, _keys.DeviceId, _keys.Request);

    private ulong NowMs => (ulong)_time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Whether <paramref name="folder"/> holds a registered profile.</summary>
    public static bool Exists(string folder) => File.Exists(Path.Combine(folder, DatabaseFile));

    /// <summary>Opens the registered profile in <paramref name="folder"/>.</summary>
    /// <param name="folder">The profile folder.</param>
    /// <param name="options">SDK settings; defaults when null.</param>
    /// <param name="handler">The HTTP handler to reach the server through (tests); a plain one when null.</param>
    /// <param name="time">The clock; the system's when null.</param>
    /// <exception cref="CkvException">The folder holds no registered profile.</exception>
    public static CkvDevice Open(string folder, CkvOptions? options = null, HttpMessageHandler? handler = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Exists(folder))
        {
            throw new CkvException("not-registered", $"No device profile in {folder}: run `ckv device register` (or `join`) first.");
        }

        var db = new ProfileDatabase(Path.Combine(folder, DatabaseFile));
        try
        {
            HttpClient http = NewHttp(new Uri(db.TextSetting(Keys.Server) ?? throw new CkvException("not-registered", "The profile names no server.")), handler);
            return new CkvDevice(db, (options ?? new CkvOptions()).SecretStoreFor(folder), http, time ?? TimeProvider.System, options ?? new CkvOptions());
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _keys.Dispose();
        _http.Dispose();
        _db.Dispose();
    }

    /// <summary>
    /// The evidence kept with a <c>fork</c> alert: this device's and the peer's self-contained distinguished-heads
    /// responses (KT §13.6, TLS-encoded), each verifiable by anyone holding the pinned configuration, which commit to
    /// different roots at one tree size. Null for an alert without evidence.
    /// </summary>
    public (byte[] Own, byte[] Peer)? ForkEvidence(long alertId) => _db.Evidence(alertId);

    /// <summary>Every alert, newest first (or only the unacknowledged ones).</summary>
    public IReadOnlyList<Alert> Alerts(bool unacknowledgedOnly = false) => _db.Alerts(unacknowledgedOnly);

    /// <summary>Acknowledges an alert; a warning then no longer shows in the chat.</summary>
    /// <exception cref="CkvException">There is no alert with that id.</exception>
    public void Acknowledge(long id)
    {
        if (!_db.Acknowledge(id))
        {
            throw new CkvException("alert-unknown", $"There is no alert {id}.");
        }
    }

    private static HttpClient NewHttp(Uri server, HttpMessageHandler? handler) =>
        new(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }, disposeHandler: handler is null)
        {
            BaseAddress = server,
            Timeout = TimeSpan.FromSeconds(30),
        };

    private byte[] Secret(string name) =>
        _secrets.Read(name) ?? throw new CkvException("secrets-missing", $"The secret '{name}' of this profile is missing: the device's keys are gone.");

    private EcdsaP256PrivateKey AccountKey() => EcdsaP256PrivateKey.Import(Secret(Keys.AccountSecret));

    private static string LabelOf(HandleRecord record) => Encoding.UTF8.GetString(record.Label);

    /// <summary>Names of settings and secrets.</summary>
    private static class Keys
    {
        public const string Server = "server";
        public const string AccountId = "account_id";
        public const string DeviceId = "device_id";
        public const string Label = "label";
        public const string DeviceName = "device_name";
        public const string Facts = "facts";
        public const string Configuration = "configuration";
        public const string SigningSecret = "device-signing-key";
        public const string EncryptionSecret = "device-encryption-key";
        public const string RequestSecret = "device-request-key";
        public const string AccountSecret = "account-key";
        public const string NextAccountSecret = "account-key-next";
        public const string BlobVersion = "blob_version";
        public const string KeychainDirty = "keychain_dirty";
        public const string Gossip = "gossip";
        public const string GossipFetched = "gossip_fetched_ms";
    }
}
