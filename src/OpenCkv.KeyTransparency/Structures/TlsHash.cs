using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.KeyTransparency;

/// <summary>Encoding helpers for <c>opaque HashValue[Hash.Nh]</c> fields and vectors of them.</summary>
internal static class TlsHash
{
    public static void Write(TlsWriter writer, Hash32 value) => writer.WriteFixed(value.Span, Hash32.Size);

    public static Hash32 Read(ref TlsReader reader) => Hash32.From(reader.ReadFixed(Hash32.Size));

    public static void WriteVector(TlsWriter writer, IReadOnlyList<Hash32> values, ulong ceiling)
    {
        writer.WriteVectorCount(values.Count, ceiling);
        foreach (Hash32 value in values)
        {
            Write(writer, value);
        }
    }

    public static Hash32[] ReadVector(ref TlsReader reader, ulong ceiling)
    {
        int count = reader.ReadVectorCount(ceiling, minElementSize: Hash32.Size);
        var values = new Hash32[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = Read(ref reader);
        }

        return values;
    }
}
