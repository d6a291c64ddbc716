using System.Security.Cryptography;
using System.Text.Json;
using OpenCkv.Client.Http;
using OpenCkv.Client.Records;
using OpenCkv.Client.Secrets;
using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Protocol;
using OpenCkv.Protocol.Api;

namespace OpenCkv.Client;

/// <summary>What a new device says about itself when it registers (DESIGN §9 <c>ckv device register</c>).</summary>
/// <param name="Server">The directory server.</param>
/// <param name="Handle">The handle (<c>tel:+…</c> or <c>mailto:…</c>).</param>
/// <param name="Name">The device's name.</param>
/// <param name="Platform">phone, tablet, watch, desktop or headset.</param>
/// <param name="OsVersion">The platform software version.</param>
/// <param name="Passcode">Whether a passcode is set.</param>
/// <param name="Keychain">Whether keychain sync is on.</param>
/// <param name="Code">The handle's one-time code; null on a development server, which tells it.</param>
/// <param name="LogConfiguration">The SHA-256 of the log configuration to pin (hex); null trusts the server's on first use.</param>
public sealed record DeviceSetup(Uri Server, string Handle, string Name, string Platform, string OsVersion, bool Passcode = true, bool Keychain = true, string? Code = null, string? LogConfiguration = null);

public sealed partial class CkvDevice
{
    /// <summary>The protocol version this SDK speaks.</summary>
    public const int ProtocolVersion = 1;

    /// <summary>
    /// Creates an account with this new device as its first (DESIGN §5): the account key and the keychain circle
    /// are made here, the handle's first record (CKV off) is signed and published, and the device checks with a
    /// verified search that the log holds exactly that record before it keeps anything. The log configuration is
    /// pinned — the given fingerprint, or the server's on first use (<see cref="RegisteredDevice.TrustedOnFirstUse"/>).
    /// </summary>
    /// <exception cref="CkvException">The folder already holds a device, the server refused, or the log did not prove the record.</exception>
    public static async Task<RegisteredDevice> RegisterAsync(
        string folder, DeviceSetup setup, CkvOptions? options = null, HttpMessageHandler? handler = null, TimeProvider? time = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(setup);
        using Arrival arrival = await ArriveAsync(folder, setup, handler, time, cancellation).ConfigureAwait(false);
        (string label, DeviceFactsMessage facts, DirectoryClient api, byte[] configuration, string code) = (arrival.Label, arrival.Facts, arrival.Api, arrival.Configuration, arrival.Code);
        bool trusted = setup.LogConfiguration is null;

        byte[] accountId = RandomNumberGenerator.GetBytes(HandleRecord.AccountIdSize);
        using var accountKey = EcdsaP256PrivateKey.Generate();
        using var keys = DeviceKeys.Generate();
        HandleRecord first = RecordBuilder.First(label, accountId, accountKey, [keys.EntryFor(accountId, accountKey.PublicKey.Encoded.ToArray())]);

        // Keys first: once the server has the account, losing them would lose the account.
        Directory.CreateDirectory(folder);
        ISecretStore secrets = (options ?? new CkvOptions()).SecretStoreFor(folder);
        StoreKeys(secrets, keys, accountKey);
        try
        {
            await api.RegisterAsync(new RegisterRequest(label, code, facts, Convert.ToBase64String(TlsCodec.Encode(first))), cancellation).ConfigureAwait(false);
        }
        catch (DirectoryApiException e)
        {
            throw new CkvException(e.Problem, $"The server refused the registration: {e.Detail ?? e.Problem}", e);
        }

        CkvDevice device = CreateProfile(
            folder, setup, facts, configuration, label, accountId, keys.DeviceId, [first], secrets, handler, time, options, kt: null, circle: [], contacts: []);
        await device.CheckOwnRecordsAsync(cancellation).ConfigureAwait(false);
        return new RegisteredDevice(device, trusted);
    }

