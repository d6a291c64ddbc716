using System.Security.Cryptography;
using OpenCkv.Crypto.Signatures;
using OpenCkv.Directory;
using OpenCkv.Protocol;
using OpenCkv.Protocol.Api;

namespace OpenCkv.Server.Dev;

/// <summary>
/// The malicious-server scenarios a development server plays on request (<c>POST /dev/misbehave</c>), by the stable
/// kebab-case names docs/threat-model.md lists, so that clients can be tested against a server that lies. Each one
/// does what a dishonest operator could do with the server's own data and keys, and nothing more: it never has an
/// account key.
/// </summary>
internal static class Misbehaviour
{
    /// <summary>Back to honest behaviour (every scenario so far is a one-shot action, so there is nothing to stop).</summary>
    public const string Honest = "honest";

    /// <summary>A device of the server's own appears in the handle's record, which the account key never signed.</summary>
    public const string InjectDevice = "inject-device";

    /// <summary>Every search answer for the handle gets one byte flipped, until <see cref="Honest"/>.</summary>
    public const string FlipProof = "flip-proof";

    /// <summary>The next message queued for each device of the handle's record is dropped.</summary>
    public const string DropMessage = "drop-message";

    /// <summary>A message that claims to come from the handle's account, sent from a device of the server's own to every device of <c>to</c>.</summary>
    public const string ForgeMessage = "forge-message";

    /// <summary>Every scenario name, <see cref="Honest"/> first.</summary>
    public static IReadOnlyList<string> Known { get; } = [Honest, InjectDevice, FlipProof, DropMessage, ForgeMessage];

    /// <summary>
    /// <c>forge-message</c>: the server makes a device of its own (fresh keys, in no record) and queues, for every
    /// device of <paramref name="to"/>'s record, a message that names <paramref name="handle"/> as its sender and its
    /// account as the sending account — well formed, sealed to the recipient and signed, by a key no record of the
    /// sender lists. Recipients refuse it with the warning <c>unverified-sender</c>.
    /// </summary>
    public static DevMisbehaveResponse ForgeMessageFrom(DirectoryService directory, Directory.Relays.RelayService relays, string handle, string to)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(relays);
        HandleRecord sender = directory.DevNewestRecord(handle);
        HandleRecord recipient = directory.DevNewestRecord(to);
        byte[] deviceId = RandomNumberGenerator.GetBytes(Device.IdSize);
        using EcdsaP256PrivateKey signing = EcdsaP256PrivateKey.Generate();
        byte[] conversation = SealedMessage.Conversation(sender.AccountId, recipient.AccountId);
        const ulong counter = 1;
        byte[] content = KeyTransparency.Tls.TlsCodec.Encode(new MessageContent(MessageContent.TextKind, "a message the server wrote"u8.ToArray(), []));
        byte[] info = System.Text.Encoding.ASCII.GetBytes(Contexts.Message);
        var messages = new List<(byte[], byte[])>();
        foreach (Device device in recipient.Devices)
        {
            byte[] aad = SignedEnvelopes.MessageAssociatedData(sender.AccountId, deviceId, recipient.AccountId, device.DeviceId, conversation, counter);
            (byte[] enc, byte[] sealedBytes) = Crypto.Hpke.HpkeP256.Seal(device.EncryptionKey, info, aad, content);
            byte[] signature = signing.Sign(SignedEnvelopes.MessageToBeSigned(sender.AccountId, deviceId, recipient.AccountId, device.DeviceId, conversation, counter, [.. enc, .. sealedBytes]));
            messages.Add((device.DeviceId, KeyTransparency.Tls.TlsCodec.Encode(new SealedMessage(sender.Label, conversation, counter, enc, sealedBytes, signature))));
        }

