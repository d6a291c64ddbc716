using OpenCkv.Client.Http;
using OpenCkv.Client.Records;
using OpenCkv.Client.Secrets;
using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Protocol;
using OpenCkv.Protocol.Api;

namespace OpenCkv.Client;

public sealed partial class CkvDevice
{
    /// <summary>
    /// Resets an account whose devices are all lost (DESIGN §5, docs/ckv-protocol.md §2.7 last row): this new device
    /// starts a new keychain circle with a new account key, and signs the next record of every live handle — the
    /// counter continuing, the chain empty, itself the only device, the CKV state unchanged. The handle's code and the
    /// account's second factor authorise it; it is the one key change nobody cross-signs, so every contact who saw CKV
    /// on gets a sticky warning until they verify again. The records it continues from come from the server and are
    /// not trusted: a lie there makes the reset fail or shows as a broken succession to contacts; after the reset
    /// the device checks its own record with a verified search before it keeps anything else.
    /// </summary>
    /// <exception cref="CkvException">The folder holds a device, the server refused, or the log did not prove the reset.</exception>
    public static async Task<CkvDevice> ResetAsync(
        string folder, DeviceSetup setup, string? secondFactor, CkvOptions? options = null, HttpMessageHandler? handler = null, TimeProvider? time = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(setup);
        using Arrival arrival = await ArriveAsync(folder, setup, handler, time, cancellation).ConfigureAwait(false);
        (string label, DeviceFactsMessage facts, DirectoryClient api, byte[] configuration, string code) = (arrival.Label, arrival.Facts, arrival.Api, arrival.Configuration, arrival.Code);
        ResetPrepareResponse prepared = await Call(() => api.PrepareResetAsync(label, code, cancellation)).ConfigureAwait(false);
        byte[] accountId;
        HandleRecord[] previous;
        try
        {
            accountId = Convert.FromHexString(prepared.AccountId);
            previous = prepared.Records.Select(r => TlsCodec.Decode<HandleRecord>(Convert.FromBase64String(r))).ToArray();
        }
        catch (Exception e) when (e is FormatException or KtFormatException)
        {
            throw new CkvException("malformed-record", $"The server's records to continue from do not decode: {e.Message}", e);
        }

        if (previous.Length == 0 || previous.Any(r => !r.AccountId.AsSpan().SequenceEqual(accountId)) || !previous.Any(r => LabelOf(r) == label))
        {
            throw new CkvException("malformed-record", "The server's records to continue from are not this account's live handles.");
        }

        using var accountKey = EcdsaP256PrivateKey.Generate();
        using var keys = DeviceKeys.Generate();
        byte[] newKey = accountKey.PublicKey.Encoded.ToArray();
        ulong counter = previous.Max(r => r.Counter) + 1;
        HandleRecord[] next = previous.Select(r => RecordBuilder.Next(r, counter, accountKey, devices: [keys.EntryFor(accountId, newKey)], chain: [])).ToArray();

        Directory.CreateDirectory(folder);
        ISecretStore secrets = (options ?? new CkvOptions()).SecretStoreFor(folder);
        StoreKeys(secrets, keys, accountKey);
        await Call(() => api.ResetAsync(label, code, secondFactor, facts, next, cancellation)).ConfigureAwait(false);

        CkvDevice device = CreateProfile(folder, setup, facts, configuration, label, accountId, keys.DeviceId, next, secrets, handler, time, options, kt: null, circle: [], contacts: []);
        await device.CheckOwnRecordsAsync(cancellation).ConfigureAwait(false);
        return device;
    }
}
