using System.Security.Cryptography;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.Protocol;

/// <summary>
/// The signed inputs of the two things devices send each other through the server (docs/ckv-protocol.md §6):
/// end-to-end encrypted messages and keychain blobs. The server relays the bytes; only the devices can check them.
/// </summary>
public static class SignedEnvelopes
{
    /// <summary>
    /// What the sending device's message-signing key signs (DESIGN §6): the context, sender account and device,
    /// recipient account and device, conversation id, the sender's counter, and the SHA-256 of the HPKE
    /// ciphertext (encapsulated key followed by the sealed bytes) — so a message cannot be stripped, forwarded,
    /// reflected or replayed under another counter.
    /// </summary>
    public static byte[] MessageToBeSigned(
        byte[] senderAccount, byte[] senderDevice, byte[] recipientAccount, byte[] recipientDevice, byte[] conversationId, ulong counter, ReadOnlySpan<byte> ciphertext) =>
        [.. MessageAssociatedData(senderAccount, senderDevice, recipientAccount, recipientDevice, conversationId, counter), .. SHA256.HashData(ciphertext)];

    /// <summary>
    /// The HPKE associated data of a message (§6.1): the same fields as <see cref="MessageToBeSigned"/> without the
    /// ciphertext hash, so the sealed text is bound to its sender, recipient, conversation and counter.
    /// </summary>
    public static byte[] MessageAssociatedData(byte[] senderAccount, byte[] senderDevice, byte[] recipientAccount, byte[] recipientDevice, byte[] conversationId, ulong counter)
    {
        var writer = new TlsWriter();
        writer.WriteOpaque(Contexts.Bytes(Contexts.Message), byte.MaxValue);
        writer.WriteFixed(senderAccount, HandleRecord.AccountIdSize);
        writer.WriteFixed(senderDevice, Device.IdSize);
        writer.WriteFixed(recipientAccount, HandleRecord.AccountIdSize);
        writer.WriteFixed(recipientDevice, Device.IdSize);
        writer.WriteFixed(conversationId, 16);
        writer.WriteUInt64(counter);
        return writer.ToArray();
    }

    /// <summary>
    /// The HPKE associated data of a keychain blob: the context, the account, sender and recipient devices, the
    /// blob's version (only ever growing per recipient), and the join transcript it answers (32 zero bytes
    /// outside a join). Sealing under it binds the plaintext to all of these.
    /// </summary>
    public static byte[] KeychainBlobAssociatedData(byte[] accountId, byte[] senderDevice, byte[] recipientDevice, ulong blobVersion, byte[] joinTranscript)
    {
        var writer = new TlsWriter();
        writer.WriteOpaque(Contexts.Bytes(Contexts.KeychainBlob), byte.MaxValue);
        writer.WriteFixed(accountId, HandleRecord.AccountIdSize);
        writer.WriteFixed(senderDevice, Device.IdSize);
        writer.WriteFixed(recipientDevice, Device.IdSize);
        writer.WriteUInt64(blobVersion);
        writer.WriteFixed(joinTranscript, 32);
        return writer.ToArray();
    }

    /// <summary>What the sending device's signing key signs for a keychain blob: the associated data, then the
    /// SHA-256 of the HPKE ciphertext (encapsulated key followed by the sealed bytes).</summary>
    public static byte[] KeychainBlobToBeSigned(byte[] associatedData, ReadOnlySpan<byte> ciphertext)
    {
        ArgumentNullException.ThrowIfNull(associatedData);
        return [.. associatedData, .. SHA256.HashData(ciphertext)];
    }
}
