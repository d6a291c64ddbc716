using CsCheck;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.KeyTransparency.Tests.Tls;

/// <summary>
/// Round trips of random field sequences through the writer and reader, and random bytes through a strict decoder:
/// decoding either returns what was written or throws <see cref="KtFormatException"/>, never anything else.
/// </summary>
public sealed class TlsCodecPropertyTests
{
    /// <summary>One field of a random schema: a kind and a value.</summary>
    private sealed record Field(int Kind, ulong Number, byte[] Bytes, ulong Ceiling);

    private static readonly ulong[] Ceilings = [byte.MaxValue, ushort.MaxValue, 0xFFFFFF, uint.MaxValue];

    private static readonly Gen<Field> Fields =
        Gen.Select(Gen.Int[0, 7], Gen.ULong, Gen.Byte.Array[0, 300], Gen.Int[0, 3])
           .Select((kind, number, bytes, ceiling) => new Field(kind, number, bytes, Ceilings[ceiling]));

    [Fact]
    public void Random_field_sequences_round_trip_exactly()
    {
        Fields.Array[0, 20].Sample(fields =>
        {
            var writer = new TlsWriter(1);
            foreach (Field f in fields)
            {
                Write(writer, f);
            }

            byte[] encoded = writer.ToArray();
            var reader = new TlsReader(encoded);
            foreach (Field f in fields)
            {
                ReadAndCompare(ref reader, f);
            }

            reader.EnsureEnd();
        }, iter: 500);
    }

    [Fact]
    public void Vector_length_prefixes_count_elements_and_are_as_wide_as_the_ceiling()
    {
        var writer = new TlsWriter();
        writer.WriteVector(new[] { new Pair(1, 2), new Pair(3, 4), new Pair(5, 6) }, ceiling: byte.MaxValue);
        writer.WriteVector(new[] { new Pair(7, 8) }, ceiling: ushort.MaxValue);
        writer.WriteOpaque([0xaa, 0xbb], ceiling: 0xFFFFFF);
        writer.WriteOpaque([0xcc], ceiling: uint.MaxValue);
        Assert.Equal(
            Convert.FromHexString("03" + "00010002" + "00030004" + "00050006" + "0001" + "00070008" + "000002aabb" + "00000001cc"),
            writer.ToArray());
    }

    [Fact]
    public void Random_bytes_decode_to_a_value_or_a_format_exception()
    {
        Gen.Byte.Array[0, 64].Sample(bytes =>
        {
            try
            {
                Pair.DecodeVector(bytes);
            }
            catch (KtFormatException e)
            {
                Assert.InRange(e.Offset, 0, bytes.Length);
            }
        }, iter: 2000);
    }

    private static void Write(TlsWriter w, Field f)
    {
        switch (f.Kind)
        {
            case 0: w.WriteUInt8((byte)f.Number); break;
            case 1: w.WriteUInt16((ushort)f.Number); break;
            case 2: w.WriteUInt32((uint)f.Number); break;
            case 3: w.WriteUInt64(f.Number); break;
            case 4: w.WriteOpaque(Clip(f), f.Ceiling); break;
            case 5: w.WriteOptionalUInt64(f.Number % 2 == 0 ? null : f.Number); break;
            case 7: w.WriteOptionalUInt32(f.Number % 2 == 0 ? null : (uint)f.Number); break;
            default: w.WriteFixed(f.Bytes, f.Bytes.Length); break;
        }
    }

    private static void ReadAndCompare(ref TlsReader r, Field f)
    {
        switch (f.Kind)
        {
            case 0: Assert.Equal((byte)f.Number, r.ReadUInt8()); break;
            case 1: Assert.Equal((ushort)f.Number, r.ReadUInt16()); break;
            case 2: Assert.Equal((uint)f.Number, r.ReadUInt32()); break;
            case 3: Assert.Equal(f.Number, r.ReadUInt64()); break;
            case 4: Assert.Equal(Clip(f), r.ReadOpaque(f.Ceiling).ToArray()); break;
            case 5: Assert.Equal(f.Number % 2 == 0 ? null : f.Number, r.ReadOptionalUInt64()); break;
            case 7: Assert.Equal(f.Number % 2 == 0 ? null : (uint)f.Number, r.ReadOptionalUInt32()); break;
            default: Assert.Equal(f.Bytes, r.ReadFixed(f.Bytes.Length).ToArray()); break;
        }
    }

    private static byte[] Clip(Field f) => f.Bytes.Length <= (int)Math.Min(f.Ceiling, int.MaxValue) ? f.Bytes : f.Bytes[..(int)f.Ceiling];
}

/// <summary>A two-field test structure: <c>struct { uint16 a; uint16 b; }</c>.</summary>
internal sealed record Pair(ushort A, ushort B) : ITlsCodec<Pair>
{
    public void Encode(TlsWriter writer)
    {
        writer.WriteUInt16(A);
        writer.WriteUInt16(B);
    }

    public static Pair Decode(ref TlsReader reader) => new(reader.ReadUInt16(), reader.ReadUInt16());

    /// <summary>Decodes <c>Pair pairs&lt;0..2^8-1&gt;</c> and nothing after it.</summary>
    public static Pair[] DecodeVector(ReadOnlySpan<byte> bytes)
    {
        var reader = new TlsReader(bytes);
        Pair[] pairs = reader.ReadVector<Pair>(byte.MaxValue, minElementSize: 4);
        reader.EnsureEnd();
        return pairs;
    }
}
