using System.Security.Cryptography;
using OpenCkv.Crypto.Signatures;
using OpenCkv.Directory;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Protocol;
using OpenCkv.Protocol.Api;

namespace OpenCkv.Server.Dev;

/// <summary>The <c>forge-message</c> scenario: a message the server writes itself, in the name of an account.</summary>
internal static class MessageForgeries
{
    /// <summary>
    /// The server makes a device of its own (fresh keys, in no record) and queues, for every device of
    /// <paramref name="to"/>'s record, a message that names <paramref name="handle"/> as its sender and its account
    /// as the sending account — well formed, sealed to the recipient and signed, by a key no record of the sender
    /// lists. Recipients refuse it with the warning <c>unverified-sender</c> (ckv-protocol §6.1).
    /// </summary>
    public static DevMisbehaveResponse ForgeFrom(DirectoryService directory, Directory.Relays.RelayService relays, string handle, string to)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(relays);
        HandleRecord sender = directory.DevNewestRecord(handle);
        HandleRecord recipient = directory.DevNewestRecord(to);
        byte[] deviceId = RandomNumberGenerator.GetBytes(Device.IdSize);
        using EcdsaP256PrivateKey signing = EcdsaP256PrivateKey.Generate();
        byte[] conversation = SealedMessage.Conversation(sender.AccountId, recipient.AccountId);
        const ulong counter = 1;
        byte[] content = TlsCodec.Encode(new MessageContent(MessageContent.TextKind, "a message the server wrote"u8.ToArray(), []));
        byte[] info = System.Text.Encoding.ASCII.GetBytes(Contexts.Message);
        var messages = new List<(byte[], byte[])>();
        foreach (Device device in recipient.Devices)
        {
            byte[] aad = SignedEnvelopes.MessageAssociatedData(sender.AccountId, deviceId, recipient.AccountId, device.DeviceId, conversation, counter);
            (byte[] enc, byte[] sealedBytes) = Crypto.Hpke.HpkeP256.Seal(device.EncryptionKey, info, aad, content);
            byte[] signature = signing.Sign(SignedEnvelopes.MessageToBeSigned(sender.AccountId, deviceId, recipient.AccountId, device.DeviceId, conversation, counter, [.. enc, .. sealedBytes]));
            messages.Add((device.DeviceId, TlsCodec.Encode(new SealedMessage(sender.Label, conversation, counter, enc, sealedBytes, signature))));
        }

        relays.Send(sender.AccountId, deviceId, messages);
        return new DevMisbehaveResponse(Misbehaviour.ForgeMessage, System.Text.Encoding.UTF8.GetString(sender.Label), sender.Version, Convert.ToHexStringLower(deviceId));
    }
}