        relays.Send(sender.AccountId, deviceId, messages);
        return new DevMisbehaveResponse(ForgeMessage, System.Text.Encoding.UTF8.GetString(sender.Label), sender.Version, Convert.ToHexStringLower(deviceId));
    }

    /// <summary>Plays a known scenario.</summary>
    /// <exception cref="ArgumentException">The scenario is not one of <see cref="Known"/>, or lacks its handle.</exception>
    /// <exception cref="DirectoryException">The directory cannot play it (no such handle, a removed handle, a full record).</exception>
    public static async Task<DevMisbehaveResponse> PlayAsync(DirectoryService directory, LiveMisbehaviour live, string scenario, string? handle)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(live);
        switch (scenario)
        {
            case Honest:
                live.Stop();
                return new DevMisbehaveResponse(Honest);
            case FlipProof:
            {
                ArgumentException.ThrowIfNullOrEmpty(handle);
                HandleRecord newest = directory.DevNewestRecord(handle);
                live.FlipSearches(System.Text.Encoding.UTF8.GetString(newest.Label));
                return new DevMisbehaveResponse(FlipProof, System.Text.Encoding.UTF8.GetString(newest.Label), newest.Version);
            }

            case DropMessage:
            {
                ArgumentException.ThrowIfNullOrEmpty(handle);
                HandleRecord newest = directory.DevNewestRecord(handle);
                live.DropNextMessage(newest.Devices.Select(d => d.DeviceId));
                return new DevMisbehaveResponse(DropMessage, System.Text.Encoding.UTF8.GetString(newest.Label), newest.Version);
            }

            case InjectDevice:
                ArgumentException.ThrowIfNullOrEmpty(handle);
                (HandleRecord forged, byte[] deviceId) = await InjectDeviceAsync(directory, handle).ConfigureAwait(false);
                return new DevMisbehaveResponse(InjectDevice, System.Text.Encoding.UTF8.GetString(forged.Label), forged.Version, Convert.ToHexStringLower(deviceId));
            default:
                throw new ArgumentException($"Unknown scenario '{scenario}'.", nameof(scenario));
        }
    }

    /// <summary>
    /// <c>inject-device</c>: the server makes a device with fresh keys — its possession proof is valid, the server
    /// holds the device's signing key — and publishes the handle's next record with it added: next version, next
    /// counter, the newest record's hash, every other field as it was, and the newest record's signature left in
    /// place, since the server has no account key to sign with. Every reader's record check (docs/ckv-protocol.md
    /// §2.5) refuses it as <c>BadSignature</c>; nothing else about it is wrong.
    /// </summary>
    /// <returns>The forged record and the injected device's id.</returns>
    public static async Task<(HandleRecord Record, byte[] DeviceId)> InjectDeviceAsync(DirectoryService directory, string handle)
    {
        ArgumentNullException.ThrowIfNull(directory);
        byte[] deviceId = RandomNumberGenerator.GetBytes(Device.IdSize);
        (HandleRecord forged, _) = await directory.DevPublishForgedAsync(handle, newest =>
        {
            if (newest.State == CkvState.Removed)
            {
                throw new DirectoryException(DirectoryError.NotAllowed, "The handle was removed; inject-device needs a live handle.");
            }

            if (newest.Devices.Count >= HandleRecord.MaxDevices)
            {
                throw new DirectoryException(DirectoryError.NotAllowed, $"The record already lists {HandleRecord.MaxDevices} devices.");
            }

            Device injected = NewDevice(newest.AccountId, newest.AccountKey, deviceId);
            return newest with
            {
                Version = checked(newest.Version + 1),
                Counter = checked(newest.Counter + 1),
                PreviousRecordHash = newest.Hash(),
                Devices = [.. newest.Devices, injected],
            };
        }).ConfigureAwait(false);
        return (forged, deviceId);
    }

    /// <summary>A device entry with fresh keys and a valid possession proof for the account and its key.</summary>
    private static Device NewDevice(byte[] accountId, byte[] accountKey, byte[] deviceId)
    {
        using var signing = EcdsaP256PrivateKey.Generate();
        using var request = EcdsaP256PrivateKey.Generate();
        using var encryption = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        ECParameters point = encryption.ExportParameters(includePrivateParameters: false);
        byte[] encryptionKey = [0x04, .. point.Q.X!, .. point.Q.Y!];
        return Device.Create(accountId, accountKey, deviceId, signing, encryptionKey, request.PublicKey.Encoded.ToArray());
    }
}
