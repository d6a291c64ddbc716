using System.Security.Cryptography;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.Protocol;

/// <summary>
/// One end-to-end encrypted message for one recipient device, as the mailbox carries it (docs/ckv-protocol.md
/// §6.1):
/// <code>
/// struct {
///   opaque sender_label&lt;1..255&gt;;    // the handle the recipient looks the sender up by
///   opaque conversation_id[16];
///   uint64 counter;                  // per sender device and conversation, from 1
///   opaque enc[65];                  // HPKE encapsulated key
///   opaque ciphertext&lt;17..2^16-1&gt;;  // HPKE sealed MessageContent
///   opaque signature[64];            // the sender device's signing key over SignedEnvelopes.MessageToBeSigned
/// } SealedMessage;
/// </code>
/// The sender account and device are the mailbox's (the server authenticated the sender); the signature covers
/// them, so a server that lies about them is caught.
/// </summary>
public sealed record SealedMessage(byte[] SenderLabel, byte[] ConversationId, ulong Counter, byte[] Enc, byte[] Ciphertext, byte[] Signature) : ITlsCodec<SealedMessage>
{
    /// <summary>The length of a conversation id.</summary>
    public const int ConversationIdSize = 16;

    /// <summary>The conversation id of two accounts: the same from both sides (SHA-256 over the context and both ids in order).</summary>
    public static byte[] Conversation(byte[] accountA, byte[] accountB)
    {
        ArgumentNullException.ThrowIfNull(accountA);
        ArgumentNullException.ThrowIfNull(accountB);
        bool aFirst = accountA.AsSpan().SequenceCompareTo(accountB) <= 0;
        var writer = new TlsWriter();
        writer.WriteOpaque(Contexts.Bytes(Contexts.Conversation), byte.MaxValue);
        writer.WriteFixed(aFirst ? accountA : accountB, HandleRecord.AccountIdSize);
        writer.WriteFixed(aFirst ? accountB : accountA, HandleRecord.AccountIdSize);
        return SHA256.HashData(writer.WrittenSpan)[..ConversationIdSize];
    }

    /// <summary>The HPKE ciphertext the signature covers: the encapsulated key followed by the sealed bytes.</summary>
    public byte[] SignedCiphertext() => [.. Enc, .. Ciphertext];

    /// <inheritdoc />
    public void Encode(TlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteOpaque(SenderLabel, byte.MaxValue, 1);
        writer.WriteFixed(ConversationId, ConversationIdSize);
        writer.WriteUInt64(Counter);
        writer.WriteFixed(Enc, Device.KeySize);
        writer.WriteOpaque(Ciphertext, ushort.MaxValue, 17);
        writer.WriteFixed(Signature, Device.SignatureSize);
    }

    /// <inheritdoc />
    public static SealedMessage Decode(ref TlsReader reader) => new(
        reader.ReadOpaque(byte.MaxValue, 1).ToArray(),
        reader.ReadFixed(ConversationIdSize).ToArray(),
        reader.ReadUInt64(),
        reader.ReadFixed(Device.KeySize).ToArray(),
        reader.ReadOpaque(ushort.MaxValue, 17).ToArray(),
        reader.ReadFixed(Device.SignatureSize).ToArray());
}

/// <summary>
/// What a <see cref="SealedMessage"/> seals:
/// <code>
/// struct {
///   uint8 kind;                 // 1 = text, 2 = a ComparisonStep
///   opaque text&lt;0..2^16-1&gt;;    // UTF-8
///   opaque gossip&lt;0..2^24-1&gt;;  // a self-contained distinguished-heads response (KT §13.6), or empty
/// } MessageContent;
/// </code>
/// </summary>
public sealed record MessageContent(byte Kind, byte[] Text, byte[] Gossip) : ITlsCodec<MessageContent>
{
    /// <summary>A text message.</summary>
    public const byte TextKind = 1;

    /// <summary>A step of the on-device comparison (<see cref="ComparisonStep"/>, TLS-encoded in the text field).</summary>
    public const byte ComparisonKind = 2;

    /// <inheritdoc />
    public void Encode(TlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteUInt8(Kind);
        writer.WriteOpaque(Text, ushort.MaxValue);
        writer.WriteOpaque(Gossip, (1UL << 24) - 1);
    }

    /// <inheritdoc />
    public static MessageContent Decode(ref TlsReader reader)
    {
        byte kind = reader.ReadEnum8(static k => k is TextKind or ComparisonKind, "MessageContent.kind");
        return new(kind, reader.ReadOpaque(ushort.MaxValue).ToArray(), reader.ReadOpaque((1UL << 24) - 1).ToArray());
    }
}
