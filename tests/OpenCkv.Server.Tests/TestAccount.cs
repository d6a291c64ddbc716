using System.Text;
using OpenCkv.Client.Http;
using OpenCkv.Client.Records;
using OpenCkv.Crypto;
using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Protocol;
using OpenCkv.Protocol.Api;

namespace OpenCkv.Server.Tests;

/// <summary>An account registered through the API, as its first device holds it: keys, credentials, its newest records.</summary>
public sealed class TestAccount
{
    private TestAccount(string label, byte[] accountId, EcdsaP256PrivateKey accountKey, DeviceKeys device, DirectoryClient client, HandleRecord record)
    {
        Label = label;
        AccountId = accountId;
        AccountKey = accountKey;
        Device = device;
        Client = client;
        Records[label] = record;
    }

    public string Label { get; }

    public byte[] AccountId { get; }

    public EcdsaP256PrivateKey AccountKey { get; }

    public DeviceKeys Device { get; }

    public DirectoryClient Client { get; }

    public Dictionary<string, HandleRecord> Records { get; } = new(StringComparer.Ordinal);

    public ulong Counter => Records.Values.Max(r => r.Counter);

    public DeviceCredentials Credentials => new(AccountId, Device.DeviceId, Device.Request);

    public static DeviceFactsMessage Facts(string name = "phone", string version = "17.2", bool passcode = true, bool keychain = true) =>
        new(name, "phone", version, 1, passcode, keychain);

    public static Task<TestAccount> RegisterAsync(LoopbackServer server, string handle, DeviceFactsMessage? facts = null) =>
        RegisterAsync(server.Http, handle, facts);

    /// <summary>Registers through a development server's API, taking the code from <c>/dev/codes</c>.</summary>
    public static async Task<TestAccount> RegisterAsync(HttpClient http, string handle, DeviceFactsMessage? facts = null)
    {
        var client = new DirectoryClient(http);
        HandleCodeResponse sent = await client.RequestCodeAsync(handle);
        string code = await DevCodeAsync(http, handle);
        byte[] accountId = System.Security.Cryptography.RandomNumberGenerator.GetBytes(16);
        var accountKey = EcdsaP256PrivateKey.Generate();
        var device = DeviceKeys.Generate();
        HandleRecord first = RecordBuilder.First(sent.Label, accountId, accountKey, [device.EntryFor(accountId, accountKey.PublicKey.Encoded.ToArray())]);
        RegisterResponse registered = await client.RegisterAsync(new RegisterRequest(handle, code, facts ?? Facts(), Convert.ToBase64String(TlsCodec.Encode(first))));
        Assert.Equal(Convert.ToHexStringLower(accountId), registered.AccountId);
        Assert.Equal(0u, registered.Receipt.Versions[sent.Label]);
        return new TestAccount(sent.Label, accountId, accountKey, device, client, first);
    }

    public static async Task<string> DevCodeAsync(HttpClient http, string handle)
    {
        using var json = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri("/dev/codes/" + Uri.EscapeDataString(handle), UriKind.Relative)));
        return json.RootElement.GetProperty("code").GetString()!;
    }

    /// <summary>The next record of every live handle with the given change.</summary>
    public HandleRecord[] Next(CkvState? state = null, IReadOnlyList<Device>? devices = null)
    {
        ulong counter = Counter + 1;
        return Records.Values.Where(r => r.State != CkvState.Removed)
            .Select(r => RecordBuilder.Next(r, counter, AccountKey, state, devices)).ToArray();
    }

    public async Task<ChangeReceiptMessage> ChangeAsync(Transition transition, HandleRecord[] records)
    {
        ChangeReceiptMessage receipt = await Client.ChangeAsync(Credentials, transition, records);
        foreach (HandleRecord record in records)
        {
            Records[Encoding.UTF8.GetString(record.Label)] = record;
        }

        return receipt;
    }

    /// <summary>Turns the second factor on, as a person with an authenticator app would.</summary>
    public async Task EnableTwoFactorAsync()
    {
        TwoFactorEnrollment enrollment = await Client.BeginTwoFactorAsync(Credentials);
        byte[] secret = OtpNet.Base32Encoding.ToBytes(enrollment.Secret);
        await Client.ConfirmTwoFactorAsync(Credentials, new OtpNet.Totp(secret).ComputeTotp());
    }

    /// <summary>A verified greatest-version search for <paramref name="label"/> from this device, and the record found.</summary>
    public Task<(VerifiedSearch Search, HandleRecord Record)> LookUpAsync(LoopbackServer server, string label) => LookUpAsync(label);

    /// <summary>A verified search from this device, continuing from <paramref name="state"/> when given (its head must stay consistent).</summary>
    public async Task<(VerifiedSearch Search, HandleRecord Record)> LookUpAsync(string label, ClientState? state = null, DirectoryClient? via = null)
    {
        DirectoryClient client = via ?? Client;
        Configuration configuration = TlsCodec.Decode<Configuration>(await client.ConfigurationAsync());
        var request = new SearchRequest(state?.TreeSize, Encoding.UTF8.GetBytes(label), null);
        byte[] answer = await client.KtAsync("search", TlsCodec.Encode(request), Credentials);
        SearchResponse response = KtMessages.DecodeSearch(answer, versionRequested: false, configuration.Mode);
        VerifiedSearch verified = SearchVerifier.VerifyGreatestVersion(
            CryptoSuite.Fastest, configuration, state, request, response, (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        HandleRecord record = RecordCheck.Verify(verified.Value.Value, Encoding.UTF8.GetBytes(label), verified.Version);
        return (verified, record);
    }
}
