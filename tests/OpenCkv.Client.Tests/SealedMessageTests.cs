using System.Security.Cryptography;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Protocol;

namespace OpenCkv.Client.Tests;

/// <summary>The mailbox's encrypted message and what it seals (docs/ckv-protocol.md §6.1): exact and strict.</summary>
public sealed class SealedMessageTests
{
    private static SealedMessage Message(int ciphertextLength = 40) => new(
        "mailto:alice@example.com"u8.ToArray(),
        RandomNumberGenerator.GetBytes(SealedMessage.ConversationIdSize),
        42,
        RandomNumberGenerator.GetBytes(Device.KeySize),
        RandomNumberGenerator.GetBytes(ciphertextLength),
        RandomNumberGenerator.GetBytes(Device.SignatureSize));

    /// <summary>A message written field by field with no floor on the sender label or the ciphertext.</summary>
    private static byte[] Unchecked(byte[] label, byte[] ciphertext)
    {
        SealedMessage m = Message();
        var writer = new TlsWriter();
        writer.WriteOpaque(label, byte.MaxValue);
        writer.WriteFixed(m.ConversationId, SealedMessage.ConversationIdSize);
        writer.WriteUInt64(m.Counter);
        writer.WriteFixed(m.Enc, Device.KeySize);
        writer.WriteOpaque(ciphertext, ushort.MaxValue);
        writer.WriteFixed(m.Signature, Device.SignatureSize);
        return writer.ToArray();
    }

    private static void AssertSame(SealedMessage expected, SealedMessage actual)
    {
        Assert.Equal(expected.SenderLabel, actual.SenderLabel);
        Assert.Equal(expected.ConversationId, actual.ConversationId);
        Assert.Equal(expected.Counter, actual.Counter);
        Assert.Equal(expected.Enc, actual.Enc);
        Assert.Equal(expected.Ciphertext, actual.Ciphertext);
        Assert.Equal(expected.Signature, actual.Signature);
    }

    [Theory]
    [InlineData(17)]
    [InlineData(40)]
    [InlineData(ushort.MaxValue)]
    public void A_sealed_message_round_trips(int ciphertextLength)
    {
        SealedMessage message = Message(ciphertextLength);
        byte[] encoded = TlsCodec.Encode(message);

        SealedMessage decoded = TlsCodec.Decode<SealedMessage>(encoded);

        AssertSame(message, decoded);
        Assert.Equal(encoded, TlsCodec.Encode(decoded));
        Assert.Equal([.. message.Enc, .. message.Ciphertext], decoded.SignedCiphertext());
    }

    [Fact]
    public void A_sealed_message_with_a_trailing_byte_or_cut_short_anywhere_is_refused()
    {
        byte[] encoded = TlsCodec.Encode(Message());

        Assert.Throws<KtFormatException>(() => TlsCodec.Decode<SealedMessage>([.. encoded, 0]));
        for (int length = 0; length < encoded.Length; length++)
        {
            Assert.Throws<KtFormatException>(() => TlsCodec.Decode<SealedMessage>(encoded.AsSpan(0, length)));
        }
    }

    [Fact]
    public void A_ciphertext_shorter_than_an_hpke_tag_and_an_empty_sender_label_are_refused()
    {
        byte[] label = "mailto:alice@example.com"u8.ToArray();
        Assert.Equal(17, TlsCodec.Decode<SealedMessage>(Unchecked(label, new byte[17])).Ciphertext.Length);

        Assert.Throws<KtFormatException>(() => TlsCodec.Decode<SealedMessage>(Unchecked(label, new byte[16])));
        Assert.Throws<KtFormatException>(() => TlsCodec.Decode<SealedMessage>(Unchecked(label, [])));
        Assert.Throws<KtFormatException>(() => TlsCodec.Decode<SealedMessage>(Unchecked([], new byte[17])));
    }

    [Fact]
    public void Message_content_round_trips()
    {
        var content = new MessageContent(MessageContent.TextKind, "hello, 世界"u8.ToArray(), RandomNumberGenerator.GetBytes(300));
        var bare = new MessageContent(MessageContent.TextKind, [], []);

        MessageContent decoded = TlsCodec.Decode<MessageContent>(TlsCodec.Encode(content));
        MessageContent decodedBare = TlsCodec.Decode<MessageContent>(TlsCodec.Encode(bare));

        Assert.Equal(content.Kind, decoded.Kind);
        Assert.Equal(content.Text, decoded.Text);
        Assert.Equal(content.Gossip, decoded.Gossip);
        Assert.Empty(decodedBare.Text);
        Assert.Empty(decodedBare.Gossip);
    }

    [Fact]
    public void Message_content_with_a_trailing_byte_or_cut_short_anywhere_is_refused()
    {
        byte[] encoded = TlsCodec.Encode(new MessageContent(MessageContent.TextKind, "hi"u8.ToArray(), [1, 2, 3]));

        Assert.Throws<KtFormatException>(() => TlsCodec.Decode<MessageContent>([.. encoded, 0]));
        for (int length = 0; length < encoded.Length; length++)
        {
            Assert.Throws<KtFormatException>(() => TlsCodec.Decode<MessageContent>(encoded.AsSpan(0, length)));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(255)]
    public void Message_content_of_an_unknown_kind_is_refused(byte kind)
    {
        byte[] encoded = TlsCodec.Encode(new MessageContent(kind, "hi"u8.ToArray(), []));

        Assert.Throws<KtFormatException>(() => TlsCodec.Decode<MessageContent>(encoded));
    }

    [Fact]
    public void A_conversation_id_is_the_same_from_both_sides_and_differs_for_other_pairs()
    {
        byte[] a = RandomNumberGenerator.GetBytes(HandleRecord.AccountIdSize);
        byte[] b = RandomNumberGenerator.GetBytes(HandleRecord.AccountIdSize);
        byte[] c = RandomNumberGenerator.GetBytes(HandleRecord.AccountIdSize);

        byte[] ab = SealedMessage.Conversation(a, b);

        Assert.Equal(SealedMessage.ConversationIdSize, ab.Length);
        Assert.Equal(ab, SealedMessage.Conversation(b, a));
        Assert.NotEqual(ab, SealedMessage.Conversation(a, c));
        Assert.NotEqual(ab, SealedMessage.Conversation(c, b));
        Assert.NotEqual(ab, SealedMessage.Conversation(a, a));
        Assert.NotEqual(SealedMessage.Conversation(a, c), SealedMessage.Conversation(b, c));
    }
}
