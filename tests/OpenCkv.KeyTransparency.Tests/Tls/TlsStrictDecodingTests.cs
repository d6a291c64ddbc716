using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.KeyTransparency.Tests.Tls;

/// <summary>Each way an encoding can be malformed is one <see cref="KtFormatException"/> with its offset.</summary>
public sealed class TlsStrictDecodingTests
{
    [Fact]
    public void Trailing_bytes_are_rejected()
    {
        byte[] encoded = [.. TlsCodec.Encode(new VrfInput("a"u8.ToArray(), 7)), 0x00];
        var e = Assert.Throws<KtFormatException>(() => TlsCodec.Decode<VrfInput>(encoded));
        Assert.Equal(encoded.Length - 1, e.Offset);
    }

    [Fact]
    public void Truncation_at_every_length_is_rejected()
    {
        byte[] encoded = TlsCodec.Encode(new VrfInput("alice"u8.ToArray(), 7));
        for (int length = 0; length < encoded.Length; length++)
        {
            Assert.Throws<KtFormatException>(() => TlsCodec.Decode<VrfInput>(encoded.AsSpan(0, length)));
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(0x80)]
    [InlineData(0xff)]
    public void A_presence_byte_other_than_zero_or_one_is_rejected(byte presence)
    {
        byte[] encoded = [presence, 0, 0, 0, 0, 0, 0, 0, 1];
        var e = Assert.Throws<KtFormatException>(() =>
        {
            var reader = new TlsReader(encoded);
            reader.ReadOptionalUInt64();
        });
        Assert.Equal(0, e.Offset);
    }

    [Fact]
    public void A_length_over_the_ceiling_is_rejected()
    {
        byte[] encoded = [0x00, 0x05, 1, 2, 3, 4, 5];
        Assert.Throws<KtFormatException>(() =>
        {
            var reader = new TlsReader(encoded);
            reader.ReadOpaque(ceiling: ushort.MaxValue, floor: 6);
        });
        Assert.Throws<KtFormatException>(() =>
        {
            var reader = new TlsReader([0x03, 1, 2, 3]);
            reader.ReadVectorCount(ceiling: byte.MaxValue, floor: 0, minElementSize: 2);
        });
    }

    [Fact]
    public void A_count_larger_than_the_input_fails_before_allocating()
    {
        // A 4-byte prefix claiming 2^32 − 1 elements in a 4-byte buffer.
        var e = Assert.Throws<KtFormatException>(() =>
        {
            var reader = new TlsReader([0xff, 0xff, 0xff, 0xff]);
            reader.ReadVector<Pair>(uint.MaxValue, minElementSize: 4);
        });
        Assert.Equal(0, e.Offset);
        Assert.Contains("exceeds", e.Message);
    }

    [Fact]
    public void An_unknown_enum_value_is_rejected()
    {
        var e = Assert.Throws<KtFormatException>(() =>
        {
            var reader = new TlsReader([0x09]);
            reader.ReadEnum8(v => v is 1 or 2 or 3, "DeploymentMode");
        });
        Assert.Contains("DeploymentMode", e.Message);
    }

    [Fact]
    public void Writing_over_a_ceiling_is_a_programming_error()
    {
        var writer = new TlsWriter();
        Assert.Throws<ArgumentException>(() => writer.WriteOpaque(new byte[256], byte.MaxValue));
        Assert.Throws<ArgumentException>(() => writer.WriteFixed(new byte[31], 32));
        Assert.Equal(0, writer.Length);
    }
}
