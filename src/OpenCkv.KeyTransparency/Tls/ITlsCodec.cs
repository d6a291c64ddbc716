namespace OpenCkv.KeyTransparency.Tls;

/// <summary>
/// A structure with a TLS-presentation encoding (KT §2.1, RFC 8446 §3). <see cref="Decode"/> reads exactly one
/// value and either returns it whole or throws <see cref="KtFormatException"/>: nothing is half-built.
/// </summary>
public interface ITlsCodec<TSelf>
    where TSelf : ITlsCodec<TSelf>
{
    /// <summary>Appends this value's encoding.</summary>
    void Encode(TlsWriter writer);

    /// <summary>Reads one value.</summary>
    static abstract TSelf Decode(ref TlsReader reader);
}

/// <summary>Whole-buffer encoding and decoding of <see cref="ITlsCodec{TSelf}"/> values.</summary>
public static class TlsCodec
{
    /// <summary>The encoding of <paramref name="value"/>.</summary>
    public static byte[] Encode<T>(T value)
        where T : ITlsCodec<T>
    {
        ArgumentNullException.ThrowIfNull(value);
        var writer = new TlsWriter();
        value.Encode(writer);
        return writer.ToArray();
    }

    /// <summary>Decodes a buffer that must hold exactly one value and nothing after it.</summary>
    public static T Decode<T>(ReadOnlySpan<byte> encoded)
        where T : ITlsCodec<T>
    {
        var reader = new TlsReader(encoded);
        T value = T.Decode(ref reader);
        reader.EnsureEnd();
        return value;
    }
}