    /// <summary>
    /// The first steps of every new device (register, join, reset): an empty folder, a valid handle and facts, the
    /// log configuration pinned, and the handle's one-time code (a development server's, when none is given).
    /// </summary>
    private static async Task<Arrival> ArriveAsync(string folder, DeviceSetup setup, HttpMessageHandler? handler, TimeProvider? time, CancellationToken cancellation)
    {
        if (Exists(folder))
        {
            throw new CkvException("already-registered", $"{folder} already holds a device profile.");
        }

        string label = Normalize(setup.Handle);
        DeviceFactsMessage facts = Facts(setup.Name, setup.Platform, setup.OsVersion, setup.Passcode, setup.Keychain);
        HttpClient http = NewHttp(setup.Server, handler);
        try
        {
            var api = new DirectoryClient(http, time);
            byte[] configuration = await PinConfigurationAsync(api, setup.LogConfiguration, cancellation).ConfigureAwait(false);
            string code = await HandleCodeAsync(api, http, label, setup.Code, cancellation).ConfigureAwait(false);
            return new Arrival(http, api, label, facts, configuration, code);
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }

    /// <summary>What <see cref="ArriveAsync"/> established; owns the HTTP client of the new device's first steps.</summary>
    private sealed record Arrival(HttpClient Http, DirectoryClient Api, string Label, DeviceFactsMessage Facts, byte[] Configuration, string Code) : IDisposable
    {
        public void Dispose() => Http.Dispose();
    }

    /// <summary>
    /// Writes a new profile in one transaction — settings, pinned configuration, own records, the circle (this device
    /// and <paramref name="circle"/>), contacts — and opens it. The account id goes last: a profile without it is
    /// not a profile.
    /// </summary>
    private static CkvDevice CreateProfile(
        string folder, DeviceSetup setup, DeviceFactsMessage facts, byte[] configuration, string label, byte[] accountId, byte[] deviceId,
        IReadOnlyList<HandleRecord> records, ISecretStore secrets, HttpMessageHandler? handler, TimeProvider? time, CkvOptions? options,
        KeyTransparency.Search.ClientState? kt, IReadOnlyList<CircleMember> circle, IReadOnlyList<ContactCard> contacts)
    {
        time ??= TimeProvider.System;
        var db = new Profiles.ProfileDatabase(Path.Combine(folder, DatabaseFile));
        try
        {
            db.InTransaction(() =>
            {
                db.SetSetting(Keys.Server, setup.Server.ToString());
                db.SetSetting(Keys.Configuration, configuration);
                db.SetSetting(Keys.Label, label);
                db.SetSetting(Keys.DeviceName, setup.Name);
                db.SetSetting(Keys.Facts, JsonSerializer.SerializeToUtf8Bytes(facts));
                db.SetSetting(Keys.DeviceId, deviceId);
                if (kt is not null)
                {
                    db.SetKtState(kt);
                }

                foreach (HandleRecord record in records)
                {
                    db.SetOwnRecord(record);
                }

                db.AddToCircle(deviceId, setup.Name);
                foreach (CircleMember member in circle)
                {
                    db.AddToCircle(member.DeviceId, member.Name);
                }

                foreach (ContactCard card in contacts)
                {
                    db.AddContact(new Profiles.ContactEntry(card.Name, card.Label, card.Code.Length == 0 ? null : card.Code, (ulong)time.GetUtcNow().ToUnixTimeMilliseconds()));
                }

                db.SetSetting(Keys.AccountId, accountId);
            });
            return new CkvDevice(db, secrets, NewHttp(setup.Server, handler), time, options ?? new CkvOptions());
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    /// <summary>The label of a handle, or a refusal that says what is wrong with it.</summary>
    /// <exception cref="CkvException">Not a valid handle.</exception>
    public static string Normalize(string handle)
    {
        try
        {
            return HandleName.Normalize(handle);
        }
        catch (InvalidHandleException e)
        {
            throw new CkvException("invalid-handle", e.Message, e);
        }
    }

    private static DeviceFactsMessage Facts(string name, string platform, string osVersion, bool passcode, bool keychain)
    {
        string[] platforms = ["phone", "tablet", "watch", "desktop", "headset"];
        if (!platforms.Contains(platform, StringComparer.Ordinal))
        {
            throw new CkvException("invalid-platform", $"'{platform}' is not a platform: one of {string.Join(", ", platforms)}.");
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            throw new CkvException("invalid-name", "A device needs a name.");
        }

        return new DeviceFactsMessage(name, platform, osVersion, ProtocolVersion, passcode, keychain);
    }

    private static void StoreKeys(ISecretStore secrets, DeviceKeys keys, EcdsaP256PrivateKey accountKey)
    {
        (byte[] signing, byte[] encryption, byte[] request) = keys.ExportSecrets();
        secrets.Put(Keys.SigningSecret, signing);
        secrets.Put(Keys.EncryptionSecret, encryption);
        secrets.Put(Keys.RequestSecret, request);
        secrets.Put(Keys.AccountSecret, accountKey.Export());
    }

    private static async Task<byte[]> PinConfigurationAsync(DirectoryClient api, string? pinned, CancellationToken cancellation)
    {
        byte[] configuration;
        try
        {
            configuration = await api.ConfigurationAsync(cancellation).ConfigureAwait(false);
            TlsCodec.Decode<Configuration>(configuration);
        }
        catch (Exception e) when (e is HttpRequestException or DirectoryApiException or KtFormatException or TaskCanceledException)
        {
            throw new CkvException("server-unreachable", $"Could not read the log's configuration: {e.Message}", e);
        }

        string fingerprint = Convert.ToHexStringLower(SHA256.HashData(configuration));
        if (pinned is not null && !string.Equals(pinned.Trim(), fingerprint, StringComparison.OrdinalIgnoreCase))
        {
            throw new CkvException(
                OpenCkv.Client.Alerts.AlertCode.ConfigurationChanged,
                $"The server's log configuration {fingerprint} is not the pinned {pinned.Trim().ToLowerInvariant()}: refusing this server.");
        }

        return configuration;
    }

    private static async Task<string> HandleCodeAsync(DirectoryClient api, HttpClient http, string label, string? code, CancellationToken cancellation)
    {
        try
        {
            await api.RequestCodeAsync(label, cancellation).ConfigureAwait(false);
            if (code is not null)
            {
                return code;
            }

            // Development servers tell the code they "sent"; others need --code.
            using HttpResponseMessage response = await http.GetAsync(new Uri("/dev/codes/" + Uri.EscapeDataString(label), UriKind.Relative), cancellation).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new CkvException("code-required", $"A code was sent to {label}; give it with --code.");
            }

            using JsonDocument json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false));
            return json.RootElement.GetProperty("code").GetString() ?? throw new CkvException("code-required", "The development server sent no code.");
        }
        catch (DirectoryApiException e)
        {
            throw new CkvException(e.Problem, $"The server refused to send a code to {label}: {e.Detail ?? e.Problem}", e);
        }
        catch (HttpRequestException e)
        {
            throw new CkvException("server-unreachable", $"The server did not answer: {e.Message}", e);
        }
    }
}

/// <summary>A newly registered device, and whether its log configuration was trusted on first use (say so loudly).</summary>
public sealed record RegisteredDevice(CkvDevice Device, bool TrustedOnFirstUse);
